"""The store's load/replace path (KnowledgeGraph.load/replace_graphs/build/drop and the Oxigraph
back end under them): each named graph replaced as a whole, additions kept once, a failure
anywhere leaves every graph exactly as it was, and the summary counts what was written."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from conftest import embedded_graph

from impactkg import KnowledgeGraph, LoadError, StoreError

G1, G2 = "https://example.org/g1", "https://example.org/g2"
S, P = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")


def quad(o: str, g: str) -> ox.Quad:
    return ox.Quad(S, P, ox.Literal(o), ox.NamedNode(g))


def content(kg: KnowledgeGraph) -> list[str]:
    return kg.canonical_nquads()


@pytest.fixture
def small() -> KnowledgeGraph:
    kg = KnowledgeGraph.memory()
    kg.replace_graphs({G1: [quad("a", G1), quad("b", G1)], G2: [quad("c", G2)]})
    return kg


def test_replace_graphs_replaces_each_graph_whole_and_adds_once(small):
    extra = quad("x", "https://example.org/extra")
    summary = small.replace_graphs({G1: [quad("z", G1)]}, [("f.csv", G1, 1, 1)], additions=[extra, quad("c", G2)])
    assert content(small) == sorted(str(q) for q in (quad("z", G1), quad("c", G2), extra))
    assert (summary.sources, summary.triples_before, summary.triples_after) == ([("f.csv", G1, 1, 1)], 3, 3)
    summary = small.replace_graphs({G2: []})  # an empty list removes the graph
    assert small.graphs() == ["https://example.org/extra", G1]
    assert (summary.triples_before, summary.triples_after) == (3, 2)


def test_a_failure_during_a_replace_restores_every_graph_and_removes_the_additions(small, tmp_path):
    """The last step (a file the store parses itself) fails: the graphs replaced before it and
    the additions made before it are undone."""
    from impactkg.loaders.rdf import unchecked_rdf

    before = content(small)
    bad = tmp_path / "bad.ttl"
    bad.write_text('<https://example.org/s> <https://example.org/p> "unterminated .\n', encoding="utf-8")
    broken = unchecked_rdf(bad, "https://example.org/g3")
    with pytest.raises(LoadError):
        small.replace_graphs({G1: [quad("new", G1)], G2: []}, additions=[quad("added", "https://example.org/g4")],
                             files=[broken])
    assert content(small) == before
    assert small.graphs() == [G1, G2]


def test_a_file_the_store_parses_is_counted_once_loaded(small, tmp_path):
    good = tmp_path / "more.ttl"
    good.write_text('<https://example.org/s> <https://example.org/p> "1", "2", "3" .\n', encoding="utf-8")
    summary = small.load(good, graph=G2)  # replaces G2 (1 triple) with the file's 3
    assert summary.sources == [("more.ttl", G2, 0, 3)]
    assert (summary.triples_before, summary.triples_after) == (3, 5)
    again = small.load(good, graph=G2)
    assert again.sources == [("more.ttl", G2, 0, 3)] and (again.triples_before, again.triples_after) == (5, 5)
    fresh = small.load(good, graph="https://example.org/new")
    assert fresh.sources == [("more.ttl", "https://example.org/new", 0, 3)]
    from impactkg.loaders.rdf import unchecked_rdf

    extra = quad("added", "https://example.org/g4")
    both = small.replace_graphs({}, [("more.ttl", "https://example.org/g5", 0, None)], additions=[extra],
                                files=[unchecked_rdf(good, "https://example.org/g5")])
    assert str(extra) in content(small) and len(small.sparql("SELECT * WHERE { GRAPH <https://example.org/g5> "
                                                               "{ ?s ?p ?o } }")) == 3
    assert both.sources[0][:3] == ("more.ttl", "https://example.org/g5", 0)
    # Counted once loaded, as the only source of its load: what the store gained, plus what the
    # graph it replaces held before (the same file again gains nothing, yet gave 3 triples); a
    # count the caller knows is kept as given.
    g6 = "https://example.org/g6"
    first = small.replace_graphs({}, [("more.ttl", g6, 0, None)], files=[unchecked_rdf(good, g6)])
    assert first.sources == [("more.ttl", g6, 0, 3)] and first.triples_after == first.triples_before + 3
    again = small.replace_graphs({}, [("more.ttl", g6, 0, None), ("known.csv", G1, 2, 7)],
                                 files=[unchecked_rdf(good, g6)])
    assert again.sources == [("more.ttl", g6, 0, 3), ("known.csv", G1, 2, 7)]
    assert again.triples_before == again.triples_after


def test_build_loads_the_ontology_and_the_dataset_once(tmp_path):
    kg = KnowledgeGraph.memory()
    summary = kg.build()
    graphs = kg.graphs()
    assert graphs[0] == "https://w3id.org/impactkg/graph/consortium/bundles"
    assert "https://w3id.org/impactkg/graph/ontology" in graphs
    assert summary.triples_before == 0 and summary.triples_after == len(kg)
    assert summary.sources[0][:3] == ("impactkg.ttl", "https://w3id.org/impactkg/graph/ontology", 0)
    ontology = summary.sources[0][3]
    assert ontology == int(kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/impactkg/graph/ontology> "
                                     "{ ?s ?p ?o } }").terms[0][0].value)
    size = len(kg)
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/a> <https://example.org/p> "x" .\n', encoding="utf-8")
    again = kg.build(extra)  # the dataset is there: only the ontology and the file
    assert len(kg) == size + 1 and again.sources[-1] == ("extra.ttl", "https://w3id.org/impactkg/graph/extra", 0, 1)
    assert [s for s, *_ in again.sources] == ["impactkg.ttl", "extra.ttl"]
    empty = KnowledgeGraph.memory()
    both = empty.build(extra)  # an empty graph gets the dataset as well
    assert len(empty) == size + 1 and len(both.sources) == len(summary.sources) + 1


def test_a_back_end_made_directly_is_writable():
    from impactkg.graph.backends.oxigraph import OxigraphBackend

    backend = OxigraphBackend()
    backend.replace_graphs({G1: [quad("a", G1)]})
    assert backend.graph_names() == [G1] and len(backend) == 1


def test_drop_and_graph_names(small):
    small.drop(G1)
    assert small.graphs() == [G2]
    with pytest.raises(StoreError) as err:
        small.drop(G1)
    assert str(err.value) == f"no named graph <{G1}>"
    small._backend.store.add(ox.Quad(S, P, ox.Literal("d"), ox.DefaultGraph()))
    assert small.graphs() == [G2]  # the default graph is not a named graph


def test_a_store_folder_records_its_graphs_and_a_read_only_one_refuses_writes(tmp_path):
    path = tmp_path / "store"
    with KnowledgeGraph.open(path) as kg:
        kg.replace_graphs({G2: [quad("c", G2)], G1: [quad("a", G1)]})
        assert json.loads((path / "impactkg.json").read_text(encoding="utf-8")) == {
            "format": "impactkg-store", "version": 2, "graphs": [G1, G2]}
        kg.drop(G2)
        assert json.loads((path / "impactkg.json").read_text(encoding="utf-8"))["graphs"] == [G1]
        # A second writer is not refused at open: it reads the store beside the first, and each
        # write it tries is refused with the reason (issue 12: one writer per store folder).
        with KnowledgeGraph.open(path) as second:
            assert second.graphs() == [G1]
            with pytest.raises(StoreError) as err:
                second.drop(G1)
            assert str(err.value) == (f"cannot open the store at {path} for writing: another process writes to it "
                                      "(open it read-only, or stop that process)")
            assert second.graphs() == [G1]
    meta = (path / "impactkg.json").read_text(encoding="utf-8")
    reader = KnowledgeGraph.open(path, read_only=True)
    try:
        assert reader.graphs() == [G1]
        for change in (lambda: reader.replace_graphs({G1: []}), lambda: reader.drop(G1),
                       lambda: reader.update("INSERT DATA { <https://e/a> <https://e/b> 1 }")):
            with pytest.raises(StoreError) as err:
                change()
            assert str(err.value) == f"the store at {path} is open read-only: open it without read_only to change it"
        assert reader.graphs() == [G1]
    finally:
        reader.close()
    assert (path / "impactkg.json").read_text(encoding="utf-8") == meta
    with KnowledgeGraph.open(path) as again:  # the first writer, closed, let go of the store
        assert again.canonical_nquads() == [str(quad("a", G1))]
        again.drop(G1)
        assert again.graphs() == []


def test_a_store_folder_loads_a_file_the_store_parses_itself(tmp_path):
    good = tmp_path / "more.ttl"
    good.write_text('<https://example.org/s> <https://example.org/p> "1", "2", "3" .\n', encoding="utf-8")
    with KnowledgeGraph.open(tmp_path / "store") as kg:
        kg.replace_graphs({G1: [quad("a", G1)]})
        summary = kg.load(good, graph=G2)
        assert summary.sources == [("more.ttl", G2, 0, 3)] and (summary.triples_before, summary.triples_after) == (1, 4)
        assert kg.canonical_nquads() == sorted([str(quad("a", G1)), *(str(quad(v, G2)) for v in "123")])


def test_a_store_folder_with_query_workers_records_its_graphs_after_each_write(tmp_path):
    """The query workers' back end has no staging count of its own: each write still rewrites
    the folder's record of its graphs."""
    path = tmp_path / "store"
    with KnowledgeGraph.open(path, workers=1) as kg:
        kg.replace_graphs({G1: [quad("a", G1)], G2: [quad("c", G2)]})
        assert json.loads((path / "impactkg.json").read_text(encoding="utf-8"))["graphs"] == [G1, G2]
        kg.drop(G1)
        assert json.loads((path / "impactkg.json").read_text(encoding="utf-8"))["graphs"] == [G2]


