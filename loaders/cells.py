"""Strict readers for the cells of IMM tables: numbers, dates, periods, lags and polarities.

Each reader takes the cell's text and returns the value, or raises :class:`CellError` with a
message that says what was expected; the loaders turn it into a located problem
(``file:row:column: message``). Nothing is guessed: ``2024年`` is not a year, ``12,5`` is not a
number (a comma only groups thousands: ``1,200``), and numbers stay :class:`~decimal.Decimal`
so that they round-trip exactly.

>>> parse_decimal("1,200.50"), parse_decimal("－３")
(Decimal('1200.50'), Decimal('-3'))
>>> parse_period("2024")
Period(text='2024', start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
>>> parse_period("2024-04/2025-03").end
datetime.date(2025, 3, 31)
>>> parse_lag_months("1年6か月"), parse_lag_months("P18M")
(18, 18)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from impactkg.ontology import nfkc


class CellError(ValueError):
    """A cell that does not hold what its column expects; the message says what it should be."""


# ---------------------------------------------------------------------- numbers
_NUMBER = re.compile(r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")


def parse_decimal(cell: str) -> Decimal:
    """A number as written: digits, an optional sign and decimal point, commas only between groups
    of three digits, an exponent as spreadsheets write very small numbers (``1e-05``). Full-width
    digits and signs are read as ASCII (NFKC); U+2212 (−) is a minus.

    >>> parse_decimal("0.10"), parse_decimal("12345678901234567890.5")
    (Decimal('0.10'), Decimal('12345678901234567890.5'))
    >>> try:
    ...     parse_decimal("12,5x")
    ... except CellError as exc:
    ...     print(exc)
    expected a number such as 1200, 1,200 or 12.5, got '12,5x'
    """
    text = nfkc(cell).replace("\u2212", "-")
    if not _NUMBER.match(text):
        raise CellError(f"expected a number such as 1200, 1,200 or 12.5, got {cell!r}")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise CellError(f"expected a number, got {cell!r}") from None


def decimal_text(value: Decimal) -> str:
    """The canonical text of a decimal, never in exponent form (``Decimal('1E+3')`` -> ``'1000'``).

    >>> decimal_text(Decimal("1E+3")), decimal_text(Decimal("0.10")), decimal_text(Decimal("-0"))
    ('1000', '0.1', '0')
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------------- dates and periods
@dataclass(frozen=True)
class Period:
    """A period as written (normalised), with its first and last day."""

    text: str
    start: dt.date
    end: dt.date

    def year(self) -> int | None:
        """The calendar year, when the period is exactly one."""
        if self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31):
            return self.start.year
        return None


_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FORMS = "2024, 2024-03, 2024-03-31 or an interval such as 2024-04-01/2025-03-31"


_MIDNIGHT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]00:00(?::00)?$")


def _day_cell(text: str) -> str:
    """A spreadsheet's date cell reads ``2024-03-31 00:00:00``: the day, when it is midnight."""
    m = _MIDNIGHT.match(text)
    return m.group(1) if m else text


