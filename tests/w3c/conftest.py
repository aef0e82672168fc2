"""Session fixtures of the W3C harness: the doors, each store loaded once, each server started
once (on free loopback ports), and the W3C counts printed at the end of the run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from servers import BIN, impactkg_server, oxigraph_server

from impactkg import KnowledgeGraph

from . import w3c_expect
from .w3c_doors import Api, Cli, Endpoint, Features, Layout, Reference, features, file_quads
from .w3c_manifest import protocol_suite, query_suite, results_suite
from .w3c_protocol import Target

IMPACTKG = str(BIN / "impactkg")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    lines = w3c_expect.summary()
    report = os.environ.get("W3C_REPORT")
    if report:  # every outcome but passes, as TSV: how known-failures.tsv is reviewed
        with open(report, "w", encoding="utf-8") as out:
            for (_family, door), rows in sorted(w3c_expect.DETAILS.items()):
                for test, outcome, detail in rows:
                    out.write(f"{test}\t{door}\t{outcome}\t{' '.join(detail.split())}\n")
    if lines:
        terminalreporter.section("W3C SPARQL 1.1 conformance (passes / tests run)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def feats() -> Features:
    return features(IMPACTKG)


@pytest.fixture(scope="session")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="session")
def api(feats: Features) -> Api:
    queries, _ = query_suite()
    return Api(Layout(queries + results_suite()), feats)


@pytest.fixture(scope="session")
def cli(feats: Features, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    folder = tmp_path_factory.mktemp("w3c-cli")
    env = {**os.environ, "IMPACTKG_STORE": str(folder / "unused")}
    return Cli(IMPACTKG, folder / "store", Layout(results_suite()), feats, env)


def _protocol_graphs() -> dict:
    return {label: file_quads(path, label) for t in protocol_suite() for path, label in t.graph_data}


def _store(folder: Path) -> Path:
    """A store folder holding the result-format data and the protocol graphs."""
    kg = KnowledgeGraph.open(folder)
    kg.replace_graphs({**Layout(results_suite()).graphs(), **_protocol_graphs()})
    kg.close()
    return folder


@pytest.fixture(scope="session")
def impactkg_ro(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("w3c-serve-ro")
    with impactkg_server(folder / "server", "--store", str(_store(folder / "store"))) as srv:
        yield Target("impactkg-ro", srv.base, "/sparql", "/sparql", read_only=True)


@pytest.fixture(scope="session")
def impactkg_rw(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("w3c-serve-rw")
    token = secrets.token_hex(16)
    with impactkg_server(folder / "server", "--store", str(_store(folder / "store")),
                         "--allow-update", "--token", token) as srv:
        yield Target("impactkg-rw", srv.base, "/sparql", "/sparql", {"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
def oxigraph_serve(tmp_path_factory: pytest.TempPathFactory):
    with oxigraph_server(tmp_path_factory.mktemp("w3c-oxigraph")) as srv:
        yield Target("oxigraph-serve", srv.base, "/query", "/update")


@pytest.fixture(scope="session")
def endpoint(impactkg_ro: Target) -> Endpoint:
    return Endpoint(impactkg_ro.base, "/sparql", Layout(results_suite()))

