"""Print the pip requirements of the Home Assistant integrations scripts/develop loads
(and of those they depend on).

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
    # Entity integrations Home Assistant 2026.10 sets up at every start: without their
    # packages each start logs "Setup failed" errors (the benchmark counts them).
    "infrared",
    "radio_frequency",
]

reqs: set[str] = set()
base = Path(components.__file__).parent
seen: set[str] = set()
todo = list(DEVELOP_INTEGRATIONS)
while todo:  # each integration with the ones it depends on (they are set up first)
    name = todo.pop()
    manifest = base / name / "manifest.json"
    if name in seen or not manifest.exists():
        continue
    seen.add(name)
    data = json.loads(manifest.read_text())
    reqs.update(data.get("requirements", []))
    todo += data.get("dependencies", [])
print(" ".join(sorted(reqs)))
