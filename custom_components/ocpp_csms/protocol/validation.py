"""Fast schema checks for the common case, with the ``ocpp`` library as the judge.

The library validates with jsonschema's Draft4Validator, which costs more than
everything else a meter message takes. The OCPP schemas use a small part of
JSON Schema, so each one is compiled once into plain Python checks that are
*stricter* than the library (an integral float is no integer here, a Decimal no
number). A payload the check passes is valid for the library too; one it fails
goes to the library, which raises the exact OCPP error (or finds it valid after
all). A schema with anything outside that part (``multipleOf``, a nested
``additionalProperties`` schema, ...) is not compiled and always goes to the
library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only annotate (Draft4Validator checks no "format" without a
# format checker, and the library gives it none), or that do not apply where the
# schemas put them (1.6 has additionalProperties on strings; additionalItems
# means nothing beside an "items" schema).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "id", "title", "description", "javaType", "comment", "$comment"}
    | {"default", "format", "definitions", "additionalItems"}
)
_NOT_FOR_OBJECTS = frozenset({"additionalProperties"})
_SUPPORTED = frozenset(
    {"type", "properties", "additionalProperties", "required", "maxLength", "enum"}
    | {"items", "minItems", "maxItems", "minimum", "maximum", "$ref"}
)


def _anything(value: Any) -> bool:
    return True


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not take: use the library."""


def compile_schema(schema: dict[str, Any]) -> Check | None:
    """Return the schema's check, or None if only the library can judge it."""
    try:
        return compile_strict(schema)
    except Unsupported:
        return None


def compile_strict(schema: dict[str, Any]) -> Check:
    """Return the schema's check; raise Unsupported if only the library can judge it."""
    definitions = schema.get("definitions", {})
    compiled: dict[str, Check] = {}

    def ref(target: str) -> Check:
        name = target.removeprefix("#/definitions/")
        if name == target or name not in definitions:
            raise Unsupported(target)
        if name not in compiled:
            cell: list[Check] = []

            def forward(value: Any) -> bool:  # a definition that refers to itself
                return cell[0](value)

            compiled[name] = forward
            cell.append(node(definitions[name]))
            compiled[name] = cell[0]
        return compiled[name]

    def node(part: Any) -> Check:
        if not isinstance(part, dict):
            raise Unsupported(repr(part)[:40])
        unknown = set(part) - _ANNOTATIONS - _SUPPORTED
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if "$ref" in part:
            if set(part) - _ANNOTATIONS != {"$ref"}:
                raise Unsupported("$ref beside other keywords")
            return ref(part["$ref"])
        kind = part.get("type")
        if kind is None and not set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS:
            return _anything  # any JSON value (DataTransfer's data)
        if kind == "object":
            return _object(part, node)
        if kind == "array":
            return _array(part, node(part["items"]) if "items" in part else _anything)
        if kind == "string":
            return _string(part)
        if kind in ("integer", "number"):
            return _number(part, (int,) if kind == "integer" else (int, float))
        if kind == "boolean" and set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS == {"type"}:
            return lambda value: type(value) is bool
        raise Unsupported(f"type {kind!r}")

    return node(schema)


def why_not(schema: dict[str, Any]) -> str | None:
    """Return why a schema is not compiled (None if it is): for tests and diagnosis."""
    try:
        compile_strict(schema)
    except Unsupported as err:
        return str(err)
    return None


def _object(part: dict[str, Any], node: Callable[[Any], Check]) -> Check:
    if set(part) - _ANNOTATIONS - {"type", "properties", "additionalProperties", "required"}:
        raise Unsupported("object keywords")
    extra = part.get("additionalProperties", True)
    if not isinstance(extra, bool):
        raise Unsupported("additionalProperties schema")
    properties = {key: node(sub) for key, sub in part.get("properties", {}).items()}
    required = tuple(part.get("required", ()))

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key in required:
            if key not in value:
                return False
        for key, item in value.items():
            sub = properties.get(key)
            if sub is None:
                if not extra:
                    return False
            elif not sub(item):
                return False
        return True

    return check


def _array(part: dict[str, Any], item: Check) -> Check:
    if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "items", "minItems", "maxItems"}:
        raise Unsupported("array keywords")
    low, high = part.get("minItems", 0), part.get("maxItems")

    def check(value: Any) -> bool:
        if type(value) is not list or len(value) < low:
            return False
        if high is not None and len(value) > high:
            return False
        return all(item(element) for element in value)

    return check


def _string(part: dict[str, Any]) -> Check:
    if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "maxLength", "enum"}:
        raise Unsupported("string keywords")
    longest = part.get("maxLength")
    if "enum" in part:
        allowed = frozenset(part["enum"])
        if not all(isinstance(choice, str) for choice in allowed):
            raise Unsupported("enum of non-strings")
        return lambda value: type(value) is str and value in allowed
    if longest is None:
        return lambda value: type(value) is str
    return lambda value: type(value) is str and len(value) <= longest


def _number(part: dict[str, Any], types: tuple[type, ...]) -> Check:
    if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "minimum", "maximum"}:
        raise Unsupported("number keywords")
    low, high = part.get("minimum"), part.get("maximum")
    if not all(bound is None or type(bound) in (int, float) for bound in (low, high)):
        raise Unsupported("bound")

    def check(value: Any) -> bool:
        if type(value) not in types:
            return False
        if low is not None and value < low:
            return False
        return high is None or value <= high

    return check
