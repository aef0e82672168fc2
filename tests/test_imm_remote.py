"""The IMM queries on real SPARQL servers (Oxigraph server and Virtuoso, started on loopback by
tests/servers.py), with the example company and the progress cases loaded: the same answers as
the embedded store, shares and statuses included."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_progress
from servers import oxigraph_server, virtuoso_server
from test_remote import _normalised

from impactkg import KnowledgeGraph

EXAMPLE = Path(__file__).resolve().parents[1] / "notebooks" / "examples" / "imm-example"
QUERIES = ("kpi-pool", "value-chain", "leading-indicators", "progress")


def _load(kg: KnowledgeGraph, folder: Path) -> KnowledgeGraph:
    kg.build()
    kg.load(EXAMPLE / "imm-example.xlsx", namespace="imm-example")
    kg.load(*test_progress.write_cases(folder), namespace="cases", new_concepts=True)  # the unit 点 is the cases' own
    return kg


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> KnowledgeGraph:
    return _load(KnowledgeGraph.memory(), tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="module", params=["oxigraph-server", "virtuoso"])
def remote(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    start = oxigraph_server if request.param == "oxigraph-server" else virtuoso_server
    with start(folder) as srv:
        yield _load(KnowledgeGraph.remote(srv.query_url, srv.update_url), tmp_path_factory.mktemp("cases"))


@pytest.mark.parametrize("name", QUERIES)
def test_imm_queries_give_the_same_answers_on_the_server(remote, local, name):
    for params in ({}, {"org": "example-co"}):
        here = local.query(name, **params).dicts()
        there = remote.query(name, **params).dicts()
        assert here, name
        assert _normalised(name, there) == _normalised(name, here), (name, params)
