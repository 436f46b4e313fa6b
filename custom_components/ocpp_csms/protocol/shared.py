"""Handlers and commands that read the same in every OCPP version.

Heartbeat, DataTransfer both ways, firmware / log / security-event status,
certificate signing, the end of boot handling and the configuration status
check. Each version's ``call_result`` classes build the answers, so each is
validated against its own schemas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, override

from ..model.charger import BootStatus
from ..model.commands import CommandError, CommandOutcome, DataTransferResult, LimitUnit
from ..model.errors import InvalidCommand
from ..model.identity import ChargerIdentity
from ..model.local_entries import LocalEntry
from ..model.operations import FirmwareRequest, LogRequest
from ..model.profiles import CompositeSchedule, SchedulePeriod
from ..model.transaction import Transaction
from .inputs import ocpp_now, ocpp_time
from .ocpp_lib import on
from .version_gaps import VersionGaps

_LOGGER = logging.getLogger(__name__)

CONFIGURATION_TAKEN = {"Accepted", "RebootRequired"}


READY_WITHOUT_BOOT_S = 5.0
# A charger is asked for the statuses Home Assistant does not know at most this often.
STATUS_ASK_EVERY_S = 60.0


def firmware_of(request: FirmwareRequest) -> dict[str, Any]:
    """Return the FirmwareType of a request (2.x, and 1.6's SignedUpdateFirmware)."""
    firmware: dict[str, Any] = {
        "location": request.url,
        "retrieveDateTime": ocpp_time(request.retrieve_at),
    }
    if request.install_at is not None:
        firmware["installDateTime"] = ocpp_time(request.install_at)
    if request.signing_certificate:
        firmware["signingCertificate"] = request.signing_certificate
    if request.signature:
        firmware["signature"] = request.signature
    return firmware


class SharedHandlers(VersionGaps):
    """The handlers and commands every version adapter shares."""

    # The messages this version's TriggerMessage can ask for; set by each adapter.
    # The longest idToken the version carries (2.x IdTokenType; 1.6 sets 20).
    id_tag_max_length = 36
    triggerable: frozenset[str] = frozenset()
    # Set by a handler that opened a session; its limit is sent once the charger
    # has our answer (it must know the transaction id first).
    session_started: Transaction | None = None
    _booted = False
    _boot_seen: asyncio.Event | None = None  # set by the boot
    # 1.6 reports the station's own status as connector 0; 2.x by events
    station_connector: int | None = None

    # ------------------------------------------------------------ readiness
    def on_connected(self, adopted: bool) -> None:
        """Start serving: an adopted charger is ready once it booted, or soon without."""
        if adopted:
            self._boot_seen = asyncio.Event()
            self.spawn(self._ready_unless_booted())

    async def _ready_unless_booted(self) -> None:
        """Treat a charger that reconnects without booting as ready, after a while.

        After a restart of Home Assistant, say, it is as ready as one that booted.
        """
        await asyncio.sleep(READY_WITHOUT_BOOT_S)  # its own statuses come after a boot
        if not self._booted:
            profile = self.charger.profile
            if profile is not None and profile.boot_first:
                # it takes nothing before a boot (Wallbox): ask for one; the boot does the rest
                try:
                    await self.trigger_message("BootNotification", None)
                except CommandError as err:
                    _LOGGER.debug("%s: boot not asked: %s", self.charger.charger_id, err)
                if await self._boots_within(READY_WITHOUT_BOOT_S):
                    return
            self.ready_without_boot()
        await self.ask_unknown_statuses()

    async def _boots_within(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the charger's boot; tell whether it booted."""
        if self._boot_seen is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._boot_seen.wait()
        return self._booted

    async def ask_unknown_statuses(self) -> None:
        """Ask for the statuses not known (chargers report one only when it changes).

        After a restart of Home Assistant an idle charger would stay unknown for
        hours. Only what is unknown is asked, at most every STATUS_ASK_EVERY_S.
        """
        charger = self.charger
        targets: list[int | None] = [
            number for number, conn in sorted(charger.connectors.items()) if conn.status is None
        ]
        if not charger.connectors:
            targets = [None]  # the charger's every connector
        elif charger.status is None and self.station_connector is not None:
            targets.insert(0, self.station_connector)
        now = asyncio.get_running_loop().time()
        asked = charger.status_asked_at
        if asked is not None and now - asked < STATUS_ASK_EVERY_S:
            return
        charger.status_asked_at = now
        for target in targets:
            try:
                await self.trigger_message("StatusNotification", target)
            except CommandError as err:
                _LOGGER.debug("%s: status not asked: %s", charger.charger_id, err)
                return
        await self.ask_unconfirmed_registers()

    async def ask_unconfirmed_registers(self) -> None:
        """Ask for the meter values of connectors whose register is as stored, unconfirmed."""
        for number, conn in sorted(self.charger.connectors.items()):
            if conn.energy.restored:
                try:
                    await self.trigger_message("MeterValues", number)
                except CommandError as err:
                    _LOGGER.debug("%s: readings not asked: %s", self.charger.charger_id, err)
                    return

    def ready_without_boot(self) -> None:
        """Treat the charger as ready (a reconnect without a boot)."""
        self.csms.charger_ready(self.charger)

    def after_boot_notification(self, **kw: Any) -> None:
        """Finish a boot, once its answer was sent (each version's after-hook)."""
        if self.accepted:
            self.csms.charger_ready(self.charger)
            self.spawn(self.csms.local_lists.after_boot(self.charger))
            self.spawn(self._ask_after_boot())

    async def _ask_after_boot(self) -> None:
        """Statuses a charger did not send after its boot are asked for."""
        await asyncio.sleep(READY_WITHOUT_BOOT_S)
        await self.ask_unknown_statuses()

    def flush_session_started(self) -> None:
        """Tell the limit logic of a session that started with the last message."""
        tx, self.session_started = self.session_started, None
        if tx is not None and (conn := self.charger.connectors.get(tx.connector_id)):
            self.csms.limits.session_started(conn)

    # ------------------------------------------------------------ charger -> CSMS
    def answer_boot(self, identity: ChargerIdentity) -> Any:
        """Answer a boot: the model decides; the answer carries status and interval."""
        self._booted = True
        if self._boot_seen is not None:
            self._boot_seen.set()
        status = self.csms.boot(self.charger, identity)
        return self._call_result.BootNotification(
            current_time=ocpp_now(), interval=self.csms.boot_interval(status), status=status.value
        )

    @property
    def accepted(self) -> bool:
        """Tell whether the charger's last boot was accepted."""
        return self.charger.boot_status is BootStatus.ACCEPTED

    @on("Heartbeat")
    def on_heartbeat(self, **kw: Any) -> Any:
        self.csms.heartbeat(self.charger)
        return self._call_result.Heartbeat(current_time=ocpp_now())

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, **kw: Any) -> Any:
        self.charger.remember("DataTransfer", {"vendor_id": vendor_id, **kw})
        return self._call_result.DataTransfer(status="UnknownVendorId")

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, status: str, **kw: Any) -> Any:
        self.csms.maintenance.firmware_status(self.charger, status, kw.get("request_id"))
        return self._call_result.FirmwareStatusNotification()

    @on("LogStatusNotification")
    def on_log_status(self, status: str, **kw: Any) -> Any:
        self.csms.maintenance.log_status(self.charger, status, kw.get("request_id"))
        return self._call_result.LogStatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, type: str, timestamp: str, **kw: Any) -> Any:  # noqa: A002  (the payload's field name)
        self.charger.remember(
            "SecurityEventNotification", {"type": type, "timestamp": timestamp, **kw}
        )
        return self._call_result.SecurityEventNotification()

    @on("SignCertificate")
    def on_sign_certificate(self, csr: str, **kw: Any) -> Any:
        self.charger.remember("SignCertificate", {"csr": csr, **kw})
        return self._call_result.SignCertificate(status="Rejected")  # we are no CA

    # ------------------------------------------------------------ CSMS -> charger
    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> DataTransferResult:
        """Send a vendor-specific DataTransfer."""
        result = await self.request(
            self._call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
        )
        return DataTransferResult(str(result.status), result.data)

    @override
    async def trigger_message(self, message: str, connector_id: int | None) -> CommandOutcome:
        """Check the message is one this version can trigger, then ask for it."""
        if message not in self.triggerable:
            raise InvalidCommand(
                f"{message} cannot be triggered in OCPP {self.protocol_version}",
                ", ".join(sorted(self.triggerable)),
            )
        return await self.request_status(self.trigger_call(message, connector_id))

    def trigger_call(self, message: str, connector_id: int | None) -> Any:
        """Return the version's TriggerMessage call."""
        raise NotImplementedError

    # ------------------------------------------------------------ local lists
    def local_list_call(self, version: int, update_type: str, entries: list[LocalEntry]) -> Any:
        """Return the version's SendLocalList call."""
        raise NotImplementedError

    async def send_local_list(
        self, version: int, full: bool, entries: list[LocalEntry]
    ) -> CommandOutcome:
        """Send the local authorization list: whole, or the changed entries."""
        update_type = "Full" if full else "Differential"
        return await self.request_status(self.local_list_call(version, update_type, entries))

    async def get_log(self, request: LogRequest, log_type: str) -> str | None:
        """GetLog (2.x, and 1.6's security extension); the file name it announces."""
        log: dict[str, Any] = {"remoteLocation": request.location}
        if request.oldest is not None:
            log["oldestTimestamp"] = ocpp_time(request.oldest)
        if request.latest is not None:
            log["latestTimestamp"] = ocpp_time(request.latest)
        result = await self.request(
            self._call.GetLog(
                log=log,
                log_type=log_type,
                request_id=request.request_id,
                retries=request.retries,
                retry_interval=request.retry_interval_s,
            )
        )
        self.outcome("GetLog", str(result.status))
        return None if result.filename is None else str(result.filename)

    async def clear_cache(self) -> CommandOutcome:
        """Empty the charger's authorization cache."""
        return await self.request_status(self._call.ClearCache())

    # ------------------------------------------------------------ smart charging
    def clear_profile_call(self, profile_id: int) -> Any:
        """Return the version's ClearChargingProfile call for one profile id."""
        raise NotImplementedError

    async def clear_charging_profile(self, profile_id: int) -> CommandOutcome:
        """Remove one of our profiles; NothingToDo when the charger had none by that id."""
        result = await self.request(self.clear_profile_call(profile_id))
        if str(result.status) == "Unknown":
            return CommandOutcome.NOTHING_TO_DO
        return self.outcome("ClearChargingProfile", str(result.status))

    def composite_schedule(
        self,
        connector_id: int,
        status: str,
        schedule: dict[str, Any],
        start: str | None,
        requested_s: int,
    ) -> CompositeSchedule:
        """Read a GetCompositeSchedule answer (snake_case), whatever the version."""
        if status != "Accepted" or not schedule:
            raise CommandError("GetCompositeSchedule", status)
        return CompositeSchedule(
            connector_id=connector_id,
            start=self.inputs.timestamp(start),
            duration_s=int(schedule.get("duration") or requested_s),
            unit=LimitUnit(schedule["charging_rate_unit"]),
            periods=self.composite_periods(schedule["charging_schedule_period"]),
        )

    def composite_periods(self, raw: list[dict[str, Any]]) -> tuple[SchedulePeriod, ...]:
        """Schedule periods of a composite schedule, each number checked."""
        periods = []
        for item in raw:
            start = self.inputs.number(item.get("start_period"), "startPeriod")
            limit = self.inputs.number(item.get("limit", 0.0), "limit")
            if start is None or limit is None:
                continue
            if limit < 0 and not self.charger.capabilities.bidirectional:
                continue  # -1 and the like: no limit in that period
            discharge = self.inputs.number(item.get("discharge_limit", 0.0), "dischargeLimit")
            if discharge and limit == 0:
                limit = discharge  # 2.1: discharging only
            phases = item.get("number_phases")
            periods.append(
                SchedulePeriod(int(start), limit, phases if isinstance(phases, int) else None)
            )
        return tuple(sorted(periods, key=lambda p: p.start_s))

    def configuration_outcome(self, action: str, status: str) -> CommandOutcome:
        """ChangeConfiguration / SetVariables: taken, or taken after a reboot."""
        if status not in CONFIGURATION_TAKEN:
            raise CommandError(action, status)
        return self.outcome(action, status)
