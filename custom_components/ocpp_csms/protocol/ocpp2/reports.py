"""What 2.0.1 and 2.1 chargers report without being part of a session.

The device model inventory (NotifyReport), state events (NotifyEvent), and the
notices kept for the diagnostics download only.
"""

from __future__ import annotations

from typing import Any, override

from ...model.charger import Charger, ConnectorStatus
from ...model.csms import Csms
from ...model.errors import InvalidInput
from ...model.maintenance import snake
from ...model.phase_rotation import parse_rotation
from ...model.reservations import ReservationEnd
from ..inputs import connector_status
from ..ocpp_lib import on
from ..report_collector import ReportCollector
from ..shared import SharedHandlers
from .variables import format_key


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


class Ocpp2Reports(SharedHandlers):
    """What 2.x chargers report outside sessions: inventory, events, notices."""

    def __init__(self, charger: Charger, csms: Csms, connection: Any, timeout: float) -> None:
        """Serve a 2.x connection; reports in parts are gathered by request id."""
        super().__init__(charger, csms, connection, timeout)
        self.reports = ReportCollector()
        # the inventory asked at boot: its request id, and the EVSEs its parts list
        self.inventory_request: int | None = None
        self.inventory_evses: set[int] = set()

    @override
    async def close_tasks(self) -> None:
        """Stop waiting for reports and follow-ups: the connection closed."""
        self.reports.close()
        await super().close_tasks()

    @on("NotifyReport")
    def on_notify_report(self, request_id: int, generated_at: str, seq_no: int, **kw: Any) -> Any:
        items = kw.get("report_data") or []
        evses = {evse for item in items if (evse := self._inventory_item(item))}
        if request_id == self.inventory_request:  # our own inventory: the EVSEs it has
            self.inventory_evses |= evses
            if not kw.get("tbc"):
                self.inventory_request = None
                self.csms.inventory(self.charger, self.inventory_evses)
        self.reports.part(request_id, seq_no, bool(kw.get("tbc")), items)
        return self._call_result.NotifyReport()

    def _inventory_item(self, item: dict[str, Any]) -> int | None:
        """Take one item of the device model; return the EVSE it names, if any."""
        component, variable = item["component"], item["variable"]
        key = format_key(component, variable)
        attributes = item.get("variable_attribute") or []
        actual = next((a for a in attributes if a.get("type", "Actual") == "Actual"), None)
        if actual is not None:
            self.charger.store_configuration(
                key, actual.get("value"), readonly=actual.get("mutability") == "ReadOnly"
            )
        evse = (component.get("evse") or {}).get("id")
        if component["name"] not in ("EVSE", "Connector") or not evse:
            evse = None
        if evse is not None:
            try:
                self.csms.connector(self.charger, evse)
            except InvalidInput as err:
                self.charger.count_anomaly("inventory_evse", f"inventory item {key}: {err}")
        raw = str((actual or {}).get("value", ""))
        if variable["name"] == "PhaseRotation" and component["name"] in ("EVSE", "Connector"):
            self._phase_rotation(evse or 0, raw)
        elif variable["name"] == "PhaseRotation" and component["name"] == "ChargingStation":
            self._phase_rotation(0, raw)
        self.capability(component["name"], variable["name"], raw)
        return evse

    def _phase_rotation(self, evse: int, raw: str) -> None:
        """Note how an EVSE (0: the station) is wired; Unknown forgets it."""
        rotation = parse_rotation(raw)
        if rotation is None:
            self.charger.phase_rotations.pop(evse, None)
        else:
            self.charger.phase_rotations[evse] = rotation

    def capability(self, component: str, variable: str, raw: str) -> None:
        """Apply a device-model variable that says what smart charging the charger can do."""
        value = raw.lower()
        match component, variable:
            case "SmartChargingCtrlr", "Enabled":
                self.charger.update_capabilities(smart_charging=value == "true")
            case "SmartChargingCtrlr", "RateUnit":
                units = tuple(u.strip() for u in value.upper().split(",") if u.strip())
                self.charger.update_capabilities(charging_rate_units=units)
            case "SmartChargingCtrlr", "ProfileStackLevel":
                self.charger.update_capabilities(max_profile_stack_level=_int_or_none(value))
            case "SmartChargingCtrlr", "PeriodsPerSchedule":
                self.charger.update_capabilities(max_periods=_int_or_none(value))
            case "SmartChargingCtrlr", "Entries":
                self.charger.update_capabilities(max_profiles=_int_or_none(value))
            case "SmartChargingCtrlr", (
                "ACPhaseSwitchingSupported" | "PhaseSwitchingSupported" | "Phases3to1"
            ):
                if variable == "ACPhaseSwitchingSupported":
                    self.charger.update_capabilities(phase_to_use=value == "true")
                # any one of them saying true: it switches (a false one may come after)
                if value == "true" or self.charger.capabilities.phase_switching is None:
                    self.charger.update_capabilities(phase_switching=value == "true")
            case "V2XChargingCtrlr", "Enabled":
                self.charger.update_capabilities(bidirectional=value == "true")

    @on("NotifyEvent")
    def on_notify_event(
        self, generated_at: str, seq_no: int, event_data: list[dict[str, Any]], **kw: Any
    ) -> Any:
        self.charger.remember(
            "NotifyEvent", {"generated_at": generated_at, "event_data": event_data}
        )
        for event in event_data:
            if event.get("variable_monitoring_id") is not None or event.get(
                "event_notification_type", ""
            ).endswith("Monitor"):
                self._monitor_event(event)
            try:
                self._state_event(event)
            except InvalidInput as err:
                self.charger.count_anomaly("event_evse", f"NotifyEvent ignored: {err}")
        return self._call_result.NotifyEvent()

    def _monitor_event(self, event: dict[str, Any]) -> None:
        """Fire a monitor's event: the variable, its value and the severity.

        2.0.1 events carry no severity: it is the one the monitor was set with.
        """
        monitor_id = event.get("variable_monitoring_id")
        severity = event.get("severity", self.charger.monitor_severity.get(monitor_id or -1))
        self.csms.maintenance.monitor_event(
            self.charger,
            {
                "trigger": snake(str(event.get("trigger", "Alerting"))),
                "key": format_key(event["component"], event["variable"]),
                "value": event.get("actual_value"),
                "severity": severity,
                "monitor_id": monitor_id,
                "cleared": bool(event.get("cleared")),
                "tech_code": event.get("tech_code"),
                "timestamp": event.get("timestamp"),
            },
        )

    def _state_event(self, event: dict[str, Any]) -> None:
        """Apply an AvailabilityState or Problem event.

        They carry the station's and the EVSEs' state and error (what 1.6 sends
        as StatusNotification on connector 0).
        """
        component, variable = event["component"], event["variable"]["name"]
        if component["name"] not in ("ChargingStation", "EVSE", "Connector"):
            return
        station = component["name"] == "ChargingStation"
        evse = 0 if station else (component.get("evse") or {}).get("id")
        if evse is None:
            return
        target = self.charger if evse == 0 else self.csms.connector(self.charger, evse)
        status, error = target.status, target.error_code
        if variable == "AvailabilityState":
            status = connector_status(event["actual_value"])
        elif variable == "Problem":
            active = event["actual_value"].lower() == "true" and not event.get("cleared")
            error = (event.get("tech_code") or "Problem") if active else None
        else:
            return
        self.csms.connector_status(self.charger, evse, status or ConnectorStatus.AVAILABLE, error)

    def _note_severities(self, monitors: list[dict[str, Any]]) -> None:
        """Remember each monitor's severity (a 2.0.1 event does not repeat it)."""
        for item in monitors:
            for monitor in item.get("variable_monitoring") or []:
                self.charger.monitor_severity[int(monitor["id"])] = int(monitor["severity"])

    # ------------------------------------------------------------ kept for diagnostics
    @on("PublishFirmwareStatusNotification")
    def on_publish_firmware_status(self, status: str, **kw: Any) -> Any:
        self.charger.remember("PublishFirmwareStatusNotification", {"status": status, **kw})
        return self._call_result.PublishFirmwareStatusNotification()

    @on("NotifyChargingLimit")
    def on_notify_charging_limit(self, charging_limit: dict[str, Any], **kw: Any) -> Any:
        self.charger.remember("NotifyChargingLimit", {"charging_limit": charging_limit, **kw})
        return self._call_result.NotifyChargingLimit()

    @on("ClearedChargingLimit")
    def on_cleared_charging_limit(self, charging_limit_source: str, **kw: Any) -> Any:
        self.charger.remember("ClearedChargingLimit", {"source": charging_limit_source, **kw})
        return self._call_result.ClearedChargingLimit()

    @on("ReportChargingProfiles")
    def on_report_charging_profiles(
        self,
        request_id: int,
        charging_limit_source: str,
        charging_profile: list[dict[str, Any]],
        evse_id: int,
        **kw: Any,
    ) -> Any:
        items = [
            {"evse_id": evse_id, "charging_limit_source": charging_limit_source, **profile}
            for profile in charging_profile
        ]
        if not self.reports.part(request_id, None, bool(kw.get("tbc")), items):
            self.charger.remember("ReportChargingProfiles", {"source": charging_limit_source})
        return self._call_result.ReportChargingProfiles()

    @on("NotifyEVChargingNeeds")
    def on_ev_charging_needs(self, charging_needs: dict[str, Any], evse_id: int, **kw: Any) -> Any:
        self.charger.remember(
            "NotifyEVChargingNeeds", {"evse_id": evse_id, "charging_needs": charging_needs}
        )
        # No schedule will follow from us; the EV charges within the limits in force.
        return self._call_result.NotifyEVChargingNeeds(status="Rejected")

    @on("NotifyEVChargingSchedule")
    def on_ev_charging_schedule(
        self, time_base: str, charging_schedule: dict[str, Any], evse_id: int, **kw: Any
    ) -> Any:
        self.charger.remember(
            "NotifyEVChargingSchedule", {"evse_id": evse_id, "schedule": charging_schedule}
        )
        return self._call_result.NotifyEVChargingSchedule(status="Accepted")

    @on("ReservationStatusUpdate")
    def on_reservation_status(
        self, reservation_id: int, reservation_update_status: str, **kw: Any
    ) -> Any:
        why = ReservationEnd.EXPIRED if reservation_update_status == "Expired" else None
        if self.csms.reservations.end(self.charger, reservation_id, why or ReservationEnd.REMOVED):
            return self._call_result.ReservationStatusUpdate()
        self.charger.remember(  # a reservation not made by us (or long forgotten)
            "ReservationStatusUpdate",
            {"reservation_id": reservation_id, "status": reservation_update_status},
        )
        return self._call_result.ReservationStatusUpdate()

    @on("NotifyCustomerInformation")
    def on_customer_information(
        self, data: str, seq_no: int, generated_at: str, request_id: int, **kw: Any
    ) -> Any:
        if not self.reports.part(request_id, seq_no, bool(kw.get("tbc")), [data]):
            self.charger.remember("NotifyCustomerInformation", {"request_id": request_id})
        return self._call_result.NotifyCustomerInformation()

    @on("NotifyDisplayMessages")
    def on_display_messages(self, request_id: int, **kw: Any) -> Any:
        items = kw.get("message_info") or []
        if not self.reports.part(request_id, None, bool(kw.get("tbc")), items):
            self.charger.remember("NotifyDisplayMessages", {"request_id": request_id})
        return self._call_result.NotifyDisplayMessages()

    @on("NotifyMonitoringReport")
    def on_monitoring_report(
        self, request_id: int, seq_no: int, generated_at: str, **kw: Any
    ) -> Any:
        items = kw.get("monitor") or []
        self._note_severities(items)
        if not self.reports.part(request_id, seq_no, bool(kw.get("tbc")), items):
            self.charger.remember("NotifyMonitoringReport", {"request_id": request_id})
        return self._call_result.NotifyMonitoringReport()

    @on("Get15118EVCertificate")
    def on_get_15118_certificate(
        self, iso15118_schema_version: str, action: str, exi_request: str, **kw: Any
    ) -> Any:
        self.charger.remember("Get15118EVCertificate", {"action": action})
        return self._call_result.Get15118EVCertificate(status="Failed", exi_response="")

    @on("GetCertificateStatus")
    def on_get_certificate_status(self, ocsp_request_data: dict[str, Any], **kw: Any) -> Any:
        self.charger.remember("GetCertificateStatus", {"ocsp_request_data": ocsp_request_data})
        return self._call_result.GetCertificateStatus(status="Failed")
