"""Simulated OCPP 1.6J charger."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from custom_components.ocpp_csms.protocol.registry import VERSIONS

from .base import SimBase
from .operations16 import SimOps16
from .physics import ConnectorSim
from .profiles import SimProfile, parse_time

_LOGGER = logging.getLogger(__name__)


class SimCharger16(SimOps16, SimBase, ChargePoint):
    """A 1.6 charger with N connectors that obeys remote commands and profiles."""

    version = "1.6"
    subprotocol = VERSIONS[version].subprotocol

    def __init__(
        self,
        charger_id: str,
        connection: Any,
        connectors: int = 1,
        vendor: str = "SimVendor",
        model: str = "SimCharger",
        quirks: set[str] | None = None,
    ) -> None:
        ChargePoint.__init__(self, charger_id, connection, response_timeout=10)
        self._init_sim(connectors, vendor, model, quirks)
        q = self.engine.quirks
        units = "Power" if "watts_only" in q else "Current" if "amps_only" in q else "Current,Power"
        self.configuration: dict[str, str] = {
            "HeartbeatInterval": "300",
            "MeterValueSampleInterval": "60",
            "NumberOfConnectors": str(connectors),
            "ChargeProfileMaxStackLevel": "10",
            "ChargingScheduleAllowedChargingRateUnit": units,
            "ChargingScheduleMaxPeriods": "1" if "max_one_period" in q else "24",
            "MaxChargingProfilesInstalled": "10",
            "ConnectorSwitch3to1PhaseSupported": "false",
            "SupportedFeatureProfiles": "Core,FirmwareManagement,SmartCharging,RemoteTrigger",
        }
        self.configuration["SupportedFeatureProfiles"] += ",LocalAuthListManagement"
        self.readonly = {"NumberOfConnectors"}
        self.sampled_items_taken = 99  # more measurands in one ChangeConfiguration: Rejected
        self.max_keys = 1000  # keys answered per GetConfiguration (Vestel EVC04: 1)

    def allow_phase_switching(self) -> None:
        """Say (ConnectorSwitch3to1PhaseSupported) and do: one phase on numberPhases 1."""
        self.configuration["ConnectorSwitch3to1PhaseSupported"] = "true"
        for conn in self.connectors.values():
            conn.can_switch = True

    def wire(self, rotation: str, connector: int = 1) -> None:
        """Say how a connector is wired to the house (ConnectorPhaseRotation)."""
        self.configuration["ConnectorPhaseRotation"] = f"0.RST,{connector}.{rotation}"

    # ------------------------------------------------------------ charger -> CSMS
    async def boot(self) -> str:
        result = await self.call(
            call.BootNotification(
                charge_point_vendor=self.vendor,
                charge_point_model=self.model,
                charge_point_serial_number=f"SN-{self.id}",
                firmware_version=self.firmware_version,
            )
        )
        self.boot_status = result.status
        self.heartbeat_interval = result.interval
        return result.status

    async def send_status(
        self, connector_id: int, status: str, error_code: str = "NoError"
    ) -> None:
        await self.call(
            call.StatusNotification(
                connector_id=connector_id,
                error_code=error_code,
                status=status,
                timestamp=self.now(),
            )
        )

    def _connector_status(self, conn: ConnectorSim) -> str:
        if not conn.operative:
            return "Unavailable"
        if conn.transaction_id is not None:
            return "Charging" if conn.charging else "SuspendedEVSE"
        return "Preparing" if conn.plugged else "Available"

    async def send_all_status(self) -> None:
        await self.send_status(0, "Available")
        for conn in self.connectors.values():
            await self.send_status(conn.connector_id, self._connector_status(conn))

    async def authorize(self, id_tag: str) -> str:
        result = await self.call(call.Authorize(id_tag=id_tag))
        self.last_token_info = result.id_tag_info
        return result.id_tag_info["status"]

    async def plug_in(self, connector_id: int = 1) -> None:
        conn = self.connectors[connector_id]
        conn.plugged = True
        await self.send_status(connector_id, self._connector_status(conn))

    async def start_transaction(self, connector_id: int = 1, id_tag: str = "TAG1") -> Any:
        conn = self.connectors[connector_id]
        conn.plugged = True
        conn.tick(0)
        conn.starting = True
        result = await self.call(
            call.StartTransaction(
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start=int(conn.register_wh),
                timestamp=self.now(),
            )
        )
        conn.begin_transaction(result.transaction_id)
        conn.id_tag, conn.starting = id_tag, False
        conn.meter_start_wh = conn.register_wh
        await self.send_status(connector_id, self._connector_status(conn))
        return result.transaction_id

    def sampled_values(self, conn: ConnectorSim, context: str) -> list[dict[str, Any]]:
        amps = conn.amps()
        values = [
            {
                "value": f"{conn.register_wh:.0f}",
                "measurand": "Energy.Active.Import.Register",
                "unit": "Wh",
                "context": context,
            },
            {
                "value": f"{conn.power_w() / 1000:.3f}",
                "measurand": "Power.Active.Import",
                "unit": "kW",
                "context": context,
            },
            {
                "value": f"{conn.limit_amps():.1f}",
                "measurand": "Current.Offered",
                "unit": "A",
                "context": context,
            },
            {
                "value": "54",
                "measurand": "SoC",
                "unit": "Percent",
                "location": "EV",
                "context": context,
            },
            {
                "value": "31.5",
                "measurand": "Temperature",
                "unit": "Celsius",
                "location": "Body",
                "context": context,
            },
        ]
        active = conn.active_phases()
        for n, phase in enumerate(("L1", "L2", "L3")[: conn.phases]):
            values.append(
                {
                    "value": f"{amps if n < active else 0.0:.1f}",
                    "measurand": "Current.Import",
                    "unit": "A",
                    "phase": phase,
                    "context": context,
                }
            )
            values.append(
                {
                    "value": f"{conn.voltage:.1f}",
                    "measurand": "Voltage",
                    "unit": "V",
                    "phase": f"{phase}-N",
                    "context": context,
                }
            )
        return values

    async def send_meter_values(
        self, connector_id: int = 1, seconds: float | None = None, values: list[dict] | None = None
    ) -> None:
        conn = self.connectors[connector_id]
        self._advance(conn, seconds)
        await self.call(
            call.MeterValues(
                connector_id=connector_id,
                transaction_id=conn.transaction_id,
                meter_value=[
                    {
                        "timestamp": self.now(),
                        "sampledValue": values or self.sampled_values(conn, "Sample.Periodic"),
                    }
                ],
            )
        )

    async def stop_transaction(
        self, connector_id: int = 1, reason: str = "Local", unplug: bool = True
    ) -> None:
        conn = self.connectors[connector_id]
        conn.tick(0)
        tx_id = conn.transaction_id
        transaction_data = [
            {
                "timestamp": self.now(),
                "sampledValue": self.sampled_values(conn, "Transaction.End")[:1],
            }
        ]
        id_tag = conn.id_tag
        conn.end_transaction()
        await self.call(
            call.StopTransaction(
                meter_stop=int(conn.register_wh),
                timestamp=self.now(),
                transaction_id=tx_id,
                reason=reason,
                id_tag=id_tag,
                transaction_data=transaction_data,
            )
        )
        await self.send_status(connector_id, "Finishing")
        if unplug:
            conn.plugged = False
            await self.send_status(connector_id, self._connector_status(conn))

    # ------------------------------------------------------------ CSMS -> charger
    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, **kw: Any):
        self._record("start", id_tag=id_tag, connector_id=connector_id)
        connector_id = connector_id or 1
        if connector_id not in self.connectors or self.connectors[connector_id].transaction_id:
            return call_result.RemoteStartTransaction(status="Rejected")
        self._spawn(self.start_transaction(connector_id, id_tag))
        return call_result.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **kw: Any):
        self._record("stop", transaction_id=str(transaction_id))
        conn = self._find_tx(transaction_id)
        if conn is None:
            return call_result.RemoteStopTransaction(status="Rejected")
        self._spawn(self.stop_transaction(conn.connector_id, "Remote"))
        return call_result.RemoteStopTransaction(status="Accepted")

    @on(Action.reset)
    def on_reset(self, type: str, **kw: Any):
        self._record("reset", type=type.lower())
        self.reset_requested = type
        return call_result.Reset(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock(self, connector_id: int, **kw: Any):
        self._record("unlock", connector_id=connector_id)
        status = "Unlocked" if connector_id in self.connectors else "NotSupported"
        return call_result.UnlockConnector(status=status)

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **kw: Any):
        self._record("availability", connector_id=connector_id, operative=type == "Operative")
        targets = (
            list(self.connectors.values()) if connector_id == 0 else [self.connectors[connector_id]]
        )
        for conn in targets:
            conn.operative = type == "Operative"
            self._spawn(self.send_status(conn.connector_id, self._connector_status(conn)))
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.set_charging_profile)
    async def on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict, **kw: Any
    ):
        p = cs_charging_profiles
        conn = self.connectors.get(connector_id)
        for _ in range(100):  # a TxProfile may come right behind our StartTransaction's answer
            if conn is None or not conn.starting:
                break
            await asyncio.sleep(0.01)
        schedule = p["charging_schedule"]
        profile = SimProfile(
            id=p["charging_profile_id"],
            connector_id=connector_id,
            purpose=p["charging_profile_purpose"],
            stack_level=p["stack_level"],
            kind=p["charging_profile_kind"],
            unit=schedule["charging_rate_unit"],
            periods=[
                (x["start_period"], float(x["limit"]), x.get("number_phases"))
                for x in schedule["charging_schedule_period"]
            ],
            start=parse_time(schedule.get("start_schedule")),
            transaction_id=p.get("transaction_id"),
            duration=schedule.get("duration"),
        )
        return call_result.SetChargingProfile(status=self._install_profile(profile))

    async def end_session_plugged(self, connector_id: int) -> None:
        await self.stop_transaction(connector_id, "Other", unplug=False)  # the car is still in

    async def _report_charging_state(self, conn: ConnectorSim) -> None:
        await self.send_status(conn.connector_id, self._connector_status(conn))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **kw: Any):
        cleared = self._clear_profile(kw.get("id"))
        return call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str = "A", **kw: Any
    ):
        self._record("composite_schedule", connector_id=connector_id, unit=charging_rate_unit)
        conn = self.connectors.get(connector_id)
        schedule = self.engine.composite(conn, duration, charging_rate_unit) if conn else None
        if schedule is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        start = schedule["start"].strftime("%Y-%m-%dT%H:%M:%SZ")
        return call_result.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=start,
            charging_schedule={
                "duration": duration,
                "startSchedule": start,
                "chargingRateUnit": charging_rate_unit,
                "chargingSchedulePeriod": schedule["periods"],
            },
        )

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **kw: Any):
        self._record("get_config", keys=key)
        keys = (key or list(self.configuration))[: self.max_keys]  # GetConfigurationMaxKeys
        known = [
            {"key": k, "readonly": k in self.readonly, "value": self.configuration[k]}
            for k in keys
            if k in self.configuration
        ]
        unknown = [k for k in keys if k not in self.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **kw: Any):
        version = self.local_list_version if self.local_list_supported else -1
        return call_result.GetLocalListVersion(list_version=version)

    @on(Action.send_local_list)
    def on_send_local_list(
        self, list_version: int, update_type: str, local_authorization_list=(), **kw: Any
    ):
        items = [(i["id_tag"], i.get("id_tag_info")) for i in local_authorization_list or []]
        status = self.apply_local_list(list_version, update_type, items)
        return call_result.SendLocalList(status=status)

    @on(Action.clear_cache)
    def on_clear_cache(self, **kw: Any):
        self.cache_cleared += 1
        return call_result.ClearCache(status="Accepted")

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **kw: Any):
        self._record("set_config", key=key, value=value)
        if key == "AuthorizationKey" and not self.takes_password:
            return call_result.ChangeConfiguration(status="NotSupported")
        if key == "AuthorizationKey":  # write-only, hex-encoded (1.6 security whitepaper)
            self.password_set = bytes.fromhex(value).decode()
            return call_result.ChangeConfiguration(status="Accepted")
        if key in self.readonly:
            return call_result.ChangeConfiguration(status="Rejected")
        if key == "MeterValuesSampledData" and len(value.split(",")) > self.sampled_items_taken:
            return call_result.ChangeConfiguration(status="Rejected")  # a list too long
        if key not in self.configuration:
            return call_result.ChangeConfiguration(status="NotSupported")
        self.configuration[key] = value
        status = "RebootRequired" if key == "NumberOfConnectors" else "Accepted"
        return call_result.ChangeConfiguration(status=status)

    @on(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **kw: Any
    ):
        self._record("trigger", message=requested_message, connector_id=connector_id)
        senders = {
            "BootNotification": self.boot,
            "Heartbeat": self.heartbeat,
            "StatusNotification": self.send_all_status,
            "MeterValues": lambda: self.send_meter_values(connector_id or 1, seconds=0),
        }
        if requested_message in self.refused_triggers:
            return call_result.TriggerMessage(status="Rejected")
        if requested_message not in senders:
            return call_result.TriggerMessage(status="NotImplemented")
        self._spawn(senders[requested_message]())
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kw: Any):
        self._record("data_transfer", vendor_id=vendor_id, **kw)
        if vendor_id != "SimVendor":
            return call_result.DataTransfer(status="UnknownVendorId")
        return call_result.DataTransfer(status="Accepted", data=f"echo:{kw.get('data', '')}")
