"""Text that a spreadsheet would run as a formula, written so that it does not, and read back as it
was.

Excel, LibreOffice and Google Sheets read a CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return as a formula (OWASP, "CSV Injection"): a label such as
``=HYPERLINK("http://example.org","x")`` would become a live link, or worse. The CSV and TSV files
impactkg writes for spreadsheets (:func:`impactkg.graph.export.tables.spreadsheet_text`) put a
single quote ``'`` before such a text cell (:func:`neutralise`), which every one of them shows as
text; a number (a typed literal such as ``-3``) is never changed. So that the rule can be undone
exactly, a text that begins with ``'`` followed by one of those characters or by another ``'`` gets
the quote too. The loaders undo it on every cell of a CSV or TSV file they read
(:func:`restore`), so export → edit → load gives back the original values. The one thing this
changes for a table written by hand: a cell that begins with ``'=`` (or ``'+``, ``'-``, ``'@``,
``''``) loses its first ``'`` when loaded.

>>> neutralise('=HYPERLINK("http://example.org","x")')
'\\'=HYPERLINK("http://example.org","x")'
>>> restore(neutralise("-3 people")), restore(neutralise("'=x")), restore("'quoted'")
('-3 people', "'=x", "'quoted'")
"""

from __future__ import annotations

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
TRIGGERS = frozenset("=+-@\t\r")
_QUOTED = TRIGGERS | {"'"}


def neutralise(text: str) -> str:
    """``text`` with a ``'`` before it when a spreadsheet would read it as a formula (or when it
    begins with ``'`` and such a character, so that :func:`restore` is exact)."""
    if text and (text[0] in TRIGGERS or (text[0] == "'" and len(text) > 1 and text[1] in _QUOTED)):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: one leading ``'`` removed where it put one."""
    if len(text) > 1 and text[0] == "'" and text[1] in _QUOTED:
        return text[1:]
    return text


__all__ = ["TRIGGERS", "neutralise", "restore"]
