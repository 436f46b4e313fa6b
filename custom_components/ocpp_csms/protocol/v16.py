"""OCPP 1.6J adapter: translates 1.6 messages to the model and model commands to 1.6."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from ..model.charger import Charger, ChargerIdentity
from ..model.commands import (
    ChargeLimit,
    CommandError,
    ConfigurationResult,
    ResetKind,
)
from ..model.csms import Csms
from .connection import PROFILE_PURPOSES, AdapterMixin, frame_logger
from .values import connector_status, meter_samples, ocpp_now, parse_time


class V16Adapter(AdapterMixin, ChargePoint):
    protocol_version = "1.6"
    actions = Action
    error_code_map = {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    }

    def __init__(self, charger: Charger, csms: Csms, connection: Any, timeout: float) -> None:
        ChargePoint.__init__(
            self, charger.charger_id, connection, timeout, logger=frame_logger(charger.charger_id)
        )
        self._init_adapter(charger)
        self.csms = csms

    # ------------------------------------------------------------ charger -> CSMS
    @on(Action.boot_notification)
    def on_boot_notification(self, charge_point_vendor: str, charge_point_model: str, **kw: Any):
        identity = ChargerIdentity(
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial_number=kw.get("charge_point_serial_number")
            or kw.get("charge_box_serial_number"),
            firmware_version=kw.get("firmware_version"),
            meter_type=kw.get("meter_type"),
            meter_serial_number=kw.get("meter_serial_number"),
        )
        status = self.csms.boot(self.charger, identity)
        interval = self.csms.boot_interval(status)
        return call_result.BootNotification(
            current_time=ocpp_now(), interval=interval, status=status
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **kw: Any):
        self.csms.heartbeat(self.charger)
        return call_result.Heartbeat(current_time=ocpp_now())

    @on(Action.status_notification)
    def on_status_notification(self, connector_id: int, error_code: str, status: str, **kw: Any):
        error = None if error_code == "NoError" else error_code
        if error and kw.get("vendor_error_code"):
            error = f"{error} ({kw['vendor_error_code']})"
        self.csms.connector_status(self.charger, connector_id, connector_status(status), error)
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, id_tag: str, **kw: Any):
        status = self.csms.authorize(self.charger, id_tag, "Authorize")
        return call_result.Authorize(id_tag_info={"status": str(status)})

    @on(Action.start_transaction)
    def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kw: Any
    ):
        status = self.csms.authorize(self.charger, id_tag, "StartTransaction")
        tx_id = self.csms.next_transaction_id()
        self.csms.start_transaction(
            self.charger,
            connector_id,
            str(tx_id),
            id_tag,
            float(meter_start),
            parse_time(timestamp),
        )
        return call_result.StartTransaction(
            transaction_id=tx_id, id_tag_info={"status": str(status)}
        )

    @on(Action.stop_transaction)
    def on_stop_transaction(self, meter_stop: int, timestamp: str, transaction_id: int, **kw: Any):
        tx_id = str(transaction_id)
        tx = self.csms.find_transaction(self.charger, tx_id)
        if kw.get("transaction_data") and tx is not None:
            samples = meter_samples(kw["transaction_data"], "sampled_value")
            self.csms.meter_values(self.charger, tx.connector_id, tx_id, samples)
        self.csms.stop_transaction(
            self.charger, tx_id, float(meter_stop), parse_time(timestamp), kw.get("reason")
        )
        if id_tag := kw.get("id_tag"):
            status = self.csms.authorize(self.charger, id_tag, "StopTransaction")
            return call_result.StopTransaction(id_tag_info={"status": str(status)})
        return call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]], **kw: Any):
        tx_id = kw.get("transaction_id")
        samples = meter_samples(meter_value, "sampled_value")
        self.csms.meter_values(
            self.charger, connector_id, None if tx_id is None else str(tx_id), samples
        )
        return call_result.MeterValues()

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kw: Any):
        self.charger.remember("DataTransfer", {"vendor_id": vendor_id, **kw})
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.firmware_status_notification)
    def on_firmware_status(self, status: str, **kw: Any):
        self.charger.firmware_status = status
        self.charger.notify()
        return call_result.FirmwareStatusNotification()

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status(self, status: str, **kw: Any):
        self.charger.diagnostics_status = status
        self.charger.notify()
        return call_result.DiagnosticsStatusNotification()

    # Security whitepaper extensions some 1.6 chargers send.
    @on(Action.security_event_notification)
    def on_security_event(self, type: str, timestamp: str, **kw: Any):
        self.charger.remember(
            "SecurityEventNotification", {"type": type, "timestamp": timestamp, **kw}
        )
        return call_result.SecurityEventNotification()

    @on(Action.signed_firmware_status_notification)
    def on_signed_firmware_status(self, status: str, **kw: Any):
        self.charger.firmware_status = status
        self.charger.notify()
        return call_result.SignedFirmwareStatusNotification()

    @on(Action.log_status_notification)
    def on_log_status(self, status: str, **kw: Any):
        self.charger.diagnostics_status = status
        self.charger.notify()
        return call_result.LogStatusNotification()

    @on(Action.sign_certificate)
    def on_sign_certificate(self, csr: str, **kw: Any):
        self.charger.remember("SignCertificate", {"csr": csr})
        return call_result.SignCertificate(status="Rejected")

    # ------------------------------------------------------------ CSMS -> charger
    async def remote_start(self, connector_id: int, id_tag: str) -> str:
        return await self.request_status(
            call.RemoteStartTransaction(id_tag=id_tag, connector_id=connector_id)
        )

    async def remote_stop(self, transaction_id: str) -> str:
        return await self.request_status(
            call.RemoteStopTransaction(transaction_id=int(transaction_id))
        )

    async def reset(self, kind: ResetKind) -> str:
        return await self.request_status(call.Reset(type=kind.value.capitalize()))

    async def unlock(self, connector_id: int) -> str:
        return await self.request_status(call.UnlockConnector(connector_id=connector_id))

    async def change_availability(self, connector_id: int, operative: bool) -> str:
        kind = "Operative" if operative else "Inoperative"
        return await self.request_status(
            call.ChangeAvailability(connector_id=connector_id, type=kind)
        )

    async def set_charge_limit(self, limit: ChargeLimit) -> str:
        profile: dict[str, Any] = {
            "chargingProfileId": limit.profile_id,
            "stackLevel": limit.stack_level,
            "chargingProfilePurpose": PROFILE_PURPOSES[limit.purpose],
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "startSchedule": ocpp_now(),
                "chargingRateUnit": limit.unit,
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit.limit}],
            },
        }
        if limit.transaction_id is not None:
            profile["transactionId"] = int(limit.transaction_id)
        return await self.request_status(
            call.SetChargingProfile(connector_id=limit.connector_id, cs_charging_profiles=profile)
        )

    def clear_profile_call(self, profile_id: int) -> Any:
        return call.ClearChargingProfile(id=profile_id)

    async def get_configuration(self, keys: list[str]) -> ConfigurationResult:
        result = await self.request(call.GetConfiguration(key=keys or None))
        out = ConfigurationResult(unknown=list(result.unknown_key or []))
        for item in result.configuration_key or []:
            out.values[item["key"]] = item.get("value")
            if item.get("readonly"):
                out.readonly.append(item["key"])
        return out

    async def set_configuration(self, key: str, value: str) -> str:
        result = await self.request(call.ChangeConfiguration(key=key, value=value))
        status = str(result.status)
        if status not in ("Accepted", "RebootRequired"):
            raise CommandError("ChangeConfiguration", status)
        return status

    async def trigger_message(self, message: str, connector_id: int | None) -> str:
        return await self.request_status(
            call.TriggerMessage(requested_message=message, connector_id=connector_id)
        )

    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> dict[str, Any]:
        result = await self.request(
            call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
        )
        return {"status": str(result.status), "data": result.data}
