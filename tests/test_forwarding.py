"""A second central system, Home Assistant answering, on every version: an upstream
nobody here wrote (ocpp-rpc, Node.js, in strict schema mode) gets a copy of every
charger message in order, with its own 1.6 transaction ids; its commands reach the
charger under the command policy; wrong credentials leave the charger untouched.

Node.js and ocpp-rpc come from scripts/setup; without them the tests fail in CI and
are skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.transport import upstream as upstream_module

from .conftest import add_charger_entry
from .helpers import Clock, act, free_port, model, restart, runtime_of, state, until
from .node_process import STRANGER, NodeProcess, node
from .test_tls import make_ca, make_leaf

PASSWORD = "upstream-secret"
CONNECTED = "binary_sensor.cp1_second_central_system_connected"
WAITING = "sensor.cp1_messages_waiting_for_the_second_central_system"


class Upstream(NodeProcess):
    """The Node.js central system as a subprocess, and what it reported."""

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.of("call") if method is None or c["method"] == method]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.of('listening')[0]['port']}"

    async def slow(self, hass: HomeAssistant, seconds: float) -> None:
        """Make the upstream answer ``seconds`` late from now on."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"slow": seconds}).encode() + b"\n")
        await self.process.stdin.drain()
        await until(hass, lambda: self.of("slow"), timeout=10)

    async def send(self, method: str, params: dict[str, Any]) -> None:
        """Make the upstream call the charger (through Home Assistant)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"method": method, "params": params}).encode() + b"\n")
        await self.process.stdin.drain()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self._reader


@pytest.fixture
def pending_boots() -> int:
    """How many boots the upstream answers Pending first (tests override it)."""
    return 0


async def start_upstream(
    hass: HomeAssistant,
    pending_boots: int = 0,
    port: int = 0,
    tls: tuple[str, ...] = (),
    protocols: str | None = None,
) -> Upstream:
    """The Node.js upstream, listening (on ``port``, or a free one; wss:// with ``tls``:
    its certificate, key, and the CA of the client certificates it takes)."""
    process = await asyncio.create_subprocess_exec(
        node(),
        str(STRANGER / "upstream.js"),
        PASSWORD,
        str(pending_boots),
        str(port),
        *tls,
        env={**os.environ, **({"UPSTREAM_PROTOCOLS": protocols} if protocols else {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    server = Upstream(process)
    await until(hass, lambda: server.of("listening"), timeout=20)
    return server


@pytest.fixture
async def upstream(hass: HomeAssistant, csms_entry, pending_boots: int):
    server = await start_upstream(hass, pending_boots)
    yield server
    await server.stop()


async def forwarded(hass: HomeAssistant, connect_sim, upstream: Upstream, **options: Any) -> Any:
    """CP1, forwarded to the upstream, booted and reporting its status."""
    await add_charger_entry(
        hass,
        "CP1",
        options={"upstream_url": upstream.url, "upstream_password": PASSWORD, **options},
    )
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    await hass.async_block_till_done()
    return sim


async def test_a_session_reaches_the_second_central_system(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """The upstream gets the boot first, then every message in order; 1.6 readings
    and the stop carry its own transaction id, the charger Home Assistant's."""
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await sim.start_transaction(1)
    await sim.send_meter_values(1, seconds=600)
    await sim.stop_transaction(1)
    done = "StopTransaction" if version == "1.6" else "TransactionEvent"
    await until(hass, lambda: len(upstream.calls(done)) >= (1 if version == "1.6" else 3), 15)
    methods = [c["method"] for c in upstream.calls()]
    assert methods[0] == "BootNotification"
    assert "Heartbeat" not in methods
    boot = upstream.calls("BootNotification")[0]["params"]  # the charger's own
    assert (boot.get("chargePointVendor") or boot["chargingStation"]["vendorName"]) == sim.vendor
    if version == "1.6":
        theirs = 9001
        assert methods.index("StartTransaction") < methods.index("MeterValues")
        assert upstream.calls("MeterValues")[-1]["params"]["transactionId"] == theirs
        assert upstream.calls("StopTransaction")[0]["params"]["transactionId"] == theirs
        assert model(hass).connectors[1].last_session.transaction_id != str(theirs)
    else:
        events = [c["params"]["eventType"] for c in upstream.calls("TransactionEvent")]
        assert events == ["Started", "Updated", "Ended"]
        ids = {c["params"]["transactionInfo"]["transactionId"] for c in upstream.calls(done)}
        assert ids == {model(hass).connectors[1].last_session.transaction_id}
    await until(hass, lambda: state(hass, WAITING) == "0")
    assert not upstream.of("strictFailure"), upstream.of("strictFailure")


