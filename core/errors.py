"""Every error impactkg raises, in one place: each reaches the user as one readable line.

All derive from :class:`ImpactKGError`, whose message is a complete sentence a person can act on;
the command line prints it after ``impactkg: error:`` and exits with status 1, the endpoint sends
it as a plain-text body with the status given by ``http_status``.
"""

from __future__ import annotations


class ImpactKGError(Exception):
    """Base class: the message is a complete sentence a person can act on."""

    #: The HTTP status the endpoint answers this error with.
    http_status = 400


class Problem:
    """One problem in an input file, located by file, row and column (immutable, hashable).

    A plain class rather than a dataclass: :mod:`dataclasses` imports :mod:`inspect`, which
    would double the start-up time of every command (``impactkg --version`` included).

    >>> str(Problem("bad.csv", 3, "id", "duplicate id '1' (first at row 2)"))
    "bad.csv:3:id: duplicate id '1' (first at row 2)"
    >>> Problem("a.csv", None, None, "empty") == Problem("a.csv", None, None, "empty")
    True
    """

    __slots__ = ("file", "row", "column", "message")

    file: str
    row: int | None
    column: str | None
    message: str

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        for name, value in zip(self.__slots__, (file, row, column, message), strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Problem is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Problem is immutable")

    def _key(self) -> tuple[str, int | None, str | None, str]:
        return (self.file, self.row, self.column, self.message)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[type[Problem], tuple[str, int | None, str | None, str]]:
        return (self.__class__, self._key())  # pickled across the query workers' pipes

    def __repr__(self) -> str:
        return (f"Problem(file={self.file!r}, row={self.row!r}, column={self.column!r}, "
                f"message={self.message!r})")

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

    def __reduce__(self) -> tuple[type[LoadError], tuple[list[Problem]]]:
        # rebuilt from its problems (not from its message) when it crosses a process boundary
        return (self.__class__, (self.problems,))


# ---------------------------------------------------------------------- queries and the store
class QueryError(ImpactKGError):
    """A query could not be found, parsed, bound or run."""


class StoreError(ImpactKGError):
    """The store could not be opened or written (or a remote server could not be reached)."""

    http_status = 502


class TimeLimit(ImpactKGError):
    """The evaluation ran past its time limit and was stopped."""

    http_status = 503


class TooLarge(ImpactKGError):
    """The result has more rows (or triples) than allowed."""


class Cancelled(ImpactKGError):
    """A query stopped because whoever asked for it went away (an HTTP client that disconnected)."""

    #: Nginx's "client closed request": nobody reads it, it names the case in logs.
    http_status = 499


class Busy(ImpactKGError):
    """No query worker became free in time."""

    http_status = 503


class Refused(ImpactKGError):
    """The request asks for something this graph does not do: remote data (SERVICE, LOAD) from a
    host not on the allow-list, updates of a read-only endpoint, writes to a reserved graph."""

    http_status = 403


class Unauthorized(ImpactKGError):
    """An update without the right token."""

    http_status = 401


# ---------------------------------------------------------------------- what is made of the graph
class ExportError(ImpactKGError):
    """A selection or an export format that cannot be honoured."""


class TableError(ImpactKGError):
    """A table cannot be written or a workbook cannot be read back."""


class FigureError(ImpactKGError):
    """A figure that cannot be drawn: no data for it, a bad size, no Japanese font."""


class ReportError(ImpactKGError):
    """A report that cannot be written."""


class CidsError(ImpactKGError):
    """The CIDS export could not be made."""


class DocsError(ImpactKGError):
    """The documentation could not be written."""


class ReasoningError(ImpactKGError):
    """The reasoner could not run (not: the graph is inconsistent, which is a result)."""


class CrosswalkError(ImpactKGError):
    """A crosswalk request names something that is not in the graph."""


class MapError(ImpactKGError):
    """A map that cannot be drawn: an unknown kind, focus or filter."""


__all__ = [
    "ImpactKGError", "Problem", "LoadError", "QueryError", "StoreError", "TimeLimit", "TooLarge",
    "Busy", "Cancelled", "Refused", "Unauthorized", "ExportError", "TableError", "FigureError", "ReportError",
    "CidsError", "DocsError", "ReasoningError", "CrosswalkError", "MapError",
]
