"""Errors that reach the user as one readable line each."""

from __future__ import annotations

from dataclasses import dataclass


class ImpactKGError(Exception):
    """Base class: the message is a complete sentence a person can act on."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located by file, row and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column:
            parts.append(self.column)
        return ":".join(parts) + ": " + self.message


class LoadError(ImpactKGError):
    """A load was refused; ``problems`` lists every problem found, the graph is unchanged."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class QueryError(ImpactKGError):
    """A query could not be found, parsed, bound or run."""


class StoreError(ImpactKGError):
    """The store could not be opened or written."""
