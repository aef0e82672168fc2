"""``python -m bench.against``: two bench reports side by side, each target of the older run judged
in the newer (the check of issue 11's "nothing slower")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.against import Figure, compare, figures, targets, verdict  # noqa: E402

OLD = """# impactkg benchmarks

## Targets

| target | measured | result | detail |
| --- | --- | --- | --- |
| build at 10^6 triples (1,018,400): ≥ 10× faster than rdflib's memory store | 9.69× | **MISSED** | x |
| build at 10^6 triples (1,018,400): within 1.5× of raw pyoxigraph bulk load | 1.01× | met | x |
| 500-node map drawn within 1 s in headless chromium | 394 ms | met | x |
| 2,000-node map: ≥ 10× faster than pyvis's defaults | > 47.21× (pyvis drew nothing within the 30 s cap) | met | x |
| 10,000-node map drawn and answering a click within 5 s | drawn 1.81 s, click answered 2.33 s | met | x |
| leverage ranking on 2,000 factors within 5 s | 278 ms | met | x |

## Datasets

| size | triples |
| --- | --- |
| 10^4 | 9,971 |
"""

NEW = OLD.replace("(1,018,400)", "(1,458,933)").replace("| 9.69× |", "| 10.2× |").replace(
    "| 1.01× |", "| 1.03× |").replace("| 394 ms |", "| 0.45 s |").replace(
    "> 47.21×", "> 40.00×").replace("drawn 1.81 s, click answered 2.33 s", "drawn 1.70 s, click answered 2.90 s").replace(
    "| leverage ranking on 2,000 factors within 5 s | 278 ms |", "| something new | 1 ms |")


def test_the_targets_table_is_read_with_each_runs_triple_count_taken_out():
    t = targets(OLD)
    assert list(t) == [
        "build at 10^6 triples: ≥ 10× faster than rdflib's memory store",
        "build at 10^6 triples: within 1.5× of raw pyoxigraph bulk load",
        "500-node map drawn within 1 s in headless chromium",
        "2,000-node map: ≥ 10× faster than pyvis's defaults",
        "10,000-node map drawn and answering a click within 5 s",
        "leverage ranking on 2,000 factors within 5 s",
    ]
    assert t["500-node map drawn within 1 s in headless chromium"] == "394 ms"


def test_figures_are_read_in_seconds_with_their_bounds():
    assert figures("394 ms") == [Figure(0.394, "s")]
    assert figures("> 47.21× (pyvis drew nothing within the 30 s cap)") == [Figure(47.21, "×", True)]
    assert figures("drawn 1.81 s, click answered 2.33 s") == [Figure(1.81, "s"), Figure(2.33, "s")]
    assert figures("worst 1.62× (30 runs of 18 queries)") == [Figure(1.62, "×")]
    assert figures("0 rdflib evaluations in 15 property-path runs") == [Figure(0.0, "")]
    assert figures("no figure") == []


def test_each_figure_is_judged_the_way_its_target_reads():
    faster = "500-node map: ≥ 10× faster than pyvis's defaults"
    within = "build: within 1.5× of raw pyoxigraph bulk load"
    assert verdict(faster, Figure(47.0, "×"), Figure(40.0, "×"), 0.05) == "worse"
    assert verdict(faster, Figure(40.0, "×"), Figure(47.0, "×"), 0.05) == "better"
    assert verdict(within, Figure(1.0, "×"), Figure(1.2, "×"), 0.05) == "worse"
    assert verdict(within, Figure(1.2, "×"), Figure(1.0, "×"), 0.05) == "better"
    assert verdict(within, Figure(1.00, "×"), Figure(1.04, "×"), 0.05) == "same"
    assert verdict(within, Figure(1.00, "×"), Figure(1.06, "×"), 0.05) == "worse"
    # A lower bound (the baseline gave up at its cap): two bounds compare as figures; a figure
    # under an older bound is worse; a bound under an older figure says nothing.
    assert verdict(faster, Figure(47.0, "×", True), Figure(40.0, "×", True), 0.05) == "worse"
    assert verdict(faster, Figure(47.0, "×", True), Figure(40.0, "×"), 0.05) == "worse"
    assert verdict(faster, Figure(47.0, "×", True), Figure(50.0, "×"), 0.05) == "same or better"
    assert verdict(faster, Figure(47.0, "×"), Figure(40.0, "×", True), 0.05) == "not comparable"
    assert verdict(faster, Figure(47.0, "×"), Figure(46.0, "×", True), 0.05) == "same or better"


def test_two_reports_compare_target_by_target_and_the_command_fails_on_a_worse_one(tmp_path):
    rows = {r["target"]: r["verdict"] for r in compare(OLD, NEW)}
    assert rows == {
        "build at 10^6 triples: ≥ 10× faster than rdflib's memory store": "better",
        "build at 10^6 triples: within 1.5× of raw pyoxigraph bulk load": "same",
        "500-node map drawn within 1 s in headless chromium": "worse",
        "2,000-node map: ≥ 10× faster than pyvis's defaults": "worse",
        "10,000-node map drawn and answering a click within 5 s": "better, worse",
        "leverage ranking on 2,000 factors within 5 s": "not measured",
    }
    (tmp_path / "old.md").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW, encoding="utf-8")
    (tmp_path / "same.md").write_text(OLD.replace("(1,018,400)", "(2,000)"), encoding="utf-8")
    run = [sys.executable, "-m", "bench.against"]
    worse = subprocess.run([*run, str(tmp_path / "old.md"), str(tmp_path / "new.md"), "--names", "a", "b"],
                           cwd=ROOT, capture_output=True, text=True)
    assert worse.returncode == 1
    assert worse.stdout.splitlines()[0] == "| target | a | b | verdict |"
    assert "| 500-node map drawn within 1 s in headless chromium | 394 ms | 0.45 s | worse |" in worse.stdout
    same = subprocess.run([*run, str(tmp_path / "old.md"), str(tmp_path / "same.md"), "-o", str(tmp_path / "c.md")],
                          cwd=ROOT, capture_output=True, text=True)
    assert same.returncode == 0 and same.stdout == ""
    table = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert table.count("| same |") == 5 and table.count("| same, same |") == 1  # drawn and click
    missing = subprocess.run([*run, str(tmp_path / "nope.md"), str(tmp_path / "new.md")],
                             cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"bench.against: cannot read {tmp_path / 'nope.md'}: No such file or directory"


def test_an_older_map_page_gets_the_newer_pages_font_and_waits_for_it():
    from bench.maps_ab import with_font

    old = ('<html><head><style>body{}</style></head><body><script>(function () {\n  "use strict";\n'
           '  var D = JSON.parse("{}");\n'
           '  var v = { font: { color: "#1a1a1a", size: n.size ? Math.round(12 + (n.size - 14) * 0.6) : 14 } };\n'
           "})();</script></body></html>")
    new = "<style id=\"ikg-font\">@font-face{font-family:'impactkg-ja';src:url(data:font/woff;base64,AAAA)}</style>"
    page = with_font(old, new)
    assert page == (
        "<html><head><style id=\"ikg-font\">@font-face{font-family:'impactkg-ja';src:url(data:font/woff;base64,AAAA)}"
        "</style>\n<style>body{}</style></head><body><script>document.fonts.load('14px \"impactkg-ja\"', \"\\u3042\")"
        '.then(function () {(function () {\n  "use strict";\n  var D = JSON.parse("{}");\n'
        '  var v = { font: { color: "#1a1a1a", size: n.size ? Math.round(12 + (n.size - 14) * 0.6) : 14, '
        "face: \"'impactkg-ja',sans-serif\" } };\n})();});</script></body></html>")
    with pytest.raises(ValueError, match="embeds no font"):
        with_font(old, "<style id=\"ikg-font\"></style>")
    with pytest.raises(ValueError, match="not laid out as 543ffb4's map page"):
        with_font("<html></html>", new)


def test_maps_ab_names_a_page_it_cannot_find(tmp_path):
    (tmp_path / "new.html").write_text("<html></html>", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bench.maps_ab", str(tmp_path / "old.html"), str(tmp_path / "new.html"),
                           "--nodes", "10"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == f"bench.maps_ab: no such page: {tmp_path / 'old.html'}"
