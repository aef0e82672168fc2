"""Graph files that open right: GEXF with the maps' colours, sizes and shapes, valid against the
GEXF 1.2 schema rules and read back by networkx; Cytoscape.js JSON with an object as its
top-level ``data``; GraphML with typed attributes."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from gexf12 import NS, VIZ, validate_gexf

from impactkg.graph import export as ex
from impactkg.graph.maps.view import STYLES

GOAL_11 = "http://metadata.un.org/sdg/11"
IND_1 = "https://w3id.org/impactkg/id/indicator/consortium-1"
CORE = "https://w3id.org/impactkg/id/factor/consortium-core-issue-approach"


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.fixture(scope="module")
def files(kg, tmp_path_factory):
    folder = tmp_path_factory.mktemp("graphfiles")
    out = {}
    for fmt in ex.GRAPH_FORMATS:
        out[fmt] = folder / f"all.{fmt}"
        ex.write_graph(kg, ex.select(kg), out[fmt], fmt)
    out["graph"] = ex.to_networkx(kg.quads())
    return out


def test_gexf_is_valid_gexf_1_2(files):
    assert validate_gexf(files["gexf"]) == []


def test_gexf_nodes_carry_the_map_palette(files):
    expected = files["graph"]
    root = ET.parse(files["gexf"]).getroot()
    viz = {}
    for node in root.iter(f"{{{NS}}}node"):
        c, s, sh = (node.find(f"{{{VIZ}}}{t}") for t in ("color", "size", "shape"))
        assert c is not None and s is not None and sh is not None, node.get("id")
        viz[node.get("id")] = ((int(c.get("r")), int(c.get("g")), int(c.get("b"))),
                               float(s.get("value")), sh.get("value"))
    assert len(viz) == expected.number_of_nodes()
    # The colour of every node is its class's colour on the interactive maps.
    for n, d in expected.nodes(data=True):
        assert viz[n][0] == rgb(STYLES.get(d["map_class"], STYLES["resource-other"])[0]), n
    # An indicator is a purple dot on the maps: a disc here; a goal's star is a diamond,
    # an intervention factor's box a square.
    assert viz[IND_1][0] == (0xCA, 0xB2, 0xD6) and viz[IND_1][2] == "disc"
    assert viz[GOAL_11][0] == (0xE3, 0x1A, 0x1C) and viz[GOAL_11][2] == "diamond"
    assert expected.nodes[CORE]["map_class"] == "intervention" and viz[CORE][2] == "square"
    # Size grows with the square root of the degree.
    degree = expected.degree(GOAL_11)
    assert degree == expected.nodes[GOAL_11]["degree"] > 10
    assert viz[GOAL_11][1] == round(10 + 4 * math.sqrt(degree), 1)


def test_gexf_reads_back_with_labels_and_typed_attributes(files):
    g = nx.read_gexf(files["gexf"])
    expected = files["graph"]
    assert g.number_of_nodes() == expected.number_of_nodes()
    assert g.number_of_edges() == expected.number_of_edges()
    node = g.nodes[IND_1]
    assert node["label"] == "地震後施設復旧時間" and node["label_ja"] == "地震後施設復旧時間"
    assert node["type"] == "Indicator" and node["map_class"] == "indicator"
    assert node["degree"] == expected.nodes[IND_1]["degree"] and isinstance(node["degree"], int)
    assert node["source_line"] == 301 and isinstance(node["doubtful"], bool)
    root = ET.parse(files["gexf"]).getroot()
    types = {(block.get("class"), a.get("title")): a.get("type")
             for block in root.iter(f"{{{NS}}}attributes") for a in block}
    assert types["node", "degree"] == "long" and types["node", "doubtful"] == "boolean"
    assert types["node", "label_ja"] == "string" and types["edge", "inferred"] == "boolean"
    assert types["node", "source_line"] == types["edge", "source_line"] == "long"
    causal = [d for *_, d in g.edges(data=True) if d["relation"] == "causes"]
    assert causal and all(isinstance(d["inferred"], bool) for d in causal)
    assert {d["label"] for d in causal} == {"causes"}


def test_the_gexf_check_rejects_what_the_schema_forbids(files, tmp_path):
    text = files["gexf"].read_text(encoding="utf-8")
    # networkx writes a `name` attribute on <graph>, which GEXF 1.2 does not have: the
    # export moves the name to <meta><description>.
    plain = nx.MultiDiGraph(name="x")
    plain.add_edge("a", "b")
    assert any("'name' is not allowed" in e for e in validate_gexf("".join(nx.generate_gexf(plain)).encode()))
    broken = (
        text.replace('<viz:shape value="disc" />', '<viz:shape value="star" />', 1)
        .replace('r="202"', 'r="300"', 1)
        .replace('title="degree" type="long"', 'title="degree" type="number"', 1)
    )
    errors = validate_gexf(broken.encode("utf-8"))
    assert any("value='star' is not one of" in e for e in errors)
    assert any("r=300 is outside" in e for e in errors)
    assert any("type='number' is not one of" in e for e in errors)
    first_edge_target = ET.parse(files["gexf"]).getroot().find(f".//{{{NS}}}edge").get("target")
    dangling = text.replace(f'target="{first_edge_target}"', 'target="nowhere"', 1)
    assert any("target 'nowhere' is not a node" in e for e in validate_gexf(dangling.encode("utf-8")))


def test_cytoscape_json_has_an_object_as_data_and_reads_back(files):
    data = json.loads(files["cyjs"].read_text(encoding="utf-8"))
    assert data["data"] == {"name": "impactkg: the whole graph"}
    g = nx.cytoscape_graph(data, name="label", ident="id")
    expected = files["graph"]
    assert g.graph["name"] == "impactkg: the whole graph"
    assert g.number_of_nodes() == expected.number_of_nodes()
    assert g.number_of_edges() == expected.number_of_edges()
    node = g.nodes[GOAL_11]
    assert node["type"] == "SDGGoal" and node["color"] == STYLES["sdg-goal"][0]
    assert node["shape"] == "star" and node["size"] == round(10 + 4 * math.sqrt(node["degree"]), 1)
    assert g.nodes[IND_1]["shape"] == "ellipse" and g.nodes[CORE]["shape"] == "round-rectangle"
    styles = {s["selector"]: s["style"] for s in data["style"]}
    assert styles["node"]["background-color"] == "data(color)"


def test_graphml_keeps_typed_attributes(files):
    root = ET.parse(files["graphml"]).getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(f"{ns}key")}
    assert keys[("node", "degree")] == "long" and keys[("node", "source_line")] == "long"
    assert keys[("node", "doubtful")] == "boolean" and keys[("node", "label_ja")] == "string"
    assert keys[("edge", "inferred")] == "boolean" and keys[("edge", "delay")] == "boolean"
    g = nx.read_graphml(files["graphml"])
    node = g.nodes[IND_1]
    assert node["degree"] == files["graph"].nodes[IND_1]["degree"] and isinstance(node["degree"], int)
    assert node["source_line"] == 301 and node["doubtful"] is False
    doubtful = [n for n, d in g.nodes(data=True) if d["doubtful"]]
    assert len(doubtful) == len({n for n, d in files["graph"].nodes(data=True) if d["doubtful"]}) > 0
    delayed = [d for *_, d in g.edges(data=True) if d.get("delay") is True]
    assert delayed and all(d["relation"] == "causes" for d in delayed)
