"""A simulated OCPP charger, built on the ocpp library's charge-point classes.

Used by the tests and by scripts/develop; run ``python -m tests.simulator --help``.
"""

from .charger16 import SimCharger16
from .physics import ConnectorSim

SIMULATORS = {"1.6": SimCharger16}

__all__ = ["SIMULATORS", "ConnectorSim", "SimCharger16"]
