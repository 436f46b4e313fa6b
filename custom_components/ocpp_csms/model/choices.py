"""The fixed choices actions and forms offer, and their keys.

Each choice is a typed enum whose value is the word OCPP uses (adapters send
``.value``); what Home Assistant shows and stores is its key, lower case (a
selector's option keys must be ``[a-z0-9-_]``): ``BootNotification`` is
``boot_notification``, ``SHA256`` ``sha256``. ``parse`` takes either, so
automations written with the OCPP word keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])")


def choice_key(word: str) -> str:
    """Return the key of an OCPP word: ``SignV2GCertificate`` -> ``sign_v2g_certificate``."""
    return _WORD_START.sub("_", word).replace(".", "_").lower()


def keys(words: Iterable[str]) -> list[str]:
    """Return the keys of OCPP words, in their order."""
    return [choice_key(w) for w in words]


def parse(words: Iterable[str], given: str) -> str:
    """Return the OCPP word a key (or the word itself, any case) stands for.

    Raises ValueError naming the keys for anything else.
    """
    words = list(words)
    wanted = choice_key(str(given).strip()).replace("_", "")
    for word in words:
        if choice_key(word).replace("_", "") == wanted:
            return word
    raise ValueError(f"expected one of {', '.join(keys(words))}")


class MessagePriority(StrEnum):
    """How a display message is shown among others."""

    ALWAYS_FRONT = "AlwaysFront"
    IN_FRONT = "InFront"
    NORMAL_CYCLE = "NormalCycle"


class MessageState(StrEnum):
    """The charger state a display message is shown in."""

    CHARGING = "Charging"
    FAULTED = "Faulted"
    IDLE = "Idle"
    UNAVAILABLE = "Unavailable"
    SUSPENDED = "Suspended"
    DISCHARGING = "Discharging"


class MonitorKind(StrEnum):
    """What a variable monitor watches for."""

    UPPER_THRESHOLD = "UpperThreshold"
    LOWER_THRESHOLD = "LowerThreshold"
    DELTA = "Delta"
    PERIODIC = "Periodic"
    PERIODIC_CLOCK_ALIGNED = "PeriodicClockAligned"


class MonitoringCriterion(StrEnum):
    """Which monitors a monitoring report lists."""

    THRESHOLD = "ThresholdMonitoring"
    DELTA = "DeltaMonitoring"
    PERIODIC = "PeriodicMonitoring"


class ComponentCriterion(StrEnum):
    """Which components a report lists."""

    ACTIVE = "Active"
    AVAILABLE = "Available"
    ENABLED = "Enabled"
    PROBLEM = "Problem"


class ReportBase(StrEnum):
    """Which base report to ask for."""

    CONFIGURATION = "ConfigurationInventory"
    FULL = "FullInventory"
    SUMMARY = "SummaryInventory"


class CertificateType(StrEnum):
    """A kind of installed certificate (the last is 2.x only)."""

    CSMS_ROOT = "CSMSRootCertificate"
    MANUFACTURER_ROOT = "ManufacturerRootCertificate"
    V2G_ROOT = "V2GRootCertificate"
    MO_ROOT = "MORootCertificate"
    OEM_ROOT = "OEMRootCertificate"
    V2G_CHAIN = "V2GCertificateChain"


class ProfilePurpose(StrEnum):
    """Which charging profiles a profile report lists."""

    EXTERNAL_CONSTRAINTS = "ChargingStationExternalConstraints"
    STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class HashAlgorithm(StrEnum):
    """The hash of a certificate's identifiers."""

    SHA256 = "SHA256"
    SHA384 = "SHA384"
    SHA512 = "SHA512"


class TokenType(StrEnum):
    """The kind of a tag (2.x IdTokenEnumType; 1.6 knows idTags only)."""

    ISO14443 = "ISO14443"
    ISO15693 = "ISO15693"
    KEY_CODE = "KeyCode"
    LOCAL = "Local"
    MAC_ADDRESS = "MacAddress"
    EMAID = "eMAID"
    CENTRAL = "Central"
    NO_AUTHORIZATION = "NoAuthorization"


class RateUnit(StrEnum):
    """The unit a composite schedule is asked in."""

    AMPS = "A"
    WATTS = "W"
