"""The machinery shared by every loader: table kinds, their columns, and the conversion context.

A *kind* (``catalogue``, ``finance_cases``, ...) declares its columns and a function that turns
one row into triples. A :class:`Batch` converts a set of tables into one named graph each,
collecting every problem of every file; nothing of a load with a problem is kept, so a load is
atomic. Into a store folder a batch streams: every :data:`CHUNK` quads of a table go to the next
version of the store (``Batch.sink``), which is discarded if any problem is found.

Nothing is dropped without a word: a column no kind knows is an error naming it, the expected
columns and the closest (unless ``ignore_columns`` names it); a concept label that matches no
concept of its scheme (after NFKC and trimming) is an error with the known labels and the
closest, unless the same load defines it (a ``concepts`` table) or ``new_concepts`` is set; a
number in a code column of a workbook (an id, an SDG goal or target) is an error saying how to
keep it as text.

(The machinery lives in :mod:`~impactkg.loaders.terms`, :mod:`~impactkg.loaders.kinds`,
:mod:`~impactkg.loaders.context` and :mod:`~impactkg.loaders.batch`; every name is exported here too.)
"""

from __future__ import annotations

from impactkg.loaders.batch import CHUNK, SOURCES_GRAPH, Batch
from impactkg.loaders.context import Context
from impactkg.loaders.kinds import (
    CODE_COLUMNS,
    PROVENANCE_COLUMNS,
    Column,
    Kind,
    Row,
    guess_kind,
    stem_of,
)
from impactkg.loaders.terms import (
    HIDDEN,
    JA_CHARS,
    LABEL,
    PREF,
    SEARCH,
    A,
    N,
    boolean,
    decimal,
    ikg,
    integer,
    lang_of,
    plain,
    text,
)

__all__ = [
    "A", "CHUNK", "CODE_COLUMNS", "HIDDEN", "JA_CHARS", "LABEL", "PREF", "PROVENANCE_COLUMNS", "SEARCH",
    "SOURCES_GRAPH", "Batch", "Column", "Context", "Kind", "N", "Row", "boolean", "decimal", "guess_kind",
    "ikg", "integer", "lang_of", "plain", "stem_of", "text",
]
