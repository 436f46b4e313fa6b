"""The integration's import graph, drawn from its own imports.

Every ``from . import`` of the package counts, those under ``if TYPE_CHECKING:``
too (a circle of annotations is still a circle). ``tests/test_layers.py`` checks
it has no circle and no import running back up a layer; run as a script, it
prints the packages and the imports between them as a Mermaid chart (the README's
"Code layout"):

    scripts/import_graph.py            # print it
    scripts/import_graph.py --readme   # put it in the README's Code layout
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "ocpp_csms"
BASE = "custom_components.ocpp_csms"

# The layers, lowest first: a module may import its own layer and those below.
LAYERS: dict[str, int] = {
    "const": 0,
    "model": 0,
    "protocol": 1,
    "transport": 2,
    "hub": 3,
    "entities": 4,
    "actions": 4,
    "flows": 4,
    "": 5,  # the top: what Home Assistant looks for (platforms, flows, services)
}


def module_name(path: Path) -> str:
    """Return the dotted name of a module of the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Return every module of the package by its dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """Return the package's modules one module imports (relative imports)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = package.split(".")
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
        for alias in node.names:
            full = f"{target}.{alias.name}"
            found.add(full if full in known else target)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    """Return each module's imports of the package's modules."""
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges)))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def part(module: str) -> str:
    """Return the package (or top-level module name) a module belongs to."""
    rest = module[len(BASE) + 1 :] if module != BASE else ""
    head = rest.split(".", 1)[0]
    if head in LAYERS:
        return head
    return ""  # a top-level module (or the package's own __init__)


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Return the imports that run from a lower layer to a higher one."""
    return sorted(
        (src, dst)
        for src, targets in edges.items()
        for dst in targets
        if LAYERS[part(dst)] > LAYERS[part(src)]
    )


def mermaid(edges: dict[str, set[str]]) -> str:
    """Return the packages and the imports between them as a Mermaid flowchart."""
    counts: Counter[tuple[str, str]] = Counter(
        (part(src), part(dst))
        for src, targets in edges.items()
        for dst in targets
        if part(src) != part(dst)
    )
    sizes = Counter(part(m) for m in edges)
    label = {p: (p or "top level") for p in LAYERS}
    lines = ["flowchart TD"]
    for name in sorted(LAYERS, key=lambda p: -LAYERS[p]):
        node = name or "top"
        lines.append(f'    {node}["{label[name]}<br/>{sizes[name]} modules"]')
    for (src, dst), count in sorted(counts.items()):
        lines.append(f"    {src or 'top'} -->|{count}| {dst or 'top'}")
    return "\n".join(lines)


def update_readme() -> None:
    """Replace the README's Mermaid chart with the one the imports draw now."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("```mermaid\n")
    end = text.index("\n```", start + 11)
    readme.write_text(
        text[:start] + f"```mermaid\n{mermaid(graph())}" + text[end:], encoding="utf-8"
    )


if __name__ == "__main__":
    if "--readme" in sys.argv:
        update_readme()
    else:
        print(mermaid(graph()))
