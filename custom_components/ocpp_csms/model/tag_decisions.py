"""Deciding a presented tag.

The tag list, the policy, and (policy "ask") an automation's answer within a
short wait. Every decision is recorded on the charger and announced, and the
last refused tag is kept for the UI.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import clock
from .authorization import AuthStatus, TagDecision, TagList, TagPolicy
from .events import EVENT_TAG_PRESENTED

if TYPE_CHECKING:
    from .charger import Charger

# An automation's answer is reused this long (Authorize, then StartTransaction).
ANSWER_REUSE_S = 60.0

# (charger, id tag, context) -> True/False from an automation, None: no answer
Asker = Callable[["Charger", str, str], Awaitable[bool | None]]
# (charger, tag, context) -> the second central system's status, or None where it cannot say
UpstreamAsker = Callable[["Charger", str, str], Awaitable[AuthStatus | None]]


@dataclass(slots=True, frozen=True)
class RejectedTag:
    """The last tag refused, where and how."""

    id_tag: str
    charger_id: str
    status: AuthStatus
    at: datetime


class TagDecisions:
    """Decides presented tags for every charger."""

    def __init__(self, emit: Callable[[str, dict[str, Any]], None]) -> None:
        """Start with no tags, the automatic policy and nobody to ask."""
        self._emit = emit
        self.tags = TagList()
        self.policy = TagPolicy.AUTO
        self.ask: Asker | None = None
        # a charger's second central system, asked about tags the list does not hold
        self.ask_upstream: UpstreamAsker | None = None
        self._answers: dict[str, tuple[float, bool]] = {}
        self.last_rejected: RejectedTag | None = None
        self._rejected_listeners: list[Callable[[], None]] = []

    def on_rejected(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after each refused tag; returns the way to stop."""
        self._rejected_listeners.append(listener)
        return lambda: self._rejected_listeners.remove(listener)

    def answered(self, id_tag: str, accepted: bool) -> None:
        """Keep an automation's answer for ANSWER_REUSE_S."""
        self._answers[id_tag.casefold()] = (time.monotonic(), accepted)

    async def authorize(self, charger: Charger, id_tag: str, context: str) -> TagDecision:
        """Decide a tag by the list and the policy, asking an automation if so set."""
        now = clock.now()
        decision = self.tags.decide(id_tag, now, self.policy)
        if decision.tag is None and self.ask_upstream is not None:
            status = await self.ask_upstream(charger, id_tag, context)
            if status is not None:
                decision = TagDecision(id_tag, status, None, "upstream")
                self._record(charger, decision, context, now)
                return decision
        if self._may_ask(decision, context):
            answer = self._reused(id_tag)
            if answer is None and self.ask is not None:
                answer = await self.ask(charger, id_tag, context)
            if answer is not None:
                status = AuthStatus.ACCEPTED if answer else AuthStatus.INVALID
                decision = TagDecision(id_tag, status, decision.tag, "automation")
        self._record(charger, decision, context, now)
        return decision

    def decide_offline(self, charger: Charger, id_tag: str, context: str) -> TagDecision:
        """Decide a tag by the list alone (a stop, or a tag already charging)."""
        now = clock.now()
        decision = self.tags.decide(id_tag, now, self.policy)
        self._record(charger, decision, context, now)
        return decision

    def _may_ask(self, decision: TagDecision, context: str) -> bool:
        """Ask about every tag the list does not refuse outright (blocked, expired)."""
        return self.policy is TagPolicy.ASK and decision.status in (
            AuthStatus.ACCEPTED,
            AuthStatus.UNKNOWN,
        )

    def _reused(self, id_tag: str) -> bool | None:
        key = id_tag.casefold()
        found = self._answers.get(key)
        if found is None:
            return None
        if time.monotonic() - found[0] > ANSWER_REUSE_S:
            del self._answers[key]
            return None
        return found[1]

    def _record(self, charger: Charger, decision: TagDecision, context: str, now: datetime) -> None:
        charger.last_tag = decision
        charger.tag_decisions += 1
        charger.notify()
        if not decision.accepted:
            self.last_rejected = RejectedTag(
                decision.id_tag, charger.charger_id, decision.status, now
            )
            for listener in tuple(self._rejected_listeners):
                listener()
        self._emit(
            EVENT_TAG_PRESENTED,
            {
                "charger_id": charger.charger_id,
                "id_tag": decision.id_tag,
                "name": decision.tag.name if decision.tag is not None else None,
                "status": str(decision.status),
                "decided_by": decision.decided_by,
                "context": context,
            },
        )
