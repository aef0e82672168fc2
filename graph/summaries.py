"""What a load did and how large the graph is: the summaries the store returns and the faces print."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadSummary:
    """What a load did: one entry per source (file or sheet), with its graph, rows and triples."""

    sources: list[tuple[str, str, int, int]] = field(default_factory=list)
    triples_before: int = 0
    triples_after: int = 0
    #: What kind of load this was, when it is not plain (a workbook replacing its records).
    note: str = ""

    @property
    def graphs(self) -> list[str]:
        return sorted({g for _, g, _, _ in self.sources})

    def text(self) -> str:
        lines = [self.note] if self.note else []
        lines += [f"{src}: {rows} rows -> {n} triples in <{g}>" for src, g, rows, n in self.sources]
        lines.append(f"store: {self.triples_before} -> {self.triples_after} quads")
        return "\n".join(lines)


@dataclass
class Stats:
    """Size of the graph: quads, triples per named graph, instances per class."""

    quads: int
    graphs: dict[str, int]
    classes: dict[str, int]

    def text(self) -> str:
        lines = [f"quads: {self.quads}", f"named graphs: {len(self.graphs)}"]
        lines += [f"  {n:>7}  {g}" for g, n in self.graphs.items()]
        lines.append("instances per class:")
        lines += [f"  {n:>7}  {c}" for c, n in self.classes.items()]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"quads": self.quads, "graphs": self.graphs, "classes": self.classes}
