"""Print the pip requirements of the Home Assistant integrations scripts/develop loads.

Run with the venv's Python after homeassistant is installed. The frontend version is
taken from Home Assistant's own frontend manifest so that it always matches.
"""

import json
from pathlib import Path

from homeassistant import components

DEVELOP_INTEGRATIONS = [
    "frontend",
    "http",
    "api",
    "config",
    "onboarding",
    "auth",
    "person",
    "history",
    "logbook",
    "recorder",
    "energy",
    "search",
    "system_health",
    "automation",
    "script",
    "scene",
    "repairs",
    "diagnostics",
    "backup",
    # Always loaded by Home Assistant 2026 (base platforms); without its packages
    # the action list (get_services) fails and the frontend never finishes loading.
    "assist_pipeline",
]

reqs: set[str] = set()
base = Path(components.__file__).parent
for name in DEVELOP_INTEGRATIONS:
    manifest = base / name / "manifest.json"
    if manifest.exists():
        reqs.update(json.loads(manifest.read_text()).get("requirements", []))
print(" ".join(sorted(reqs)))