async def test_upstream_commands_under_the_policy(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """All but charging control (the default): a trigger reaches the charger and its
    answer the upstream; a charging profile is refused with SecurityError."""
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await upstream.send("TriggerMessage", {"requestedMessage": "Heartbeat"})
    await until(hass, lambda: upstream.of("answer"), timeout=15)
    assert upstream.of("answer")[0]["result"] == {"status": "Accepted"}
    assert any(kind == "trigger" for kind, _ in sim.received)
    profile = (
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 1,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}],
                },
            },
        }
        if version == "1.6"
        else {
            "evseId": 1,
            "chargingProfile": {
                "id": 1,
                "stackLevel": 1,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [
                    {
                        "id": 1,
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}],
                    }
                ],
            },
        }
    )
    await upstream.send("SetChargingProfile", profile)
    await until(hass, lambda: len(upstream.of("answer")) == 2, timeout=15)
    assert upstream.of("answer")[1]["error"] == "SecurityError"
    forwarder = runtime_of(hass).forwarding.forwarders["CP1"]
    assert forwarder.refused == {"SetChargingProfile": 1}
    if version != "1.6":  # a call the charger does not take: its error, relayed
        await upstream.send("CostUpdated", {"totalCost": 1.5, "transactionId": "T1"})
        await until(hass, lambda: len(upstream.of("answer")) == 3, timeout=15)
        assert upstream.of("answer")[2]["error"] == "GenericError"
        managed = {
            "component": {"name": "SampledDataCtrlr"},
            "variable": {"name": "TxUpdatedInterval"},
            "attributeValue": "1",
        }
        other = {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "MessageTimeout"},
            "attributeValue": "30",
        }
        await upstream.send("SetVariables", {"setVariableData": [other, managed]})
        await upstream.send("SetVariables", {"setVariableData": [managed]})
        await until(hass, lambda: len(upstream.of("answer")) == 5, timeout=15)
        mixed, alone = (a["result"]["setVariableResult"] for a in upstream.of("answer")[3:])
        statuses = {r["component"]["name"]: r["attributeStatus"] for r in mixed}
        assert statuses["SampledDataCtrlr"] == "Rejected"  # managed here: not relayed
        assert "OCPPCommCtrlr" in statuses  # relayed: the charger's own answer
        assert [r["attributeStatus"] for r in alone] == ["Rejected"]


async def test_forwarding_set_in_the_options_and_the_charger_leaving(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """Set in the charger's options (a URL that is not ws:// refused); the leg opens
    with the charger and closes when it goes (the upstream sees it offline)."""
    entry = await add_charger_entry(hass, "CP1")
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"protocol": "auto", "upstream_url": "http://example.com"}
    )
    assert result["errors"] == {"upstream_url": "invalid_upstream_url"}
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "protocol": "auto",
            "upstream_url": upstream.url,
            "upstream_password": PASSWORD,
            "upstream_commands": "read_only",
        },
    )
    await hass.async_block_till_done()  # the charger's entry reloads: its leg entities
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    assert runtime_of(hass).forwarding.forwarders["CP1"].options.policy == "read_only"
    await sim.send_all_status()
    await until(hass, lambda: state(hass, WAITING) == "0")  # nothing left to replay
    await sim.close()
    await until(hass, lambda: upstream.of("closed"), timeout=15)
    await until(hass, lambda: state(hass, CONNECTED) in ("off", "unavailable"))
    # back: the boot, then the statuses of before (the state now), without asking it
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await until(hass, lambda: len(upstream.of("connected")) == 2, timeout=15)
    second = [i for i, e in enumerate(upstream.events) if e["event"] == "connected"][1]

    def methods() -> list[str]:
        return [e["method"] for e in upstream.events[second:] if e["event"] == "call"]

    await until(hass, lambda: "StatusNotification" in methods(), timeout=15)
    assert methods()[0] == "BootNotification"
    # turned off: the leg closes, its entities go
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(flow["flow_id"], {"protocol": "auto"})
    await hass.async_block_till_done()
    assert "CP1" not in runtime_of(hass).forwarding.forwarders
    await until(hass, lambda: hass.states.get(CONNECTED) is None)
    assert hass.states.get(WAITING) is None
    await until(hass, lambda: len(upstream.of("closed")) == 2, timeout=15)


