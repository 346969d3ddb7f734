"""What the number reader says of a number: a `Reading`, whose numbers are exact `Decimal`s, or, read from a
shape (`redata.shapes`), `Term`s: a numeral's value times a factor plus an offset, made numbers by
`Reading.resolve` once the numerals' values are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from typing import NamedTuple

KINDS = ("quantity", "year", "date", "ordinal", "multiple", "relative_time", "time", "code", "footnote")
ZERO, ONE = Decimal(0), Decimal(1)
# Arithmetic on numbers read: exact for every numeral the tokens allow (30 characters) times any scale.
EXACT = Context(prec=80)


@dataclass(frozen=True)
class Term:
    """A number the grammar builds: `slot`'s numeral times `factor`, plus `offset` (no slot: `offset` alone)."""

    slot: int | None = None
    factor: Decimal = ONE
    offset: Decimal = ZERO

    def times(self, k: Decimal) -> Term:
        return Term(self.slot, EXACT.multiply(self.factor, k), EXACT.multiply(self.offset, k))

    def plus(self, k: Decimal) -> Term:
        return Term(self.slot, self.factor, EXACT.add(self.offset, k))

    def value(self, numerals: Sequence[Decimal | None]) -> Decimal | None:
        if self.slot is None:
            return self.offset
        number = numerals[self.slot]
        return None if number is None else EXACT.add(EXACT.multiply(number, self.factor), self.offset)


def constant(value: Decimal) -> Term:
    return Term(None, ONE, value)


class DateParts(NamedTuple):
    """The parts of a date the words give; a part they do not give is None."""

    year: int | Term | None = None
    month: int | Term | None = None
    day: int | Term | None = None


@dataclass(frozen=True)
class Reading:
    """One number or date found in a text, and what it says. Offsets are Python string indices.

    `kind` is one of KINDS. A quantity fills `value` (a point, or an approximation), or `low` and `high` (a
    range), or one of them (a bound its qualifier implies). A year fills `value` (or `low` and `high`: `1990s`,
    `2020-2024`); a date fills `date`; an ordinal, a multiple and a time of day fill `value` where they have
    one. `unit` is a `unit_id` of the units vocabulary (`count` for a number of things, `fraction` for a
    fraction word alone); `unit_text` is how the words write it. `problem` says what could not be read (an
    unknown unit word, a range written from high to low); a reading with a problem is not to be trusted.
    In a reading of a shape, numbers are `Term`s; `resolve` makes them numbers.
    """

    char_start: int
    char_end: int
    text: str
    kind: str
    value: Decimal | Term | None = None
    low: Decimal | Term | None = None
    high: Decimal | Term | None = None
    unit: str | None = None
    unit_text: str | None = None
    currency: str | None = None
    qualifier: str | None = None
    counted: str | None = None
    date: DateParts | None = None
    modifier: str | None = None  # early, mid or late, for a date or year
    numbers: tuple[tuple[int, int], ...] = ()  # offsets of the numerals and number words it is read from
    problem: str | None = None

    def resolve(self, numerals: Sequence[Decimal | None]) -> Reading:
        """The reading with each `Term` replaced by its number, given the text's numerals' values in order,
        and the checks that need values made: a range in order, a date that exists, a year that is one."""
        values = {name: _number(getattr(self, name), numerals) for name in ("value", "low", "high")}
        date = self.date
        if date is not None:
            date = DateParts(*(_whole(_number(part, numerals)) for part in (date.year, date.month, date.day)))
        resolved = replace(self, date=date, **values)
        return replace(resolved, problem=self.problem or _value_problem(resolved))


def _number(part, numerals):
    number = part.value(numerals) if isinstance(part, Term) else part
    if isinstance(number, Decimal) and number.is_finite():
        # 12.4 × 10^6 is written 12400000, not 12400000.0; 0.50 is 0.5
        return number.quantize(ONE, context=EXACT) if number == number.to_integral_value() else EXACT.normalize(number)
    return number


def _whole(number):
    return int(number) if isinstance(number, Decimal) and number == number.to_integral_value() else number


def _value_problem(reading: Reading) -> str | None:
    if reading.low is not None and reading.high is not None and reading.low > reading.high:
        return f"the range reads from {reading.low} down to {reading.high}: two numbers, not a range"
    if reading.date is not None:
        return _date_problem(reading.date)
    return None


def _date_problem(date: DateParts) -> str | None:
    import calendar

    if any(part is not None and not isinstance(part, int) for part in (date.year, date.month, date.day)):
        return "a part of the date is not a whole number"
    if date.month is not None and not 1 <= date.month <= 12:
        return f"{date.month} is not a month"
    if date.day is not None:
        days = calendar.monthrange(date.year or 2000, date.month or 1)[1] if date.month else 31
        if not 1 <= date.day <= days:
            return f"{date.day} is not a day of the month"
    return None
