"""What each W3C test is expected to do on each door, and the tally of what it did.

``known-failures.tsv`` (beside this file) lists the tests the *reference* fails, with the reason:
``pyoxigraph`` for the query, result-format and syntax manifests, ``oxigraph-serve`` for the
protocol manifest. The rules, checked on every run, so the list cannot go stale:

- a listed test must fail on its reference (if it passes: remove the line);
- an unlisted test must pass on its reference (if it fails: investigate, then list it);
- every impactkg door must pass every unlisted test; a listed test may fail there too (it is
  then an expected failure, ``x`` in pytest's report) or pass.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
KNOWN_FILE = HERE / "known-failures.tsv"
REFERENCE_DOORS = ("pyoxigraph", "oxigraph-serve")


@dataclass(frozen=True)
class Known:
    test: str
    reference: str
    reason: str


def _rows(path: Path, columns: int) -> list[tuple[str, ...]]:
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != columns or not all(c.strip() for c in cells):
            raise ValueError(f"{path.name}, line {n}: expected {columns} tab-separated cells, got {len(cells)}")
        out.append(tuple(c.strip() for c in cells))
    return out


def known_failures() -> dict[str, Known]:
    out: dict[str, Known] = {}
    for test, ref, reason in _rows(KNOWN_FILE, 3):
        if ref not in REFERENCE_DOORS:
            raise ValueError(f"{KNOWN_FILE.name}: {test}: reference {ref!r} is not one of {REFERENCE_DOORS}")
        if test in out:
            raise ValueError(f"{KNOWN_FILE.name}: {test} is listed twice")
        out[test] = Known(test, ref, reason)
    return out


KNOWN = known_failures()

#: (family, door) -> Counter of outcomes; (family, door) -> [(test, outcome, detail)].
TALLY: dict[tuple[str, str], Counter] = defaultdict(Counter)
DETAILS: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)


def record(family: str, door: str, test: str, outcome: str, detail: str = "") -> None:
    TALLY[(family, door)][outcome] += 1
    if outcome != "pass":
        DETAILS[(family, door)].append((test, outcome, detail))


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def judge(family: str, test: str, door: str, why: str | None) -> None:
    """Pass, fail or xfail one (test, door) by the rules above. ``why`` is None when the door
    gave the expected result, else the mismatch or the door's error (in the failure message;
    for an expected failure, in ``W3C_REPORT``)."""
    known = KNOWN.get(test)
    if door in REFERENCE_DOORS:
        if known is not None and known.reference == door:
            if why is None:
                record(family, door, test, "stale")
                pytest.fail(f"{test} now passes on {door}: remove it from {KNOWN_FILE.name}")
            record(family, door, test, "known", why)
            pytest.xfail(f"known failure of {door}: {_short(known.reason)}")
        if why is not None:
            record(family, door, test, "fail", why)
            pytest.fail(f"{door} fails {test}, which {KNOWN_FILE.name} does not list: {why}")
        record(family, door, test, "pass")
        return
    if why is None:
        record(family, door, test, "pass")
        return
    if known is not None:
        record(family, door, test, "known", why)
        pytest.xfail(f"fails on the reference too: {_short(known.reason)}")
    record(family, door, test, "fail", why)
    pytest.fail(f"{door} fails {test}, which the reference passes: {why}")


def refused(family: str, test: str, door: str, detail: str) -> None:
    """A read-only server's refusal by design: counted apart, shown as a skip with its reason."""
    known = KNOWN.get(test)
    record(family, door, test, "refused", detail)
    pytest.skip(f"refused by design by the read-only server{' (the reference fails it too)' if known else ''}: {detail}")


def summary() -> list[str]:
    """Lines for the end of the pytest run: the counts per family and door."""
    lines = []
    for (family, door), counts in sorted(TALLY.items()):
        total = sum(counts.values())
        parts = [f"{counts['pass']} pass"]
        for key in ("known", "refused", "n/a", "fail", "stale"):
            if counts[key]:
                parts.append(f"{counts[key]} {key}")
        lines.append(f"{family:<14} {door:<16} {counts['pass']:>4}/{total:<4} ({', '.join(parts)})")
    return lines
