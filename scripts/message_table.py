"""Print the README's table of every OCPP message, both directions, per version.

Charger-to-CSMS messages are those an adapter serves (its route map); the rest of
each version's actions go from the central system to the charger. What Home
Assistant does with each is said below; a served message not named here is
answered only (and kept for the diagnostics download), and a CSMS message not
named here is not sent. ``tests/test_message_table.py`` checks the README holds
this table as printed, so it stays true.

    python -m scripts.message_table          # the table and its counts
"""

from __future__ import annotations

from custom_components.ocpp_csms.protocol.registry import VERSIONS

ORDER = ("1.6", "2.0.1", "2.1")

# charger -> CSMS: what Home Assistant does with it
RECEIVED = {
    "BootNotification": "adoption, device info (firmware version), `charger_booted` event",
    "Heartbeat": "Last heartbeat sensor",
    "StatusNotification": "connector / charger Status and Error code sensors",
    "Authorize": "the tag list and policy; Tag event, `tag_presented` event",
    "StartTransaction": "session start (ids unique), reservation used",
    "StopTransaction": "session end, session history",
    "TransactionEvent": "session start / update / end, history; running cost (California Pricing)",
    "MeterValues": "power, current, energy … sensors; session energy and cost",
    "DiagnosticsStatusNotification": "Log upload sensor and event",
    "LogStatusNotification": "Log upload sensor and event",
    "FirmwareStatusNotification": "Firmware status sensor and event",
    "SignedFirmwareStatusNotification": "Firmware status sensor and event",
    "NotifyReport": "inventory (EVSEs, configuration, capabilities); `get_report` / `get_base_report`",
    "NotifyEvent": "charger state and problems; Monitor event",
    "NotifyMonitoringReport": "`get_monitoring_report`",
    "NotifyDisplayMessages": "`get_display_messages`",
    "NotifyCustomerInformation": "`customer_information`",
    "ReportChargingProfiles": "`get_charging_profiles`",
    "ReservationStatusUpdate": "reservation ended; Reservation sensor and event",
}
# CSMS -> charger: the actions (or the logic) that send it
SENT = {
    "RemoteStartTransaction": "`start_charging`, Charging switch",
    "RemoteStopTransaction": "`stop_charging`, Charging switch",
    "RequestStartTransaction": "`start_charging`, Charging switch",
    "RequestStopTransaction": "`stop_charging`, Charging switch",
    "Reset": "`reset`, Restart button",
    "UnlockConnector": "`unlock_connector`, Unlock button",
    "ChangeAvailability": "`change_availability`, Available switch",
    "SetChargingProfile": "the limit actions and number, plans, station limit",
    "ClearChargingProfile": "the limit actions (our profiles only)",
    "GetCompositeSchedule": "`get_composite_schedule`, the Effective limit check",
    "GetConfiguration": "`get_configuration`, capability probe",
    "ChangeConfiguration": "`set_configuration`, password rotation",
    "GetVariables": "`get_configuration`, capability probe",
    "SetVariables": "`set_configuration`, password rotation",
    "GetBaseReport": "inventory at boot, `get_base_report`",
    "GetReport": "`get_report`",
    "TriggerMessage": "`trigger_message`, adoption",
    "ExtendedTriggerMessage": "`trigger_message` (LogStatusNotification, SignChargePointCertificate)",
    "DataTransfer": "`data_transfer`",
    "GetLocalListVersion": "local list check at every boot, `sync_tags`",
    "SendLocalList": "local list (full, then differential), `sync_tags`",
    "ClearCache": "a withdrawn tag, `clear_cache`",
    "ReserveNow": "`reserve_now`",
    "CancelReservation": "`cancel_reservation`",
    "UpdateFirmware": "`update_firmware`",
    "SignedUpdateFirmware": "`update_firmware` with a signature",
    "GetDiagnostics": "`upload_logs` (diagnostics)",
    "GetLog": "`upload_logs`",
    "SetDisplayMessage": "`set_display_message`",
    "GetDisplayMessages": "`get_display_messages`",
    "ClearDisplayMessage": "`clear_display_message`",
    "SetVariableMonitoring": "`set_variable_monitoring`",
    "ClearVariableMonitoring": "`clear_variable_monitoring`",
    "GetMonitoringReport": "`get_monitoring_report`",
    "GetTransactionStatus": "`get_transaction_status`",
    "CustomerInformation": "`customer_information`",
    "GetChargingProfiles": "`get_charging_profiles`",
    "GetInstalledCertificateIds": "`get_installed_certificates`",
    "InstallCertificate": "`install_certificate`",
    "DeleteCertificate": "`delete_certificate`",
    "SetDefaultTariff": "`set_default_tariff`",
    "GetTariffs": "`get_tariffs`",
    "ClearTariffs": "`clear_tariffs`",
}

