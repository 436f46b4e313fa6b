"""OCPP 1.6J adapter: translates 1.6 messages to the model and model commands to 1.6."""

from __future__ import annotations

import logging
from typing import Any, override

from ...model.authorization import AuthStatus, TagDecision
from ...model.commands import (
    CommandError,
    CommandOutcome,
    ConfigurationResult,
    LimitPurpose,
    LimitUnit,
    ResetKind,
    SamplingKeys,
)
from ...model.identity import Capabilities, ChargerIdentity
from ...model.local_entries import LocalEntry
from ...model.phase_rotation import parse_connector_rotations
from ...model.profiles import ChargingProfile, CompositeSchedule, SchedulePeriod
from ...model.transaction import StopReason
from ..inputs import connector_status, ocpp_time
from ..ocpp_lib import Action16 as Action
from ..ocpp_lib import ChargePoint16 as ChargePoint
from ..ocpp_lib import PropertyConstraintViolationError, after, on
from .operations import EXTENDED_TRIGGERS, V16Operations

_LOGGER = logging.getLogger(__name__)

PURPOSES = {
    LimitPurpose.TX: "TxProfile",
    LimitPurpose.TX_DEFAULT: "TxDefaultProfile",
    LimitPurpose.STATION_MAX: "ChargePointMaxProfile",
}
# Configuration keys that say what smart charging the charger can do, and the
# capability each integer one sets.
CAPABILITY_KEYS = {
    "ChargeProfileMaxStackLevel": "max_profile_stack_level",
    "ChargingScheduleMaxPeriods": "max_periods",
    "MaxChargingProfilesInstalled": "max_profiles",
    "ChargingScheduleAllowedChargingRateUnit": None,
    "ConnectorSwitch3to1PhaseSupported": None,
    "ConnectorPhaseRotation": None,
    "SupportedFeatureProfiles": None,
}


def _period(period: SchedulePeriod) -> dict[str, Any]:
    out: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
    if period.phases is not None:
        out["numberPhases"] = period.phases
    return out


def id_tag_info(decision: TagDecision) -> dict[str, Any]:
    """IdTagInfo: 1.6 has no Unknown (an unlisted tag is Invalid there)."""
    status = decision.status
    info: dict[str, Any] = {
        "status": str(AuthStatus.INVALID if status is AuthStatus.UNKNOWN else status)
    }
    if decision.group:
        info["parent_id_tag"] = decision.group[:20]
    if decision.expires is not None:
        info["expiry_date"] = decision.expires.isoformat()
    return info


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


