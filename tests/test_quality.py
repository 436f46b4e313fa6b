"""The quality-scale rules and packaging checks that can be checked: the rule list
against Home Assistant's own, the manifest and hacs.json as hassfest and the HACS
action read them, brand images, PARALLEL_UPDATES, translations for every flow
field and action, and the README covering every action."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import homeassistant.components
import yaml
from PIL import Image

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "ocpp_csms"
PLATFORM_MODULES = ["binary_sensor", "button", "event", "number", "sensor", "switch"]
TIERS = ["bronze", "silver", "gold", "platinum"]


def _rules(path: Path) -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(path.read_text())["rules"]
    return {k: v if isinstance(v, dict) else {"status": v} for k, v in raw.items()}


def test_quality_scale_lists_every_rule_of_this_home_assistant() -> None:
    """The same rules as a platinum core integration's file, each done or exempt
    with a reason; the manifest claims the tier the file supports."""
    ours = _rules(INTEGRATION / "quality_scale.yaml")
    components = Path(homeassistant.components.__file__).parent
    reference = _rules(components / "peblar" / "quality_scale.yaml")
    assert set(ours) == set(reference)
    for rule, entry in ours.items():
        assert entry["status"] in ("done", "exempt"), rule
        if entry["status"] == "exempt":
            assert len(entry.get("comment", "")) > 20, f"{rule}: exempt without a reason"
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest["quality_scale"] == "platinum"


def test_manifest_as_hassfest_reads_it() -> None:
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    for key in (
        "domain",
        "name",
        "codeowners",
        "config_flow",
        "documentation",
        "integration_type",
        "iot_class",
        "issue_tracker",
        "requirements",
        "version",
    ):
        assert key in manifest, key
    assert manifest["domain"] == INTEGRATION.name
    assert manifest["iot_class"] == "local_push"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    constraints = (
        Path(importlib.import_module("homeassistant").__file__).parent / "package_constraints.txt"
    ).read_text()
    for requirement in manifest["requirements"]:
        name = re.split(r"[=<>!~]", requirement)[0]
        # pinned, or exactly the range Home Assistant itself constrains it to
        assert "==" in requirement or requirement in constraints.splitlines(), requirement
        assert name


def test_hacs_json_as_the_hacs_action_reads_it() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    allowed = {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
    }
    assert set(hacs) <= allowed, set(hacs) - allowed  # render_readme is gone
    assert hacs["name"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_brand_images() -> None:
    icon = Image.open(INTEGRATION / "brand" / "icon.png")
    assert icon.format == "PNG"
    assert icon.size == (256, 256)
    assert Image.open(INTEGRATION / "brand" / "icon@2x.png").size == (512, 512)
    logo = Image.open(INTEGRATION / "brand" / "logo.png")
    assert logo.format == "PNG"
    assert logo.size[1] == 256


def test_parallel_updates_in_every_platform() -> None:
    """0 for platforms that only read, 1 for those that send calls to a charger."""
    calls = {"button", "number", "switch"}
    for name in PLATFORM_MODULES:
        module = importlib.import_module(f"custom_components.ocpp_csms.{name}")
        assert (1 if name in calls else 0) == module.PARALLEL_UPDATES, name


def test_every_flow_field_is_described() -> None:
    """Each field of each config-flow, options-flow and subentry step has a label
    and a data_description, in strings.json and the English translation alike."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    assert strings == json.loads((INTEGRATION / "translations" / "en.json").read_text())
    steps = [
        *strings["config"]["step"].values(),
        *strings["config_subentries"]["tag"]["step"].values(),
    ]
    init = strings["options"]["step"]["init"]
    steps += [init, *init["sections"].values()]
    for step in steps:
        for field in step.get("data", {}):
            assert field in step.get("data_description", {}), (step.get("title"), field)


def test_every_action_is_translated_and_in_the_readme() -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = json.loads((INTEGRATION / "strings.json").read_text())["services"]
    icons = json.loads((INTEGRATION / "icons.json").read_text())["services"]
    readme = (ROOT / "README.md").read_text()
    for action, spec in services.items():
        assert action in strings, action
        assert action in icons, action
        assert f"ocpp_csms.{action}" in readme, action
        for field in (spec or {}).get("fields", {}):
            assert field in strings[action]["fields"], (action, field)