# answered only, with a word on the answer
ANSWERED = {
    "DataTransfer": "answered `UnknownVendorId`; kept for the diagnostics download",
    "SignCertificate": "answered `Rejected`: Home Assistant is no certificate authority",
    "Get15118EVCertificate": "answered `Failed` (no certificate authority)",
    "GetCertificateStatus": "answered `Failed` (no OCSP)",
    "GetCertificateChainStatus": "answered `Unknown` per certificate",
    "VatNumberValidation": "answered `Rejected`: Home Assistant cannot check VAT numbers",
    "PullDynamicScheduleUpdate": "answered `Rejected`: our profiles are static",
    "NotifyEVChargingNeeds": "answered `Rejected`: no schedule follows from us",
}
# not sent, and why
NOT_SENT = {
    "CertificateSigned": "not offered: Home Assistant is no certificate authority",
    "SetNetworkProfile": "not offered: a wrong profile cuts the charger off",
    "CostUpdated": "not offered: the running cost goes in TransactionEvent answers",
}


def _served(adapter: object) -> set[str]:
    """Return the actions an adapter class serves (its ``@on`` handlers)."""
    found = set()
    for name in dir(adapter):
        action = getattr(getattr(adapter, name, None), "_on_action", None)
        if action is not None:
            found.add(str(action))
    return found


def rows() -> list[tuple[str, str, dict[str, str], str]]:
    """Return (message, direction, mark per version, what HA does) for every message."""
    served = {v: _served(VERSIONS[v].adapter) for v in ORDER}
    actions = {v: {a.value for a in VERSIONS[v].adapter.actions} for v in ORDER}  # type: ignore[attr-defined]
    out = []
    for message in sorted(set().union(*actions.values())):
        for direction in ("charger → CSMS", "CSMS → charger"):
            marks: dict[str, str] = {}
            for v in ORDER:
                if message not in actions[v]:
                    marks[v] = "—"
                elif direction == "charger → CSMS":
                    if message in served[v]:
                        marks[v] = "handled" if message in RECEIVED else "answered"
                elif message in SENT:
                    marks[v] = "sent"
                elif message not in served[v]:
                    marks[v] = "not sent"
            if len(marks) < len(ORDER) or all(m == "—" for m in marks.values()):
                continue
            if direction == "charger → CSMS":
                what = RECEIVED.get(message) or ANSWERED.get(
                    message, "answered; kept for the diagnostics download"
                )
            else:
                what = SENT.get(message) or NOT_SENT.get(message, "not offered")
            out.append((message, direction, marks, what))
    return out


def counts() -> dict[str, dict[str, int]]:
    """Return per version how many messages are handled, answered only, not supported."""
    tally = {v: {"handled": 0, "answered only": 0, "not supported": 0} for v in ORDER}
    for _message, _direction, marks, _what in rows():
        for v, mark in marks.items():
            key = {
                "handled": "handled",
                "sent": "handled",
                "answered": "answered only",
                "not sent": "not supported",
            }.get(mark)
            if key:
                tally[v][key] += 1
    return tally


def table() -> str:
    """Return the markdown table and its counts."""
    lines = [
        "| Message | Direction | 1.6 | 2.0.1 | 2.1 | What Home Assistant does |",
        "|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {message} | {direction} | {marks['1.6']} | {marks['2.0.1']} | {marks['2.1']} | {what} |"
        for message, direction, marks, what in rows()
    )
    lines += ["", "| | 1.6 | 2.0.1 | 2.1 |", "|---|---|---|---|"]
    tally = counts()
    lines.extend(
        f"| {key} | {tally['1.6'][key]} | {tally['2.0.1'][key]} | {tally['2.1'][key]} |"
        for key in ("handled", "answered only", "not supported")
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
