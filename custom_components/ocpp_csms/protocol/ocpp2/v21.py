"""OCPP 2.1 adapter: everything 2.0.1 does, plus what 2.1 adds.

Validated against the 2.1 schemas. The additions: session cost, discharging
limits (V2X), SEND frames and the new charger-initiated messages.
"""

from __future__ import annotations

import logging
from typing import Any, override

from ...model.commands import CommandOutcome
from ...model.operations import Report, Tariff
from ...model.profiles import SchedulePeriod
from ..ocpp_lib import Action21, ChargePoint21, on
from .adapter import TRIGGERABLE, Ocpp2Handlers

_LOGGER = logging.getLogger(__package__)

SEND = 6  # 2.1: a message that gets no answer (NotifyPeriodicEventStream)
CALLRESULTERROR = 5  # 2.1: the charger found our CallResult invalid


class V21Adapter(Ocpp2Handlers, ChargePoint21):
    """OCPP 2.1."""

    protocol_version = "2.1"
    actions = Action21
    # CustomTrigger needs a trigger name of the charger's own: not offered.
    triggerable = TRIGGERABLE | {"SignV2G20Certificate"}

    extra_message_types = frozenset({SEND, CALLRESULTERROR})

    @override
    def on_extra_frame(self, frame: list[Any]) -> None:
        """Neither kind of frame is answered."""
        if frame[0] == SEND and len(frame) == 4:
            self.charger.remember(
                str(frame[2])[:50], frame[3] if isinstance(frame[3], dict) else {}
            )
        else:
            self.charger.count_anomaly("answer_refused", "the charger refused one of our answers")

    # ------------------------------------------------------------ what 2.1 adds
    @override
    def on_transaction_extra(self, transaction_id: str, fields: dict[str, Any]) -> None:
        """Note what 2.1 adds to TransactionEvent (costDetails)."""
        total = (fields.get("cost_details") or {}).get("total_cost")
        if total:
            amount = total.get("total", {})
            cost = amount.get("incl_tax", amount.get("excl_tax"))
            if cost is not None:
                self.csms.session_cost(
                    self.charger, transaction_id, float(cost), total.get("currency")
                )

    @override
    def charging_period(self, period: SchedulePeriod) -> dict[str, Any]:
        """Return a schedule period, with 2.1's dischargeLimit for negative limits."""
        out = super().charging_period(period)
        if period.limit < 0:  # discharging (V2X): charge nothing, discharge up to the limit
            out.update(limit=0.0, dischargeLimit=period.limit)
        return out

    # ------------------------------------------------------------ tariffs
    @override
    async def set_default_tariff(self, connector_id: int, tariff: Tariff) -> CommandOutcome:
        """SetDefaultTariff (EVSE 0: every EVSE)."""
        return await self.request_status(
            self._call.SetDefaultTariff(evse_id=connector_id, tariff=_tariff_type(tariff))
        )

    @override
    async def get_tariffs(self, connector_id: int) -> Report:
        """GetTariffs (NoTariff: none)."""
        result = await self.request(self._call.GetTariffs(evse_id=connector_id))
        if str(result.status) == "NoTariff":
            return []
        self.outcome("GetTariffs", str(result.status))
        return list(result.tariff_assignments or [])

    @override
    async def clear_tariffs(self, tariff_ids: list[str], connector_id: int | None) -> Report:
        """ClearTariffs; one result per tariff."""
        result = await self.request(
            self._call.ClearTariffs(tariff_ids=tariff_ids or None, evse_id=connector_id)
        )
        return list(result.clear_tariffs_result)

    @on("NotifySettlement")
    def on_notify_settlement(
        self, psp_ref: str, status: str, settlement_amount: float, settlement_time: str, **kw: Any
    ) -> Any:
        self.charger.remember(
            "NotifySettlement",
            {"psp_ref": psp_ref, "status": status, "amount": settlement_amount, **kw},
        )
        return self._call_result.NotifySettlement()

    @on("BatterySwap")
    def on_battery_swap(
        self,
        event_type: str,
        request_id: int,
        id_token: dict[str, Any],
        battery_data: list[Any],
        **kw: Any,
    ) -> Any:
        self.charger.remember("BatterySwap", {"event_type": event_type, "request_id": request_id})
        return self._call_result.BatterySwap()

    @on("NotifyDERAlarm")
    def on_der_alarm(self, control_type: str, timestamp: str, **kw: Any) -> Any:
        self.charger.remember(
            "NotifyDERAlarm", {"control_type": control_type, "timestamp": timestamp, **kw}
        )
        return self._call_result.NotifyDERAlarm()

    @on("NotifyDERStartStop")
    def on_der_start_stop(self, control_id: str, started: bool, timestamp: str, **kw: Any) -> Any:
        self.charger.remember("NotifyDERStartStop", {"control_id": control_id, "started": started})
        return self._call_result.NotifyDERStartStop()

    @on("ReportDERControl")
    def on_report_der_control(self, request_id: int, **kw: Any) -> Any:
        self.charger.remember("ReportDERControl", {"request_id": request_id, **kw})
        return self._call_result.ReportDERControl()

    @on("NotifyPriorityCharging")
    def on_priority_charging(self, transaction_id: str, activated: bool, **kw: Any) -> Any:
        self.charger.remember(
            "NotifyPriorityCharging", {"transaction_id": transaction_id, "activated": activated}
        )
        return self._call_result.NotifyPriorityCharging()

    @on("PullDynamicScheduleUpdate")
    def on_pull_dynamic_schedule(self, charging_profile_id: int, **kw: Any) -> Any:
        # Our profiles are static limits: there is no dynamic schedule to update.
        return self._call_result.PullDynamicScheduleUpdate(status="Rejected")

    @on("OpenPeriodicEventStream")
    def on_open_event_stream(self, constant_stream_data: dict[str, Any], **kw: Any) -> Any:
        self.charger.remember("OpenPeriodicEventStream", {"stream": constant_stream_data})
        return self._call_result.OpenPeriodicEventStream(status="Accepted")

    @on("ClosePeriodicEventStream")
    def on_close_event_stream(self, id: int, **kw: Any) -> Any:  # noqa: A002  (the field's name)
        self.charger.remember("ClosePeriodicEventStream", {"id": id})
        return self._call_result.ClosePeriodicEventStream()

    @on("GetCertificateChainStatus")
    def on_certificate_chain_status(
        self, certificate_status_requests: list[dict[str, Any]], **kw: Any
    ) -> Any:
        statuses = [
            {
                "certificateHashData": req["certificate_hash_data"],
                "source": req["source"],
                "status": "Unknown",
                "nextUpdate": "1970-01-01T00:00:00Z",
            }
            for req in certificate_status_requests
        ]
        return self._call_result.GetCertificateChainStatus(certificate_status=statuses)

    @on("VatNumberValidation")
    def on_vat_number_validation(self, vat_number: str, **kw: Any) -> Any:
        # Home Assistant cannot check VAT numbers; say so rather than pretend.
        return self._call_result.VatNumberValidation(status="Rejected", vat_number=vat_number)


def _tariff_type(tariff: Tariff) -> dict[str, Any]:
    """Return a 2.1 TariffType of one energy price."""
    price, currency = tariff.price_kwh, tariff.currency
    return {
        "tariff_id": tariff.tariff_id,
        "currency": currency,
        "description": [
            {"format": "UTF8", "language": "en", "content": f"{price:g} {currency}/kWh"}
        ],
        "energy": {"prices": [{"price_kwh": price}]},
    }
