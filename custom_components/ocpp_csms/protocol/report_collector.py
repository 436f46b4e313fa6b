"""Assembling the reports a 2.x charger sends in parts after a request.

GetReport, GetBaseReport, GetMonitoringReport, GetDisplayMessages,
GetChargingProfiles and CustomerInformation are answered twice: the reply says
whether a report follows, then the report comes as one or more Notify messages
with the request's id, numbered by ``seqNo`` and ``tbc`` ("to be continued")
until the last. The collector gathers the parts in ``seqNo`` order and hands
them over when the last part came, or fails when the charger falls silent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ..model.commands import CommandError

# Parts kept per report at most (a charger that never says "last" is cut short).
MAX_PARTS = 1000


@dataclass(slots=True)
class PendingReport:
    """One report being gathered (what ``expect`` gives and ``wait`` takes)."""

    action: str
    future: asyncio.Future[list[Any]]
    parts: dict[int, list[Any]] = field(default_factory=dict)


class ReportCollector:
    """The reports one connection waits for, by request id."""

    def __init__(self) -> None:
        """Wait for nothing yet."""
        self._pending: dict[int, PendingReport] = {}

    def expect(self, request_id: int, action: str) -> PendingReport:
        """Start gathering the report of a request (before sending it)."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        pending = self._pending[request_id] = PendingReport(action, future)
        return pending

    def drop(self, request_id: int) -> None:
        """Stop waiting (the charger refused the request, or has nothing to report)."""
        if (pending := self._pending.pop(request_id, None)) is not None:
            pending.future.cancel()

    def part(self, request_id: int, seq_no: int | None, tbc: bool, items: list[Any]) -> bool:
        """Take one part; returns whether it belonged to a report we wait for.

        Messages without a seqNo (NotifyDisplayMessages, ReportChargingProfiles)
        are taken in the order they come.
        """
        pending = self._pending.get(request_id)
        if pending is None:
            return False
        pending.parts[len(pending.parts) if seq_no is None else seq_no] = items
        if not tbc or len(pending.parts) >= MAX_PARTS:
            del self._pending[request_id]
            if not pending.future.done():
                gathered = [i for n in sorted(pending.parts) for i in pending.parts[n]]
                pending.future.set_result(gathered)
        return True

    async def wait(self, request_id: int, pending: PendingReport, quiet_s: float) -> list[Any]:
        """Return the assembled report; CommandError when a part stays away.

        The time runs anew with each part, so a long report in many parts is
        not cut short. A report may be complete before this is called.
        """
        seen = 0
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(pending.future), quiet_s)
            except TimeoutError:
                if len(pending.parts) == seen:
                    self.drop(request_id)
                    raise CommandError(
                        pending.action, f"timeout: report incomplete ({seen} parts)"
                    ) from None
                seen = len(pending.parts)
            except asyncio.CancelledError:
                if not pending.future.cancelled():
                    raise  # the caller was cancelled
                raise CommandError(pending.action, "disconnected") from None

    def close(self) -> None:
        """Stop waiting for every report: the connection closed."""
        for request_id in list(self._pending):
            self.drop(request_id)
