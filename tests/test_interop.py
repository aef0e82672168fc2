"""Interoperability: the UN SDG KOS and IRIS+ importers, the crosswalk, and the CIDS export."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from conftest import REFERENCE
from rdflib.compare import isomorphic

from impactkg import LoadError
from impactkg.graph.analysis import crosswalk as cw
from impactkg.graph.export import cids
from impactkg.loaders.irisplus import IRIS_NS, import_iris_plus
from impactkg.loaders.sdgkos import import_sdg_kos

FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).with_name("impactkg")
KOS = REFERENCE / "un-sdg-kos"
IRIS = REFERENCE / "iris-plus"
CIDS_REF = REFERENCE / "cids"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference data not at {path} (../shared/reference is absent)")
    return path


def ask(kg, text: str) -> bool:
    return bool(kg.sparql(text))


def count(kg, text: str) -> int:
    return int(kg.sparql(text).dicts()[0]["n"])


# ---------------------------------------------------------------------- UN SDG KOS
def test_sdg_kos_sample_merges_with_the_built_in_reference(fresh_kg):
    before = fresh_kg.sparql("SELECT ?l (LANG(?l) AS ?lang) WHERE { sdg:3 skos:prefLabel ?l }").dicts()
    summary = import_sdg_kos(fresh_kg, FIXTURES / "sdg-kos-sample.ttl")
    assert summary.sources[0][2] == 4  # goal 3, target 3.4, two indicators
    # https IRIs are normalised: nothing of the KOS is left under https://metadata.un.org
    assert not ask(fresh_kg, 'ASK { { ?s ?p ?o } UNION { ?o ?p ?s } FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://metadata.un.org")) }')
    labels = {(r["l"], r["lang"]) for r in fresh_kg.sparql(
        "SELECT ?l (LANG(?l) AS ?lang) WHERE { sdg:3 skos:prefLabel ?l }").dicts()}
    assert ("Good Health and Well-being", "en") in labels and ("すべての人に健康と福祉を", "ja") in labels
    assert ("Permettre à tous de vivre en bonne santé et promouvoir le bien-être de tous à tout âge", "fr") in labels
    # one prefLabel per language: the file's fr and es take the place of the embedded release's
    assert sorted(lang for _, lang in labels) == sorted(r["lang"] for r in before) == ["en", "es", "fr", "ja"]
    assert {r["g"] for r in fresh_kg.sparql(
        "SELECT ?g WHERE { GRAPH ?g { sdg:3 skos:prefLabel ?l FILTER(lang(?l) = 'fr') } }").dicts()} == {
        "https://w3id.org/impactkg/graph/sdg-kos/sdg-kos-sample"}
    assert ask(fresh_kg, 'ASK { sdg:3 skos:definition "Ensure healthy lives and promote well-being for all at all ages"@en }')
    assert count(fresh_kg, "SELECT (COUNT(?n) AS ?n) WHERE { sdg:3.4 skos:notation ?n }") == 1
    # indicators: linked to their target (3.4.2 through skos:broader), with codes and agency
    rows = fresh_kg.sparql(
        "SELECT ?i ?code ?perm WHERE { ?i sdgo:isIndicatorOf sdg:3.4 ; skos:notation ?code ; "
        "dcterms:identifier ?perm . sdg:3.4 sdgo:hasIndicator ?i } ORDER BY ?code").dicts()
    assert [(r["code"], r["perm"]) for r in rows] == [("3.4.1", "C030401"), ("3.4.2", "C030402")]
    assert ask(fresh_kg, 'ASK { sdg:C030401 sdgo:custodianAgency "WHO" ; sdgo:tier sdgo:tier_I }')
    assert fresh_kg.validate().conforms
    # importing again replaces the file's graph
    n = len(fresh_kg)
    import_sdg_kos(fresh_kg, FIXTURES / "sdg-kos-sample.ttl")
    assert len(fresh_kg) == n


def test_sdg_kos_problems_name_the_file_and_change_nothing(fresh_kg, tmp_path):
    orphan = tmp_path / "orphan.ttl"
    orphan.write_text(
        "<http://metadata.un.org/sdg/C039901> a <http://metadata.un.org/sdg/ontology#Indicator> ;\n"
        "  <http://metadata.un.org/sdg/ontology#isIndicatorOf> <http://metadata.un.org/sdg/3.99> .\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://metadata.un.org/sdg/3> a \n", encoding="utf-8")
    empty = tmp_path / "other.ttl"
    empty.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    before = fresh_kg.canonical_nquads()
    with pytest.raises(LoadError) as err:
        import_sdg_kos(fresh_kg, FIXTURES / "sdg-kos-sample.ttl", orphan, broken, empty)
    text = str(err.value)
    assert "orphan.ttl" in text and "unknown target" in text and "C039901" in text
    assert "broken.ttl:" in text and "other.ttl" in text and "is this the UN SDG KOS" in text
    assert fresh_kg.canonical_nquads() == before


def test_the_un_sdg_kos_reference_release():
    from impactkg import KnowledgeGraph

    kg = KnowledgeGraph.memory()
    kg.build()
    import_sdg_kos(kg, need(KOS / "sdg-kos-goals-targets-indicators.ttl"), need(CIDS_REF / "SDGImpacts.ttl"))
    assert count(kg, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a sdgo:Indicator ; sdgo:isIndicatorOf ?t . ?t a sdgo:Target }") == 232
    assert count(kg, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a sdgo:Goal ; skos:prefLabel ?l FILTER(lang(?l) = 'es') }") == 17
    assert count(kg, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a sdgo:Target }") == 169
    # CIDS's https IRIs land on the same goals
    assert not ask(kg, 'ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://metadata.un.org")) }')
    assert ask(kg, 'ASK { sdg:1 skos:altLabel "Goal 1: No poverty"@en }')
    assert kg.validate().conforms


# ---------------------------------------------------------------------- IRIS+
def iris_rows(kg, metric: str, prop: str) -> set[str]:
    return {str(r["o"]) for r in kg.sparql(f"SELECT ?o WHERE {{ <{IRIS_NS}{metric}> {prop} ?o }}").dicts()}


def test_iris_plus_csv_metrics_with_sdg_targets_and_dimensions(fresh_kg):
    summary = import_iris_plus(fresh_kg, FIXTURES / "iris-plus-sample.csv")
    assert summary.sources[0][2] == 10
    assert count(fresh_kg, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ikg:IrisMetric ; skos:inScheme ?s }") == 10
    assert iris_rows(fresh_kg, "PD9101", "ikg:sdgTarget") == {"http://metadata.un.org/sdg/7.2", "http://metadata.un.org/sdg/9.4"}
    assert iris_rows(fresh_kg, "PD9101", "ikg:sdgGoal") == {"http://metadata.un.org/sdg/7", "http://metadata.un.org/sdg/9"}
    assert {d.rsplit("/", 1)[-1] for d in iris_rows(fresh_kg, "PD9101", "ikg:impactDimension")} == {"what", "how-much-scale"}
    assert iris_rows(fresh_kg, "PD9101", "ikg:unitText") == {"Megawatt hours (MWh)"}
    assert iris_rows(fresh_kg, "PD9101", "skos:prefLabel") == {"Renewable Energy Generated"}
    assert iris_rows(fresh_kg, "PD9101", "ikg:sourceLine") == {"3"}
    assert ask(fresh_kg, f"ASK {{ <{IRIS_NS}FP9109> owl:deprecated true }}")
    # the dimensions are concepts with ja and en labels, How Much split in three
    dims = fresh_kg.sparql(
        "SELECT ?ja ?en WHERE { ?d a ikg:ImpactDimension ; skos:broader ?b ; skos:prefLabel ?ja , ?en "
        "FILTER(lang(?ja) = 'ja' && lang(?en) = 'en') ?b skos:notation 'how-much' }").dicts()
    assert {d["en"] for d in dims} == {"How Much: Scale", "How Much: Depth", "How Much: Duration"}
    assert fresh_kg.validate().conforms


def test_iris_plus_xlsx_reads_the_catalogue_sheet(fresh_kg, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Read Me"
    wb.active.append(["This workbook lists IRIS+ metrics."])
    ws = wb.create_sheet("IRIS+ 5.3 Catalog of Metrics")
    with open(FIXTURES / "iris-plus-sample.csv", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    book = tmp_path / "iris.xlsx"
    wb.save(book)
    summary = import_iris_plus(fresh_kg, book)
    assert summary.sources[0][2] == 10
    assert iris_rows(fresh_kg, "OI9106", "ikg:sdgTarget") == {"http://metadata.un.org/sdg/16.1"}


def test_iris_plus_problems_are_located_and_change_nothing(fresh_kg, tmp_path):
    rows = list(csv.reader(open(FIXTURES / "iris-plus-sample.csv", encoding="utf-8", newline="")))
    header = rows[0]
    header[header.index("SDG Target 3.4.")] = "SDG Target 3.99."
    rows[1][0] = "P4060"  # malformed ID
    rows[2][header.index("What")] = "yes"  # not X
    rows[3][0] = rows[4][0]  # duplicate ID
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = fresh_kg.canonical_nquads()
    with pytest.raises(LoadError) as err:
        import_iris_plus(fresh_kg, bad)
    problems = [str(p) for p in err.value.problems]
    assert "bad.csv:1:SDG Target 3.99.: unknown SDG target '3.99'" in problems
    assert any(p.startswith("bad.csv:2:ID: not an IRIS+ metric ID: 'P4060'") for p in problems)
    assert "bad.csv:3:What: expected X or an empty cell, got 'yes'" in problems
    assert any(p.startswith("bad.csv:5:ID: duplicate ID") for p in problems)
    assert fresh_kg.canonical_nquads() == before


def test_iris_plus_skos_form_names_the_same_metrics(fresh_kg):
    before = set(fresh_kg.graphs())
    import_iris_plus(fresh_kg, FIXTURES / "iris-plus-sample.csv", FIXTURES / "iris-plus-sample.ttl")
    # both forms describe one resource per metric
    assert iris_rows(fresh_kg, "PI9103", "skos:prefLabel") == {"Floor Area Damaged by Disasters"}
    assert iris_rows(fresh_kg, "PI4060", "prov:hadPrimarySource") == {"https://iris.thegiin.org/metric/5.3/PI4060/"}
    # The two files share a stem: one named graph holds both forms, and nothing else is added.
    assert set(fresh_kg.graphs()) - before == {"https://w3id.org/impactkg/graph/iris-plus/iris-plus-sample"}


def test_the_iris_plus_reference_code_lists(fresh_kg):
    files = [need(IRIS / n) for n in ("IrisMetric53.ttl", "IRISImpactCategory.ttl", "IRISImpactTheme.ttl")]
    import_iris_plus(fresh_kg, *files)
    assert count(fresh_kg, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ikg:IrisMetric }") == 735
    assert iris_rows(fresh_kg, "PI4060", "skos:prefLabel") == {"Client Individuals: Total"}
    assert ask(fresh_kg, 'ASK { ?t skos:prefLabel "Affordable Quality Housing"@en ; skos:broader ?c . '
                         '?c skos:prefLabel "Real Estate"@en }')


# ---------------------------------------------------------------------- crosswalk
@pytest.fixture
def iris_kg(fresh_kg):
    import_iris_plus(fresh_kg, FIXTURES / "iris-plus-sample.csv")
    return fresh_kg


def test_crosswalk_ranks_candidates_by_target_unit_and_label(iris_kg):
    by_ind: dict[str, list[cw.Candidate]] = {}
    for c in cw.candidates(iris_kg, top=3):
        by_ind.setdefault(c.indicator.rsplit("/", 1)[-1], []).append(c)
    best = {k: v[0] for k, v in by_ind.items()}
    # 損壊床面積 (㎡, 11.b) -> Floor Area Damaged by Disasters (square meters, 11.b)
    assert best["consortium-2"].metric_id == "PI9103"
    assert best["consortium-2"].sdg == 1.0 and best["consortium-2"].unit == 1.0
    assert best["consortium-2"].label == max(c.label for c in by_ind["consortium-2"]) > 0.8
    # 地震後施設復旧時間 (分) -> the recovery time, not the damaged area of the same target
    assert [c.metric_id for c in by_ind["consortium-1"][:2]] == ["PI9102", "PI9103"]
    assert "unit differs: duration vs area" in by_ind["consortium-1"][1].reasons
    # a renewable-energy indicator without a unit cell: its English label says what it measures
    assert best["consortium-174"].metric_id == "PD9101" and best["consortium-174"].unit == 1.0
    assert "unit compatible: energy vs energy" in best["consortium-174"].reasons
    # ranked best first, at most three per indicator
    for cands in by_ind.values():
        assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True) and len(cands) <= 3


def test_accepted_matches_are_recorded_with_who_and_when(iris_kg):
    m = cw.accept(iris_kg, "2", "PI9103", by="Hanako Sato", match="exact", note="same quantity")
    rows = iris_kg.sparql(
        f"SELECT ?by ?when ?score ?p WHERE {{ GRAPH <{cw.CROSSWALK_GRAPH}> {{ ?ind skos:exactMatch ?metric . "
        f"<{m}> a ikg:Mapping ; ikg:mappingSubject ?ind ; ikg:mappingObject ?metric ; "
        "ikg:mappingPredicate ?p ; dcterms:creator ?by ; dcterms:created ?when ; ikg:matchScore ?score } }"
    ).dicts()
    expected = next(c.score for c in cw.candidates(iris_kg, cw.resolve_indicator(iris_kg, "2")) if c.metric_id == "PI9103")
    assert len(rows) == 1 and rows[0]["by"] == "Hanako Sato" and float(rows[0]["score"]) == expected
    assert rows[0]["p"] == "http://www.w3.org/2004/02/skos/core#exactMatch" and rows[0]["when"].year >= 2024
    cw.accept(iris_kg, "1", "PI9102", by="Taro Suzuki")  # close by default
    listed = iris_kg.query("indicators-iris-equivalent").dicts()
    assert len(listed) == count(iris_kg, "SELECT (COUNT(?i) AS ?n) WHERE { ?i a ikg:Indicator }")
    with_eq = iris_kg.query("indicators-iris-equivalent", equivalent="with").dicts()
    assert {(r["id"], r["metricId"], r["match"], r["acceptedBy"]) for r in with_eq} == {
        ("2", "PI9103", "exact", "Hanako Sato"), ("1", "PI9102", "close", "Taro Suzuki")}
    assert len(iris_kg.query("indicators-iris-equivalent", equivalent="without")) == len(listed) - 2
    # deciding again replaces the earlier decision; removing withdraws it
    cw.accept(iris_kg, "1", "PI9102", by="Taro Suzuki", match="exact")
    assert [r["match"] for r in cw.accepted(iris_kg) if r["indicator"].endswith("consortium-1")] == ["exact"]
    assert not ask(iris_kg, "ASK { <https://w3id.org/impactkg/id/indicator/consortium-1> skos:closeMatch ?m }")
    assert cw.remove(iris_kg, "1", "PI9102") and not cw.remove(iris_kg, "1", "PI9102")
    assert len(cw.accepted(iris_kg)) == 1


def test_crosswalk_refuses_what_is_not_in_the_graph(iris_kg, fresh_kg):
    with pytest.raises(cw.CrosswalkError, match="no IRIS\\+ metric or SDG indicator 'PI0000'"):
        cw.accept(iris_kg, "2", "PI0000", by="x")
    with pytest.raises(cw.CrosswalkError, match="no indicator '9999'"):
        cw.accept(iris_kg, "9999", "PI9103", by="x")
    with pytest.raises(cw.CrosswalkError, match="say who"):
        cw.accept(iris_kg, "2", "PI9103", by=" ")
    assert cw.CROSSWALK_GRAPH not in iris_kg.graphs()


def test_catalogue_indicators_link_to_official_sdg_indicators(fresh_kg):
    import_sdg_kos(fresh_kg, FIXTURES / "sdg-kos-sample.ttl")
    cands = cw.candidates(fresh_kg, cw.resolve_indicator(fresh_kg, "355"), against="sdg")
    # がんの年齢調整罹患率 (3.4) -> 3.4.1 mortality from cardiovascular disease, cancer, ...
    assert cands[0].metric_id == "3.4.1" and cands[0].sdg == 1.0 and cands[0].label > 0
    cw.accept(fresh_kg, "355", "3.4.1", by="Hanako Sato")
    assert ask(fresh_kg, "ASK { <https://w3id.org/impactkg/id/indicator/consortium-355> skos:closeMatch sdg:C030401 }")


# ---------------------------------------------------------------------- CIDS
@pytest.fixture(scope="module")
def cids_kg():
    from impactkg import KnowledgeGraph

    kg = KnowledgeGraph.memory()
    kg.build()
    kg.load(FIXTURES / "values-sample.csv", kind="values")
    import_iris_plus(kg, FIXTURES / "iris-plus-sample.csv")
    cw.accept(kg, "2", "PI9103", by="Hanako Sato", match="exact")
    return kg


def test_cids_export_conforms_to_the_team_subset_of_the_basic_tier(cids_kg):
    export = cids.to_cids(cids_kg)
    ok, text = cids.validate(export, FIXTURES / "cids-basic-subset.shacl.ttl")
    assert ok, text
    g = export.graph
    C = rdflib.Namespace("https://ontology.commonapproach.org/cids#")
    indicators = set(g.subjects(rdflib.RDF.type, C.Indicator))
    assert len(indicators) == count(cids_kg, "SELECT (COUNT(?i) AS ?n) WHERE { ?i a ikg:Indicator }")
    ind1 = rdflib.URIRef("https://w3id.org/impactkg/id/indicator/consortium-1")
    # the current value with a number and a year is an IndicatorReport; the target value is not
    reports = list(g.objects(ind1, C.hasIndicatorReport))
    assert len(reports) == 1
    i72 = rdflib.Namespace("http://ontology.eil.utoronto.ca/ISO21972/iso21972#")
    measure = g.value(reports[0], i72.value)
    assert str(g.value(measure, i72.hasNumericalValue)) == "95"
    assert str(g.value(reports[0], rdflib.URIRef("http://www.w3.org/ns/prov#startedAtTime"))) == "2024-01-01T00:00:00"
    # SDG goals as themes with CIDS's https IRIs; the accepted IRIS+ match as a code
    assert (ind1, C.forTheme, rdflib.URIRef("https://metadata.un.org/sdg/11")) in g
    ind2 = rdflib.URIRef("https://w3id.org/impactkg/id/indicator/consortium-2")
    assert (ind2, C.hasCode, rdflib.URIRef(IRIS_NS + "PI9103")) in g
    # what CIDS cannot express is listed with counts and reasons
    listed = {u.what: u for u in export.unexpressed}
    people = count(cids_kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ikg:Person }")
    assert listed["ikg:Person"].count == people and "no CIDS" in listed["ikg:Person"].reason
    assert listed["ikg:FinanceCase"].count > 0
    assert any(u.what == "ikg:IndicatorValue" and "target" in u.reason for u in export.unexpressed)
    assert any(u.what == "ikg:IndicatorValue" and "without a number" in u.reason for u in export.unexpressed)
    assert listed["ikg:sourceLine on exported records"].count >= len(indicators)


def test_cids_json_ld_uses_the_cids_context_and_round_trips(cids_kg):
    export = cids.to_cids(cids_kg)
    doc = json.loads(export.serialize("jsonld"))
    assert doc["@context"]["hasName"] == {"@id": "org:hasName", "@type": "xsd:string"}
    names = [n for n in doc["@graph"] if n.get("@id", "").endswith("indicator/consortium-1")]
    assert names and names[0]["hasName"] == "地震後施設復旧時間" and names[0]["@type"] == "cids:Indicator"
    back = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert isomorphic(back, export.graph)
    minimal = json.loads(export.serialize("jsonld", context=cids.MINIMAL_CONTEXT))
    assert isomorphic(rdflib.Graph().parse(data=json.dumps(minimal), format="json-ld"), export.graph)


def test_cids_export_of_the_embedded_dataset_passes_the_basic_tier(kg):
    shapes = need(CIDS_REF / "cids.basictier.shacl.ttl")
    export = cids.to_cids(kg)
    ok, text = cids.validate(export, shapes)
    assert ok, text
    assert export.counts["cids:Indicator"] == count(kg, "SELECT (COUNT(?i) AS ?n) WHERE { ?i a ikg:Indicator }")
    context = json.loads((CIDS_REF / "cidsContext.jsonld").read_text(encoding="utf-8"))["@context"]
    assert cids.load_context(CIDS_REF) == context


def test_export_profile_cids_command(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))
    out = tmp_path / "impactkg-cids.ttl"
    proc = subprocess.run([str(BIN), "export", "--profile", "cids", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert rdflib.Graph().parse(out, format="turtle")
    listed = list(csv.DictReader(open(tmp_path / "impactkg-cids.unexpressed.csv", encoding="utf-8")))
    assert any(r["what"] == "ikg:Person" and int(r["count"]) > 0 for r in listed)
    assert "not expressed in CIDS:" in proc.stdout
    if CIDS_REF.exists():
        assert "CIDS Basic tier (cids.basictier.shacl.ttl): conforms" in proc.stdout
    bad = subprocess.run([str(BIN), "export", "--profile", "cids", "-o", str(tmp_path / "x.nq")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 1 and bad.stderr.startswith("impactkg: error: the CIDS profile writes")


def test_import_and_crosswalk_commands(tmp_path):
    env = dict(os.environ, IMPACTKG_STORE=str(tmp_path / "store"))

    def run(*args):
        return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)

    done = run("import", "iris-plus", str(FIXTURES / "iris-plus-sample.csv"))
    assert done.returncode == 0, done.stderr
    assert "10 rows" in done.stdout
    cands = run("crosswalk", "candidates", "--indicator", "2", "--top", "1", "-f", "csv")
    assert cands.returncode == 0, cands.stderr
    assert list(csv.DictReader(cands.stdout.splitlines()))[0]["candidate"] == "PI9103"
    assert run("crosswalk", "accept", "2", "PI9103", "--by", "Hanako Sato", "--exact").returncode == 0
    q = run("query", "indicators-iris-equivalent", "-p", "equivalent=with", "-f", "csv")
    assert [r["metricId"] for r in csv.DictReader(q.stdout.splitlines())] == ["PI9103"]
    bad = run("import", "iris-plus", str(FIXTURES / "contradiction.ttl"))
    assert bad.returncode == 1 and "no IRIS+ metrics or SKOS concepts" in bad.stderr
    assert "Traceback" not in bad.stderr
