"""Figures: SVG read by an XML parser, PNG by Pillow, at the size and DPI asked for, with Japanese
drawn as Japanese glyphs (not as empty boxes)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from impactkg.graph.export import figures as fg

BIN = Path(sys.executable).with_name("impactkg")
SVG = "{http://www.w3.org/2000/svg}"


def png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def texts(fig) -> list[str]:
    import matplotlib.text

    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


@pytest.fixture(scope="module")
def imm_kg():
    """The embedded dataset and the example company of notebook 08 (for the value map)."""
    from impactkg import KnowledgeGraph

    graph = KnowledgeGraph.memory()
    graph.build()
    example = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example"
    graph.load(example / "imm-example.xlsx", namespace="imm-example")
    return graph


@pytest.mark.parametrize("name", fg.FIGURES)
def test_each_figure_as_png_and_svg_at_the_size_asked(request, kg, name):
    if name == "value":  # the embedded dataset holds no organisation's value hypotheses
        kg = request.getfixturevalue("imm_kg")
    fig = fg.make_figure(kg, name, width="16cm", height=5)
    image = Image.open(io.BytesIO(fg.render(fig, "png", dpi=80)))
    assert image.format == "PNG" and image.size[1] == 400
    assert abs(image.size[0] - 16 / 2.54 * 80) < 1
    svg = fg.render(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    # made again, the same file (its clip paths' ids were random)
    assert fg.render(fg.make_figure(kg, name, width="16cm", height=5), "svg") == svg
    assert float(root.attrib["width"].removesuffix("pt")) == pytest.approx(16 / 2.54 * 72, abs=0.1)
    assert float(root.attrib["height"].removesuffix("pt")) == pytest.approx(360, abs=0.1)
    assert len(list(root.iter(f"{SVG}path"))) > 20  # the figure is drawn, not an empty canvas


def test_japanese_glyphs_are_drawn_not_boxes(kg):
    font = fg.cjk_font()
    assert font.exists()
    fig = fg.make_figure(kg, "goals", width=7, height=5)
    boxes = fg.label_boxes(fig, dpi=100)
    assert len(boxes) >= 17  # the 17 goal names, the title, the axis label
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = png(fg.render(fig, "png", dpi=100))
    assert not [w for w in caught if "missing from font" in str(w.message)]
    plain = fg.make_figure(kg, "goals", width=7, height=5, font="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boxes_font = png(fg.render(plain, "png", dpi=100))
    assert [w for w in caught if "missing from font" in str(w.message)]
    assert ours.shape == boxes_font.shape
    for left, top, right, bottom in boxes:
        area, other = ours[top:bottom, left:right], boxes_font[top:bottom, left:right]
        assert area.size and (area < 128).any()  # ink where the label is
        assert not np.array_equal(area, other), (left, top, right, bottom)


def _glyph(char: str, font) -> np.ndarray:
    import matplotlib

    with matplotlib.rc_context({"font.family": fg.font_family(font)}):
        fig = fg._new_figure(0.6, 0.6)
        fig.text(0.5, 0.5, char, fontsize=28, ha="center", va="center")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig._impactkg_font = fg.font_family(font)
        return png(fg.render(fig, "png", dpi=100))


def test_different_kanji_are_different_shapes_in_the_cjk_font_only():
    ours = [_glyph(c, None) for c in "貧困"]
    assert not np.array_equal(*ours)
    boxes = [_glyph(c, "DejaVu Sans") for c in "貧困"]
    assert np.array_equal(*boxes)  # a font without the glyphs draws the same empty box


def test_chain_for_one_domain_draws_its_chain_only(kg):
    fig = fg.make_figure(kg, "chain", domain="ヘルスケア・健康", width=10, height=4)
    shown = "".join(texts(fig)).replace("\n", "")
    assert "健康寿命の延伸・健康格差の縮小" in shown and "3.4" in shown
    assert "自然災害等への備え" not in shown
    assert "ヘルスケア・健康" in texts(fig)[0]


def test_system_map_marks_its_loops(kg):
    from impactkg.graph.analysis.system import Link, find_loops

    g, loops, note = fg.system_data(kg)
    found = find_loops([Link(u, v, d["polarity"], d["link"]) for u, v, d in g.edges(data=True)])
    assert len(loops) == len(found) > 0 and note == ""
    r = sum(1 for code, _ in loops if code.startswith("R"))
    fig = fg.make_figure(kg, "system", width=13, height=9)
    shown = texts(fig)
    assert any(f"feedback loops: R {r}, B {len(loops) - r}" in t for t in shown)
    assert "⟳" + loops[0][0] in shown
    assert "人材流出" in shown


def test_heatmap_cells_hold_the_case_numbers(kg):
    issues, methods, cells = fg.heatmap_data(kg)
    assert len(issues) == 7 and methods[0] == "融資"
    fig = fg.make_figure(kg, "heatmap")
    shown = texts(fig)
    for n, numbers in cells.values():
        assert len(numbers.split()) == n
    assert "3 5 6" in shown  # environment x loan, as in the seed


def test_goal_bars_are_the_query_counts(kg):
    goals = fg.goals_data(kg)
    fig = fg.make_figure(kg, "goals")
    bars = sorted(fig.axes[0].patches, key=lambda p: -p.get_y())  # goal 1 at the top
    assert [int(p.get_width()) for p in bars] == [n for _, _, n in goals]
    counts = {r["goalCode"]: r["indicators"] for r in kg.query("indicators-per-goal").dicts()}
    assert dict((c, n) for c, _, n in goals) == counts


@pytest.mark.parametrize("kwargs,message", [
    ({"name": "pie"}, "unknown figure 'pie'"),
    ({"name": "goals", "width": "3km"}, "not a size: '3km'"),
    ({"name": "goals", "width": 0.1}, "out of range"),
    ({"name": "heatmap", "domain": "healthcare-health"}, "--domain narrows the chain figure"),
    ({"name": "chain", "domain": "nowhere"}, "unknown domain 'nowhere'"),
])
def test_bad_requests_are_one_line_errors(kg, kwargs, message):
    from impactkg.errors import ImpactKGError

    with pytest.raises(ImpactKGError) as err:
        fg.make_figure(kg, **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_selection_without_causal_links_has_no_system_map(kg):
    from impactkg.graph.export import select

    with pytest.raises(fg.FigureError, match="no causal links to draw"):
        fg.make_figure(kg, "system", quads=select(kg, domain="healthcare-health").quads)


def test_cli_draws_a_figure_at_the_size_asked(tmp_path):
    out = tmp_path / "goals.png"
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))
    proc = subprocess.run(
        [str(BIN), "export", "--figure", "goals", "--width", "1200px", "--height", "900px",
         "--dpi", "100", "-o", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert Image.open(out).size == (1200, 900)
    proc = subprocess.run([str(BIN), "export", "--format", "png", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("impactkg: error: --format png draws a figure: add --figure "
                                   "chain|system|heatmap|goals|progress|value")
