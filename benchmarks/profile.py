"""Summaries of a py-spy raw (collapsed-stack) profile: where the time goes.

Each line of the raw format is ``frame;frame;...;frame count``. The summary
lists, for the main thread and for the others, the functions with the most
samples inclusive (anywhere on the stack) and exclusive (at the top).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def _name(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    function, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{function} ({module})"


def summarize_profile(raw: Path, out: Path, top: int = 40) -> None:
    """Write the summary of ``raw`` to ``out``."""
    inclusive: dict[str, Counter[str]] = {"main": Counter(), "other": Counter()}
    exclusive: dict[str, Counter[str]] = {"main": Counter(), "other": Counter()}
    totals: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = "main" if "MainThread" in frames[0] or "0x" not in frames[0] else "other"
        if "MainThread" not in frames[0]:
            thread = "other"
        totals[thread] += count
        names = [_name(f) for f in frames[1:]] or [frames[0]]
        for name in set(names):
            inclusive[thread][name] += count
        exclusive[thread][names[-1]] += count
    lines = []
    for thread in ("main", "other"):
        total = totals[thread] or 1
        lines.append(f"== {thread} thread(s): {totals[thread]} samples")
        lines.append("-- inclusive")
        lines += [f"{n / total:6.1%}  {name}" for name, n in inclusive[thread].most_common(top)]
        lines.append("-- exclusive")
        lines += [f"{n / total:6.1%}  {name}" for name, n in exclusive[thread].most_common(top)]
        lines.append("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
