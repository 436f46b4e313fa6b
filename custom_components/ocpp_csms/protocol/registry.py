"""The one list of OCPP versions.

Name, websocket subprotocol, adapter and the messages TriggerMessage can ask
for (each adapter states its own). The server, the connection manager, the
config flow, the actions and the tests all read it; a new version is one new
adapter plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .adapter import AdapterFactory
from .ocpp2.adapter import V201Adapter
from .ocpp2.v21 import V21Adapter
from .ocpp16.adapter import V16Adapter
from .ocpp_lib import validate_in_event_loop


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """One OCPP version, as the rest of the integration sees it."""

    name: str  # "1.6", "2.0.1", "2.1"
    subprotocol: str  # offered by the charger in Sec-WebSocket-Protocol
    adapter: AdapterFactory
    triggerable: frozenset[str]
    # the ocpp library's version whose schemas and classes the adapter uses
    library_version: str = ""

    @property
    def schemas(self) -> str:
        """Return the ocpp library's version of this version's schemas."""
        return self.library_version or self.name


# Newest first: when a charger offers several, the first one it offers here wins.
VERSIONS: dict[str, VersionSpec] = {
    spec.name: spec
    for spec in (
        VersionSpec("2.1", "ocpp2.1", V21Adapter, V21Adapter.triggerable),
        VersionSpec("2.0.1", "ocpp2.0.1", V201Adapter, V201Adapter.triggerable),
        VersionSpec("1.6", "ocpp1.6", V16Adapter, V16Adapter.triggerable),
    )
}
# A charger that offers no subprotocol speaks this.
DEFAULT_VERSION = "1.6"
ALL_TRIGGERABLE = sorted(set().union(*(spec.triggerable for spec in VERSIONS.values())))


def subprotocols() -> dict[str, str]:
    """Return each websocket subprotocol's version (as the registry is now)."""
    return {spec.subprotocol: spec.name for spec in VERSIONS.values()}


def prepare_validation() -> None:
    """Compile the schema checks of every version's library schemas (blocking I/O)."""
    validate_in_event_loop({spec.schemas for spec in VERSIONS.values()})
