"""Kinds of table (``catalogue``, ``finance_cases``, ...): their columns, the provenance columns
every kind accepts, a row seen through its kind, and the guess of a table's kind from its name or
header. Split from :mod:`impactkg.loaders.base`, which still exports every name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from impactkg.errors import Problem
from impactkg.loaders.tabular import Table, TableRow
from impactkg.ontology import search_key

if TYPE_CHECKING:
    from impactkg.loaders.context import Context

#: Columns that hold codes, which a workbook must keep as text (besides each kind's key).
CODE_COLUMNS = frozenset({"id", "code", "sdg_goal", "sdg_target", "goal"})

#: Columns every kind accepts for the provenance of its rows (see :meth:`Context.provenance`).
PROVENANCE_COLUMNS = (
    ("doubtful", "Names of doubtful columns, space-separated"),
    ("status", "Assertion status: stated (default; doubtful when a doubtful column is named), "
               "reading, inferred, doubtful or translation"),
    ("quote", "The source's verbatim wording the row rests on (default for stated rows: the label)"),
    ("team", "Names of columns whose values are the team's reading or inference, space-separated"),
)


@dataclass(frozen=True)
class Column:
    """A column of a kind of table. ``aliases`` are other accepted headers (e.g. Japanese ones)."""

    name: str
    doc: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


@dataclass
class Kind:
    """A kind of table: its columns, its unique key column and its row converter."""

    name: str
    title: str
    columns: list[Column]
    convert: Callable[[Row, Context], None]
    key: str | None = None
    aliases: tuple[str, ...] = ()
    #: Called once after the last row of a table (e.g. to derive records from all rows).
    finish: Callable[[Context], None] | None = None
    #: True when converting it reads what the other tables of the load made (``Batch.graphs``):
    #: a load with such a table keeps its quads in memory until it is written (no streaming).
    whole: bool = False
    #: Column -> property IRI, for the columns a row's ``team`` cell may name
    #: (their values on the record become ``ikg:teamProperty`` <property>).
    properties: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = {c.name for c in self.columns}
        for name, doc in PROVENANCE_COLUMNS:
            if name not in names:
                self.columns.append(Column(name, doc))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def is_code(self, name: str) -> bool:
        """Whether column ``name`` holds codes (ids, SDG codes), which must stay text."""
        return name in CODE_COLUMNS or (name == self.key and name != "line")

    def unknown_columns(self, header: list[str], source: str, row: int, ignore: set[str]) -> list[Problem]:
        """A problem for each header cell that is none of this kind's columns (nor an alias),
        with the closest known column, unless ``ignore`` names it."""
        mapping = self.header_map(header)
        keys = {search_key(c.name): c.name for c in self.columns}
        keys.update({search_key(a): c.name for c in self.columns for a in c.aliases})
        ignored = {search_key(i) for i in ignore}
        names = ", ".join(c.name for c in self.columns)
        out = []
        for cell in header:
            if cell in mapping or search_key(cell) in ignored:
                continue
            close = difflib.get_close_matches(search_key(cell), list(keys), n=1, cutoff=0.6)
            hint = f"did you mean {keys[close[0]]!r}? " if close else ""
            out.append(Problem(source, row, cell, (
                f"unknown column {cell!r} for a {self.name} table: {hint}the columns are {names} "
                f"(--ignore-columns {cell!r} leaves it out on purpose)")))
        return out

    def header_map(self, header: list[str]) -> dict[str, str]:
        """Map each known header cell to the column name it stands for."""
        out = {}
        for cell in header:
            key = search_key(cell)
            for col in self.columns:
                if key == search_key(col.name) or key in (search_key(a) for a in col.aliases):
                    out[cell] = col.name
        return out


@dataclass
class Row:
    """A row seen through its kind: values by column name, with errors located in the file."""

    table: Table
    row: TableRow
    cells: dict[str, str]  # column name -> value
    headers: dict[str, str]  # column name -> header text as in the file

    @property
    def number(self) -> int:
        return self.row.number

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def guess_kind(table: Table, kinds: dict[str, Kind], hint: str | None = None) -> Kind | None:
    """The kind named by ``hint`` (a kind name, file stem or sheet name), else the kind whose
    columns the header has the most of (every required one among them); None when no kind fits,
    or when two fit equally well (``id, name`` is a databases table as much as a programmes one:
    the caller asks for ``--kind`` rather than guess)."""
    if hint:
        key = search_key(hint).replace("-", "_")
        for kind in kinds.values():
            if key == kind.name or key in kind.aliases:
                return kind
    fits: list[tuple[Kind, int]] = []  # each kind the header fits, with how many of its columns it has
    for kind in kinds.values():
        mapped = set(kind.header_map(table.header).values())
        required = {c.name for c in kind.columns if c.required}
        if required <= mapped:
            fits.append((kind, len(mapped)))
    if not fits:
        return None
    best = max(score for _, score in fits)
    top = [kind for kind, score in fits if score == best]
    return top.pop() if len(top) == 1 else None


def stem_of(path: Path) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "-", path.stem).strip("-").lower() or "data"
