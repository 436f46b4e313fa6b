"""The OCPP frames the load generator sends, and its answers to a CSMS's calls.

Raw JSON, built from templates: no ``ocpp`` library, so that one core can play
thousands of chargers. Each meter message carries ten sampled values, as a
three-phase charger reports them: energy, power, three currents, three
voltages, state of charge and temperature. The values move with every message,
as a real charger's do.
"""

from __future__ import annotations

import json
import time
from typing import Any

SUBPROTOCOLS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


def now_iso() -> str:
    """Return the current UTC time as OCPP writes it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def call(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    """Return a CALL frame."""
    return json.dumps([2, unique_id, action, payload], separators=(",", ":"))


def _samples_16(seq: int) -> list[dict[str, Any]]:
    energy = 1000.0 + seq * 3.1
    power = 11000 + (seq * 37) % 400
    amps = [16.0 + ((seq + k) % 7) / 10 for k in range(3)]
    volts = [230.0 + ((seq + k) % 5) / 10 for k in range(3)]
    values: list[dict[str, Any]] = [
        {"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": f"{energy:.1f}"},
        {"measurand": "Power.Active.Import", "unit": "W", "value": f"{power}"},
    ]
    for phase, amp in zip(("L1", "L2", "L3"), amps, strict=True):
        values.append(
            {"measurand": "Current.Import", "phase": phase, "unit": "A", "value": f"{amp:.1f}"}
        )
    for phase, volt in zip(("L1-N", "L2-N", "L3-N"), volts, strict=True):
        values.append({"measurand": "Voltage", "phase": phase, "unit": "V", "value": f"{volt:.1f}"})
    values.append({"measurand": "SoC", "unit": "Percent", "value": f"{20 + seq // 50 % 80}"})
    values.append({"measurand": "Temperature", "unit": "Celsius", "value": f"{30 + seq % 3}"})
    for value in values:
        value["context"] = "Sample.Periodic"
    return values


def _samples_2x(seq: int) -> list[dict[str, Any]]:
    out = []
    for value in _samples_16(seq):
        if value["measurand"] == "Temperature":  # a 1.6 measurand only: frequency instead
            value = {"measurand": "Frequency", "unit": "Hz", "value": f"{50 + seq % 2 / 10}"}
        item: dict[str, Any] = {
            "value": float(value["value"]),
            "measurand": value["measurand"],
            "context": "Sample.Periodic",
            "unitOfMeasure": {"unit": value["unit"]},
        }
        if "phase" in value:
            item["phase"] = value["phase"]
        out.append(item)
    return out


class Script:
    """One charger's frames for one OCPP version."""

    def __init__(self, version: str, charger_id: str) -> None:
        """Start the charger's message counter and transaction state."""
        self.version = version
        self.charger_id = charger_id
        self.transaction_id: int | str = 0
        self.seq = 0

    def boot(self) -> list[tuple[str, dict[str, Any]]]:
        """Return the calls of a boot: BootNotification and the connector statuses."""
        if self.version == "1.6":
            return [
                (
                    "BootNotification",
                    {"chargePointVendor": "Bench", "chargePointModel": "LoadGen"},
                ),
                ("StatusNotification", _status_16(0, "Available")),
                ("StatusNotification", _status_16(1, "Preparing")),
            ]
        return [
            (
                "BootNotification",
                {
                    "reason": "PowerUp",
                    "chargingStation": {"model": "LoadGen", "vendorName": "Bench"},
                },
            ),
            ("StatusNotification", _status_2x("Occupied")),
        ]

    def start(self) -> tuple[str, dict[str, Any]]:
        """Return the call that starts a transaction on connector (EVSE) 1."""
        if self.version == "1.6":
            return (
                "StartTransaction",
                {"connectorId": 1, "idTag": "BENCH", "meterStart": 1000, "timestamp": now_iso()},
            )
        self.transaction_id = f"tx-{self.charger_id}"
        return (
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": now_iso(),
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": self.transaction_id},
                "idToken": {"idToken": "BENCH", "type": "ISO14443"},
                "evse": {"id": 1, "connectorId": 1},
            },
        )

    def started(self, answer: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Note the transaction id; return the calls that follow a started transaction."""
        if self.version == "1.6":
            self.transaction_id = int(answer["transactionId"])
            return [("StatusNotification", _status_16(1, "Charging"))]
        return []

    def meter(self) -> tuple[str, dict[str, Any]]:
        """Return the next periodic meter message: MeterValues (1.6), TransactionEvent (2.x)."""
        self.seq += 1
        if self.version == "1.6":
            return (
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": self.transaction_id,
                    "meterValue": [{"timestamp": now_iso(), "sampledValue": _samples_16(self.seq)}],
                },
            )
        return (
            "TransactionEvent",
            {
                "eventType": "Updated",
                "timestamp": now_iso(),
                "triggerReason": "MeterValuePeriodic",
                "seqNo": self.seq,
                "transactionInfo": {
                    "transactionId": self.transaction_id,
                    "chargingState": "Charging",
                },
                "meterValue": [{"timestamp": now_iso(), "sampledValue": _samples_2x(self.seq)}],
            },
        )


def _status_16(connector: int, status: str) -> dict[str, Any]:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}


def _status_2x(status: str) -> dict[str, Any]:
    return {"timestamp": now_iso(), "connectorStatus": status, "evseId": 1, "connectorId": 1}


def answer(version: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Return a schema-valid answer to a CSMS's call (accepting what can be accepted)."""
    if version == "1.6":
        if action == "GetConfiguration":
            return {"configurationKey": [], "unknownKey": list(payload.get("key") or [])}
        if action == "GetLocalListVersion":
            return {"listVersion": 0}
        if action in ("GetCompositeSchedule", "TriggerMessage"):
            return {"status": "Rejected"}
        if action == "DataTransfer":
            return {"status": "UnknownVendorId"}
        if action == "UnlockConnector":
            return {"status": "NotSupported"}
        return {"status": "Accepted"}
    if action in ("GetVariables", "SetVariables"):
        key, status = (
            ("getVariableResult", "UnknownVariable")
            if action == "GetVariables"
            else ("setVariableResult", "Accepted")
        )
        data = payload.get("getVariableData") or payload.get("setVariableData") or []
        return {
            key: [
                {"attributeStatus": status, "component": d["component"], "variable": d["variable"]}
                for d in data
            ]
        }
    if action == "GetLocalListVersion":
        return {"versionNumber": 0}
    if action in ("GetCompositeSchedule", "TriggerMessage"):
        return {"status": "Rejected"}
    if action == "ClearChargingProfile":
        return {"status": "Unknown"}
    if action == "DataTransfer":
        return {"status": "UnknownVendorId"}
    return {"status": "Accepted"}


def follow_up(
    version: str, action: str, payload: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """Return the call a charger sends after accepting ``action``, if any (a base report)."""
    if version != "1.6" and action == "GetBaseReport":
        return (
            "NotifyReport",
            {"requestId": payload["requestId"], "generatedAt": now_iso(), "seqNo": 0, "tbc": False},
        )
    return None
