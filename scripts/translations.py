"""Write translations/en.json from strings.json, as core's translations script does.

strings.json is the one file to edit; tests/test_quality.py checks the two agree.
References to other keys (``[%key:...%]``) are not used here and are refused.

    python3 scripts/translations.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "ocpp_csms"


def main() -> int:
    """Write the English translation; 1 if strings.json uses a reference."""
    text = (INTEGRATION / "strings.json").read_text(encoding="utf-8")
    if "[%key:" in text:
        print("strings.json: references ([%key:...%]) are not resolved by this script")
        return 1
    strings = json.loads(text)
    target = INTEGRATION / "translations" / "en.json"
    target.write_text(json.dumps(strings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(INTEGRATION.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
