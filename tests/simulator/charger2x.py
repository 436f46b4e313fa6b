"""Simulated OCPP 2.0.1 and 2.1 chargers: one EVSE per connector, transactions
reported with TransactionEvent, a device model answered with NotifyReport."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from ocpp.routing import on
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v201 import ChargePoint as ChargePoint201

from custom_components.ocpp_csms.protocol.registry import VERSIONS

from .base import SimBase
from .device2x import SimDevice2x
from .operations2x import SimOps2x
from .physics import ConnectorSim

# key -> (value, mutability); keys written Component[@evse]/Variable as the CSMS does
DEVICE_MODEL = {
    "ChargingStation/VendorName": ("SimVendor", "ReadOnly"),
    "OCPPCommCtrlr/HeartbeatInterval": ("300", "ReadWrite"),
    "SampledDataCtrlr/TxUpdatedInterval": ("60", "ReadWrite"),
    "SecurityCtrlr/SecurityProfile": ("1", "ReadWrite"),
    "SmartChargingCtrlr/Enabled": ("true", "ReadOnly"),
    "SmartChargingCtrlr/RateUnit": ("A,W", "ReadOnly"),
    "SmartChargingCtrlr/ProfileStackLevel": ("10", "ReadOnly"),
    "SmartChargingCtrlr/PeriodsPerSchedule": ("24", "ReadOnly"),
    "SmartChargingCtrlr/Entries": ("10", "ReadOnly"),
    "SmartChargingCtrlr/ACPhaseSwitchingSupported": ("false", "ReadOnly"),
    "SmartChargingCtrlr/Phases3to1": ("false", "ReadOnly"),
}
STATUS_2X = {
    "Available": "Available",
    "Unavailable": "Unavailable",
    "Faulted": "Faulted",
    "Reserved": "Reserved",
}


class Sim2xMixin(SimOps2x, SimDevice2x, SimBase):
    """The 2.x behaviour; ``_call``/``_call_result`` come from the version's class."""

    _call: Any
    _call_result: Any

    def __init__(
        self,
        charger_id: str,
        connection: Any,
        connectors: int = 1,
        vendor: str = "SimVendor",
        model: str = "SimCharger",
        quirks: set[str] | None = None,
    ) -> None:
        super().__init__(charger_id, connection, response_timeout=10)  # the ocpp class
        self._init_sim(connectors, vendor, model, quirks)
        self.variables = {k: v for k, (v, _) in DEVICE_MODEL.items()}
        self.mutability = {k: m for k, (_, m) in DEVICE_MODEL.items()}
        q = self.engine.quirks
        units = "W" if "watts_only" in q else "A" if "amps_only" in q else "A,W"
        self.variables["SmartChargingCtrlr/RateUnit"] = units
        self.variables["SmartChargingCtrlr/PeriodsPerSchedule"] = (
            "1" if "max_one_period" in q else "24"
        )
        self.discharge_limits: dict[int, float] = {}
        for n in self.connectors:
            self.variables[f"EVSE@{n}/Power"] = "11040"
            self.mutability[f"EVSE@{n}/Power"] = "ReadOnly"
        self.v2x = False
        self.total_costs: list[float | None] = []  # totalCost of each TransactionEvent answer
        self._seq = itertools.count()

    def allow_phase_switching(self, phase_to_use: bool = False) -> None:
        """Say (SmartChargingCtrlr.Phases3to1) and do: one phase on numberPhases 1.

        ``phase_to_use``: it also says ACPhaseSwitchingSupported, and draws on the
        phase a profile's phaseToUse names.
        """
        self.variables["SmartChargingCtrlr/Phases3to1"] = "true"
        if phase_to_use:
            self.variables["SmartChargingCtrlr/ACPhaseSwitchingSupported"] = "true"
        for conn in self.connectors.values():
            conn.can_switch = True

    def wire(self, rotation: str, evse: int = 1) -> None:
        """Say how an EVSE is wired to the house (EVSE.PhaseRotation, in the inventory)."""
        self.variables[f"EVSE@{evse}/PhaseRotation"] = rotation
        self.mutability[f"EVSE@{evse}/PhaseRotation"] = "ReadOnly"

    # ------------------------------------------------------------ charger -> CSMS
    async def boot(self) -> str:
        result = await self.call(
            self._call.BootNotification(
                charging_station={
                    "vendorName": self.vendor,
                    "model": self.model,
                    "serialNumber": f"SN-{self.id}",
                    "firmwareVersion": self.firmware_version,
                },
                reason="PowerUp",
            )
        )
        self.boot_status = result.status
        self.heartbeat_interval = result.interval
        return result.status

    async def send_status(
        self, connector_id: int, status: str, error_code: str = "NoError"
    ) -> None:
        """Per EVSE a StatusNotification; the station's state, and errors, as events."""
        if connector_id:
            await self.call(
                self._call.StatusNotification(
                    timestamp=self.now(),
                    connector_status=STATUS_2X.get(status, "Occupied"),
                    evse_id=connector_id,
                    connector_id=1,
                )
            )
        component: dict[str, Any] = {"name": "ChargingStation"}
        if connector_id:
            component = {"name": "EVSE", "evse": {"id": connector_id}}
        events = []
        if not connector_id:
            events.append(
                self._event(component, "AvailabilityState", STATUS_2X.get(status, "Available"))
            )
        if error_code != "NoError":
            events.append(self._event(component, "Problem", "true", tech_code=error_code))
        if events:
            await self.call(
                self._call.NotifyEvent(generated_at=self.now(), seq_no=0, event_data=events)
            )

    def _event(self, component: dict, variable: str, value: str, **extra: Any) -> dict[str, Any]:
        return {
            "eventId": next(self._seq),
            "timestamp": self.now(),
            "trigger": "Delta",
            "actualValue": value,
            "eventNotificationType": "HardWiredNotification",
            "component": component,
            "variable": {"name": variable},
            **({"techCode": extra["tech_code"]} if "tech_code" in extra else {}),
        }

    def _connector_status(self, conn: ConnectorSim) -> str:
        if not conn.operative:
            return "Unavailable"
        return "Occupied" if conn.plugged or conn.transaction_id else "Available"

    async def send_all_status(self) -> None:
        await self.send_status(0, "Available")
        for conn in self.connectors.values():
            await self.send_status(conn.connector_id, self._connector_status(conn))

    async def authorize(self, id_tag: str) -> str:
        result = await self.call(
            self._call.Authorize(id_token={"idToken": id_tag, "type": "ISO14443"})
        )
        self.last_token_info = result.id_token_info
        return result.id_token_info["status"]

    async def plug_in(self, connector_id: int = 1) -> None:
        conn = self.connectors[connector_id]
        conn.plugged = True
        await self.send_status(connector_id, "Occupied")

    def sampled_values(self, conn: ConnectorSim, context: str) -> list[dict[str, Any]]:
        amps = conn.amps()
        values: list[dict[str, Any]] = [
            {
                "value": round(conn.register_wh),
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "kWh", "multiplier": -3},
                "context": context,
            },
            {
                "value": round(conn.power_w(), 1),
                "measurand": "Power.Active.Import",
                "unitOfMeasure": {"unit": "W"},
                "context": context,
            },
            {
                "value": round(conn.limit_amps(), 1),
                "measurand": "Current.Offered",
                "unitOfMeasure": {"unit": "A"},
                "context": context,
            },
            {
                "value": 54,
                "measurand": "SoC",
                "unitOfMeasure": {"unit": "Percent"},
                "location": "EV",
                "context": context,
            },
        ]
        active = conn.active_phases()
        on = {conn.phase_to_use - 1} if active == 1 and conn.phase_to_use else set(range(active))
        for n, phase in enumerate(("L1", "L2", "L3")[: conn.phases]):
            values.append(
                {
                    "value": round(amps if n in on else 0.0, 1),
                    "measurand": "Current.Import",
                    "unitOfMeasure": {"unit": "A"},
                    "phase": phase,
                    "context": context,
                }
            )
            values.append(
                {
                    "value": conn.voltage,
                    "measurand": "Voltage",
                    "unitOfMeasure": {"unit": "V"},
                    "phase": f"{phase}-N",
                    "context": context,
                }
            )
        return values

    @staticmethod
    def _to_2x(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Tests write sampled values the 1.6 way; translate them to 2.x."""
        out = []
        for v in values:
            item: dict[str, Any] = {"value": float(v["value"])}
            for key in ("measurand", "phase", "location", "context"):
                if key in v:
                    item[key] = v[key]
            if "unit" in v:
                item["unitOfMeasure"] = {"unit": v["unit"]}
            out.append(item)
        return out

    async def _transaction_event(
        self,
        conn: ConnectorSim,
        event_type: str,
        trigger: str,
        values: list[dict[str, Any]] | None = None,
        transaction_id: str | None = None,
        **info: Any,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if values:
            kwargs["meter_value"] = [{"timestamp": self.now(), "sampledValue": values}]
        if event_type == "Started":
            kwargs["id_token"] = {"idToken": conn.id_tag, "type": "ISO14443"}
        result = await self.call(
            self._call.TransactionEvent(
                event_type=event_type,
                timestamp=self.now(),
                trigger_reason=trigger,
                seq_no=next(self._seq),
                transaction_info={
                    "transactionId": transaction_id or str(conn.transaction_id),
                    **info,
                },
                evse={"id": conn.connector_id, "connectorId": 1},
                **kwargs,
            )
        )
        self.total_costs.append(result.total_cost)  # California Pricing: the running cost

    def _charging_state(self, conn: ConnectorSim) -> str:
        return "Charging" if conn.charging else "SuspendedEVSE"

    async def start_transaction(
        self, connector_id: int = 1, id_tag: str = "TAG1", remote_start_id: int | None = None
    ) -> str:
        conn = self.connectors[connector_id]
        if not conn.plugged:
            await self.plug_in(connector_id)
        conn.tick(0)
        conn.begin_transaction(uuid.uuid4().hex[:12])
        conn.id_tag = id_tag
        conn.meter_start_wh = conn.register_wh
        info: dict[str, Any] = {"chargingState": self._charging_state(conn)}
        if remote_start_id is not None:
            info["remoteStartId"] = remote_start_id
        await self._transaction_event(
            conn,
            "Started",
            "RemoteStart" if remote_start_id is not None else "Authorized",
            self.sampled_values(conn, "Transaction.Begin")[:1],
            **info,
        )
        return conn.transaction_id

    async def send_meter_values(
        self, connector_id: int = 1, seconds: float | None = None, values: list[dict] | None = None
    ) -> None:
        conn = self.connectors[connector_id]
        self._advance(conn, seconds)
        sampled = self._to_2x(values) if values else self.sampled_values(conn, "Sample.Periodic")
        if conn.transaction_id is None:
            await self.call(
                self._call.MeterValues(
                    evse_id=connector_id,
                    meter_value=[{"timestamp": self.now(), "sampledValue": sampled}],
                )
            )
            return
        await self._transaction_event(
            conn, "Updated", "MeterValuePeriodic", sampled, chargingState=self._charging_state(conn)
        )

    async def stop_transaction(
        self, connector_id: int = 1, reason: str = "Local", unplug: bool = True
    ) -> None:
        conn = self.connectors[connector_id]
        conn.tick(0)
        trigger = {"Remote": "RemoteStop", "EVDisconnected": "EVCommunicationLost"}.get(
            reason, "StopAuthorized"
        )
        values = self.sampled_values(conn, "Transaction.End")[:1]
        tx_id = str(conn.transaction_id)
        conn.end_transaction()
        conn.plugged = not unplug
        await self._transaction_event(
            conn,
            "Ended",
            trigger,
            values,
            transaction_id=tx_id,
            stoppedReason=reason,
            chargingState="EVConnected",
        )
        await self.send_status(connector_id, self._connector_status(conn))

    async def _charging_state_changed(self, conn: ConnectorSim) -> None:
        await self._transaction_event(
            conn, "Updated", "ChargingStateChanged", chargingState=self._charging_state(conn)
        )

    async def send_inventory(self, request_id: int) -> None:
        """The device model, in parts of two items (seqNo, tbc) as real chargers split it."""
        report = self.report_items(set())
        if self.v2x:
            report.append(
                {
                    "component": {"name": "V2XChargingCtrlr"},
                    "variable": {"name": "Enabled"},
                    "variableAttribute": [{"value": "true", "mutability": "ReadOnly"}],
                }
            )
        await self.send_report(request_id, report)

    # ------------------------------------------------------------ CSMS -> charger
    @on("RequestStartTransaction")
    def on_request_start(
        self, id_token: dict, remote_start_id: int, evse_id: int | None = None, **kw: Any
    ):
        self._record("start", id_tag=id_token["id_token"], connector_id=evse_id)
        conn = self.connectors.get(evse_id or 1)
        if conn is None or conn.transaction_id:
            return self._call_result.RequestStartTransaction(status="Rejected")
        self._spawn(
            self.start_transaction(conn.connector_id, id_token["id_token"], remote_start_id)
        )
        return self._call_result.RequestStartTransaction(status="Accepted")

    @on("RequestStopTransaction")
    def on_request_stop(self, transaction_id: str, **kw: Any):
        self._record("stop", transaction_id=transaction_id)
        conn = self._find_tx(transaction_id)
        if conn is None:
            return self._call_result.RequestStopTransaction(status="Rejected")
        self._spawn(self.stop_transaction(conn.connector_id, "Remote"))
        return self._call_result.RequestStopTransaction(status="Accepted")

    @on("Reset")
    def on_reset_2x(self, type: str, **kw: Any):
        self._record("reset", type="soft" if type == "OnIdle" else "hard")
        self.reset_requested = type
        return self._call_result.Reset(status="Accepted")

    @on("UnlockConnector")
    def on_unlock_2x(self, evse_id: int, connector_id: int, **kw: Any):
        self._record("unlock", connector_id=evse_id)
        status = "Unlocked" if evse_id in self.connectors else "UnknownConnector"
        return self._call_result.UnlockConnector(status=status)

    @on("ChangeAvailability")
    def on_change_availability_2x(
        self, operational_status: str, evse: dict | None = None, **kw: Any
    ):
        evse_id = (evse or {}).get("id", 0)
        operative = operational_status == "Operative"
        self._record("availability", connector_id=evse_id, operative=operative)
        targets = list(self.connectors.values()) if not evse_id else [self.connectors[evse_id]]
        for conn in targets:
            conn.operative = operative
            self._spawn(self.send_status(conn.connector_id, self._connector_status(conn)))
        return self._call_result.ChangeAvailability(status="Accepted")

    async def end_session_plugged(self, connector_id: int) -> None:
        await self.stop_transaction(connector_id, "Other", unplug=False)  # the car is still in

    async def _report_charging_state(self, conn: ConnectorSim) -> None:
        await self._charging_state_changed(conn)

    @on("TriggerMessage")
    def on_trigger_message_2x(self, requested_message: str, evse: dict | None = None, **kw: Any):
        evse_id = (evse or {}).get("id")
        self._record("trigger", message=requested_message, connector_id=evse_id)
        senders = {
            "BootNotification": self.boot,
            "Heartbeat": self.heartbeat,
            "StatusNotification": self.send_all_status,
            "MeterValues": lambda: self.send_meter_values(evse_id or 1, seconds=0),
        }
        if requested_message in self.refused_triggers:
            return self._call_result.TriggerMessage(status="Rejected")
        if requested_message not in senders:
            return self._call_result.TriggerMessage(status="NotImplemented")
        self._spawn(senders[requested_message]())
        return self._call_result.TriggerMessage(status="Accepted")

    @on("DataTransfer")
    def on_data_transfer_2x(self, vendor_id: str, **kw: Any):
        self._record("data_transfer", vendor_id=vendor_id, **kw)
        if vendor_id != "SimVendor":
            return self._call_result.DataTransfer(status="UnknownVendorId")
        return self._call_result.DataTransfer(status="Accepted", data=f"echo:{kw.get('data', '')}")

    @on("GetBaseReport")
    def on_get_base_report(self, request_id: int, report_base: str, **kw: Any):
        self._record("base_report", report_base=report_base)
        self._spawn(self.send_inventory(request_id))
        return self._call_result.GetBaseReport(status="Accepted")


class SimCharger201(Sim2xMixin, ChargePoint201):
    version = "2.0.1"
    subprotocol = VERSIONS[version].subprotocol


class SimCharger21(Sim2xMixin, ChargePoint21):
    version = "2.1"
    subprotocol = VERSIONS[version].subprotocol
