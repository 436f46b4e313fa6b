"""A charger's second central system, as its options set it (``hub/forwarding.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..const import (
    CONF_UPSTREAM_ANSWERS,
    CONF_UPSTREAM_CAFILE,
    CONF_UPSTREAM_CERTFILE,
    CONF_UPSTREAM_COMMANDS,
    CONF_UPSTREAM_ID,
    CONF_UPSTREAM_KEYFILE,
    CONF_UPSTREAM_PASSWORD,
    CONF_UPSTREAM_QUEUE,
    CONF_UPSTREAM_TIMEOUT,
    CONF_UPSTREAM_URL,
)
from ..model.forwarding import CommandPolicy


@dataclass(frozen=True, slots=True)
class UpstreamOptions:
    """A charger's second central system, as its options set it."""

    url: str
    identity: str | None = None  # None: the charger's own id
    password: str | None = None
    policy: CommandPolicy = CommandPolicy.NO_CHARGING_CONTROL
    answers: bool = False  # the upstream answers the charger (else Home Assistant does)
    timeout_s: float = 5.0  # how long an answer of the upstream is waited for (1-30 s)
    queue_limit: int = 10_000  # messages waiting for it at most (100-100,000)
    cafile: str | None = None  # wss://: the CA to trust (None: the system's)
    certfile: str | None = None  # wss://: a client certificate (security profile 3)
    keyfile: str | None = None

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> UpstreamOptions | None:
        """Read a charger's options; None where no upstream is set."""
        url = str(options.get(CONF_UPSTREAM_URL) or "").strip()
        if not url.startswith(("ws://", "wss://")):
            return None
        try:
            policy = CommandPolicy(options.get(CONF_UPSTREAM_COMMANDS) or "no_charging_control")
        except ValueError:
            policy = CommandPolicy.NO_CHARGING_CONTROL
        return cls(
            url=url,
            identity=str(options.get(CONF_UPSTREAM_ID) or "").strip() or None,
            password=options.get(CONF_UPSTREAM_PASSWORD) or None,
            policy=policy,
            answers=bool(options.get(CONF_UPSTREAM_ANSWERS)),
            timeout_s=_timeout(options.get(CONF_UPSTREAM_TIMEOUT)),
            queue_limit=_queue(options.get(CONF_UPSTREAM_QUEUE)),
            cafile=_path(options.get(CONF_UPSTREAM_CAFILE)),
            certfile=_path(options.get(CONF_UPSTREAM_CERTFILE)),
            keyfile=_path(options.get(CONF_UPSTREAM_KEYFILE)),
        )


def _timeout(stored: Any) -> float:
    """Return the answer timeout: 1 to 30 s, 5 s where not set or unreadable."""
    try:
        return min(30.0, max(1.0, float(stored)))
    except TypeError, ValueError:
        return 5.0


def _path(stored: Any) -> str | None:
    return str(stored).strip() or None if stored else None


def _queue(stored: Any) -> int:
    """Return the queue's bound: 100 to 100,000 messages, 10,000 where not set."""
    try:
        return min(100_000, max(100, int(stored)))
    except TypeError, ValueError:
        return 10_000