async def test_wrong_credentials_leave_the_charger_untouched(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """The upstream refuses the password: not connected, the problem in diagnostics,
    and the charger served by Home Assistant as ever."""
    await add_charger_entry(
        hass, "CP1", options={"upstream_url": upstream.url, "upstream_password": "wrong"}
    )
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await until(hass, lambda: upstream.of("refused"), timeout=15)
    forwarder = runtime_of(hass).forwarding.forwarders["CP1"]
    await until(hass, lambda: forwarder.as_diagnostics()["problem"] == "auth", timeout=15)
    assert state(hass, CONNECTED) == "off"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "upstream_CP1").translation_key == "upstream_auth"
    await sim.start_transaction(1)
    await until(hass, lambda: model(hass).connectors[1].transaction is not None)


@pytest.mark.parametrize("csms_options", [{"tag_policy": "known"}])
async def test_an_unknown_tag_is_asked_of_the_upstream(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """Listed only: an employer's card Home Assistant does not know is accepted by the
    upstream, another refused by it; the upstream sees each Authorize once."""
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    assert await sim.authorize("EMPLOYER1") == "Accepted"
    assert await sim.authorize("STRANGER") == "Invalid"
    assert model(hass).last_tag.decided_by == "upstream"
    await until(hass, lambda: state(hass, WAITING) == "0")
    tokens = [
        c["params"].get("idTag") or c["params"]["idToken"]["idToken"]
        for c in upstream.calls("Authorize")
    ]
    assert tokens == ["EMPLOYER1", "STRANGER"]
    started = async_capture_events(hass, f"{DOMAIN}_session_started")
    await sim.start_transaction(1, "EMPLOYER1")  # the employer's session
    await until(hass, lambda: started)
    assert started[0].data["authorized_by"] == "upstream"
    await sim.stop_transaction(1)
    result = await act(hass, "get_sessions", {}, True)
    assert [s["authorized_by"] for s in result["sessions"]] == ["upstream"]


async def test_an_upstream_unreachable_for_half_an_hour_is_a_repair(
    hass: HomeAssistant, connect_sim, csms_entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody listens at the URL: no repair issue at first; one once it has failed for
    30 minutes (the clock moved, not slept); the charger charges all along."""
    monkeypatch.setattr(upstream_module, "BACKOFF_FIRST_S", 0.05)
    monkeypatch.setattr(upstream_module, "BACKOFF_MAX_S", 0.05)
    clock = Clock(hass, monkeypatch)
    await add_charger_entry(hass, "CP1", options={"upstream_url": f"ws://127.0.0.1:{free_port()}"})
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    forwarder = runtime_of(hass).forwarding.forwarders["CP1"]
    await until(hass, lambda: forwarder.as_diagnostics()["problem"] == "unreachable")
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "upstream_CP1") is None
    await sim.start_transaction(1)
    await clock.skip(31 * 60)
    await until(hass, lambda: issues.async_get_issue(DOMAIN, "upstream_CP1") is not None)
    assert model(hass).connectors[1].transaction is not None


@pytest.mark.parametrize("pending_boots", [2])
async def test_a_pending_boot_is_asked_again_and_the_queue_waits(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """The upstream answers the first two boots Pending (interval 1 s): the leg asks
    again, holds the charger's messages meanwhile, and delivers them once accepted."""
    sim = await forwarded(hass, connect_sim, upstream)
    await sim.start_transaction(1)  # a session meanwhile: it waits
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    methods = [c["method"] for c in upstream.calls()]
    assert methods[:3] == ["BootNotification"] * 3
    start = "StartTransaction" if version == "1.6" else "TransactionEvent"
    await until(hass, lambda: upstream.calls(start), timeout=10)
    assert [c["method"] for c in upstream.calls()].index(start) > 2


async def test_a_restart_during_an_outage_loses_nothing(
    hass: HomeAssistant, connect_sim, csms_entry, version: str
) -> None:
    """The upstream is down for a whole session; Home Assistant restarts in between;
    when the upstream is back, the session arrives once, in order."""
    port = free_port()
    await add_charger_entry(
        hass,
        "CP1",
        options={"upstream_url": f"ws://127.0.0.1:{port}", "upstream_password": PASSWORD},
    )
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await sim.start_transaction(1)
    await sim.send_meter_values(1, seconds=600)
    await sim.stop_transaction(1)
    await hass.async_block_till_done()
    waiting = runtime_of(hass).forwarding.forwarders["CP1"].waiting
    assert waiting >= 3
    await sim.close()
    await restart(hass)
    upstream = await start_upstream(hass, port=port)
    try:
        sim = await connect_sim("CP1")
        assert await sim.boot() == "Accepted"
        done = "StopTransaction" if version == "1.6" else "TransactionEvent"
        await until(hass, lambda: upstream.calls(done), timeout=20)
        await until(hass, lambda: state(hass, WAITING) == "0", timeout=20)
        methods = [c["method"] for c in upstream.calls()]
        assert methods[0] == "BootNotification"
        if version == "1.6":
            assert methods.count("StartTransaction") == 1
            assert methods.index("StartTransaction") < methods.index("StopTransaction")
            assert upstream.calls("StopTransaction")[0]["params"]["transactionId"] == 9001
        else:
            events = [c["params"]["eventType"] for c in upstream.calls("TransactionEvent")]
            assert events == ["Started", "Updated", "Ended"]
    finally:
        await upstream.stop()


@pytest.mark.parametrize("csms_options", [{"tag_policy": "known"}])
@pytest.mark.parametrize("version", ["2.0.1"])
async def test_a_token_learnt_after_the_start_is_the_upstreams(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """A 2.x session started before its idToken (plug and charge first): the token
    the upstream accepted, learnt later, marks the session as the upstream's."""
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    assert await sim.authorize("EMPLOYER1") == "Accepted"
    for event_type, extra in (
        ("Started", {}),
        ("Updated", {"id_token": {"idToken": "EMPLOYER1", "type": "ISO14443"}}),
    ):
        await sim.call(
            sim._call.TransactionEvent(
                event_type=event_type,
                timestamp=sim.now(),
                trigger_reason="CablePluggedIn" if event_type == "Started" else "Authorized",
                seq_no=0 if event_type == "Started" else 1,
                transaction_info={"transactionId": "LATE1"},
                evse={"id": 1, "connectorId": 1},
                **extra,
            )
        )
    await until(hass, lambda: model(hass).connectors[1].transaction is not None)
    tx = model(hass).connectors[1].transaction
    assert (tx.id_tag, tx.authorized_by) == ("EMPLOYER1", "upstream")


@pytest.mark.parametrize("csms_options", [{"tag_policy": "known"}])
async def test_the_upstream_answers_the_charger(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """*The upstream answers*: its tag decisions and (1.6) its transaction id go to
    the charger, each call sent to it once; Home Assistant keeps the same session."""
    sim = await forwarded(hass, connect_sim, upstream, upstream_answers=True)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    assert await sim.authorize("EMPLOYER1") == "Accepted"  # unknown here, known there
    assert await sim.authorize("STRANGER") == "Invalid"
    await until(hass, lambda: state(hass, WAITING) == "0")  # the boot's statuses are through
    tx_id = await sim.start_transaction(1, "EMPLOYER1")
    conn = model(hass).connectors[1]
    await until(hass, lambda: conn.transaction is not None)
    if version == "1.6":
        assert sim.connectors[1].transaction_id == 9001  # the upstream's id
    assert conn.transaction.transaction_id == str(sim.connectors[1].transaction_id or tx_id)
    assert conn.transaction.authorized_by == "upstream"
    await sim.stop_transaction(1)
    await until(hass, lambda: state(hass, WAITING) == "0")
    tokens = [
        c["params"].get("idTag") or c["params"]["idToken"]["idToken"]
        for c in upstream.calls("Authorize")
    ]
    # each sent once; a 2.x session's token is asked again where the upstream's
    # TransactionEvent answer says nothing of it
    again = [] if version == "1.6" else ["EMPLOYER1"]
    assert tokens == ["EMPLOYER1", "STRANGER", *again]
    if version == "1.6":
        assert len(upstream.calls("StartTransaction")) == 1
        assert upstream.calls("StopTransaction")[0]["params"]["transactionId"] == 9001


@pytest.mark.parametrize("csms_options", [{"tag_policy": "known"}])
async def test_a_slow_upstream_that_answers_is_answered_for(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """The upstream answers after its 1 s timeout: Home Assistant answers the charger
    itself (its policy: the unknown card refused), and the call is not sent again."""
    sim = await forwarded(hass, connect_sim, upstream, upstream_answers=True, upstream_timeout=1)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await until(hass, lambda: state(hass, WAITING) == "0")
    await upstream.slow(hass, 3)
    refused = "Invalid" if version == "1.6" else "Unknown"
    assert await sim.authorize("EMPLOYER1") == refused  # Home Assistant's own answer
    await until(hass, lambda: upstream.calls("Authorize"), timeout=10)
    assert len(upstream.calls("Authorize")) == 1


@pytest.mark.parametrize("version", ["1.6"])
async def test_a_late_start_answer_is_mapped(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """The upstream answers the charger, but its StartTransaction answer comes after
    the 1 s timeout: the charger charges under Home Assistant's id, and once the
    upstream's id comes, the readings and the stop go up with it."""
    sim = await forwarded(hass, connect_sim, upstream, upstream_answers=True, upstream_timeout=1)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await until(hass, lambda: state(hass, WAITING) == "0")
    await upstream.slow(hass, 2)
    await sim.start_transaction(1)
    assert sim.connectors[1].transaction_id != 9001  # Home Assistant's own
    forwarder = runtime_of(hass).forwarding.forwarders["CP1"]
    await until(hass, lambda: len(forwarder.ids) == 1, timeout=10)  # 9001 came late
    await sim.send_meter_values(1, seconds=60)
    await sim.stop_transaction(1)
    await until(hass, lambda: upstream.calls("StopTransaction"), timeout=20)
    assert upstream.calls("MeterValues")[-1]["params"]["transactionId"] == 9001
    assert upstream.calls("StopTransaction")[0]["params"]["transactionId"] == 9001


async def test_wss_with_a_client_certificate(
    hass: HomeAssistant, connect_sim, csms_entry, tmp_path, version: str
) -> None:
    """wss:// to an upstream that asks for a client certificate (security profile 3):
    with the CA file and the certificate, connected; without the certificate, refused
    in the TLS handshake: a repair issue, the charger unaffected."""
    ca = make_ca(tmp_path)
    server_cert, server_key = make_leaf(tmp_path, "upstream", ca)
    client_cert, client_key = make_leaf(tmp_path, "CP1", ca, server=False)
    upstream = await start_upstream(hass, tls=(str(server_cert), str(server_key), str(ca[2])))
    try:
        url = upstream.url.replace("ws://", "wss://")
        await add_charger_entry(
            hass,
            "CP1",
            options={
                "upstream_url": url,
                "upstream_password": PASSWORD,
                "upstream_cafile": str(ca[2]),
                "upstream_certfile": str(client_cert),
                "upstream_keyfile": str(client_key),
            },
        )
        await add_charger_entry(
            hass, "CP2", options={"upstream_url": url, "upstream_cafile": str(ca[2])}
        )
        sim = await connect_sim("CP1")
        assert await sim.boot() == "Accepted"
        await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
        other = await connect_sim("CP2")
        assert await other.boot() == "Accepted"  # the charger is not affected
        forwarder = runtime_of(hass).forwarding.forwarders["CP2"]
        await until(hass, lambda: forwarder.as_diagnostics()["problem"] == "tls", timeout=15)
        issue = ir.async_get(hass).async_get_issue(DOMAIN, "upstream_CP2")
        assert issue.translation_key == "upstream_tls"
    finally:
        await upstream.stop()


async def test_a_kill_loses_no_copy(
    hass: HomeAssistant, connect_sim, csms_entry, hass_storage: dict[str, Any], version: str
) -> None:
    """The upstream is down for a whole session and Home Assistant is killed before
    any snapshot of the copies (only the journal has them): when it is back, the
    session reaches the upstream, in order."""
    port = free_port()
    await add_charger_entry(
        hass,
        "CP1",
        options={"upstream_url": f"ws://127.0.0.1:{port}", "upstream_password": PASSWORD},
    )
    forwarding = runtime_of(hass).forwarding

    async def nothing(*_args: Any) -> None:
        return None

    # no snapshot of the copies from now on, as if killed before the first
    forwarding._store.async_delay_save = lambda *_args, **_kw: None  # type: ignore[method-assign]
    forwarding._store._async_write_data = nothing  # type: ignore[method-assign]
    disk = copy.deepcopy(hass_storage)
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await sim.start_transaction(1)
    await sim.send_meter_values(1, seconds=600)
    await sim.stop_transaction(1)
    await hass.async_block_till_done()
    assert forwarding.forwarders["CP1"].waiting >= 3
    forwarding._journal.append = lambda entries: None  # type: ignore[method-assign]
    forwarding._journal.rewrite = lambda entries: None  # type: ignore[method-assign]
    await sim.close()

    def as_on_disk() -> None:
        hass_storage.clear()
        hass_storage.update(copy.deepcopy(disk))

    await restart(hass, final_write=False, between=as_on_disk)
    upstream = await start_upstream(hass, port=port)
    try:
        sim = await connect_sim("CP1")
        assert await sim.boot() == "Accepted"
        done = "StopTransaction" if version == "1.6" else "TransactionEvent"
        await until(hass, lambda: len(upstream.calls(done)) >= (1 if version == "1.6" else 3), 20)
        methods = [c["method"] for c in upstream.calls()]
        if version == "1.6":
            assert methods.index("StartTransaction") < methods.index("StopTransaction")
        else:
            events = [c["params"]["eventType"] for c in upstream.calls("TransactionEvent")]
            assert events == ["Started", "Updated", "Ended"]
    finally:
        await upstream.stop()


@pytest.mark.parametrize("version", ["1.6"])
async def test_an_upstream_without_the_chargers_version_is_a_repair(
    hass: HomeAssistant, connect_sim, csms_entry
) -> None:
    """The upstream speaks 2.0.1 only, the charger 1.6: a repair issue that names the
    version, the charger unaffected."""
    upstream = await start_upstream(hass, protocols="ocpp2.0.1")
    try:
        options = {"upstream_url": upstream.url, "upstream_password": PASSWORD}
        await add_charger_entry(hass, "CP1", options=options)
        sim = await connect_sim("CP1")
        assert await sim.boot() == "Accepted"
        issues = ir.async_get(hass)
        await until(hass, lambda: issues.async_get_issue(DOMAIN, "upstream_CP1") is not None)
        issue = issues.async_get_issue(DOMAIN, "upstream_CP1")
        assert issue.translation_key == "upstream_protocol"
        assert issue.translation_placeholders["version"] == "1.6"
        await sim.start_transaction(1)
        await until(hass, lambda: model(hass).connectors[1].transaction is not None)
    finally:
        await upstream.stop()


async def test_a_session_the_upstream_starts_is_its(
    hass: HomeAssistant, connect_sim, upstream: Upstream, version: str
) -> None:
    """The upstream starts a session (its remote start, relayed): the session events
    and the history say the upstream authorized it."""
    await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    started = async_capture_events(hass, f"{DOMAIN}_session_started")
    start = (
        ("RemoteStartTransaction", {"connectorId": 1, "idTag": "LEASECARD"})
        if version == "1.6"
        else (
            "RequestStartTransaction",
            {
                "evseId": 1,
                "remoteStartId": 7,
                "idToken": {"idToken": "LEASECARD", "type": "ISO14443"},
            },
        )
    )
    await upstream.send(*start)
    await until(hass, lambda: started, timeout=15)
    assert started[0].data["authorized_by"] == "upstream"


@pytest.mark.parametrize("version", ["1.6"])
async def test_the_leg_delivers_before_it_closes(
    hass: HomeAssistant, connect_sim, upstream: Upstream
) -> None:
    """A charger that leaves with copies waiting (a slow upstream): the leg stays
    open until they are delivered, then closes."""
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await until(hass, lambda: state(hass, WAITING) == "0")
    await upstream.slow(hass, 0.5)
    await sim.start_transaction(1)
    await sim.send_meter_values(1, seconds=60)
    await sim.stop_transaction(1)
    await sim.close()
    forwarder = runtime_of(hass).forwarding.forwarders["CP1"]
    assert forwarder.leg is not None  # still delivering
    await until(hass, lambda: upstream.calls("StopTransaction"), timeout=15)
    await until(hass, lambda: upstream.of("closed"), timeout=15)
    assert forwarder.leg is None
    assert forwarder.waiting == 0


@pytest.mark.parametrize("version", ["1.6"])
@pytest.mark.parametrize(
    ("policy", "reset", "profile"),
    [("read_only", "SecurityError", "SecurityError"), ("allowed", "Accepted", "Accepted")],
)
async def test_the_other_policies(
    hass: HomeAssistant,
    connect_sim,
    upstream: Upstream,
    policy: str,
    reset: str,
    profile: str,
) -> None:
    """Read only: a reset and a profile refused, a read relayed. Everything: both
    relayed to the charger and its answers back."""
    await forwarded(hass, connect_sim, upstream, upstream_commands=policy)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    await upstream.send("GetConfiguration", {"key": ["HeartbeatInterval"]})
    await upstream.send("Reset", {"type": "Soft"})
    limit = {"startPeriod": 0, "limit": 6}
    await upstream.send(
        "SetChargingProfile",
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 1,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [limit]},
            },
        },
    )
    await until(hass, lambda: len(upstream.of("answer")) == 3, timeout=15)
    read, reset_answer, profile_answer = upstream.of("answer")
    assert "configurationKey" in read["result"]
    assert (reset_answer.get("error") or reset_answer["result"]["status"]) == reset
    assert (profile_answer.get("error") or profile_answer["result"]["status"]) == profile


@pytest.mark.parametrize("csms_options", [{"tag_policy": "known"}])
@pytest.mark.parametrize("version", ["1.6"])
async def test_a_listed_tag_is_decided_here(
    hass: HomeAssistant, connect_sim, upstream: Upstream, csms_entry
) -> None:
    """A tag on Home Assistant's list is decided here (not asked of the upstream,
    which refuses it): the upstream gets the charger's Authorize as a copy only."""
    result = await hass.config_entries.subentries.async_init(
        (csms_entry.entry_id, "tag"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"id_tag": "HOME1", "blocked": False, "token_type": "iso14443"}
    )
    await hass.async_block_till_done()
    sim = await forwarded(hass, connect_sim, upstream)
    await until(hass, lambda: state(hass, CONNECTED) == "on", timeout=15)
    assert await sim.authorize("HOME1") == "Accepted"
    assert model(hass).last_tag.decided_by == "list"
    await until(hass, lambda: state(hass, WAITING) == "0")
    assert [c["params"]["idTag"] for c in upstream.calls("Authorize")] == ["HOME1"]
