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


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not take: use the library."""


def compile_schema(schema: dict[str, Any]) -> Check | None:
    """Return the schema's check, or None if only the library can judge it."""
    try:
        return compile_strict(schema)
    except Unsupported:
        return None


def compile_strict(schema: dict[str, Any]) -> Check:
    """Return the schema's check; raise Unsupported if only the library can judge it.

    The check is one generated function (a definition that refers to itself
    becomes a function of its own): a meter message is judged without a call per
    value, which closures nested per keyword cost.
    """
    writer = _Writer(schema.get("definitions", {}))
    writer.function("check", schema, None)
    while pending := [name for name in writer.wanted if name not in writer.written]:
        for name in pending:
            writer.written.add(name)
            writer.function(writer.wanted[name], writer.definitions[name], name)
    namespace = dict(writer.constants)
    exec("\n".join(writer.lines), namespace)  # noqa: S102 (the code is ours, per schema)
    check: Check = namespace["check"]
    return check


def why_not(schema: dict[str, Any]) -> str | None:
    """Return why a schema is not compiled (None if it is): for tests and diagnosis."""
    try:
        compile_strict(schema)
    except Unsupported as err:
        return str(err)
    return None


class _Writer:
    """Writes the source of a schema's check: statements that return False at once."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.wanted: dict[str, str] = {}  # definition -> its function's name
        self.written: set[str] = set()
        self._inlining: list[str] = []
        self._names = 0

    def name(self, prefix: str) -> str:
        self._names += 1
        return f"{prefix}{self._names}"

    def constant(self, value: Any) -> str:
        name = self.name("c")
        self.constants[name] = value
        return name

    def function(self, function: str, part: Any, definition: str | None) -> None:
        if definition is not None:
            self._inlining.append(definition)
        self.lines.append(f"def {function}(v0):")
        self.node(part, "v0", 1)
        self.lines.append("    return True")
        if definition is not None:
            self._inlining.pop()

    def fail_if(self, condition: str, depth: int) -> None:
        self.lines.append(f"{'    ' * depth}if {condition}: return False")

    def node(self, part: Any, var: str, depth: int) -> None:
        """Write the statements that check ``var`` against ``part``."""
        if not isinstance(part, dict):
            raise Unsupported(repr(part)[:40])
        unknown = set(part) - _ANNOTATIONS - _SUPPORTED
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if "$ref" in part:
            if set(part) - _ANNOTATIONS != {"$ref"}:
                raise Unsupported("$ref beside other keywords")
            self.ref(part["$ref"], var, depth)
            return
        kind = part.get("type")
        if kind is None and not set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS:
            return  # any JSON value (DataTransfer's data)
        if kind == "object":
            self.object(part, var, depth)
        elif kind == "array":
            self.array(part, var, depth)
        elif kind == "string":
            self.fail_if(_string(part, var, self.constant), depth)
        elif kind in ("integer", "number"):
            self.fail_if(_number(part, var, kind), depth)
        elif kind == "boolean" and set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS == {"type"}:
            self.fail_if(f"type({var}) is not bool", depth)
        else:
            raise Unsupported(f"type {kind!r}")

    def ref(self, target: str, var: str, depth: int) -> None:
        name = target.removeprefix("#/definitions/")
        if name == target or name not in self.definitions:
            raise Unsupported(target)
        if name in self._inlining:  # refers to itself: a function of its own
            function = self.wanted.setdefault(name, self.name("d"))
            self.fail_if(f"not {function}({var})", depth)
            return
        self._inlining.append(name)
        self.node(self.definitions[name], var, depth)
        self._inlining.pop()

    def object(self, part: dict[str, Any], var: str, depth: int) -> None:
        if set(part) - _ANNOTATIONS - {"type", "properties", "additionalProperties", "required"}:
            raise Unsupported("object keywords")
        extra = part.get("additionalProperties", True)
        if not isinstance(extra, bool):
            raise Unsupported("additionalProperties schema")
        properties = part.get("properties", {})
        required = part.get("required", ())
        self.fail_if(f"type({var}) is not dict", depth)
        for key in required:
            self.fail_if(f"{key!r} not in {var}", depth)
        if not extra:
            self.fail_if(f"not {var}.keys() <= {self.constant(frozenset(properties))}", depth)
        # `in` and a subscript are no method calls (a meter message has ~70 keys);
        # a required key is there already
        indent = "    " * depth
        for key, sub in properties.items():
            item = self.name("v")
            start = len(self.lines)
            if key in required:
                self.lines.append(f"{indent}{item} = {var}[{key!r}]")
                body = len(self.lines)
                self.node(sub, item, depth)
            else:
                self.lines += [
                    f"{indent}if {key!r} in {var}:",
                    f"{indent}    {item} = {var}[{key!r}]",
                ]
                body = len(self.lines)
                self.node(sub, item, depth + 1)
            if len(self.lines) == body:  # any value: nothing to check
                del self.lines[start:]

    def array(self, part: dict[str, Any], var: str, depth: int) -> None:
        if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "items", "minItems", "maxItems"}:
            raise Unsupported("array keywords")
        low, high = part.get("minItems", 0), part.get("maxItems")
        condition = f"type({var}) is not list or len({var}) < {int(low)}"
        if high is not None:
            condition += f" or len({var}) > {int(high)}"
        self.fail_if(condition, depth)
        item = self.name("v")
        self.lines.append(f"{'    ' * depth}for {item} in {var}:")
        size = len(self.lines)
        self.node(part.get("items", {}), item, depth + 1)
        if len(self.lines) == size:  # items of any kind
            self.lines[-1] = f"{'    ' * depth}pass"


def _string(part: dict[str, Any], var: str, constant: Callable[[Any], str]) -> str:
    if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "maxLength", "enum"}:
        raise Unsupported("string keywords")
    longest = part.get("maxLength")
    if "enum" in part:
        allowed = frozenset(part["enum"])
        if not all(isinstance(choice, str) for choice in allowed):
            raise Unsupported("enum of non-strings")
        return f"type({var}) is not str or {var} not in {constant(allowed)}"
    if longest is None:
        return f"type({var}) is not str"
    return f"type({var}) is not str or len({var}) > {int(longest)}"


def _number(part: dict[str, Any], var: str, kind: str) -> str:
    if set(part) - _ANNOTATIONS - _NOT_FOR_OBJECTS - {"type", "minimum", "maximum"}:
        raise Unsupported("number keywords")
    low, high = part.get("minimum"), part.get("maximum")
    if not all(bound is None or type(bound) in (int, float) for bound in (low, high)):
        raise Unsupported("bound")
    types = "(int,)" if kind == "integer" else "(int, float)"
    condition = f"type({var}) not in {types}"
    if low is not None:
        condition += f" or {var} < {low!r}"
    if high is not None:
        condition += f" or {var} > {high!r}"
    return condition
