"""A simulated OCPP charger, built on the ocpp library's charge-point classes.

Used by the tests and by scripts/develop; run ``python -m tests.simulator --help``.
"""

from .charger2x import SimCharger21, SimCharger201
from .charger16 import SimCharger16
from .physics import ConnectorSim

SIMULATORS = {"1.6": SimCharger16, "2.0.1": SimCharger201, "2.1": SimCharger21}

__all__ = ["SIMULATORS", "ConnectorSim", "SimCharger16", "SimCharger21", "SimCharger201"]
