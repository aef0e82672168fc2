"""The README's examples agree with the named queries, and the screenshots it shows exist (the
browser tests take them: ``make screenshots``)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_sparql_example_counts_what_indicators_per_goal_counts(kg):
    text = README.read_text(encoding="utf-8")
    examples = re.findall(r"impactkg query -e '([^']*COUNT[^']*)'", text)
    assert len(examples) == 1
    mine = {r["g"]: int(r["n"]) for r in kg.query(examples[0]).dicts()}
    named = {f"http://metadata.un.org/sdg/{r['goalCode']}": r["indicators"]
             for r in kg.query("indicators-per-goal").dicts() if r["indicators"]}
    assert mine == named
    assert mine["http://metadata.un.org/sdg/11"] == 22


def test_every_screenshot_the_readme_shows_exists():
    text = README.read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[^)]+)\)", text)
    assert len(shown) >= 2
    for path in shown:
        png = README.parent / path
        assert png.exists(), f"{path}: run 'make screenshots'"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
