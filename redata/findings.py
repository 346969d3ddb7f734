"""Whether a row says what its words say, one row at a time: a figure's `as_written` against its value,
bounds, unit and qualifier; an event's `date_as_written` against its date; a figure's `period_as_written`
against its period. Each returns its findings (rule, field, message); none means the row agrees.

These are the plain per-row verdicts. The agreement layer reaches the same verdicts for a whole table in
bulk (`redata.checks.agreement`) and asks these only for the messages of the rows it reports.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .quantities import DateParts, Reader, Reading
from .tokens import MAX_NUMERALS, tokens

# Two numbers agree when they differ by at most this share of the larger: what a float keeps of a decimal.
TOLERANCE = 1e-9
VALUE_FIELDS = ("value", "value_low", "value_high")
READING_FIELDS = {"value": "value", "value_low": "low", "value_high": "high"}
DATE_KINDS = ("date", "year")


@dataclass(frozen=True)
class Finding:
    rule: str
    field: str
    message: str


def agree(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


def figure_quantity(reader: Reader, written: str) -> Reading | str:
    """The one quantity `written` states, or why it cannot be read as one."""
    numerals = sum(1 for token in tokens(written) if token.is_numeral)
    if numerals > MAX_NUMERALS:
        return f"it holds {numerals} numerals; a figure's words hold at most {MAX_NUMERALS}"
    readings = reader.read(written)
    quantities = [r for r in readings if r.kind == "quantity"]
    if not quantities:
        found = "; ".join(f"{r.kind} {r.text!r}" for r in readings) or "no number"
        return f"the reader finds no quantity in it ({found})"
    if len(quantities) > 1:
        listed = ", ".join(repr(q.text) for q in quantities)
        return f"it holds {len(quantities)} quantities ({listed}); a figure records one"
    if quantities[0].problem:
        return quantities[0].problem
    return quantities[0]


def figure_findings(reader: Reader, row: Mapping[str, Any]) -> list[Finding]:
    """A figure's value, bounds, unit and qualifier against its `as_written` (see README, the agreement layer).
    `row` holds as_written, value, value_low, value_high, unit, qualifier and unit_in_words (may be absent)."""
    written = row["as_written"]
    quantity = figure_quantity(reader, written)
    if isinstance(quantity, str):
        return [
            Finding(
                "as-written-value-unevaluable", "as_written", f"as_written {written!r} cannot be evaluated: {quantity}"
            )
        ]
    findings = _unit_or_value(reader, row, quantity)
    if quantity.qualifier != row.get("qualifier"):
        words = f"the qualifier {quantity.qualifier!r}" if quantity.qualifier else "no qualifier"
        recorded = repr(row.get("qualifier")) if row.get("qualifier") else "none"
        message = f"as_written {written!r} has {words}; the row says {recorded}"
        findings.append(Finding("as-written-qualifier", "qualifier", message))
    return findings


def _unit_or_value(reader: Reader, row: Mapping[str, Any], quantity: Reading) -> list[Finding]:
    written, lexicon = row["as_written"], reader.lexicon
    unit_field = "unit_in_words" if row.get("unit_in_words") else "unit"
    words_unit, read_unit = lexicon.unit(row.get(unit_field)), lexicon.unit(quantity.unit)
    if words_unit is None or read_unit is None or words_unit.base_unit_id != read_unit.base_unit_id:
        recorded = row.get(unit_field)
        why = "is not a unit of the units vocabulary" if words_unit is None else "does not convert to it"
        message = (
            f"as_written {written!r} reads {_read_side(quantity, None)}; the row's {unit_field} {recorded!r} {why}"
        )
        return [Finding("as-written-unit", unit_field, message)]
    factor = float(read_unit.to_base_factor) / float(words_unit.to_base_factor)
    read = {field: _float(getattr(quantity, READING_FIELDS[field])) for field in VALUE_FIELDS}
    converted = {field: None if value is None else value * factor for field, value in read.items()}
    recorded = {field: row.get(field) for field in VALUE_FIELDS}
    wrong = [field for field in VALUE_FIELDS if not agree(converted[field], recorded[field])]
    if not wrong:
        return []
    row_side = f"{_side(recorded)} {words_unit.unit_id}"
    if factor != 1 and all(agree(read[field], recorded[field]) for field in VALUE_FIELDS):
        message = f"as_written {written!r} reads {_read_side(quantity, None)}; the row says {row_side}"
        return [Finding("as-written-unit", unit_field, message)]
    also = f" ({_side(converted)} {words_unit.unit_id})" if factor != 1 else ""
    message = f"as_written {written!r} reads {_read_side(quantity, None)}{also}; the row says {row_side}"
    return [Finding("as-written-value", wrong[0], message)]


def _float(number: Decimal | None) -> float | None:
    return None if number is None else float(number)


def _read_side(quantity: Reading, unit: str | None) -> str:
    numbers = {field: getattr(quantity, READING_FIELDS[field]) for field in VALUE_FIELDS}
    return f"{_side(numbers)} {unit or quantity.unit}"


def _side(numbers: Mapping[str, Any]) -> str:
    shown = [f"{field} {_plain(numbers[field])}" for field in VALUE_FIELDS if numbers[field] is not None]
    return ", ".join(shown) or "no value"


def _plain(number: Any) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return str(number)


# ---------------------------------------------------------------------- dates


def date_reading(reader: Reader, written: str, kinds: tuple[str, ...] = DATE_KINDS) -> Reading | str:
    """The one date (or year) `written` gives, or why it cannot be read as one."""
    readings = reader.read(written)
    others = [r for r in readings if r.kind not in kinds]
    if others:
        return f"it holds {others[0].kind} {others[0].text!r}, not a date"
    if len(readings) != 1:
        return "the reader finds no date in it" if not readings else f"it holds {len(readings)} dates"
    reading = readings[0]
    if reading.problem:
        return reading.problem
    if reading.kind == "year" and reading.value is None:
        return "it gives a range of years, not one date"
    return reading


def parts_of(reading: Reading) -> DateParts:
    return reading.date if reading.kind == "date" else DateParts(year=int(reading.value))


def event_findings(reader: Reader, row: Mapping[str, Any]) -> list[Finding]:
    """An event's date and date_precision against its `date_as_written`, and a resolution where the words
    leave out the year or the month. `row` holds date_as_written, date (a `datetime.date`), date_precision
    and date_resolution."""
    written, date = row["date_as_written"], row.get("date")
    reading = date_reading(reader, written)
    if isinstance(reading, str):
        return [
            Finding(
                "date-as-written-unevaluable",
                "date_as_written",
                f"date_as_written {written!r} cannot be evaluated: {reading}",
            )
        ]
    parts = parts_of(reading)
    findings = []
    if date is not None and not _parts_match(parts, date):
        message = f"date_as_written {written!r} reads {_describe(parts)}; the row's date is {date.isoformat()}"
        findings.append(Finding("date-as-written", "date", message))
    precision = "day" if parts.day is not None else "month" if parts.month is not None else "year"
    if row.get("date_precision") is not None and row["date_precision"] != precision:
        message = (
            f"date_as_written {written!r} gives the {precision}; the row's date_precision is {row['date_precision']}"
        )
        findings.append(Finding("date-as-written", "date_precision", message))
    missing = "year" if parts.year is None else "month" if parts.day is not None and parts.month is None else None
    if missing and not (row.get("date_resolution") or "").strip():
        message = f"date_as_written {written!r} gives no {missing}; date_resolution must say how the date was resolved"
        findings.append(Finding("date-resolved", "date_resolution", message))
    return findings


def _parts_match(parts: DateParts, date: datetime.date) -> bool:
    return all(
        given is None or given == actual
        for given, actual in ((parts.year, date.year), (parts.month, date.month), (parts.day, date.day))
    )


def _describe(parts: DateParts) -> str:
    given = [
        f"{name} {value}" for name, value in zip(("year", "month", "day"), parts, strict=True) if value is not None
    ]
    return ", ".join(given)


def period_findings(reader: Reader, row: Mapping[str, Any]) -> list[Finding]:
    """A figure's period against the dates its `period_as_written` gives: each must be where the period
    starts or ends, at the precision the words give. Words with no date (`Today`, `That same year`) leave
    the period to context and are not compared."""
    written, period = row.get("period_as_written"), row.get("period")
    if not written:
        return []
    readings = reader.read(written)
    unread = [r for r in readings if r.kind not in DATE_KINDS or r.problem]
    if unread:
        why = unread[0].problem or f"it holds {unread[0].kind} {unread[0].text!r}, not a date"
        message = f"period_as_written {written!r} cannot be evaluated: {why}"
        return [Finding("period-as-written-unevaluable", "period_as_written", message)]
    ends = _period_ends(period) if period else []
    for reading in readings:
        if not _in_period(reading, ends):
            where = f"the row's period {period} neither starts nor ends then" if period else "the row has no period"
            return [
                Finding("period-as-written", "period", f"period_as_written {written!r} reads {reading.text!r}; {where}")
            ]
    return []


def _period_ends(period: str) -> list[tuple[int, ...] | None]:
    """The start and end of an ISO 8601 period as (year[, month[, day]]) tuples; None for an open end."""
    ends = []
    for part in period.split("/"):
        if part == "..":
            ends.append(None)
            continue
        try:
            ends.append(tuple(int(piece) for piece in part.split("-")))
        except ValueError:
            ends.append(None)
    return ends if len(ends) == 2 else ends * 2


def _in_period(reading: Reading, ends: list[tuple[int, ...] | None]) -> bool:
    if not ends:
        return False
    if reading.kind == "year" and reading.value is None:  # `2020-2024`: both ends
        return bool(ends[0] and ends[1] and ends[0][0] == reading.low and ends[1][0] == reading.high)
    parts = [p for p in parts_of(reading)]
    return any(end is not None and _end_matches(parts, end) for end in ends)


def _end_matches(parts: list[int | None], end: tuple[int, ...]) -> bool:
    return all(given is None or (index < len(end) and end[index] == given) for index, given in enumerate(parts))
