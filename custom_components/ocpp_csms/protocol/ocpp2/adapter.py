"""OCPP 2.0.1 adapter, and the part of 2.1 it shares.

It translates 2.x messages to the model and model commands to 2.x. Results are
built from the version's own ``call_result`` module, so each version is
validated against its own schemas.
"""

from __future__ import annotations

from typing import Any, override

from ...model.commands import (
    CommandOutcome,
    ConfigurationResult,
    LimitPurpose,
    LimitUnit,
    ResetKind,
    SamplingKeys,
)
from ...model.errors import InvalidCommand
from ...model.identity import Capabilities, ChargerIdentity
from ...model.local_entries import LocalEntry
from ...model.profiles import ChargingProfile, CompositeSchedule, SchedulePeriod
from ..inputs import connector_status as _connector_status
from ..inputs import ocpp_time
from ..ocpp_lib import Action201, ChargePoint201, after, on
from .operations import Ocpp2Operations
from .reports import Ocpp2Reports
from .sessions import Ocpp2Sessions, token_info
from .variables import KEY_SYNTAX, format_key, parse_key

GET_VARIABLES_BATCH = 20
BASIC_AUTH_PASSWORD = "SecurityCtrlr/BasicAuthPassword"

TRIGGERABLE = frozenset(
    {
        "BootNotification",
        "LogStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "PublishFirmwareStatusNotification",
        "SignChargingStationCertificate",
        "SignCombinedCertificate",
        "SignV2GCertificate",
        "StatusNotification",
        "TransactionEvent",
    }
)


PURPOSES = {
    LimitPurpose.TX: "TxProfile",
    LimitPurpose.TX_DEFAULT: "TxDefaultProfile",
    LimitPurpose.STATION_MAX: "ChargingStationMaxProfile",
}
SMART_CHARGING_VARIABLES = [
    {"name": "Enabled"},
    {"name": "RateUnit"},
    {"name": "ProfileStackLevel"},
    {"name": "PeriodsPerSchedule"},
    {"name": "Entries", "instance": "ChargingProfiles"},
    {"name": "ACPhaseSwitchingSupported"},
    {"name": "Phases3to1"},
]


