"""The README's table of every OCPP message is the one the code gives: each
version's every action appears, and what an adapter serves is marked so."""

from __future__ import annotations

from pathlib import Path

from custom_components.ocpp_csms.protocol.registry import VERSIONS
from scripts.message_table import ORDER, SENT, rows, table

README = Path(__file__).parent.parent / "README.md"


def test_readme_holds_the_table_as_the_code_makes_it() -> None:
    text = README.read_text()
    start = text.index("<!-- message-table:start -->\n") + len("<!-- message-table:start -->\n")
    end = text.index("\n<!-- message-table:end -->")
    assert text[start:end] == table(), "run python -m scripts.message_table into the README"


def test_every_action_of_every_version_is_in_it() -> None:
    listed = {(m, v) for m, _d, marks, _w in rows() for v, mark in marks.items() if mark != "—"}
    for version in ORDER:
        for action in VERSIONS[version].adapter.actions:  # type: ignore[attr-defined]
            assert (action.value, version) in listed, (action.value, version)


def test_what_it_says_is_sent_is_sent_by_the_code() -> None:
    """Each message named as sent appears in the adapters' code (a call they build)."""
    source = "".join(
        p.read_text()
        for p in (Path(__file__).parent.parent / "custom_components/ocpp_csms/protocol").rglob(
            "*.py"
        )
    )
    for message in SENT:
        assert f"_call.{message}(" in source, message
