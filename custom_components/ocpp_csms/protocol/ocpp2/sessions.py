"""OCPP 2.x sessions: TransactionEvent and MeterValues, shared by 2.0.1 and 2.1.

A session starts with the first event seen of it (Started, or any event of one
running when we came), takes its meter values and token, and ends with Ended;
late or repeated events of an ended one change nothing. Where the charger shows
costs (California Pricing), the answer carries the running cost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...model.authorization import TagDecision
from ...model.charger import ConnectorStatus
from ...model.csms import MeterSample, is_register
from ...model.errors import InvalidInput
from ...model.transaction import StopReason, Transaction
from ..ocpp_lib import after, on
from ..shared import SharedHandlers

COST_ENABLED = "TariffCostCtrlr/Enabled.Cost"  # the charger shows running costs

CHARGING_STATES = {
    "Charging": ConnectorStatus.CHARGING,
    "EVConnected": ConnectorStatus.PREPARING,
    "SuspendedEV": ConnectorStatus.SUSPENDED_EV,
    "SuspendedEVSE": ConnectorStatus.SUSPENDED_EVSE,
}


# what a connector shows only during a session
SESSION_STATES = frozenset(CHARGING_STATES.values())


def token_info(decision: TagDecision) -> dict[str, Any]:
    """Return the IdTokenInfoType of a decision.

    The status, the group and, for a tag that expires, how long the charger may
    cache it.
    """
    info: dict[str, Any] = {"status": str(decision.status)}
    if decision.group:
        info["group_id_token"] = {"id_token": decision.group, "type": "Central"}
    if decision.expires is not None:
        info["cache_expiry_date_time"] = decision.expires.isoformat()
    return info


def _register_wh(samples: list[MeterSample], context: str | None = None) -> float | None:
    """Return the last total energy register in the samples (optionally of one context)."""
    found = None
    for sample in samples:
        for v in sample.values:
            if is_register(v) and (context is None or v.context == context):
                found = v.value
    return found


class Ocpp2Sessions(SharedHandlers):
    """The 2.x session messages; mixed before the version's ocpp class."""

    @on("TransactionEvent")
    async def on_transaction_event(
        self,
        event_type: str,
        timestamp: str,
        trigger_reason: str,
        seq_no: int,
        transaction_info: dict[str, Any],
        **kw: Any,
    ) -> Any:
        tx_id = transaction_info["transaction_id"]
        token = (kw.get("id_token") or {}).get("id_token")
        info = await self._token_info(token, event_type)
        if self.csms.sessions.has_ended(self.charger, tx_id):
            # a late or repeated event of an ended session changes nothing
            return self._call_result.TransactionEvent(id_token_info=info)
        tx = self.csms.sessions.find(self.charger, tx_id)
        evse_id = self._event_evse(kw.get("evse"), tx)
        when = self.inputs.timestamp(timestamp)
        samples = self.inputs.meter_samples(kw.get("meter_value") or [])
        if tx is None:  # Started, or the first event we see of a running one
            self.session_started = tx = self.csms.sessions.start(
                self.charger,
                evse_id,
                tx_id,
                token,
                _register_wh(samples, "Transaction.Begin"),
                when,
                remote_start_id=transaction_info.get("remote_start_id"),
                reservation_id=kw.get("reservation_id"),
            )
        elif token:
            self.csms.sessions.set_token(self.charger, tx, token)
        if samples:
            self.csms.meter_values(self.charger, evse_id, tx_id, samples)
        self.on_transaction_extra(tx_id, kw)
        state = transaction_info.get("charging_state")
        if event_type == "Ended":
            self._end_session(tx, evse_id, _register_wh(samples), when, transaction_info)
        elif (status := CHARGING_STATES.get(state or "")) is not None:
            self.csms.charging_state(self.charger, evse_id, status)
        return self._call_result.TransactionEvent(
            id_token_info=info, total_cost=self._running_cost(tx)
        )

    def _running_cost(self, tx: Transaction) -> float | None:
        """Return the cost to tell the charger (California Pricing), where it shows costs.

        Sent where the charger enables TariffCostCtrlr's cost (Enabled.Cost) and
        Home Assistant reckons the session's cost.
        """
        enabled = self.charger.configuration.get(COST_ENABLED, "")
        if (enabled or "").lower() != "true" or tx.computed_cost is None:
            return None
        return round(tx.computed_cost, 2)

    async def _token_info(self, token: str | None, event_type: str) -> dict[str, Any] | None:
        if not token:
            return None
        if event_type == "Ended":  # the session is over: the list alone
            decision = self.csms.tags.decide_offline(self.charger, token, "TransactionEvent")
        else:
            decision = await self.csms.tags.authorize(self.charger, token, "TransactionEvent")
        return token_info(decision)

    @staticmethod
    def _event_evse(evse: dict[str, Any] | None, tx: Transaction | None) -> int:
        """Return the EVSE of an event: as given (never 0, the station), else the session's."""
        if evse is not None:
            if evse["id"] < 1:
                raise InvalidInput(f"a transaction cannot run on EVSE {evse['id']}")
            return int(evse["id"])
        return tx.connector_id if tx is not None else 1

    def _end_session(
        self,
        tx: Transaction,
        evse_id: int,
        meter_stop_wh: float | None,
        when: datetime,
        info: dict[str, Any],
    ) -> None:
        self.csms.sessions.stop(
            self.charger,
            tx.transaction_id,
            meter_stop_wh,
            when,
            StopReason.parse(info.get("stopped_reason")),
        )
        if info.get("charging_state", "Idle") != "Idle":  # the cable is still in
            self.csms.charging_state(self.charger, evse_id, ConnectorStatus.FINISHING)
        elif (conn := self.charger.connectors.get(evse_id)) is not None and (
            conn.status in SESSION_STATES
        ):  # Idle, and no StatusNotification follows: the connector as last reported
            self.csms.charging_state(self.charger, evse_id, ConnectorStatus.OCCUPIED)

    @after("TransactionEvent")
    def after_transaction_event(self, **kw: Any) -> None:
        self.flush_session_started()

    def on_transaction_extra(self, transaction_id: str, fields: dict[str, Any]) -> None:
        """Handle what a later version adds to TransactionEvent (2.0.1: nothing)."""

    @on("MeterValues")
    def on_meter_values(self, evse_id: int, meter_value: list[dict[str, Any]], **kw: Any) -> Any:
        self.csms.meter_values(self.charger, evse_id, None, self.inputs.meter_samples(meter_value))
        return self._call_result.MeterValues()
