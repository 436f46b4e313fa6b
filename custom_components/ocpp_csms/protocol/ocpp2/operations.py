"""OCPP 2.x operations beyond charging, shared by 2.0.1 and 2.1.

Reservations, firmware and logs, display messages, variable monitoring and
reports, transaction status, customer information, charging profiles (read
only) and certificates. Reports that come in parts are assembled by the
ReportCollector.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, override

from ...model.commands import CommandError, CommandOutcome
from ...model.errors import InvalidCommand
from ...model.operations import (
    CertificateHash,
    DisplayMessage,
    FirmwareRequest,
    LogRequest,
    Monitor,
    Report,
    Reservation,
)
from ..inputs import ocpp_time
from ..report_collector import ReportCollector
from ..shared import SharedHandlers, firmware_of
from .variables import KEY_SYNTAX, parse_key

LOG_TYPES = {"diagnostics": "DiagnosticsLog", "security": "SecurityLog"}
# Answers that mean "nothing to report": no report follows.
NOTHING_TO_REPORT = {"EmptyResultSet", "NoProfiles", "Unknown", "NotFound"}


def _key(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        return parse_key(key)
    except ValueError as err:
        raise InvalidCommand(str(err), KEY_SYNTAX) from err


def _component_variables(keys: list[str]) -> list[dict[str, Any]] | None:
    pairs = [_key(key) for key in keys]
    return [{"component": c, "variable": v} for c, v in pairs] or None


class Ocpp2Operations(SharedHandlers):
    """The 2.x operations; mixed before the version's ocpp class."""

    reports: ReportCollector  # the reports part's (``Ocpp2Reports``)

    async def _reported(self, request_id: int, payload: Any) -> Report:
        """Send a request whose answer comes as a report in parts; return the parts."""
        action = type(payload).__name__
        pending = self.reports.expect(request_id, action)
        try:
            result = await self.request(payload)
            status = str(result.status)
            if status in NOTHING_TO_REPORT:
                self.reports.drop(request_id)
                return []
            self.outcome(action, status)
        except CommandError:
            self.reports.drop(request_id)
            raise
        return await self.reports.wait(request_id, pending, self.timeout)

    # ------------------------------------------------------------ reservations
    async def reserve_now(self, reservation: Reservation) -> CommandOutcome:
        """ReserveNow, of one EVSE or (without evseId) of any."""
        group = reservation.group_id_tag
        return await self.request_status(
            self._call.ReserveNow(
                id=reservation.reservation_id,
                expiry_date_time=ocpp_time(reservation.expires),
                id_token={"idToken": reservation.id_tag, "type": "Central"},
                evse_id=reservation.connector_id,
                group_id_token={"idToken": group, "type": "Central"} if group else None,
            )
        )

    async def cancel_reservation(self, reservation_id: int) -> CommandOutcome:
        """CancelReservation."""
        return await self.request_status(
            self._call.CancelReservation(reservation_id=reservation_id)
        )

    # ------------------------------------------------------------ firmware and logs
    async def update_firmware(self, request: FirmwareRequest) -> CommandOutcome:
        """UpdateFirmware (signed where the request carries a signature)."""
        return await self.request_status(
            self._call.UpdateFirmware(
                request_id=request.request_id,
                firmware=firmware_of(request),
                retries=request.retries,
                retry_interval=request.retry_interval_s,
            )
        )

    async def upload_logs(self, request: LogRequest) -> str | None:
        """GetLog: DiagnosticsLog or SecurityLog."""
        return await self.get_log(request, LOG_TYPES[request.log_type])

    # ------------------------------------------------------------ display messages
    @override
    async def set_display_message(self, message: DisplayMessage) -> CommandOutcome:
        """SetDisplayMessage."""
        content: dict[str, Any] = {"format": message.text_format, "content": message.text}
        if message.language:
            content["language"] = message.language
        info: dict[str, Any] = {"id": message.message_id, "priority": message.priority}
        info["message"] = content
        if message.state:
            info["state"] = message.state
        if message.start is not None:
            info["startDateTime"] = ocpp_time(message.start)
        if message.end is not None:
            info["endDateTime"] = ocpp_time(message.end)
        if message.transaction_id:
            info["transactionId"] = message.transaction_id
        return await self.request_status(self._call.SetDisplayMessage(message=info))

    @override
    async def get_display_messages(
        self, request_id: int, ids: list[int], priority: str | None, state: str | None
    ) -> Report:
        """GetDisplayMessages, gathered from NotifyDisplayMessages."""
        return await self._reported(
            request_id,
            self._call.GetDisplayMessages(
                request_id=request_id, id=ids or None, priority=priority, state=state
            ),
        )

    @override
    async def clear_display_message(self, message_id: int) -> CommandOutcome:
        """ClearDisplayMessage."""
        return await self.request_status(self._call.ClearDisplayMessage(id=message_id))

    # ------------------------------------------------------------ monitoring, reports
    @override
    async def set_variable_monitoring(self, monitors: list[Monitor]) -> Report:
        """SetVariableMonitoring; one result per monitor, as the charger gives it."""
        data = []
        for monitor in monitors:
            component, variable = _key(monitor.key)
            item: dict[str, Any] = {
                "value": monitor.value,
                "type": monitor.kind,
                "severity": monitor.severity,
                "component": component,
                "variable": variable,
            }
            if monitor.monitor_id is not None:
                item["id"] = monitor.monitor_id
            if monitor.transaction:
                item["transaction"] = True
            data.append(item)
        result = await self.request(self._call.SetVariableMonitoring(set_monitoring_data=data))
        for item in result.set_monitoring_result:
            if item.get("status") == "Accepted" and item.get("id") is not None:
                self.charger.monitor_severity[int(item["id"])] = int(item["severity"])
        return list(result.set_monitoring_result)

    @override
    async def clear_variable_monitoring(self, monitor_ids: list[int]) -> Report:
        """ClearVariableMonitoring; one result per id."""
        result = await self.request(self._call.ClearVariableMonitoring(id=monitor_ids))
        return list(result.clear_monitoring_result)

    @override
    async def get_monitoring_report(
        self, request_id: int, keys: list[str], criteria: list[str]
    ) -> Report:
        """GetMonitoringReport, gathered from NotifyMonitoringReport."""
        return await self._reported(
            request_id,
            self._call.GetMonitoringReport(
                request_id=request_id,
                component_variable=_component_variables(keys),
                monitoring_criteria=criteria or None,
            ),
        )

    @override
    async def get_report(self, request_id: int, keys: list[str], criteria: list[str]) -> Report:
        """GetReport, gathered from NotifyReport."""
        return await self._reported(
            request_id,
            self._call.GetReport(
                request_id=request_id,
                component_variable=_component_variables(keys),
                component_criteria=criteria or None,
            ),
        )

    @override
    async def get_base_report(self, request_id: int, report_base: str) -> Report:
        """GetBaseReport, gathered from NotifyReport."""
        return await self._reported(
            request_id, self._call.GetBaseReport(request_id=request_id, report_base=report_base)
        )

    # ------------------------------------------------------------ the rest
    @override
    async def get_transaction_status(self, transaction_id: str | None) -> dict[str, Any]:
        """GetTransactionStatus."""
        result = await self.request(self._call.GetTransactionStatus(transaction_id=transaction_id))
        return {
            "ongoing": result.ongoing_indicator,
            "messages_in_queue": result.messages_in_queue,
        }

    @override
    async def customer_information(
        self, request_id: int, report: bool, clear: bool, identifier: dict[str, Any]
    ) -> str:
        """CustomerInformation; the report's data parts joined."""
        token = identifier.get("id_tag")
        parts = await self._reported(
            request_id,
            self._call.CustomerInformation(
                request_id=request_id,
                report=report,
                clear=clear,
                customer_identifier=identifier.get("customer_identifier"),
                id_token={"idToken": token, "type": "Central"} if token else None,
                customer_certificate=identifier.get("certificate"),
            ),
        )
        return "".join(str(p) for p in parts)

    @override
    async def get_charging_profiles(
        self, request_id: int, connector_id: int | None, criteria: dict[str, Any]
    ) -> Report:
        """GetChargingProfiles, gathered from ReportChargingProfiles."""
        return await self._reported(
            request_id,
            self._call.GetChargingProfiles(
                request_id=request_id, charging_profile=criteria, evse_id=connector_id
            ),
        )

    async def get_installed_certificate_ids(self, types: list[str]) -> Report:
        """GetInstalledCertificateIds (NotFound: none)."""
        result = await self.request(
            self._call.GetInstalledCertificateIds(certificate_type=types or None)
        )
        if str(result.status) == "NotFound":
            return []
        self.outcome("GetInstalledCertificateIds", str(result.status))
        return list(result.certificate_hash_data_chain or [])

    async def install_certificate(self, certificate_type: str, certificate: str) -> CommandOutcome:
        """InstallCertificate."""
        return await self.request_status(
            self._call.InstallCertificate(
                certificate_type=certificate_type, certificate=certificate
            )
        )

    async def delete_certificate(self, hash_data: CertificateHash) -> CommandOutcome:
        """DeleteCertificate."""
        return await self.request_status(
            self._call.DeleteCertificate(certificate_hash_data=asdict(hash_data))
        )
