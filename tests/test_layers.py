"""The layers hold: no circle in the import graph, no import running back up a
layer, the transport free of Home Assistant, files under 400 lines."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_graph.py"


def _graph_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


ig = _graph_module()


def test_no_circle_in_the_imports() -> None:
    assert ig.circles(ig.graph()) == []


def test_a_circle_is_found() -> None:
    """The check can fail: a made-up circle of three is reported."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert ig.circles(edges) == [["a", "b", "c"]]


def test_no_import_runs_back_up_a_layer() -> None:
    assert ig.upward(ig.graph()) == []
    base = ig.BASE
    made_up = {f"{base}.model.charger": {f"{base}.hub.runtime"}, f"{base}.hub.runtime": set()}
    assert ig.upward(made_up) == [(f"{base}.model.charger", f"{base}.hub.runtime")]


def test_every_package_has_its_layer() -> None:
    """A new package must be placed in a layer (else it would pass as the top)."""
    packages = {p.name for p in ig.PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(ig.LAYERS)


def test_the_transport_and_model_know_nothing_of_home_assistant() -> None:
    for folder in ("transport", "model", "protocol"):
        for path in (ig.PACKAGE / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "homeassistant" not in text, path.name


def test_files_stay_under_400_lines() -> None:
    long = {
        str(p.relative_to(ig.PACKAGE)): n
        for p in ig.PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_the_readme_chart_is_the_code_s() -> None:
    """The Code layout chart in the README is the one the imports draw now
    (``scripts/import_graph.py --readme`` renews it)."""
    readme = (ig.ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{ig.mermaid(ig.graph())}\n```" in readme