def test_every_select_option_and_enum_state_is_translated() -> None:
    """Action field selects, and the states of every enum sensor."""
    from homeassistant.components.sensor import SensorDeviceClass

    from custom_components.ocpp_csms.sensor import CHARGER_SENSORS, CONNECTOR_SENSORS

    strings = json.loads((INTEGRATION / "strings.json").read_text())
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    for action, spec in services.items():
        for field, fspec in ((spec or {}).get("fields") or {}).items():
            select = (fspec.get("selector") or {}).get("select")
            if select is None:
                continue
            key = select.get("translation_key")
            assert key, (action, field)
            assert set(select["options"]) <= set(strings["selector"][key]["options"]), key
    for description in (*CHARGER_SENSORS, *CONNECTOR_SENSORS):
        if description.device_class is SensorDeviceClass.ENUM:
            states = strings["entity"]["sensor"][description.translation_key]["state"]
            assert set(description.options or []) <= set(states), description.key
    assert strings["device"]["connector"]["name"] == "Connector {connector_id}"


KEY = re.compile(r"[a-z0-9-_]+")
HTML = re.compile(r"<[a-zA-Z/][^>]*>")


def _strings_of(node: object, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings_of(value, f"{path}.{key}")
    elif isinstance(node, str):
        yield path, node


def test_hassfest_translation_rules() -> None:
    """What hassfest's translations check rejects: selector option keys and state
    keys outside [a-z0-9-_], and HTML in any string."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    for name, selector in strings["selector"].items():
        for key in selector["options"]:
            assert KEY.fullmatch(key), (name, key)
    for platform in strings["entity"].values():
        for name, entity in platform.items():
            for key in entity.get("state", {}):
                assert KEY.fullmatch(key), (name, key)
    assert [(p, s) for p, s in _strings_of(strings) if HTML.search(s)] == []
    # the check can fail
    assert HTML.search("Chargers connect to ws://<home-assistant-address>:<port>/")


def test_hassfest_services_rules() -> None:
    """Every select option of every action is a translated key of [a-z0-9-_]."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    for action, spec in services.items():
        for field, fspec in ((spec or {}).get("fields") or {}).items():
            select = (fspec.get("selector") or {}).get("select")
            if select is not None:
                for option in select["options"]:
                    assert KEY.fullmatch(str(option)), (action, field, option)


def test_every_manifest_in_the_repository_names_its_folder() -> None:
    """The hassfest action validates every manifest.json of the repository: the
    integration's, and the benchmark's probe and Home Assistant floor."""
    skip = {".git", "node_modules", ".dev", ".mypy_cache", ".ruff_cache"}
    found = sorted(
        p for p in ROOT.rglob("manifest.json") if not skip & set(p.relative_to(ROOT).parts)
    )
    assert found == sorted(
        [
            INTEGRATION / "manifest.json",
            ROOT / "benchmarks" / "bench_probe" / "manifest.json",
            ROOT / "benchmarks" / "ha_floor" / "manifest.json",
        ]
    )
    for path in found:
        manifest = json.loads(path.read_text())
        assert manifest["domain"] == path.parent.name, path
        keys = list(manifest)
        assert keys[:2] == ["domain", "name"], path
        assert keys[2:] == sorted(keys[2:]), path
        assert {"codeowners", "documentation", "iot_class", "version"} <= set(keys), path


def test_workflows_run_hassfest_hacs_and_the_tests() -> None:
    workflows = ROOT / ".github" / "workflows"
    text = "\n".join(p.read_text() for p in sorted(workflows.glob("*.yaml")))
    assert "home-assistant/actions/hassfest@" in text
    assert "hacs/action@" in text
    assert "scripts/test" in text
    for path in workflows.glob("*.yaml"):
        assert yaml.safe_load(path.read_text())["jobs"], path.name


def test_every_action_is_defined_once_in_one_family() -> None:
    """services.py registers the families' ACTIONS; each action of services.yaml is
    defined exactly once (name, fields, handler, response in one place)."""
    from custom_components.ocpp_csms.services import FAMILIES

    names = [action.name for family in FAMILIES for action in family.ACTIONS]
    assert len(names) == len(set(names))
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    assert set(names) == set(services)
    for family in FAMILIES:
        for action in family.ACTIONS:
            fields = getattr(action, "fields", None)
            if fields is None:  # a CallAction: its schema is whole
                continue
            declared = {str(key) for key in fields}
            documented = set((services[action.name] or {}).get("fields") or {})
            assert declared == documented, action.name
