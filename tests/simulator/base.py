"""What every simulated charger shares, whatever its OCPP version: connection
lifecycle, a simulated clock, the connectors' physics, and a version-neutral
record of the commands the CSMS sent (so one test suite fits every version)."""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import websockets

from .physics import ConnectorSim
from .profiles import ProfileEngine, SimProfile

_LOGGER = logging.getLogger(__name__)


class SimBase:
    """Mixed in front of an ``ocpp`` ChargePoint class."""

    version: str
    subprotocol: str
    id: str
    _connection: Any

    def _init_sim(
        self, connectors: int, vendor: str, model: str, quirks: set[str] | None = None
    ) -> None:
        self.vendor, self.model = vendor, model
        self.engine = ProfileEngine(quirks)
        self.connectors = {n: ConnectorSim(n, engine=self.engine) for n in range(1, connectors + 1)}
        self.boot_status: str | None = None
        self.heartbeat_interval = 300
        # Version-neutral record of CSMS -> charger commands: (kind, fields).
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.reset_requested: str | None = None
        self.reject_profiles = False  # answer SetChargingProfile with Rejected
        self.clock_offset_s = 0.0  # simulated time runs ahead when a test skips time
        self.password_set: str | None = None  # a password the CSMS sent over OCPP
        self.takes_password = True  # False: refuses a password sent over OCPP
        self.refused_triggers: set[str] = set()  # TriggerMessage answered Rejected
        # Local authorization list: version, entries by tag (id_tag_info/id_token_info)
        self.local_list_supported = True
        self.local_list_version = 0
        self.local_list: dict[str, dict[str, Any]] = {}
        self.cache_cleared = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    @classmethod
    async def connect(
        cls, url: str, charger_id: str, password: str | None = None, **kwargs: Any
    ) -> Any:
        """Connect; with ``password``, over Basic auth as security profile 1 asks."""
        headers = {}
        if password is not None:
            token = base64.b64encode(f"{charger_id}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        ws = await websockets.connect(
            f"{url.rstrip('/')}/{charger_id}",
            subprotocols=[cls.subprotocol],
            additional_headers=headers,
            # no keep-alive of its own: tests that move the clock fire every loop
            # timer that is due, a ping's timeout among them (the server's pings
            # are tested in test_transport_limits)
            ping_interval=None,
        )
        sim = cls(charger_id, ws, **kwargs)  # type: ignore[call-arg]
        sim._spawn(sim._serve())
        return sim

    async def _serve(self) -> None:
        await self.start()  # type: ignore[attr-defined]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._connection.close()

    def apply_local_list(
        self, version: int, update_type: str, items: list[tuple[str, dict[str, Any] | None]]
    ) -> str:
        """SendLocalList as the specs have it: Full replaces, Differential needs a
        newer version and removes the entries without info."""
        self._record("local_list", version=version, update_type=update_type, items=items)
        if not self.local_list_supported:
            return "Failed"
        if update_type == "Full":
            self.local_list = {tag: info for tag, info in items if info is not None}
        else:
            if version <= self.local_list_version:
                return "VersionMismatch"
            for tag, info in items:
                if info is None:
                    self.local_list.pop(tag, None)
                else:
                    self.local_list[tag] = info
        self.local_list_version = version
        return "Accepted"

    def _spawn(self, coro: Any) -> None:
        """Run a follow-up (a session after a remote start, say); one that is cut
        short because the connection closed ends quietly, as on a real charger."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        err = task.exception()  # retrieved here, so asyncio does not complain later
        if err is not None and not isinstance(err, websockets.ConnectionClosed):
            _LOGGER.error("%s: simulator task failed", self.id, exc_info=err)

    async def boot(self) -> str:
        raise NotImplementedError

    async def boot_until_accepted(self, retry_s: float | None = None) -> None:
        while await self.boot() != "Accepted":
            await asyncio.sleep(retry_s if retry_s is not None else self.heartbeat_interval)

    async def heartbeat(self) -> None:
        await self.call(self._call.Heartbeat())  # type: ignore[attr-defined]

    def now(self) -> str:
        moment = datetime.now(UTC) + timedelta(seconds=self.clock_offset_s)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _record(self, kind: str, **fields: Any) -> None:
        self.received.append((kind, fields))

    def _advance(self, conn: ConnectorSim, seconds: float | None) -> None:
        conn.tick(seconds)
        self.clock_offset_s += seconds or 0.0

    def _find_tx(self, transaction_id: Any) -> ConnectorSim | None:
        for conn in self.connectors.values():
            if conn.transaction_id is not None and str(conn.transaction_id) == str(transaction_id):
                return conn
        return None

    def _install_profile(self, profile: SimProfile) -> str:
        """SetChargingProfile, version-neutral: the engine's answer, recorded."""
        conn = self.connectors.get(profile.connector_id)
        if (profile.connector_id and conn is None) or self.reject_profiles:
            answer = "Rejected"
        else:
            answer = self.engine.install(profile, conn)
        first = profile.periods[0] if profile.periods else (0, None, None)
        self._record(
            "set_profile",
            connector_id=profile.connector_id,
            purpose=profile.purpose,
            id=profile.id,
            stack_level=profile.stack_level,
            profile_kind=profile.kind,
            limit=first[1],
            phases=first[2],
            unit=profile.unit,
            transaction_id=None if profile.transaction_id is None else str(profile.transaction_id),
            periods=len(profile.periods),
            answer=answer,
        )
        if answer == "Accepted":
            self._limits_changed()
        return answer

    def _clear_profile(self, profile_id: int | None) -> bool:
        self._record("clear_profile", id=profile_id)
        cleared = self.engine.clear(profile_id)
        if cleared:
            self._limits_changed()
        return cleared

    def _limits_changed(self) -> None:
        """A running session's charging state may follow a new limit."""
        for conn in self.connectors.values():
            if conn.transaction_id is None:
                continue
            if "ends_session_at_zero" in self.engine.quirks and conn.limit_amps() == 0:
                self._spawn(self.end_session_plugged(conn.connector_id))
            else:
                self._spawn(self._report_charging_state(conn))

    async def end_session_plugged(self, connector_id: int) -> None:
        """End the session on the charger's own, the car still plugged (each version's)."""
        raise NotImplementedError

    async def _report_charging_state(self, conn: ConnectorSim) -> None:
        raise NotImplementedError
