"""Shared fixtures: the embedded graph built once, paths to the seed, a private store folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from impactkg import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_d0ae270ccf7f2da6.txt"
REFERENCE = SHARED / "reference"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The embedded dataset in an in-memory Oxigraph store (read-only use in tests)."""
    graph = KnowledgeGraph.memory()
    graph.build()
    return graph


@pytest.fixture
def fresh_kg() -> KnowledgeGraph:
    """A graph of its own, for tests that change it."""
    graph = KnowledgeGraph.memory()
    graph.build()
    return graph


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
