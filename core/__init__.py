"""impactkg: a knowledge graph of impact logic models.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory()
>>> _ = kg.build()
>>> len(kg.query("indicators-for-target", target="11.b"))
17
"""

from __future__ import annotations

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

__version__ = "0.1.0"

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