class V16Adapter(V16Operations, ChargePoint):
    """OCPP 1.6J."""

    protocol_version = "1.6"
    station_connector = 0
    id_tag_max_length = 20  # IdToken is CiString20Type
    sampling_keys = SamplingKeys(
        measurands="MeterValuesSampledData",
        interval="MeterValueSampleInterval",
        max_length="MeterValuesSampledDataMaxLength",
        aligned_measurands="MeterValuesAlignedData",
        aligned_interval="ClockAlignedDataInterval",
        aligned_max_length="MeterValuesAlignedDataMaxLength",
    )
    actions = Action
    triggerable = frozenset(
        {
            "BootNotification",
            "DiagnosticsStatusNotification",
            "FirmwareStatusNotification",
            "Heartbeat",
            "MeterValues",
            "StatusNotification",
            *EXTENDED_TRIGGERS,
        }
    )
    before_adoption = frozenset({"BootNotification", "Heartbeat"})
    # 1.6 knows no MessageTypeNotSupported
    bad_message_type = PropertyConstraintViolationError
    error_code_map = {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    }

    # ------------------------------------------------------------ charger -> CSMS
    @on(Action.boot_notification)
    def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kw: Any
    ) -> Any:
        return self.answer_boot(
            ChargerIdentity(
                vendor=charge_point_vendor,
                model=charge_point_model,
                serial_number=kw.get("charge_point_serial_number")
                or kw.get("charge_box_serial_number"),
                firmware_version=kw.get("firmware_version"),
                meter_type=kw.get("meter_type"),
                meter_serial_number=kw.get("meter_serial_number"),
            )
        )

    @on(Action.status_notification)
    def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **kw: Any
    ) -> Any:
        error = None if error_code == "NoError" else error_code
        if error and kw.get("vendor_error_code"):
            error = f"{error} ({kw['vendor_error_code']})"
        self.csms.connector_status(self.charger, connector_id, connector_status(status), error)
        return self._call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **kw: Any) -> Any:
        decision = await self.csms.tags.authorize(self.charger, id_tag, "Authorize")
        return self._call_result.Authorize(id_tag_info=id_tag_info(decision))

    @on(Action.start_transaction)
    async def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kw: Any
    ) -> Any:
        self.csms.connector(self.charger, connector_id)  # refuses connector 0 and others
        meter_start_wh = self.inputs.number(meter_start, "meterStart")
        started = self.inputs.timestamp(timestamp)
        decision = await self.csms.tags.authorize(self.charger, id_tag, "StartTransaction")
        theirs = (self.upstream_answer or {}).get("transactionId")  # the upstream's, if it answers
        if isinstance(theirs, int) and str(theirs) not in self.charger.transactions:
            tx_id = theirs
        else:
            tx_id = self.csms.sessions.next_transaction_id()
        self.session_started = self.csms.sessions.start(
            self.charger,
            connector_id,
            str(tx_id),
            id_tag,
            meter_start_wh,
            started,
            reservation_id=kw.get("reservation_id"),
        )
        return self._call_result.StartTransaction(
            transaction_id=tx_id, id_tag_info=id_tag_info(decision)
        )

    @after(Action.start_transaction)
    def after_start_transaction(self, **kw: Any) -> None:
        self.flush_session_started()

    @override
    @after(Action.boot_notification)
    def after_boot_notification(self, **kw: Any) -> None:
        super().after_boot_notification(**kw)

    @on(Action.stop_transaction)
    def on_stop_transaction(
        self, meter_stop: int, timestamp: str, transaction_id: int, **kw: Any
    ) -> Any:
        tx_id = str(transaction_id)
        tx = self.csms.sessions.find(self.charger, tx_id)
        if kw.get("transaction_data") and tx is not None:
            samples = self.inputs.meter_samples(kw["transaction_data"])
            self.csms.meter_values(self.charger, tx.connector_id, tx_id, samples)
        self.csms.sessions.stop(
            self.charger,
            tx_id,
            self.inputs.number(meter_stop, "meterStop"),
            self.inputs.timestamp(timestamp),
            StopReason.parse(kw.get("reason")),
            precision_wh=1.0,  # meterStop is whole Wh; readings may be finer
        )
        if id_tag := kw.get("id_tag"):
            decision = self.csms.tags.decide_offline(self.charger, id_tag, "StopTransaction")
            return self._call_result.StopTransaction(id_tag_info=id_tag_info(decision))
        return self._call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(
        self, connector_id: int, meter_value: list[dict[str, Any]], **kw: Any
    ) -> Any:
        tx_id = kw.get("transaction_id")
        self.csms.meter_values(
            self.charger,
            connector_id,
            None if tx_id is None else str(tx_id),
            self.inputs.meter_samples(meter_value),
        )
        return self._call_result.MeterValues()

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status(self, status: str, **kw: Any) -> Any:
        self.csms.maintenance.log_status(self.charger, status, None)
        return self._call_result.DiagnosticsStatusNotification()

    @on(Action.signed_firmware_status_notification)
    def on_signed_firmware_status(self, status: str, **kw: Any) -> Any:
        self.csms.maintenance.firmware_status(self.charger, status, kw.get("request_id"))
        return self._call_result.SignedFirmwareStatusNotification()

    # ------------------------------------------------------------ CSMS -> charger
    async def remote_start(self, connector_id: int | None, id_tag: str) -> CommandOutcome:
        """RemoteStartTransaction."""
        return await self.request_status(
            self._call.RemoteStartTransaction(id_tag=id_tag, connector_id=connector_id)
        )

    async def remote_stop(self, transaction_id: str) -> CommandOutcome:
        """RemoteStopTransaction (1.6 transaction ids are numbers)."""
        return await self.request_status(
            self._call.RemoteStopTransaction(transaction_id=int(transaction_id))
        )

    async def reset(self, kind: ResetKind) -> CommandOutcome:
        """Reset, Soft or Hard."""
        return await self.request_status(self._call.Reset(type=kind.value.capitalize()))

    async def unlock(self, connector_id: int) -> CommandOutcome:
        """UnlockConnector."""
        return await self.request_status(self._call.UnlockConnector(connector_id=connector_id))

    async def change_availability(self, connector_id: int, operative: bool) -> CommandOutcome:
        """ChangeAvailability (connector 0: the whole charger)."""
        kind = "Operative" if operative else "Inoperative"
        return await self.request_status(
            self._call.ChangeAvailability(connector_id=connector_id, type=kind)
        )

    async def set_charging_profile(self, profile: ChargingProfile) -> CommandOutcome:
        """SetChargingProfile, in 1.6 terms."""
        schedule: dict[str, Any] = {
            "chargingRateUnit": profile.unit.value,
            "chargingSchedulePeriod": [_period(p) for p in profile.periods],
        }
        if profile.start is not None:
            schedule["startSchedule"] = ocpp_time(profile.start)
        if profile.duration_s is not None:
            schedule["duration"] = profile.duration_s
        body: dict[str, Any] = {
            "chargingProfileId": profile.profile_id,
            "stackLevel": profile.stack_level,
            "chargingProfilePurpose": PURPOSES[profile.purpose],
            "chargingProfileKind": profile.kind.value,
            "chargingSchedule": schedule,
        }
        if profile.transaction_id is not None:
            body["transactionId"] = int(profile.transaction_id)
        return await self.request_status(
            self._call.SetChargingProfile(
                connector_id=profile.connector_id, cs_charging_profiles=body
            )
        )

    @override
    def clear_profile_call(self, profile_id: int) -> Any:
        """Return the ClearChargingProfile call for one profile id."""
        return self._call.ClearChargingProfile(id=profile_id)

    async def get_composite_schedule(
        self, connector_id: int, duration_s: int, unit: LimitUnit
    ) -> CompositeSchedule:
        """GetCompositeSchedule."""
        result = await self.request(
            self._call.GetCompositeSchedule(
                connector_id=connector_id, duration=duration_s, charging_rate_unit=unit.value
            )
        )
        schedule = result.charging_schedule or {}
        start = result.schedule_start or schedule.get("start_schedule")
        status = str(result.status)
        return self.composite_schedule(connector_id, status, schedule, start, duration_s)

    async def probe_capabilities(self) -> Capabilities:
        """Read the smart-charging configuration keys; unknown ones leave defaults."""
        result = await self.get_configuration(list(CAPABILITY_KEYS))
        values = {k: v for k, v in result.values.items() if v is not None}
        changes: dict[str, Any] = {}
        if "SupportedFeatureProfiles" in values:
            changes["smart_charging"] = (
                "smartcharging" in values["SupportedFeatureProfiles"].lower()
            )
        if "ChargingScheduleAllowedChargingRateUnit" in values:
            words = values["ChargingScheduleAllowedChargingRateUnit"].lower()
            units = tuple(u for u, w in (("A", "current"), ("W", "power")) if w in words)
            changes["charging_rate_units"] = units or ("A", "W")
        for key, field in CAPABILITY_KEYS.items():
            if field and key in values:
                changes[field] = _int(values[key])
        if "ConnectorSwitch3to1PhaseSupported" in values:
            changes["phase_switching"] = (
                values["ConnectorSwitch3to1PhaseSupported"].lower() == "true"
            )
        if "ConnectorPhaseRotation" in values:
            rotations = parse_connector_rotations(values["ConnectorPhaseRotation"])
            self.charger.phase_rotations = rotations
        self.charger.update_capabilities(**changes)
        return self.charger.capabilities

    async def get_configuration(self, keys: list[str]) -> ConfigurationResult:
        """GetConfiguration (all keys for an empty list).

        A charger with a small GetConfigurationMaxKeys (Vestel EVC04: 1) answers only
        the first keys asked: those it left out, neither given nor unknown, are asked
        again, as many at a time as it answered.
        """
        out = ConfigurationResult()
        asked = list(keys)
        for _ in range(len(keys) + 1):  # each round answers one key at least, or ends
            result = await self.request(self._call.GetConfiguration(key=asked or None))
            out.unknown += list(result.unknown_key or [])
            for item in result.configuration_key or []:
                out.values[item["key"]] = item.get("value")
                if item.get("readonly"):
                    out.readonly.append(item["key"])
            answered = len(result.configuration_key or []) + len(result.unknown_key or [])
            left = [k for k in keys if k not in out.values and k not in out.unknown]
            if not asked or not left or answered == 0 or set(asked) <= set(left):
                break  # everything answered, or no progress
            asked = left[:answered]
        return out

    async def set_configuration(self, key: str, value: str) -> CommandOutcome:
        """ChangeConfiguration."""
        result = await self.request(self._call.ChangeConfiguration(key=key, value=value))
        return self.configuration_outcome("ChangeConfiguration", str(result.status))

    async def set_basic_auth_password(self, password: str) -> CommandOutcome:
        """Set AuthorizationKey, hex-encoded (the 1.6 security whitepaper).

        A charger on security profile 0 stores the key but keeps connecting without
        credentials: once the key is taken, its SecurityProfile goes to 1 (the
        whitepaper's order; such chargers fall back by themselves if it fails).
        """
        outcome = await self.set_configuration("AuthorizationKey", password.encode().hex())
        try:
            profile = (await self.get_configuration(["SecurityProfile"])).values.get(
                "SecurityProfile"
            )
            if profile is not None and profile.strip() == "0":
                await self.set_configuration("SecurityProfile", "1")
        except CommandError as err:  # the key is set; the profile stays as the charger has it
            _LOGGER.info("%s: SecurityProfile not raised: %s", self.charger.charger_id, err)
        return outcome

    async def get_local_list_version(self) -> int:
        """GetLocalListVersion."""
        return int((await self.request(self._call.GetLocalListVersion())).list_version)

    @override
    def local_list_call(self, version: int, update_type: str, entries: list[LocalEntry]) -> Any:
        """Return the SendLocalList call (idTag and idTagInfo per entry)."""
        items = []
        for entry in entries:
            item: dict[str, Any] = {"id_tag": entry.id_tag}
            if (decision := entry.decision()) is not None:  # None: removed
                item["id_tag_info"] = id_tag_info(decision)
            items.append(item)
        return self._call.SendLocalList(
            list_version=version, update_type=update_type, local_authorization_list=items
        )

    @override
    def trigger_call(self, message: str, connector_id: int | None) -> Any:
        """Return the TriggerMessage call (ExtendedTriggerMessage for what only it can ask)."""
        if message in EXTENDED_TRIGGERS:
            return self._call.ExtendedTriggerMessage(
                requested_message=message, connector_id=connector_id
            )
        return self._call.TriggerMessage(requested_message=message, connector_id=connector_id)