class Ocpp2Handlers(Ocpp2Sessions, Ocpp2Operations, Ocpp2Reports):
    """Handlers and commands common to 2.0.1 and 2.1; mixed before the ocpp class."""

    sampling_keys = SamplingKeys(
        measurands="SampledDataCtrlr/TxUpdatedMeasurands",
        interval="SampledDataCtrlr/TxUpdatedInterval",
        aligned_measurands="AlignedDataCtrlr/Measurands",
        aligned_interval="AlignedDataCtrlr/Interval",
    )

    triggerable = TRIGGERABLE

    @override
    def ready_without_boot(self) -> None:
        """Treat the charger as ready, and read its inventory again."""
        self.spawn(self.request_inventory())
        super().ready_without_boot()

    # ------------------------------------------------------------ charger -> CSMS
    @on("BootNotification")
    def on_boot_notification(self, charging_station: dict[str, Any], reason: str, **kw: Any) -> Any:
        return self.answer_boot(
            ChargerIdentity(
                vendor=charging_station.get("vendor_name"),
                model=charging_station.get("model"),
                serial_number=charging_station.get("serial_number"),
                firmware_version=charging_station.get("firmware_version"),
            )
        )

    @override
    @after("BootNotification")
    def after_boot_notification(self, **kw: Any) -> None:
        if self.accepted:
            self.spawn(self.request_inventory())
        super().after_boot_notification(**kw)

    async def request_inventory(self) -> None:
        """Ask for the device model: EVSEs, connectors and controller variables."""
        request_id = self.csms.next_request_id()
        self.inventory_request, self.inventory_evses = request_id, set()
        await self.request(
            self._call.GetBaseReport(request_id=request_id, report_base="FullInventory")
        )

    @on("StatusNotification")
    def on_status_notification(
        self, connector_status: str, evse_id: int, connector_id: int, **kw: Any
    ) -> Any:
        self.csms.connector_status(self.charger, evse_id, _connector_status(connector_status), None)
        return self._call_result.StatusNotification()

    @on("Authorize")
    async def on_authorize(self, id_token: dict[str, Any], **kw: Any) -> Any:
        decision = await self.csms.tags.authorize(self.charger, id_token["id_token"], "Authorize")
        return self._call_result.Authorize(id_token_info=token_info(decision))

    # ------------------------------------------------------------ CSMS -> charger
    async def remote_start(self, connector_id: int | None, id_tag: str) -> CommandOutcome:
        """RequestStartTransaction, with a new remoteStartId."""
        return await self.request_status(
            self._call.RequestStartTransaction(
                id_token={"idToken": id_tag, "type": "Central"},
                remote_start_id=self.csms.next_remote_start_id(),
                evse_id=connector_id,
            )
        )

    async def remote_stop(self, transaction_id: str) -> CommandOutcome:
        """RequestStopTransaction."""
        return await self.request_status(
            self._call.RequestStopTransaction(transaction_id=transaction_id)
        )

    async def reset(self, kind: ResetKind) -> CommandOutcome:
        """Reset: OnIdle (soft) or Immediate (hard)."""
        kind_2x = "OnIdle" if kind is ResetKind.SOFT else "Immediate"
        return await self.request_status(self._call.Reset(type=kind_2x))

    async def unlock(self, connector_id: int) -> CommandOutcome:
        """UnlockConnector (EVSE and connector 1)."""
        return await self.request_status(
            self._call.UnlockConnector(evse_id=connector_id, connector_id=1)
        )

    async def change_availability(self, connector_id: int, operative: bool) -> CommandOutcome:
        """ChangeAvailability, of an EVSE or (0) of the station."""
        return await self.request_status(
            self._call.ChangeAvailability(
                operational_status="Operative" if operative else "Inoperative",
                evse={"id": connector_id} if connector_id else None,
            )
        )

    def charging_period(self, period: SchedulePeriod) -> dict[str, Any]:
        """One schedule period; 2.1 overrides this for discharging limits."""
        out: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
        if period.phases is not None:
            out["numberPhases"] = period.phases
        if period.phase_to_use is not None and period.phases == 1:
            out["phaseToUse"] = period.phase_to_use
        return out

    async def set_charging_profile(self, profile: ChargingProfile) -> CommandOutcome:
        """SetChargingProfile, in 2.x terms (a TxProfile carries the transactionId)."""
        schedule: dict[str, Any] = {
            "id": profile.profile_id,
            "chargingRateUnit": profile.unit.value,
            "chargingSchedulePeriod": [self.charging_period(p) for p in profile.periods],
        }
        if profile.start is not None:
            schedule["startSchedule"] = ocpp_time(profile.start)
        if profile.duration_s is not None:
            schedule["duration"] = profile.duration_s
        body: dict[str, Any] = {
            "id": profile.profile_id,
            "stackLevel": profile.stack_level,
            "chargingProfilePurpose": PURPOSES[profile.purpose],
            "chargingProfileKind": profile.kind.value,
            "chargingSchedule": [schedule],
        }
        if profile.transaction_id is not None:
            body["transactionId"] = profile.transaction_id
        return await self.request_status(
            self._call.SetChargingProfile(evse_id=profile.connector_id, charging_profile=body)
        )

    @override
    def clear_profile_call(self, profile_id: int) -> Any:
        """Return the ClearChargingProfile call for one profile id."""
        return self._call.ClearChargingProfile(charging_profile_id=profile_id)

    async def get_composite_schedule(
        self, connector_id: int, duration_s: int, unit: LimitUnit
    ) -> CompositeSchedule:
        """GetCompositeSchedule."""
        result = await self.request(
            self._call.GetCompositeSchedule(
                duration=duration_s, evse_id=connector_id, charging_rate_unit=unit.value
            )
        )
        schedule = result.schedule or {}
        start = schedule.get("schedule_start")
        status = str(result.status)
        return self.composite_schedule(connector_id, status, schedule, start, duration_s)

    async def probe_capabilities(self) -> Capabilities:
        """Read the SmartChargingCtrlr variables (the inventory reports them too)."""
        result = await self.request(
            self._call.GetVariables(
                get_variable_data=[
                    {"component": {"name": "SmartChargingCtrlr"}, "variable": variable}
                    for variable in SMART_CHARGING_VARIABLES
                ]
            )
        )
        for item in result.get_variable_result:
            if item["attribute_status"] == "Accepted" and item.get("attribute_value") is not None:
                self.capability(
                    item["component"]["name"],
                    item["variable"]["name"],
                    str(item["attribute_value"]),
                )
        return self.charger.capabilities

    @staticmethod
    def _parse_key(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return parse_key(key)
        except ValueError as err:
            raise InvalidCommand(str(err), KEY_SYNTAX) from err

    async def get_configuration(self, keys: list[str]) -> ConfigurationResult:
        """GetVariables, in batches."""
        out = ConfigurationResult()
        wanted = keys or sorted(self.charger.configuration)
        parsed = [self._parse_key(key) for key in wanted]  # all checked before asking
        for start in range(0, len(parsed), GET_VARIABLES_BATCH):
            batch = parsed[start : start + GET_VARIABLES_BATCH]
            result = await self.request(
                self._call.GetVariables(
                    get_variable_data=[{"component": c, "variable": v} for c, v in batch]
                )
            )
            for item in result.get_variable_result:
                key = format_key(item["component"], item["variable"])
                if item["attribute_status"] == "Accepted":
                    out.values[key] = item.get("attribute_value")
                    self.charger.store_configuration(key, item.get("attribute_value"))
                else:
                    out.unknown.append(key)
        out.readonly = sorted(k for k in out.values if k in self.charger.readonly_keys)
        return out

    async def set_configuration(self, key: str, value: str) -> CommandOutcome:
        """SetVariables of one variable."""
        return await self._set_variable(key, value, remember=True)

    async def set_basic_auth_password(self, password: str) -> CommandOutcome:
        """A01: the charger reconnects with the new password (never remembered here)."""
        return await self._set_variable(BASIC_AUTH_PASSWORD, password, remember=False)

    async def _set_variable(self, key: str, value: str, *, remember: bool) -> CommandOutcome:
        component, variable = self._parse_key(key)
        result = await self.request(
            self._call.SetVariables(
                set_variable_data=[
                    {"attributeValue": value, "component": component, "variable": variable}
                ]
            )
        )
        status = str(result.set_variable_result[0]["attribute_status"])
        outcome = self.configuration_outcome("SetVariables", status)
        if remember:
            self.charger.store_configuration(format_key(component, variable), value)
        return outcome

    async def get_local_list_version(self) -> int:
        """GetLocalListVersion."""
        return int((await self.request(self._call.GetLocalListVersion())).version_number)

    @override
    def local_list_call(self, version: int, update_type: str, entries: list[LocalEntry]) -> Any:
        """Return the SendLocalList call (idToken and idTokenInfo per entry)."""
        items = []
        for entry in entries:
            item: dict[str, Any] = {
                "id_token": {"id_token": entry.id_tag, "type": entry.token_type}
            }
            if (decision := entry.decision()) is not None:  # None: removed
                item["id_token_info"] = token_info(decision)
            items.append(item)
        return self._call.SendLocalList(
            version_number=version, update_type=update_type, local_authorization_list=items
        )

    @override
    def trigger_call(self, message: str, connector_id: int | None) -> Any:
        """Return the TriggerMessage call."""
        return self._call.TriggerMessage(
            requested_message=message, evse={"id": connector_id} if connector_id else None
        )


class V201Adapter(Ocpp2Handlers, ChargePoint201):
    """OCPP 2.0.1."""

    protocol_version = "2.0.1"
    actions = Action201