def test_a_load_into_memory_keeps_every_chunk(tmp_path, monkeypatch):
    """Only a store folder streams a load in chunks: in memory, a table of more quads than a
    chunk holds is written whole, every row of it."""
    from impactkg.loaders import batch

    monkeypatch.setattr(batch, "CHUNK", 50)
    kg = KnowledgeGraph.memory()
    path = tmp_path / "many.csv"
    path.write_text("id,indicator\n" + "".join(f"{i},指標{i}\n" for i in range(1, 41)), encoding="utf-8")
    summary = kg.load(path, namespace="chunks")
    graph = "https://w3id.org/impactkg/graph/chunks/many"
    n = int(kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").terms[0][0].value)
    assert summary.sources == [("many.csv", graph, 40, n)] and n > 50
    ids = kg.sparql(f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?i a ikg:Indicator }} }}")
    assert ids.dicts() == [{"n": 40}]


def test_a_load_that_fails_changes_nothing_in_the_embedded_graph(tmp_path):
    kg = embedded_graph()
    before = content(kg)
    good = tmp_path / "good.ttl"
    good.write_text('<https://example.org/a> <https://example.org/p> "x" .\n', encoding="utf-8")
    bad = tmp_path / "values.csv"
    bad.write_text("indicator,kind,value\nnope,baseline,1\n", encoding="utf-8")
    with pytest.raises(LoadError):
        kg.load(good, bad)
    assert content(kg) == before


