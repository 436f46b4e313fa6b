"""OCPP 2.0.1 adapter (and the part of 2.1 it shares): translates 2.x messages to
the model and model commands to 2.x. Results are built from the version's own
``call_result`` module, so each version is validated against its own schemas."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201.enums import Action as Action201

from ..model.charger import Charger, ChargerIdentity, ConnectorStatus
from ..model.commands import (
    ChargeLimit,
    CommandError,
    ConfigurationResult,
    ResetKind,
)
from ..model.csms import Csms, MeterSample
from ..model.measurements import ENERGY_IMPORT_REGISTER
from .connection import PROFILE_PURPOSES, AdapterMixin, frame_logger
from .values import connector_status as _connector_status
from .values import meter_samples, ocpp_now, parse_time
from .variables import format_key, parse_key

# A charger that reconnects without booting (after a CSMS restart, say) is asked
# for its inventory after this long.
INVENTORY_WITHOUT_BOOT_S = 5.0
GET_VARIABLES_BATCH = 20

CHARGING_STATES = {
    "Charging": ConnectorStatus.CHARGING,
    "EVConnected": ConnectorStatus.PREPARING,
    "SuspendedEV": ConnectorStatus.SUSPENDED_EV,
    "SuspendedEVSE": ConnectorStatus.SUSPENDED_EVSE,
}
TRIGGERABLE = {
    "BootNotification",
    "LogStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "SignChargingStationCertificate",
    "StatusNotification",
    "TransactionEvent",
}


def _register_wh(samples: list[MeterSample], context: str | None = None) -> float | None:
    """The last total energy register in these samples (optionally of one context)."""
    found = None
    for sample in samples:
        for v in sample.values:
            if (
                v.measurand == ENERGY_IMPORT_REGISTER
                and not v.phase
                and v.location in (None, "Outlet")
                and (context is None or v.context == context)
            ):
                found = v.value
    return found


class V2xHandlers(AdapterMixin):
    """Handlers and commands common to 2.0.1 and 2.1; mixed before the ocpp class."""

    csms: Csms
    _call: Any
    _call_result: Any

    def __init__(self, charger: Charger, csms: Csms, connection: Any, timeout: float) -> None:
        # the version's ocpp ChargePoint class comes next in the MRO
        super().__init__(  # type: ignore[call-arg]
            charger.charger_id, connection, timeout, logger=frame_logger(charger.charger_id)
        )
        self._init_adapter(charger)
        self.csms = csms
        self._request_ids = itertools.count(1)
        self._booted = False

    def on_connected(self, adopted: bool) -> None:
        if adopted:
            self.spawn(self._inventory_unless_booted())

    async def _inventory_unless_booted(self) -> None:
        await asyncio.sleep(INVENTORY_WITHOUT_BOOT_S)
        if not self._booted:
            await self.request_inventory()

    # ------------------------------------------------------------ charger -> CSMS
    @on("BootNotification")
    def on_boot_notification(self, charging_station: dict[str, Any], reason: str, **kw: Any):
        identity = ChargerIdentity(
            vendor=charging_station.get("vendor_name"),
            model=charging_station.get("model"),
            serial_number=charging_station.get("serial_number"),
            firmware_version=charging_station.get("firmware_version"),
        )
        self._booted = True
        status = self.csms.boot(self.charger, identity)
        interval = self.csms.boot_interval(status)
        return self._call_result.BootNotification(
            current_time=ocpp_now(), interval=interval, status=status
        )

    @after("BootNotification")
    def after_boot_notification(self, **kw: Any) -> None:
        if self.charger.boot_status == "Accepted":
            self.spawn(self.request_inventory())

    async def request_inventory(self) -> None:
        """Ask for the device model: EVSEs, connectors and controller variables."""
        await self.request(
            self._call.GetBaseReport(
                request_id=next(self._request_ids), report_base="FullInventory"
            )
        )

    @on("Heartbeat")
    def on_heartbeat(self, **kw: Any):
        self.csms.heartbeat(self.charger)
        return self._call_result.Heartbeat(current_time=ocpp_now())

    @on("StatusNotification")
    def on_status_notification(
        self, connector_status: str, evse_id: int, connector_id: int, **kw: Any
    ):
        self.csms.connector_status(self.charger, evse_id, _connector_status(connector_status), None)
        return self._call_result.StatusNotification()

    @on("Authorize")
    def on_authorize(self, id_token: dict[str, Any], **kw: Any):
        status = self.csms.authorize(self.charger, id_token["id_token"], "Authorize")
        return self._call_result.Authorize(id_token_info={"status": str(status)})

    @on("TransactionEvent")
    def on_transaction_event(
        self,
        event_type: str,
        timestamp: str,
        trigger_reason: str,
        seq_no: int,
        transaction_info: dict[str, Any],
        **kw: Any,
    ):
        tx_id = transaction_info["transaction_id"]
        tx = self.csms.find_transaction(self.charger, tx_id)
        evse_id = (kw.get("evse") or {}).get("id") or (tx.connector_id if tx else 1)
        when = parse_time(timestamp)
        token = (kw.get("id_token") or {}).get("id_token")
        token_info = None
        if token:
            status = self.csms.authorize(self.charger, token, "TransactionEvent")
            token_info = {"status": str(status)}
        samples = meter_samples(kw.get("meter_value") or [], "sampled_value")
        if tx is None:  # Started, or the first event we see of a running one
            tx = self.csms.start_transaction(
                self.charger,
                evse_id,
                tx_id,
                token,
                _register_wh(samples, "Transaction.Begin"),
                when,
                remote_start_id=transaction_info.get("remote_start_id"),
            )
        elif token and tx.id_tag is None:
            tx.id_tag = token
        if samples:
            self.csms.meter_values(self.charger, evse_id, tx_id, samples)
        if (state := CHARGING_STATES.get(transaction_info.get("charging_state", ""))) is not None:
            self.csms.charging_state(self.charger, evse_id, state)
        self.on_transaction_extra(tx_id, kw)
        if event_type == "Ended":
            self.csms.stop_transaction(
                self.charger,
                tx_id,
                _register_wh(samples),
                when,
                transaction_info.get("stopped_reason"),
            )
        return self._call_result.TransactionEvent(id_token_info=token_info)

    def on_transaction_extra(self, transaction_id: str, fields: dict[str, Any]) -> None:
        """Hook for what a later version adds to TransactionEvent."""

    @on("MeterValues")
    def on_meter_values(self, evse_id: int, meter_value: list[dict[str, Any]], **kw: Any):
        self.csms.meter_values(
            self.charger, evse_id, None, meter_samples(meter_value, "sampled_value")
        )
        return self._call_result.MeterValues()

    @on("NotifyReport")
    def on_notify_report(self, request_id: int, generated_at: str, seq_no: int, **kw: Any):
        for item in kw.get("report_data") or []:
            self._inventory_item(item)
        return self._call_result.NotifyReport()

    def _inventory_item(self, item: dict[str, Any]) -> None:
        component, variable = item["component"], item["variable"]
        key = format_key(component, variable)
        attributes = item.get("variable_attribute") or []
        actual = next((a for a in attributes if a.get("type", "Actual") == "Actual"), None)
        if actual is not None:
            self.charger.configuration[key] = actual.get("value")
            if actual.get("mutability") == "ReadOnly":
                self.charger.readonly_keys.add(key)
        evse = (component.get("evse") or {}).get("id")
        if component["name"] in ("EVSE", "Connector") and evse:
            self.csms.ensure_connector(self.charger, evse)
        value = str((actual or {}).get("value", "")).lower()
        caps = self.charger.capabilities
        match component["name"], variable["name"]:
            case "SmartChargingCtrlr", "Enabled":
                caps.smart_charging = value == "true"
            case "SmartChargingCtrlr", "RateUnit":
                caps.charging_rate_units = tuple(
                    u.strip() for u in value.upper().split(",") if u.strip()
                )
            case "SmartChargingCtrlr", "ProfileStackLevel":
                caps.max_profile_stack_level = int(value) if value.isdigit() else None
            case "V2XChargingCtrlr", "Enabled":
                caps.bidirectional = value == "true"

    @on("NotifyEvent")
    def on_notify_event(self, generated_at: str, seq_no: int, event_data: list, **kw: Any):
        self.charger.remember(
            "NotifyEvent", {"generated_at": generated_at, "event_data": event_data}
        )
        for event in event_data:
            self._state_event(event)
        return self._call_result.NotifyEvent()

    def _state_event(self, event: dict[str, Any]) -> None:
        """AvailabilityState and Problem events carry the station's and the EVSEs'
        state and error (what 1.6 sends as StatusNotification on connector 0)."""
        component, variable = event["component"], event["variable"]["name"]
        if component["name"] not in ("ChargingStation", "EVSE", "Connector"):
            return
        evse = (
            0 if component["name"] == "ChargingStation" else (component.get("evse") or {}).get("id")
        )
        if evse is None:
            return
        target = self.charger if evse == 0 else self.csms.ensure_connector(self.charger, evse)
        status = target.status
        error = target.error_code
        if variable == "AvailabilityState":
            status = _connector_status(event["actual_value"])
        elif variable == "Problem":
            active = event["actual_value"].lower() == "true" and not event.get("cleared")
            error = (event.get("tech_code") or "Problem") if active else None
        else:
            return
        self.csms.connector_status(self.charger, evse, status or ConnectorStatus.AVAILABLE, error)

    @on("SecurityEventNotification")
    def on_security_event(self, type: str, timestamp: str, **kw: Any):
        self.charger.remember(
            "SecurityEventNotification", {"type": type, "timestamp": timestamp, **kw}
        )
        return self._call_result.SecurityEventNotification()

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, status: str, **kw: Any):
        self.charger.firmware_status = status
        self.charger.notify()
        return self._call_result.FirmwareStatusNotification()

    @on("PublishFirmwareStatusNotification")
    def on_publish_firmware_status(self, status: str, **kw: Any):
        self.charger.remember("PublishFirmwareStatusNotification", {"status": status, **kw})
        return self._call_result.PublishFirmwareStatusNotification()

    @on("LogStatusNotification")
    def on_log_status(self, status: str, **kw: Any):
        self.charger.diagnostics_status = status
        self.charger.notify()
        return self._call_result.LogStatusNotification()

    @on("NotifyChargingLimit")
    def on_notify_charging_limit(self, charging_limit: dict[str, Any], **kw: Any):
        self.charger.remember("NotifyChargingLimit", {"charging_limit": charging_limit, **kw})
        return self._call_result.NotifyChargingLimit()

    @on("ClearedChargingLimit")
    def on_cleared_charging_limit(self, charging_limit_source: str, **kw: Any):
        self.charger.remember("ClearedChargingLimit", {"source": charging_limit_source, **kw})
        return self._call_result.ClearedChargingLimit()

    @on("ReportChargingProfiles")
    def on_report_charging_profiles(self, request_id: int, charging_limit_source: str, **kw: Any):
        self.charger.remember("ReportChargingProfiles", {"source": charging_limit_source, **kw})
        return self._call_result.ReportChargingProfiles()

    @on("NotifyEVChargingNeeds")
    def on_ev_charging_needs(self, charging_needs: dict[str, Any], evse_id: int, **kw: Any):
        self.charger.remember(
            "NotifyEVChargingNeeds", {"evse_id": evse_id, "charging_needs": charging_needs}
        )
        # No schedule will follow from us; the EV charges within the limits in force.
        return self._call_result.NotifyEVChargingNeeds(status="Rejected")

    @on("NotifyEVChargingSchedule")
    def on_ev_charging_schedule(
        self, time_base: str, charging_schedule: dict, evse_id: int, **kw: Any
    ):
        self.charger.remember(
            "NotifyEVChargingSchedule", {"evse_id": evse_id, "schedule": charging_schedule}
        )
        return self._call_result.NotifyEVChargingSchedule(status="Accepted")

    @on("ReservationStatusUpdate")
    def on_reservation_status(self, reservation_id: int, reservation_update_status: str, **kw: Any):
        self.charger.remember(
            "ReservationStatusUpdate",
            {"reservation_id": reservation_id, "status": reservation_update_status},
        )
        return self._call_result.ReservationStatusUpdate()

    @on("NotifyCustomerInformation")
    def on_customer_information(
        self, data: str, seq_no: int, generated_at: str, request_id: int, **kw: Any
    ):
        self.charger.remember("NotifyCustomerInformation", {"request_id": request_id, "data": data})
        return self._call_result.NotifyCustomerInformation()

    @on("NotifyDisplayMessages")
    def on_display_messages(self, request_id: int, **kw: Any):
        self.charger.remember("NotifyDisplayMessages", {"request_id": request_id, **kw})
        return self._call_result.NotifyDisplayMessages()

    @on("NotifyMonitoringReport")
    def on_monitoring_report(self, request_id: int, seq_no: int, generated_at: str, **kw: Any):
        self.charger.remember("NotifyMonitoringReport", {"request_id": request_id, **kw})
        return self._call_result.NotifyMonitoringReport()

    @on("SignCertificate")
    def on_sign_certificate(self, csr: str, **kw: Any):
        self.charger.remember("SignCertificate", {"csr": csr, **kw})
        return self._call_result.SignCertificate(status="Rejected")  # we are no CA

    @on("Get15118EVCertificate")
    def on_get_15118_certificate(
        self, iso15118_schema_version: str, action: str, exi_request: str, **kw: Any
    ):
        self.charger.remember("Get15118EVCertificate", {"action": action})
        return self._call_result.Get15118EVCertificate(status="Failed", exi_response="")

    @on("GetCertificateStatus")
    def on_get_certificate_status(self, ocsp_request_data: dict[str, Any], **kw: Any):
        self.charger.remember("GetCertificateStatus", {"ocsp_request_data": ocsp_request_data})
        return self._call_result.GetCertificateStatus(status="Failed")

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, **kw: Any):
        self.charger.remember("DataTransfer", {"vendor_id": vendor_id, **kw})
        return self._call_result.DataTransfer(status="UnknownVendorId")

    # ------------------------------------------------------------ CSMS -> charger
    async def remote_start(self, connector_id: int, id_tag: str) -> str:
        return await self.request_status(
            self._call.RequestStartTransaction(
                id_token={"idToken": id_tag, "type": "Central"},
                remote_start_id=self.csms.next_remote_start_id(),
                evse_id=connector_id,
            )
        )

    async def remote_stop(self, transaction_id: str) -> str:
        return await self.request_status(
            self._call.RequestStopTransaction(transaction_id=transaction_id)
        )

    async def reset(self, kind: ResetKind) -> str:
        kind_2x = "OnIdle" if kind is ResetKind.SOFT else "Immediate"
        return await self.request_status(self._call.Reset(type=kind_2x))

    async def unlock(self, connector_id: int) -> str:
        return await self.request_status(
            self._call.UnlockConnector(evse_id=connector_id, connector_id=1)
        )

    async def change_availability(self, connector_id: int, operative: bool) -> str:
        return await self.request_status(
            self._call.ChangeAvailability(
                operational_status="Operative" if operative else "Inoperative",
                evse={"id": connector_id} if connector_id else None,
            )
        )

    def charging_period(self, limit: ChargeLimit) -> dict[str, Any]:
        """One schedule period; 2.1 overrides this for discharging limits."""
        return {"startPeriod": 0, "limit": limit.limit}

    async def set_charge_limit(self, limit: ChargeLimit) -> str:
        profile: dict[str, Any] = {
            "id": limit.profile_id,
            "stackLevel": limit.stack_level,
            "chargingProfilePurpose": PROFILE_PURPOSES[limit.purpose],
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [
                {
                    "id": limit.profile_id,
                    "startSchedule": ocpp_now(),
                    "chargingRateUnit": limit.unit,
                    "chargingSchedulePeriod": [self.charging_period(limit)],
                }
            ],
        }
        if limit.transaction_id is not None:
            profile["transactionId"] = limit.transaction_id
        return await self.request_status(
            self._call.SetChargingProfile(evse_id=limit.connector_id, charging_profile=profile)
        )

    def clear_profile_call(self, profile_id: int) -> Any:
        return self._call.ClearChargingProfile(charging_profile_id=profile_id)

    async def get_configuration(self, keys: list[str]) -> ConfigurationResult:
        out = ConfigurationResult()
        wanted = keys or sorted(self.charger.configuration)
        parsed = []
        for key in wanted:
            try:
                parsed.append((key, *parse_key(key)))
            except ValueError:
                out.unknown.append(key)
        for start in range(0, len(parsed), GET_VARIABLES_BATCH):
            batch = parsed[start : start + GET_VARIABLES_BATCH]
            result = await self.request(
                self._call.GetVariables(
                    get_variable_data=[{"component": c, "variable": v} for _, c, v in batch]
                )
            )
            for item in result.get_variable_result:
                key = format_key(item["component"], item["variable"])
                if item["attribute_status"] == "Accepted":
                    out.values[key] = item.get("attribute_value")
                    self.charger.configuration[key] = item.get("attribute_value")
                else:
                    out.unknown.append(key)
        out.readonly = sorted(k for k in out.values if k in self.charger.readonly_keys)
        return out

    async def set_configuration(self, key: str, value: str) -> str:
        try:
            component, variable = parse_key(key)
        except ValueError as err:
            raise CommandError("SetVariables", str(err)) from err
        result = await self.request(
            self._call.SetVariables(
                set_variable_data=[
                    {"attributeValue": value, "component": component, "variable": variable}
                ]
            )
        )
        status = str(result.set_variable_result[0]["attribute_status"])
        if status not in ("Accepted", "RebootRequired"):
            raise CommandError("SetVariables", status)
        self.charger.configuration[key] = value
        return status

    async def trigger_message(self, message: str, connector_id: int | None) -> str:
        if message not in TRIGGERABLE:
            raise CommandError(
                "TriggerMessage", f"{message} does not exist in OCPP {self.protocol_version}"
            )
        return await self.request_status(
            self._call.TriggerMessage(
                requested_message=message,
                evse={"id": connector_id} if connector_id else None,
            )
        )

    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> dict[str, Any]:
        result = await self.request(
            self._call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
        )
        return {"status": str(result.status), "data": result.data}


class V201Adapter(V2xHandlers, ChargePoint201):
    protocol_version = "2.0.1"
    actions = Action201