def _bounds(text: str, original: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``2024``, ``2024-03`` or ``2024-03-31``."""
    text = _day_cell(text)
    try:
        if m := _YEAR.match(text):
            y = int(m.group(1))
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if m := _MONTH.match(text):
            y, mo = int(m.group(1)), int(m.group(2))
            return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1] if 1 <= mo <= 12 else 0)
        if m := _DAY.match(text):
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return day, day
    except ValueError:
        raise CellError(f"no such date: {original!r}") from None
    raise CellError(f"expected a period such as {_FORMS} (ISO 8601), got {original!r}")


def parse_period(cell: str) -> Period:
    """A year (``2024``), a month (``2024-03``), a day (``2024-03-31``) or an interval of two of
    them (``2024-04-01/2025-03-31``, ``2024-04/2025-03``: from the first day of the first to the
    last day of the second), ISO 8601. ``2024年`` or ``FY2024`` are refused: write the interval a
    fiscal year covers.

    >>> parse_period("2024-03-31").start
    datetime.date(2024, 3, 31)
    >>> try:
    ...     parse_period("2024年")
    ... except CellError as exc:
    ...     print(exc)
    expected a period such as 2024, 2024-03, 2024-03-31 or an interval such as 2024-04-01/2025-03-31 (ISO 8601), got '2024年'
    """
    text = _day_cell(nfkc(cell))
    text = "".join(text.split())
    if "/" in text:
        first, _, last = text.partition("/")
        start, _ = _bounds(first, cell)
        _, end = _bounds(last, cell)
        if end < start:
            raise CellError(f"the period ends before it starts: {cell!r}")
        text = f"{start.isoformat()}/{end.isoformat()}"
        return Period(text, start, end)
    start, end = _bounds(text, cell)
    if _MONTH.match(text):
        text = f"{start.year:04d}-{start.month:02d}"
    elif _DAY.match(text):
        text = start.isoformat()
    return Period(text, start, end)


def parse_year(cell: str) -> Period:
    """A calendar year of four digits (``2024``); ``2024年`` and ``24`` are refused."""
    text = nfkc(cell)
    if not _YEAR.match(text):
        raise CellError(f"expected a year of four digits such as 2024, got {cell!r}")
    return parse_period(text)


def parse_date(cell: str) -> dt.date:
    """A day as ISO 8601 ``YYYY-MM-DD`` (``2024-06-01``); ``2024/6/1`` or ``2024年6月1日`` are refused.

    >>> parse_date("2024-06-01")
    datetime.date(2024, 6, 1)
    """
    text = _day_cell(nfkc(cell))
    if not _DAY.match(text):
        raise CellError(f"expected a date as YYYY-MM-DD (ISO 8601, e.g. 2024-06-01), got {cell!r}")
    start, _ = _bounds(text, cell)
    return start


# ---------------------------------------------------------------------- lags and polarity
_LAG_JA = re.compile(r"^(?:(\d+)年)?(?:(\d+)(?:か|ヶ|ケ|カ|箇)?月)?$")
_LAG_ISO = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?$", re.I)
_LAG_EN = re.compile(r"^(\d+)\s*(years?|yrs?|y|months?|mos?|m)$", re.I)


def parse_lag_months(cell: str) -> int:
    """An expected lag in whole months, from ``6か月``, ``1年``, ``1年6ヶ月``, ``P1Y6M``,
    ``18 months`` or ``2 years``. A bare number is refused: its unit would be a guess.

    >>> parse_lag_months("6ヶ月"), parse_lag_months("2 years"), parse_lag_months("P0M")
    (6, 24, 0)
    >>> try:
    ...     parse_lag_months("18")
    ... except CellError as exc:
    ...     print(exc)
    expected a lag with its unit, such as 6か月, 1年, P1Y6M or 18 months, got '18'
    """
    text = "".join(nfkc(cell).split()) if not _LAG_EN.match(nfkc(cell)) else nfkc(cell)
    for pattern in (_LAG_ISO, _LAG_JA):
        m = pattern.match(text)
        if m and any(m.groups()):
            years, months = (int(g) if g else 0 for g in m.groups())
            return years * 12 + months
    m = _LAG_EN.match(text)
    if m:
        n = int(m.group(1))
        return n * 12 if m.group(2).lower().startswith("y") else n
    raise CellError(f"expected a lag with its unit, such as 6か月, 1年, P1Y6M or 18 months, got {cell!r}")


def parse_polarity(cell: str) -> str:
    """``+`` or ``-`` (also ``＋``, ``−``, ``positive``, ``negative``, 正, 負).

    >>> parse_polarity("−"), parse_polarity("positive")
    ('-', '+')
    """
    text = nfkc(cell).replace("\u2212", "-").lower()
    if text in ("+", "positive", "正", "プラス"):
        return "+"
    if text in ("-", "negative", "負", "マイナス"):
        return "-"
    raise CellError(f"expected a polarity, + or -, got {cell!r}")


def months(day: dt.date) -> int:
    """The month count of a day (year × 12 + month): elapsed time in progress is counted in it.

    >>> months(dt.date(2025, 3, 31)) - months(dt.date(2024, 3, 31))
    12
    """
    return day.year * 12 + day.month
