"""The central system's options, read once into a typed value."""

from __future__ import annotations

from custom_components.ocpp_csms.hub.options import RANGES, CsmsOptions
from custom_components.ocpp_csms.model.authorization import TagPolicy
from custom_components.ocpp_csms.transport.admission import NoPasswordPolicy, UnknownPolicy


def test_missing_options_take_the_defaults_the_form_shows() -> None:
    """An entry without options reads as the defaults, the same as the dataclass's."""
    assert CsmsOptions.parse({}) == CsmsOptions()


def test_unreadable_or_out_of_range_options_fall_back_or_are_clamped() -> None:
    """A hand-edited or old entry never stops the central system from starting."""
    options = CsmsOptions.parse(
        {
            "heartbeat_interval": "often",
            "max_connectors": 0,
            "nominal_voltage": 9999,
            "minimum_current": None,
            "ask_timeout": "soon",
            "ping_interval": 0,
            "no_password": "maybe",
            "unknown_chargers": "perhaps",
        }
    )
    assert options.heartbeat_interval_s == RANGES["heartbeat_interval"][0]
    assert options.max_connectors == 1
    assert options.voltage == 480
    assert options.minimum_amps == 6.0
    assert options.ask_timeout_s == 2.0
    assert options.server.ping_interval_s is None
    assert options.server.ping_timeout_s is None
    assert options.no_password is NoPasswordPolicy.AUTO
    assert options.unknown_chargers is UnknownPolicy.ASK


def test_options_of_earlier_versions_still_read() -> None:
    """The auto-accept switch and the allow-list mode map onto today's policies."""
    old = CsmsOptions.parse({"auto_accept": True, "auth_mode": "allow_list"})
    assert old.unknown_chargers is UnknownPolicy.ACCEPT
    assert old.tag_policy is TagPolicy.KNOWN
    assert CsmsOptions.parse({"auth_mode": "accept_all"}).tag_policy is TagPolicy.AUTO


def test_only_server_options_differ_in_the_server_part() -> None:
    """A reload (dropping every connection) is kept for what needs the server restarted."""
    base = CsmsOptions.parse({})
    policy = CsmsOptions.parse({"unknown_chargers": "refuse", "messages_per_minute": 60})
    assert policy.server == base.server
    assert policy != base
    tls = CsmsOptions.parse({"ssl_certfile": "/ssl/fullchain.pem", "max_frame_kib": 64})
    assert tls.server != base.server
    assert tls.server.max_frame_bytes == 64 * 1024
    assert tls.as_dict()["server"]["certfile"] == "/ssl/fullchain.pem"
