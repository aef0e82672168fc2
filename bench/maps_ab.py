"""Map pages of two versions timed in turn, in the same headless chromium, on the same machine.

A map page of an older impactkg (its ``impactkg map system`` on the same tables) against today's:
each page is opened in a fresh browser, the two alternating, ``--reps`` times, and timed as
:func:`bench.maps.time_page` times it (drawn, click answered). Medians and the fastest run are
printed, in milliseconds.

Pages of impactkg before 2026-11-29 carry no font: on a machine without a Japanese system font
(Debian's chromium here) they draw Japanese labels as missing glyphs, which costs less than
drawing them. ``--font-from NEW`` adds, as a third contender, the older page with today's embedded
font and the same wait for it before the first drawing, so that what the font costs and what the
rest of the page costs can be told apart.

    python -m bench.maps_ab OLD.html NEW.html --nodes 2000 [--reps 9] [--font-from NEW.html]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

from bench.maps import time_page

#: The older page script's start, and the line that sets a node's font (543ffb4's map page).
_APP = '(function () {\n  "use strict";\n  var D = JSON.parse'
_NODE_FONT = 'font: { color: "#1a1a1a", size: n.size ? Math.round(12 + (n.size - 14) * 0.6) : 14 }'


def with_font(old_html: str, new_html: str) -> str:
    """The older page with the newer page's ``@font-face`` rule, its nodes' labels in that font,
    and its script started once the font is loaded (as today's page does). ValueError when the
    older page is not one this knows (543ffb4's layout) or the newer has no font."""
    font = re.search(r'<style id="ikg-font">(.*?)</style>', new_html, re.S)
    if not font or not font.group(1):
        raise ValueError("the newer page embeds no font")
    if _APP not in old_html or _NODE_FONT not in old_html:
        raise ValueError("the older page is not laid out as 543ffb4's map page")
    family = re.search(r"font-family:'([^']+)'", font.group(1))
    assert family is not None  # the rule names its family
    name = family.group(1)
    i = old_html.index("<style>")
    page = old_html[:i] + f'<style id="ikg-font">{font.group(1)}</style>\n' + old_html[i:]
    page = page.replace(_NODE_FONT, _NODE_FONT[:-2] + f", face: \"'{name}',sans-serif\" }}", 1)
    start, end = page.index(_APP), page.rindex("})();")
    return (page[:start] + f"document.fonts.load('14px \"{name}\"', \"\\u3042\").then(function () {{"
            + page[start:end] + "})();});" + page[end + 5:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.maps_ab", description=__doc__.splitlines()[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--nodes", type=int, required=True, help="nodes of the map (the drawing that holds them all)")
    p.add_argument("--reps", type=int, default=9)
    p.add_argument("--cap", type=float, default=60.0, help="seconds before a page is given up")
    p.add_argument("--font-from", type=Path, help="also time the older page with this page's font")
    a = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    pages = {"old": a.old, "new": a.new}
    missing = [str(path) for path in (a.old, a.new, a.font_from) if path is not None and not path.is_file()]
    if missing:
        print(f"bench.maps_ab: no such page: {', '.join(missing)}", file=sys.stderr)
        return 2
    if a.font_from:
        try:
            text = with_font(a.old.read_text(encoding="utf-8"), a.font_from.read_text(encoding="utf-8"))
        except ValueError as exc:
            print(f"bench.maps_ab: {exc}", file=sys.stderr)
            return 2
        tmp = Path(tempfile.mkdtemp(prefix="maps-ab-")) / "old-with-font.html"
        tmp.write_text(text, encoding="utf-8")
        pages["old with the font"] = tmp
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in pages}
    with sync_playwright() as pw:
        for _ in range(a.reps):
            for name, path in pages.items():
                out = time_page(pw, path, a.nodes, a.cap)
                if out["drawn"] is not None and out["clicked"] is not None:
                    runs[name].append((out["drawn"], out["clicked"]))
    for name, got in runs.items():
        if not got:
            print(json.dumps({"page": name, "runs": 0}))
            continue
        drawn, clicked = [d for d, _ in got], [c for _, c in got]
        print(json.dumps({"page": name, "runs": len(got), "drawn_ms": round(statistics.median(drawn) * 1000),
                          "drawn_fastest_ms": round(min(drawn) * 1000),
                          "click_ms": round(statistics.median(clicked) * 1000)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
