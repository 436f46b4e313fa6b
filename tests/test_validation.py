"""The fast schema checks: never looser than the ``ocpp`` library, and used.

``protocol/validation.py`` compiles each OCPP schema into plain checks; a payload
they pass skips jsonschema, one they fail goes to the library. So a check must
never pass what the library's Draft4Validator refuses (soundness), and should
pass what real chargers send (else nothing is gained).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ocpp.messages
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.ocpp_csms.protocol.validation import compile_schema, why_not

ROOT = Path(ocpp.messages.__file__).parent
FOLDERS = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}


def _schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for version, folder in FOLDERS.items():
        for path in sorted((ROOT / folder / "schemas").glob("*.json")):
            out[f"{version}/{path.stem}"] = json.loads(path.read_text(encoding="utf-8-sig"))
    return out


SCHEMAS = _schemas()
CHECKS = {name: compile_schema(schema) for name, schema in SCHEMAS.items()}
COMPILED = sorted(name for name, check in CHECKS.items() if check is not None)
WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([1.0, -0.5, 1e300, 2**63]),
    st.text(max_size=3),
    st.just([]),
    st.just({}),
)


def test_every_schema_compiles_but_those_the_library_reads_with_decimals() -> None:
    left = {name: why_not(SCHEMAS[name]) for name, check in CHECKS.items() if check is None}
    assert left == {
        "1.6/GetCompositeScheduleResponse": "multipleOf",
        "1.6/RemoteStartTransaction": "multipleOf",
        "1.6/SetChargingProfile": "multipleOf",
    }
    assert len(COMPILED) == len(SCHEMAS) - 3 > 370


def _value(
    draw: Any, schema: dict[str, Any], defs: dict[str, Any], mutate: bool, depth: int
) -> Any:
    if "$ref" in schema:
        schema = defs[schema["$ref"].removeprefix("#/definitions/")]
    if mutate and draw(st.integers(0, 9)) == 0:
        return draw(WRONG)
    kind = schema.get("type")
    if kind == "object":
        out: dict[str, Any] = {}
        required = schema.get("required", [])
        for key, sub in schema.get("properties", {}).items():
            wanted = key in required or (depth < 4 and draw(st.booleans()))
            if mutate and draw(st.integers(0, 19)) == 0:
                wanted = not wanted
            if wanted:
                out[key] = _value(draw, sub, defs, mutate, depth + 1)
        if mutate and draw(st.integers(0, 19)) == 0:
            out["unexpectedKey"] = 1
        return out
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 2), low + 2)
        size = draw(st.integers(low, max(low, high)))
        if mutate and draw(st.integers(0, 4)) == 0:
            size = draw(st.sampled_from([max(0, low - 1), schema.get("maxItems", high) + 1]))
            size = min(size, 9)
        item = schema.get("items", {})
        return [_value(draw, item, defs, mutate, depth + 1) for _ in range(size)]
    if kind == "string":
        if "enum" in schema:
            return draw(
                st.sampled_from([*schema["enum"], "NotAnEnumValue"] if mutate else schema["enum"])
            )
        longest = schema.get("maxLength", 20)
        size = draw(st.integers(0, min(longest, 8)))
        if mutate and draw(st.integers(0, 9)) == 0:
            size = longest + 1
        return "x" * size
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", -1000), schema.get("maximum", 10**6)
        if mutate and draw(st.integers(0, 9)) == 0:
            return draw(st.sampled_from([low - 1, high + 1, float(low), True]))
        value = draw(st.integers(int(low), int(min(high, low + 10**6))))
        if kind == "number" and draw(st.booleans()):
            return value + 0.25 if value + 0.25 <= high else float(value)
        return value
    if kind == "boolean":
        return draw(st.booleans())
    return draw(WRONG)


@settings(
    max_examples=600, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data(), name=st.sampled_from(COMPILED))
def test_a_check_never_passes_what_the_library_refuses(data: Any, name: str) -> None:
    schema = SCHEMAS[name]
    payload = _value(data.draw, schema, schema.get("definitions", {}), mutate=True, depth=0)
    check = CHECKS[name]
    assert check is not None
    validator = ocpp.messages.Draft4Validator(schema)
    if check(payload):
        assert validator.is_valid(payload), (name, payload)


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data(), name=st.sampled_from(COMPILED))
def test_a_check_passes_valid_payloads(data: Any, name: str) -> None:
    schema = SCHEMAS[name]
    payload = _value(data.draw, schema, schema.get("definitions", {}), mutate=False, depth=0)
    validator = ocpp.messages.Draft4Validator(schema)
    check = CHECKS[name]
    assert check is not None
    assert validator.is_valid(payload), (name, payload)
    assert check(payload), (name, payload)


def test_hand_written_edge_cases_go_to_the_library() -> None:
    check = CHECKS["1.6/MeterValues"]
    assert check is not None
    good = {"connectorId": 1, "meterValue": [{"timestamp": "t", "sampledValue": [{"value": "1"}]}]}
    assert check(good)
    # looser in the library's eyes, refused here: it judges these
    for bad in (
        {**good, "connectorId": 1.0},  # an integral float
        {**good, "connectorId": True},  # a bool is no integer
        {**good, "meterValue": []},  # minItems
        {**good, "extra": 1},  # additionalProperties
        {"meterValue": good["meterValue"]},  # required
        [good],
    ):
        assert not check(bad)
    report = CHECKS["2.0.1/GetReportRequest"]
    assert report is not None
    assert report({"requestId": 1, "componentCriteria": ["Active"] * 4})
    assert not report({"requestId": 1, "componentCriteria": ["Active"] * 5})  # maxItems
    assert not report({"requestId": 1, "componentCriteria": ["Nope"]})  # enum
    assert not report({"requestId": "1"})  # type


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"$ref": "#/elsewhere/X"}, "#/elsewhere/X"),
        ({"type": "object", "properties": {"a": "not a schema"}}, "'not a schema'"),
        ({"$ref": "#/definitions/A", "type": "object", "definitions": {}}, "$ref beside"),
        ({"type": "null"}, "type 'null'"),
        ({"type": "object", "maxLength": 3}, "object keywords"),
        ({"type": "object", "additionalProperties": {"type": "string"}}, "additionalProperties"),
        ({"type": "array", "maxLength": 3}, "array keywords"),
        ({"type": "string", "minimum": 1}, "string keywords"),
        ({"type": "string", "enum": ["a", 1]}, "enum of non-strings"),
        ({"type": "number", "maxLength": 2}, "number keywords"),
        ({"type": "number", "minimum": "0"}, "bound"),
        ({"type": "object", "pattern": "x"}, "pattern"),  # a keyword it does not know
    ],
)
def test_what_the_compiler_leaves_to_the_library(schema: dict[str, Any], reason: str) -> None:
    """Each keyword the fast check does not take sends the schema to the library."""
    assert compile_schema(schema) is None
    found = why_not(schema)
    assert found is not None
    assert reason in found


def test_a_definition_that_refers_to_itself_and_bounds() -> None:
    tree = {
        "$ref": "#/definitions/Node",
        "definitions": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}},
                    "size": {"type": "integer", "minimum": 0, "maximum": 10},
                },
            }
        },
    }
    check = compile_schema(tree)
    assert check is not None
    assert why_not(tree) is None
    assert check({"children": [{"children": [], "size": 3}]})
    assert not check({"children": [{"size": 11}]})
    assert not check({"size": -1})


def _library_frame(unique_id: str, response: Any) -> str:
    from custom_components.ocpp_csms.protocol.ocpp_lib import (
        CallResult,
        remove_nones,
        serialize_as_dict,
        snake_to_camel_case,
    )

    return str(
        CallResult(
            unique_id, snake_to_camel_case(remove_nones(serialize_as_dict(response)))
        ).to_json()
    )


def test_answers_are_written_as_the_library_writes_them() -> None:
    """The fast answer path (no fields: {} at once; one encoder made once) writes the
    same text as the library's serialise, drop-Nones, camelCase and to_json."""
    from decimal import Decimal

    from ocpp.v16 import call_result as r16
    from ocpp.v16.datatypes import IdTagInfo
    from ocpp.v201 import call_result as r201
    from ocpp.v201.datatypes import IdTokenInfoType

    from custom_components.ocpp_csms.protocol.call_handling import answer_payload, frame_text

    answers = [
        r16.MeterValues(),
        r16.StatusNotification(),
        r16.Heartbeat(current_time="2026-12-04T17:00:00Z"),
        r16.BootNotification(current_time="2026-12-04T17:00:00Z", interval=300, status="Accepted"),
        r16.StartTransaction(transaction_id=7, id_tag_info=IdTagInfo(status="Accepted")),
        r16.StopTransaction(id_tag_info=None),
        r16.DataTransfer(status="Accepted", data=None),
        r201.TransactionEvent(),
        r201.TransactionEvent(
            total_cost=Decimal("1.25"),
            id_token_info=IdTokenInfoType(status="Accepted", cache_expiry_date_time=None),
        ),
        r201.Heartbeat(current_time="2026-12-04T17:00:00Z"),
    ]
    for answer in answers:
        assert frame_text(3, "u-1", answer_payload(answer)) == _library_frame("u-1", answer)
