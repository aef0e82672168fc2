"""Shared fixtures: the embedded graph built once, paths to the seed, a private store folder."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from impactkg import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_d0ae270ccf7f2da6.txt"
REFERENCE = SHARED / "reference"


#: Set by .ci/run: without ../shared the suite fails instead of skipping its seed and reference tests.
REQUIRE_SHARED = "IMPACTKG_REQUIRE_SHARED"


def pytest_configure(config: pytest.Config) -> None:
    missing = [p for p in (SEED, REFERENCE) if not p.exists()]
    if missing and os.environ.get(REQUIRE_SHARED):
        raise pytest.UsageError(
            f"{', '.join(str(p) for p in missing)} missing: the seed and reference tests cannot run "
            f"(${REQUIRE_SHARED} is set, as in CI); put the shared folder beside the checkout"
        )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    missing = [p for p in (SEED, REFERENCE) if not p.exists()]
    if missing:
        terminalreporter.write_sep("!", f"NOT RUN: {', '.join(str(p) for p in missing)} missing", red=True)
        terminalreporter.write_line(
            "The tests that read the seed document or the reference data were skipped: put the "
            "shared folder beside the checkout (CI fails without it)."
        )


#: Set by `make mutation` for the modules that building does not go through: the embedded graph
#: as the unmutated code built it, in N-Quads, bulk-loaded instead of built again (0.2 s, not 2).
PREBUILT = "IMPACTKG_TEST_PREBUILT"


def embedded_graph() -> KnowledgeGraph:
    """The ontology and the embedded dataset in a new in-memory graph."""
    graph = KnowledgeGraph.memory()
    prebuilt = os.environ.get(PREBUILT)
    if prebuilt:
        graph._backend.store.bulk_load(path=prebuilt, format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
    else:
        graph.build()
    return graph


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The embedded dataset in an in-memory Oxigraph store (read-only use in tests)."""
    return embedded_graph()


@pytest.fixture
def fresh_kg() -> KnowledgeGraph:
    """A graph of its own, for tests that change it."""
    return embedded_graph()


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"the seed document is not at {SEED}")
    return SEED.read_text(encoding="utf-8").splitlines()


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory, monkeypatch):
    """Commands without --store use a private folder, never the user's."""
    monkeypatch.setenv("IMPACTKG_STORE", str(tmp_path_factory.mktemp("default-store")))
    yield
    os.environ.pop("IMPACTKG_DEBUG", None)