def test_an_rdf_file_loads_without_the_workbook_reader(tmp_path):
    """Only a workbook is opened as one: openpyxl (with numpy, half a second) is not imported
    to load an N-Triples file, and the load says what it loaded."""
    import subprocess
    import sys

    nt = tmp_path / "tiny.nt"
    nt.write_text('<http://example.org/s> <http://example.org/p> "1" .\n', encoding="utf-8")
    code = ("import sys\nfrom impactkg import KnowledgeGraph\nkg = KnowledgeGraph.memory()\n"
            f"print(kg.load({str(nt)!r}).triples_after, 'openpyxl' in sys.modules, 'numpy' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["1", "False", "False"]


def test_is_empty_asks_every_back_end_without_counting(tmp_path):
    """``is_empty`` (one quad looked up, or an ASK through query workers) agrees with the count."""
    nt = tmp_path / "one.nt"
    nt.write_text('<http://example.org/s> <http://example.org/p> "1" .\n', encoding="utf-8")
    folder = tmp_path / "store"
    with KnowledgeGraph.open(folder) as kg:
        assert kg.is_empty() and len(kg) == 0
    with KnowledgeGraph.open(folder, workers=1) as kg:
        assert kg.is_empty()
    with KnowledgeGraph.open(folder) as kg:
        kg.load(nt)
        assert not kg.is_empty()
    with KnowledgeGraph.open(folder, workers=1) as kg:
        assert (kg.is_empty(), len(kg)) == (False, 1)
    memory = KnowledgeGraph.memory()
    assert memory.is_empty()
    memory.load(nt)
    assert not memory.is_empty()
