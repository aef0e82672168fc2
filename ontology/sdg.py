"""SDG codes beside the vocabulary: reading a goal or target code from a cell or a parameter, and
knowing the 17 goals and 169 targets (the UN SDG KOS numbering, as the embedded ``sdg.csv``
holds it).

>>> parse_target("11.b 2020 年までに")
'11.b'
>>> parse_target("３．４")
'3.4'
>>> is_target("3.99")
False
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from impactkg.ontology import nfkc

TARGET_RE = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])(?![0-9a-z])", re.IGNORECASE)
GOAL_RE = re.compile(r"^(\d{1,2})(?![0-9.])")


@lru_cache(maxsize=1)
def reference() -> tuple[frozenset[str], frozenset[str]]:
    """(goal codes, target codes) of the embedded SDG reference."""
    from impactkg.data import dataset_dir

    goals: set[str] = set()
    targets: set[str] = set()
    with open(dataset_dir() / "sdg.csv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            (targets if rec["goal"] else goals).add(rec["code"])
    return frozenset(goals), frozenset(targets)


def is_target(code: str) -> bool:
    """Whether ``code`` (``'3.4'``) is one of the 169 targets."""
    return code in reference()[1]


def is_goal(code: str) -> bool:
    """Whether ``code`` (``'3'``) is one of the 17 goals."""
    return code in reference()[0]


def parse_target(cell: str) -> str | None:
    """The target code at the start of a cell (``'11.b 2020 年までに'`` -> ``'11.b'``), or None."""
    m = TARGET_RE.match(nfkc(cell))
    return f"{int(m.group(1))}.{m.group(2).lower()}" if m else None


def parse_goal(cell: str) -> str | None:
    """The goal number at the start of a cell (``'11, 包括的で安全か'`` -> ``'11'``), or None."""
    m = GOAL_RE.match(nfkc(cell))
    return str(int(m.group(1))) if m else None
