"""The schema as the graph uses it (impactkg.graph.analysis.schema): counts that agree with the
data, SPARQL patterns that find exactly what they count, and the answer to the newcomer's question
of where a property hangs."""

from __future__ import annotations

import pytest

from impactkg.graph.analysis.schema import describe


@pytest.fixture(scope="module")
def schema(kg):
    return describe(kg)


def count(kg, sparql: str) -> int:
    return int(kg.query(sparql).terms[0][0].value)


def test_classes_are_counted_as_the_data_has_them(kg, schema):
    for c in schema.classes[:12]:
        assert c.count == count(kg, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{c.iri}> }}"), c.curie
    indicator = schema.cls("ikg:Indicator")
    assert (indicator.count, indicator.label) == (36, {"ja": "インパクト指標", "en": "Indicator"})
    assert indicator.definition["en"].startswith("A measure of a logic-model element")
    assert schema.classes == sorted(schema.classes, key=lambda c: (-c.count, c.curie))


def test_every_pattern_finds_exactly_what_it_counts(kg, schema):
    checked = 0
    for c in schema.classes:
        for u in c.properties:
            found = count(kg, f"SELECT (COUNT(*) AS ?n) WHERE {{ {u.query().replace(' LIMIT 100', '')} }}")
            assert found == u.count, (c.curie, u.curie, u.pattern)
            assert sum(r.count for r in u.ranges) >= u.count
            checked += 1
    assert checked > 200


def test_where_a_property_hangs(kg, schema):
    # the newcomer's guess finds nothing; the schema says where social issues are
    assert count(kg, "SELECT (COUNT(*) AS ?n) WHERE { ?case a ikg:FinanceCase ; ikg:socialIssue ?i }") == 0
    assert [c.curie for c in schema.used_on("ikg:socialIssue")] == ["ikg:CaseMapEntry"]
    entry = schema.cls("ikg:CaseMapEntry")
    issue = next(u for u in entry.properties if u.curie == "ikg:socialIssue")
    assert issue.pattern == "?caseMapEntry a ikg:CaseMapEntry ; ikg:socialIssue ?socialIssue ."
    assert issue.ranges[0].curie == "ikg:SocialIssue" and issue.count == 64
    incoming = {(i.source, i.curie) for i in schema.cls("ikg:FinanceCase").incoming}
    assert ("ikg:CaseMapEntry", "ikg:case") in incoming


def test_the_chain_is_counted(schema, kg):
    chain = {(a, p, b): n for a, p, b, n in schema.chain_counts()}
    assert chain[("ikg:Activity", "ikg:hasResult", "ikg:Result")] == count(
        kg, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?r WHERE { ?a a ikg:Activity ; ikg:hasResult ?r . ?r a ikg:Result } }")
    assert chain[("sdgo:Target", "sdgo:isTargetOf", "sdgo:Goal")] == 169
    assert chain[("ikg:Indicator", "ikg:measures", "ikg:Result")] + chain[("ikg:Indicator", "ikg:measures", "ikg:Impact")] == 32
