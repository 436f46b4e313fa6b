"""A simulated OCPP charger, built on the ocpp library's charge-point classes.

Used by the tests and by scripts/develop; run ``python -m tests.simulator --help``.
"""

from .charger2x import SimCharger21, SimCharger201
from .charger16 import SimCharger16
from .physics import ConnectorSim

# One simulator per version of the integration's registry.
SIMULATORS = {sim.version: sim for sim in (SimCharger21, SimCharger201, SimCharger16)}

__all__ = ["SIMULATORS", "ConnectorSim", "SimCharger16", "SimCharger21", "SimCharger201"]
