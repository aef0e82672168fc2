"""impactkg: a knowledge graph of impact logic models.

>>> from impactkg import KnowledgeGraph
>>> kg = KnowledgeGraph.memory()
>>> _ = kg.build()
>>> len(kg.query("indicators-for-target", target="11.b"))
17
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads it the same)
if TYPE_CHECKING:
    from typing import Any

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

#: Where each public name lives. They are imported when first used (PEP 562), so that
#: ``impactkg --help`` and the other quick commands do not pay for the store and its libraries.
_PUBLIC = {
    **{name: "impactkg.graph.store" for name in ("KnowledgeGraph", "LoadSummary", "Stats", "default_store_dir")},
    **{name: "impactkg.graph.sparql.results" for name in ("QueryResult", "Row")},
}


def _installed_version() -> str:
    """The version of the installed distribution (written once, in pyproject.toml), read from
    the name of its ``impactkg-VERSION.dist-info`` folder on ``sys.path``, the first one found as
    :mod:`importlib.metadata` finds it (which is the fallback, and costs ten times more to import)."""
    import os
    import sys

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("impactkg-") and name.endswith(".dist-info"):
                return name[len("impactkg-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("impactkg")
    except PackageNotFoundError:  # pragma: no cover - the package is always run installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _installed_version()
    elif name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in __all__:
        value = getattr(importlib.import_module("impactkg.errors"), name)
    else:
        raise AttributeError(f"module 'impactkg' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})


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
