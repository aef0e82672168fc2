"""Two ``make bench`` reports side by side: is any target of the older run worse in the newer?

Each report's *Targets* table is read (``results.md``, as :mod:`bench.report` writes it). A
target is matched by its words, with the dataset's triple count taken out (``build at 10^6
triples (1,458,933): …`` is the same target as ``… (1,018,400): …``: each run builds its own
dataset). Its figure is the first number of the *measured* cell (``> 47.21×`` is a lower bound,
``worst 1.62×`` the worst case, ``drawn 1.81 s, click answered 2.33 s`` two times, each compared).
Which way is better follows from the target's words: *faster than* (a speed-up over a baseline)
is better higher, everything else (a time, a ratio to a limit, a count of fallbacks) lower.

    python -m bench.against OLD/results.md NEW/results.md [--names OLD NEW] [-o FILE]

Run both reports on the same machine: figures from another CPU say nothing about the code.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: The triple count of a run's dataset, taken out of a target's words.
_COUNT = re.compile(r" \([\d,]+\)")
#: A figure: an optional bound, a number, its unit.
_FIGURE = re.compile(r"(>\s*)?(\d[\d,]*(?:\.\d+)?)\s*(×|ms|s|%|MiB)?")
_SCALE = {"ms": 1e-3, "s": 1.0}


@dataclass(frozen=True)
class Figure:
    """One figure of a *measured* cell, in seconds for a time; ``bound``: only a lower bound."""

    value: float
    unit: str
    bound: bool = False


def targets(report: str) -> dict[str, str]:
    """The *Targets* table of a ``results.md``: target words (count taken out) -> measured cell."""
    out: dict[str, str] = {}
    inside = False
    for line in report.splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Targets"
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if inside and len(cells) >= 3 and cells[0] not in ("target", "---"):
            out[_COUNT.sub("", cells[0])] = cells[1]
    return out


def figures(cell: str) -> list[Figure]:
    """The figures of a *measured* cell that the comparison reads: for a map's drawing and its
    click, both times; else the first figure."""
    found = []
    for m in _FIGURE.finditer(cell):
        unit = m.group(3) or ""
        value = float(m.group(2).replace(",", "")) * _SCALE.get(unit, 1.0)
        found.append(Figure(value, "s" if unit in _SCALE else unit, bool(m.group(1))))
    if not found:
        return []
    if cell.startswith("drawn ") and "click" in cell:
        return found[:2]
    return found[:1]


def higher_is_better(target: str) -> bool:
    """A speed-up over a baseline (``≥ 10× faster than …``) is better higher; the rest lower."""
    return "faster than" in target


def verdict(target: str, old: Figure, new: Figure, tolerance: float) -> str:
    """``better``, ``same`` (within ``tolerance``, a fraction) or ``worse``. Two lower bounds (the
    baseline gave up at the same cap in both runs) compare as figures; a figure against a lower
    bound is ``worse`` below it, else ``same or better``; a lower bound against a figure below it
    is ``not comparable``."""
    up = higher_is_better(target)
    if old.bound and not new.bound:  # a figure against a lower bound of the older one
        return "worse" if new.value < old.value else "same or better"
    if new.bound and not old.bound:  # a lower bound against a figure
        return "same or better" if new.value >= old.value * (1 - tolerance) else "not comparable"
    if old.value == new.value or (old.value and abs(new.value - old.value) / old.value <= tolerance):
        return "same"
    return "better" if (new.value > old.value) == up else "worse"


def compare(old_report: str, new_report: str, tolerance: float = 0.05) -> list[dict[str, str]]:
    """A row per target of the older report: its cell in each, and the verdict of each figure."""
    old, new = targets(old_report), targets(new_report)
    rows = []
    for target, cell in old.items():
        if target not in new:
            rows.append({"target": target, "old": cell, "new": "—", "verdict": "not measured"})
            continue
        pairs = list(zip(figures(cell), figures(new[target]), strict=False))
        verdicts = [verdict(target, a, b, tolerance) for a, b in pairs] or ["not comparable"]
        rows.append({"target": target, "old": cell, "new": new[target], "verdict": ", ".join(verdicts)})
    return rows


def markdown(rows: list[dict[str, str]], old_name: str, new_name: str, tolerance: float) -> str:
    """The comparison as a Markdown table, with the rule it applied."""
    lines = [
        f"| target | {old_name} | {new_name} | verdict |",
        "| --- | --- | --- | --- |",
        *(f"| {r['target']} | {r['old']} | {r['new']} | {r['verdict']} |" for r in rows),
        "",
        f"*same*: within {tolerance:.0%} of the older figure. Speed-ups over a baseline are better "
        "higher, every other figure (a time, a ratio to a limit) lower.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.against", description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path, help="the older run's results.md")
    p.add_argument("new", type=Path, help="the newer run's results.md")
    p.add_argument("--tolerance", type=float, default=0.05, help="a change within this fraction is 'same'")
    p.add_argument("-o", "--out", type=Path, help="write the table here (default: standard output)")
    p.add_argument("--names", nargs=2, metavar=("OLD", "NEW"), help="the two columns' headings")
    a = p.parse_args(argv)
    try:
        old_text, new_text = a.old.read_text(encoding="utf-8"), a.new.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"bench.against: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    rows = compare(old_text, new_text, a.tolerance)
    names = a.names or [str(a.old), str(a.new)]
    text = markdown(rows, names[0], names[1], a.tolerance)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if any("worse" in r["verdict"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
