"""impactkg: a knowledge graph of impact logic models.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory()
>>> _ = kg.build()
>>> len(kg.query("indicators-for-target", target="11.b"))
17
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from impactkg.errors import (
    Busy,
    CidsError,
    CrosswalkError,
    DocsError,
    ExportError,
    FigureError,
    ImpactKGError,
    LoadError,
    MapError,
    Problem,
    QueryError,
    ReasoningError,
    Refused,
    ReportError,
    StoreError,
    TableError,
    TimeLimit,
    TooLarge,
    Unauthorized,
)
from impactkg.graph.sparql.results import QueryResult, Row
from impactkg.graph.store import KnowledgeGraph, LoadSummary, Stats, default_store_dir

try:
    #: The version of the installed distribution (written once, in pyproject.toml).
    __version__: str = _dist_version("impactkg")
except PackageNotFoundError:  # pragma: no cover - the package is always run installed
    __version__ = "0+unknown"

__all__ = [
    "KnowledgeGraph",
    "LoadSummary",
    "Stats",
    "QueryResult",
    "Row",
    "default_store_dir",
    # every error impactkg raises (impactkg.errors)
    "ImpactKGError",
    "Problem",
    "LoadError",
    "QueryError",
    "StoreError",
    "TimeLimit",
    "TooLarge",
    "Busy",
    "Refused",
    "Unauthorized",
    "ExportError",
    "TableError",
    "FigureError",
    "ReportError",
    "CidsError",
    "DocsError",
    "ReasoningError",
    "CrosswalkError",
    "MapError",
]
