"""The number reader: finds every number in English text and says what it is, with its character offsets.

A quantity gets its value, or the bounds of a range or of an inequality (exact `Decimal`s, scale words
applied), its unit, currency, qualifier and counted noun; a year, a date, an ordinal, a multiple, a time of
day, a name or code (`F-35`), or a footnote mark glued to a number is classified as such. The words come
from the package's vocabularies (`redata.lexicon`); how they combine, the grammar, is here.

    reader = Reader.from_package("datapackage")
    reader.read("costs approximately $11-$15 per kilogram")
    # [Reading(char_start=6, char_end=40, kind='quantity', low=Decimal('11'), high=Decimal('15'),
    #          unit='USD/kg', currency='USD', qualifier='approximately', ...)]

The grammar never looks at a numeral's digits, only at its shape (`redata.tokens`): it reads a text whose
numerals are placeholders exactly as it reads the text, and gives numbers as `Term`s, a numeral's value
times a factor plus an offset. That is what lets `redata.shapes` read a million texts through their few
shapes. Checks that need the values (a range's ends in order, a real calendar date) come after, in `resolve`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from pathlib import Path
from typing import NamedTuple

from .lexicon import COUNT_UNIT, FRACTION_UNIT, Lexicon, NumberWord, Qualifier, Unit
from .tokens import Token, tokens

KINDS = ("quantity", "year", "date", "ordinal", "multiple", "relative_time", "time", "code", "footnote")
ZERO, ONE = Decimal(0), Decimal(1)
# Arithmetic on numbers read: exact for every numeral the tokens allow (30 characters) times any scale.
EXACT = Context(prec=80)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_ABBREVIATIONS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# "May" is also a verb: followed by a lower-case word, it is a month only after one of these.
MONTH_CONTEXT = {"in", "since", "by", "until", "till", "from", "of", "early", "mid", "late", "last", "next", "this"}
DATE_MODIFIERS = {"early", "mid", "late"}
ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
# Before a four-digit numeral, these make it a year even when a plural noun follows (`the 2024 elections`).
YEAR_CONTEXT = {
    "in", "since", "by", "until", "till", "from", "of", "to", "through", "during", "before", "after", "the",
    "this", "that", "its", "their", "his", "her", "our", "fiscal", "between", "and", "end", "for", "year",
    "early", "mid", "late", "pre", "post", "circa",
}  # fmt: skip
RANGE_JOINERS = {"-", "–", "—", "to"}
# Words that may begin a reading besides the vocabularies' first words (see `Lexicon.first_words`).
STARTERS = frozenset({"a", "an", "one", "the", "between", "from", "minus", "-", "−", *MONTHS, *DATE_MODIFIERS})
PER_WORDS = {"per", "a", "an", "/"}
MINUS_SIGNS = {"-", "−"}
RELATIVE_WORDS = {"ago", "earlier", "later"}
# Closed-class words that never begin or continue a counted noun (`5 of them`, `10.2 million, followed by`).
FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "without", "per", "than", "as",
    "and", "or", "but", "nor", "so", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
    "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "this",
    "that", "these", "those", "which", "who", "whom", "whose", "what", "where", "when", "while", "it", "its",
    "they", "them", "their", "he", "she", "his", "her", "we", "our", "you", "your", "i", "not", "no", "into",
    "onto", "over", "under", "about", "after", "before", "since", "until", "during", "through", "between",
    "among", "against", "within", "across", "each", "every", "all", "both", "more", "most", "less", "least",
    "some", "any", "such", "only", "also", "just", "up", "down", "out", "off", "ago", "later", "earlier",
    "times", "if", "then", "there", "here", "how", "why", "according", "including", "compared", "respectively",
    "last", "next", "year", "years", "alone", "apiece", "annually", "yearly", "daily", "monthly",
}  # fmt: skip
IRREGULAR_PLURALS = {"people", "children", "men", "women", "police", "staff", "cattle", "personnel", "feet", "mice"}
MAX_COUNTED_WORDS = 4


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


class Reader:
    """Reads the numbers of English text with the words of one package's vocabularies."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    @classmethod
    def from_package(cls, folder: str | Path = "datapackage") -> Reader:
        return cls(Lexicon.from_package(folder))

    @property
    def token_pattern(self) -> str:
        """The regular expression of a number in the text (see `Lexicon.token_pattern`)."""
        return self.lexicon.token_pattern

    def read(self, text: str, start: int = 0, end: int | None = None) -> list[Reading]:
        """Every number in `text[start:end]`, in order, with offsets into `text`."""
        span = text[start:end]
        found = tokens(span)
        values = [token.numeral.value for token in found if token.numeral is not None]
        return [_shifted(reading.resolve(values), start) for reading in _Grammar(self.lexicon, span, found).readings()]

    def read_shape(self, text: str, shapes: bool = True) -> list[Reading]:
        """The readings of a text whose numerals may be placeholders (see `redata.shapes`), numbers as Terms."""
        return _Grammar(self.lexicon, text, tokens(text, shapes)).readings()


def _shifted(reading: Reading, start: int) -> Reading:
    if not start:
        return reading
    numbers = tuple((a + start, b + start) for a, b in reading.numbers)
    return replace(reading, char_start=reading.char_start + start, char_end=reading.char_end + start, numbers=numbers)


@dataclass(frozen=True)
class _Core:
    """A number before its unit: its value, the tokens it spans, and what kind of number word made it."""

    term: Term
    start: int
    end: int  # token index just past it
    numeral: Token | None  # the numeral, where the number is one (else words)
    kind: str  # cardinal, fraction, ordinal or multiple
    scale: Decimal  # the product of the scale words applied (1 for none)

    @property
    def scaled(self) -> bool:
        return self.scale != ONE


@dataclass
class _Amount:
    """One side of a quantity: [currency] [sign] number [scale] [unit | counted noun]."""

    core: _Core
    start: int
    end: int
    currency: Unit | None = None
    unit: Unit | None = None
    unit_start: int | None = None
    unit_end: int | None = None
    counted: tuple[int, int] | None = None  # token range of the counted noun
    counted_plural: bool = False
    problem: str | None = None

    @property
    def unit_id(self) -> str | None:
        unit = self.unit or self.currency
        return unit.unit_id if unit is not None else None


class _Grammar:
    """How number words, numerals, units, qualifiers and dates combine; one instance reads one text."""

    def __init__(self, lexicon: Lexicon, text: str, found: list[Token]):
        self.lexicon, self.text, self.tokens = lexicon, text, found

    def readings(self) -> list[Reading]:
        found: list[Reading] = []
        index = 0
        starters = self.lexicon.first_words | STARTERS
        while index < len(self.tokens):
            if not self._may_start(index, starters):
                index += 1
                continue
            result = self._date(index) or self._code(index) or self._quantity(index)
            if result is None:
                index += 1
                continue
            readings, index = result
            found.extend(readings)
        return found

    def _may_start(self, index: int, starters: frozenset[str]) -> bool:
        """Whether a reading can start at `index`: a numeral, a word that can begin a number, a date or a
        qualifier, or a word with a numeral one or two tokens after it (`F-35`, `DPA 1950`, `China,9`)."""
        token = self.tokens[index]
        if token.kind == "numeral" or token.lower in starters:
            return True
        later = self.tokens[index + 1 : index + 3]
        return any(t.kind == "numeral" for t in later)

    # ------------------------------------------------------------------ small helpers

    def token(self, index: int) -> Token | None:
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def lower(self, index: int) -> str:
        token = self.token(index)
        return token.lower if token is not None else ""

    def is_word(self, index: int, *words: str) -> bool:
        token = self.token(index)
        return token is not None and token.is_word and (not words or token.lower in words)

    def glued(self, index: int) -> bool:
        token = self.token(index)
        return token is not None and token.glued

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Character offsets and text of tokens[start:end]."""
        a, b = self.tokens[start].start, self.tokens[end - 1].end
        return a, b, self.text[a:b]

    def number_offsets(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        return tuple(
            (t.start, t.end) for t in self.tokens[start:end] if t.is_numeral or self._number_word(t) is not None
        )

    def reading(self, start: int, end: int, kind: str, **fields) -> Reading:
        a, b, text = self.span(start, end)
        return Reading(a, b, text, kind, numbers=self.number_offsets(start, end), **fields)

    def _number_word(self, token: Token) -> tuple[NumberWord, ...] | None:
        if not token.is_word:
            return None
        found = self.lexicon.number_words.at([token], 0)
        return found[0] if found else None

    def number_word(self, index: int, *kinds: str) -> NumberWord | None:
        token = self.token(index)
        words = self._number_word(token) if token is not None else None
        for word in words or ():
            if (not kinds or word.kind in kinds) and (not word.glued or token.glued):
                return word
        return None

    def month(self, index: int) -> int | None:
        token = self.token(index)
        if token is None or not token.is_word or not token.text[0].isupper() or token.lower not in MONTHS:
            return None
        return MONTHS[token.lower]

    def numeral(self, index: int, *shapes: str) -> Token | None:
        token = self.token(index)
        if token is None or not token.is_numeral or (shapes and token.numeral.shape not in shapes):
            return None
        return token

    def ordinal_suffix(self, index: int) -> bool:
        """A numeral at `index` with `st`, `nd`, `rd` or `th` glued after it."""
        return self.numeral(index) is not None and self.glued(index + 1) and self.is_word(index + 1, *ORDINAL_SUFFIXES)

    # ------------------------------------------------------------------ dates

    def _date(self, index: int):
        """A date: `May 12`, `April 2, 2025`, `12 May 2025`, `January 2025`, `late March 2025`, `mid-2024`,
        `the 12th`, `the 12th of May`, `2025-05-12`, or a month alone (`in April`)."""
        modifier = self.lower(index) if self.is_word(index, *DATE_MODIFIERS) else None
        start, first = index, index + 1 if modifier else index
        if modifier and self.lower(first) == "-":
            first += 1
        parsed = self._month_first(first) or self._day_first(first) or self._iso_date(first)
        if parsed is None and modifier and self.numeral(first, "Y"):  # `mid-2024`, `early 2025`
            year = Term(self.token(first).numeral.slot)
            return [self.reading(start, first + 1, "year", value=year, modifier=modifier)], first + 1
        if parsed is None:
            return None
        date, end = parsed
        return [self.reading(start, end, "date", date=date, modifier=modifier)], end

    def _month_first(self, index: int):
        month = self.month(index)
        if month is None:
            return None
        end, day, year = index + 1, None, None
        if self.lower(end) == "." and self.glued(end) and self.lower(index) in MONTH_ABBREVIATIONS:  # `Sept.`
            end += 1
        if self.numeral(end, "1", "2"):
            day = Term(self.token(end).numeral.slot)
            end += 2 if self.ordinal_suffix(end) else 1
            if self.lower(end) == "," and self.numeral(end + 1, "Y"):
                end += 1
        if self.numeral(end, "Y"):
            year = Term(self.token(end).numeral.slot)
            end += 1
        if day is None and year is None and self.lower(index) == "may" and self._modal(index):
            return None
        return DateParts(year, month, day), end

    def _modal(self, index: int) -> bool:
        """`May` followed by a lower-case word (`May rise`), with no word of time before it, is the verb."""
        after = self.token(index + 1)
        verb_follows = after is not None and after.is_word and after.text[0].islower()
        return verb_follows and self.lower(index - 1) not in MONTH_CONTEXT

    def _day_first(self, index: int):
        """`12 May`, `12th May 2025`, `the 12th`, `the 12th of May`."""
        the = self.is_word(index, "the")
        day_index = index + 1 if the else index
        if not self.numeral(day_index, "1", "2"):
            return None
        day = Term(self.token(day_index).numeral.slot)
        suffix = self.ordinal_suffix(day_index)
        end = day_index + (2 if suffix else 1)
        month_index = end + 1 if self.is_word(end, "of") and self.month(end + 1) else end
        month = self.month(month_index)
        if month is not None:
            end = month_index + 1
            year = None
            if self.numeral(end, "Y"):
                year, end = Term(self.token(end).numeral.slot), end + 1
            return DateParts(year, month, day), end
        next_token = self.token(end)
        alone = next_token is None or not next_token.is_word or next_token.lower in FUNCTION_WORDS
        if the and suffix and alone:
            return DateParts(day=day), end
        return None

    def _iso_date(self, index: int):
        """`2025-05-12`: a year, month and day joined by hyphens, with no space."""
        parts = [index, index + 2, index + 4]
        if not (self.numeral(index, "Y") and self.numeral(index + 2, "2") and self.numeral(index + 4, "2")):
            return None
        if not all(self.lower(i + 1) == "-" and self.glued(i + 1) and self.glued(i + 2) for i in parts[:2]):
            return None
        year, month, day = (Term(self.token(i).numeral.slot) for i in parts)
        return DateParts(year, month, day), index + 5

    # ------------------------------------------------------------------ names, codes and footnote marks

    def _code(self, index: int):
        """A number that names rather than counts: `F-35`, `COVID-19`, `A320`, `G7`, `DPA 1950`, `9:30`;
        or a footnote mark glued to a word or a number (`concentrates2`, `China,9`, `1Data`, `14270,000`)."""
        token = self.token(index)
        if token is None:
            return None
        if token.is_numeral:
            return self._numeral_code(index)
        if not token.is_word:
            return None
        nxt = index + 1
        if self.numeral(nxt) and self.glued(nxt):  # letters written against digits
            if len(token.text) >= 4 and token.text.isalpha():  # `concentrates2`: a footnote's mark
                return [self.reading(nxt, nxt + 1, "footnote")], nxt + 1
            return [self.reading(index, nxt + 1, "code")], nxt + 1  # `A320`, `G7`
        if (
            self.lower(nxt) in ("-", ",", ":", ";")
            and self.glued(nxt)
            and self.numeral(nxt + 1)
            and self.glued(nxt + 1)
        ):
            if token.lower in DATE_MODIFIERS or token.lower in ("pre", "post"):
                return None
            if self.lower(nxt) == "-":
                return [self.reading(index, nxt + 2, "code")], nxt + 2
            if not self.glued(nxt + 2) or self.numeral(nxt + 2):
                return [self.reading(nxt + 1, nxt + 2, "footnote")], nxt + 2
        return self._name_and_number(index)

    def _numeral_code(self, index: int):
        token = self.token(index)
        if token.numeral.shape in ("F", "X"):
            kind = "footnote" if token.numeral.shape == "F" else "code"
            return [self.reading(index, index + 1, kind)], index + 1
        if self.lower(index + 1) == ":" and self.glued(index + 1) and self.numeral(index + 2) and self.glued(index + 2):
            end = index + 3
            while self.lower(end) == ":" and self.glued(end) and self.numeral(end + 1) and self.glued(end + 1):
                end += 2
            return [self.reading(index, end, "time")], end
        after = self.token(index + 1)
        if after is None or not after.glued or not after.is_word or self._known_after_numeral(index + 1):
            return None
        if after.text[0].isupper() and len(after.text) > 1 and after.text[1:].islower():
            return [self.reading(index, index + 1, "footnote")], index + 1  # `1Data`: a footnote's mark
        return [self.reading(index, index + 2, "code")], index + 2  # `5G`, `3D`

    def _known_after_numeral(self, index: int) -> bool:
        """A word written against a numeral that the grammar reads: a unit, a scale, an ordinal's suffix,
        the `s` of a decade, a qualifier."""
        lexicon = self.lexicon
        return bool(
            lexicon.units_after.at(self.tokens, index)
            or self.number_word(index, "scale")
            or lexicon.qualifiers_after.at(self.tokens, index)
            or self.lower(index) in ORDINAL_SUFFIXES
            or self.lower(index) == "s"
        )

    def _name_and_number(self, index: int):
        """A capitalised word or acronym and an integer after it that counts nothing (`DPA 1950`, `Boeing
        737`, `Section 232`, `S&P 500`)."""
        token = self.token(index)
        if not token.text[0].isupper() or token.lower in FUNCTION_WORDS or token.lower in MONTHS:
            return None
        if self._number_word(token) or self.lexicon.units_before.at(self.tokens, index):
            return None
        if self.lexicon.qualifiers_before.at(self.tokens, index):
            return None
        nxt = index + 1
        if not self.numeral(nxt, "1", "2", "3", "4", "5", "Y") or self.glued(nxt):
            return None
        amount = self._amount(nxt)
        if amount is None or amount.core.kind != "cardinal" or amount.core.end != nxt + 1:
            return None
        if amount.unit is not None or amount.counted_plural:
            return None  # a unit or a plural noun follows: a quantity (`Exports 5 percent`, `China 17 elements`)
        if self.lower(nxt + 1) in RANGE_JOINERS | {"%"}:
            return None
        return [self.reading(index, nxt + 1, "code")], nxt + 1

    # ------------------------------------------------------------------ numbers

    def _core(self, index: int) -> _Core | None:
        """A number at `index`: a numeral with its scale words, or number words."""
        token = self.token(index)
        if token is None:
            return None
        if token.is_numeral:
            if token.numeral.shape in ("F", "X"):
                return None
            if self.ordinal_suffix(index):
                return _Core(Term(token.numeral.slot), index, index + 2, token, "ordinal", ONE)
            term, end, scale = self._scales(Term(token.numeral.slot), index + 1)
            return _Core(term, index, end, token, "cardinal", scale)
        return self._words(index)

    def _scales(self, term: Term, index: int) -> tuple[Term, int, Decimal]:
        """The scale words after a number (`million`, `bn`, `thousand million`), applied; and their product."""
        scale = ONE
        while (word := self.number_word(index, "scale")) is not None:
            term, index, scale = term.times(word.value), index + 1, scale * word.value
        return term, index, scale

    def _words(self, index: int) -> _Core | None:
        """Number words: `seven`, `twenty-five`, `one hundred and twenty`, `a dozen`, `a hundred and fifty`,
        `half`, `a third`, `two-thirds`, `one and a half`, `half a million`, `first`, `twenty-first`, `twice`."""
        if self.is_word(index, "a", "an"):
            if self.number_word(index + 1, "scale"):
                return self._cardinal_words(index, index + 1, ONE)
            denominator = self._denominator(index + 1)
            return self._fraction(index, index + 2, ONE, denominator) if denominator else None
        first = self.number_word(index)
        if first is None:
            return None
        if first.kind == "scale":
            return None  # `million` alone is no number; `a million` and `2 million` are
        if first.kind in ("ordinal", "multiple"):
            return _Core(constant(first.value), index, index + 1, None, first.kind, ONE)
        if first.kind == "fraction":
            return self._half_of(index, first)
        return self._cardinal_words(index, index, ZERO)

    def _cardinal_words(self, start: int, index: int, current: Decimal) -> _Core | None:
        """Cardinals and scale words from `index` on, `current` the number already read (1 for `a`)."""
        total, scale, previous = ZERO, ONE, None
        while True:
            word = self.number_word(index, "cardinal", "scale")
            if word is None and previous is not None and self._joins(index, previous):
                index += 1
                continue
            if word is None:
                break
            if word.kind == "cardinal":
                current += word.value
            elif word.value < 1000 and current < 1000:  # `hundred`, `dozen`: multiplies what comes before
                current, scale = (current or ONE) * word.value, scale * word.value
            else:
                total, current, scale = total + (current or ONE) * word.value, ZERO, scale * word.value
            previous, index = word, index + 1
        if previous is None:
            return None
        value = total + current
        denominator = self._denominator(index) if scale == ONE else None
        if denominator is not None and (value > 1 or self.lower(start) == "one"):
            return self._fraction(start, index + 1, value, denominator)  # `two-thirds`
        if scale == ONE and self._ordinal_after_tens(index, previous):
            return _Core(constant(value + self.number_word(index + 1).value), start, index + 2, None, "ordinal", ONE)
        return self._fraction_tail(_Core(constant(value), start, index, None, "cardinal", scale))

    def _joins(self, index: int, previous: NumberWord) -> bool:
        """`twenty-five` (tens, hyphen, units) and `a hundred and fifty` (a scale word, `and`, a cardinal)."""
        after = self.number_word(index + 1, "cardinal")
        if after is None:
            return False
        if self.lower(index) == "-":
            return (
                previous.kind == "cardinal" and previous.value >= 20 and previous.value % 10 == 0 and after.value < 10
            )
        return self.lower(index) == "and" and previous.kind == "scale" and after.value < 100

    def _ordinal_after_tens(self, index: int, previous: NumberWord) -> bool:
        """`twenty-first`: tens, a hyphen, and an ordinal below ten."""
        tens = previous.kind == "cardinal" and previous.value >= 20 and previous.value % 10 == 0
        ordinal = self.number_word(index + 1, "ordinal")
        return tens and self.lower(index) == "-" and ordinal is not None and ordinal.value < 10

    def _denominator(self, index: int) -> NumberWord | None:
        """An ordinal or fraction word used as a fraction's denominator (`third`, `thirds`, `quarters`)."""
        if self.lower(index) == "-":
            index += 1
        token = self.token(index)
        if token is None or not token.is_word:
            return None
        word = self.number_word(index, "ordinal", "fraction")
        if word is None and token.lower.endswith("s"):
            stem = self.lexicon.number_words.at([replace(token, lower=token.lower[:-1])], 0)
            word = next((w for w in stem[0] if w.kind == "ordinal"), None) if stem else None
        if word is None or word.value in (ONE, 2) and word.kind == "ordinal":
            return None  # `first` and `second` are never denominators
        return word

    def _fraction(self, start: int, end: int, numerator: Decimal, denominator: NumberWord) -> _Core:
        """`a third`, `two-thirds`, `three quarters`: the numerator over the ordinal (or times the fraction).
        `end` is past the denominator, or past the hyphen before it."""
        part = denominator.value if denominator.kind == "fraction" else EXACT.divide(ONE, denominator.value)
        if self.lower(end - 1) == "-":
            end += 1
        return _Core(constant(numerator * part), start, end, None, "fraction", ONE)

    def _half_of(self, start: int, word: NumberWord) -> _Core:
        """`half` alone, or `half a million` (the fraction of the scale after it)."""
        if self.is_word(start + 1, "a", "an") and self.number_word(start + 2, "scale"):
            term, end, scale = self._scales(constant(word.value), start + 2)
            return _Core(term, start, end, None, "cardinal", scale)
        return _Core(constant(word.value), start, start + 1, None, "fraction", ONE)

    def _fraction_tail(self, core: _Core) -> _Core:
        """`one and a half`, `two and a half million`."""
        index = core.end
        if not (self.is_word(index, "and") and self.is_word(index + 1, "a", "an")):
            return core
        word = self.number_word(index + 2, "fraction")
        if word is None:
            return core
        term, end, scale = self._scales(core.term.plus(word.value), index + 3)
        return replace(core, term=term, end=end, scale=core.scale * scale)

    # ------------------------------------------------------------------ quantities

    def _quantity(self, index: int):
        """[qualifier] [between | from] amount [(- | to | and) amount] [qualifier after]: a quantity, a range,
        a year or a year range, an ordinal, a multiple, or a duration used as a time (`12 hours ago`)."""
        start = index
        found = self.lexicon.qualifiers_before.at(self.tokens, index)
        qualifier, index = found if found else (None, index)
        opener = self.lower(index) if self.is_word(index, "between", "from") else None
        first = self._amount(index + 1 if opener else index)
        if first is None:
            return None
        if first.core.kind in ("ordinal", "multiple"):
            return self._not_a_quantity(first)
        second = self._range_end(first, opener, start)
        year = qualifier is None and self._is_year(first)
        if year and second is not None and self._is_year(second):
            reading = self.reading(first.start, second.core.end, "year", low=first.core.term, high=second.core.term)
            return [reading], second.core.end
        if year:
            return self._not_a_quantity(first)
        if second is not None:
            _share_units(first, second)
        elif qualifier is None:
            start = first.start  # `rose from 5%`: the `from` belongs to the change, not to the number
        end = (second or first).end
        after = self._qualifier_after(end)
        if after is not None:
            qualifier, end = after
        return [self._quantity_reading(start, end, first, second, qualifier)], end

    def _quantity_reading(self, start: int, end: int, first: _Amount, second, qualifier: Qualifier | None) -> Reading:
        kind = "quantity"
        if self.is_word(end, *RELATIVE_WORDS) and first.unit is not None:
            kind, end = "relative_time", end + 1
        elif self.is_word(end, "times") and second is None:
            kind, end = "multiple", end + 1
        fields = {"value": first.core.term}
        if second is not None:
            fields = {"low": first.core.term, "high": second.core.term}
        elif qualifier is not None and qualifier.implies == "lower_bound":
            fields = {"low": first.core.term}
        elif qualifier is not None and qualifier.implies == "upper_bound":
            fields = {"high": first.core.term}
        unit_id = first.unit_id or (FRACTION_UNIT if first.core.kind == "fraction" else COUNT_UNIT)
        written = [amount for amount in (first, second) if amount is not None and amount.unit_start is not None]
        counted = (second or first).counted
        return self.reading(
            start,
            end,
            kind,
            unit=unit_id if kind != "multiple" else None,
            unit_text=self._unit_text(first, written[-1] if written else first) if first.unit_id else None,
            currency=first.currency.unit_id if first.currency else None,
            qualifier=qualifier.qualifier if qualifier else None,
            counted=self.span(*counted)[2] if counted else None,
            problem=first.problem or (second.problem if second else None),
            **fields,
        )

    def _unit_text(self, first: _Amount, written: _Amount) -> str:
        """How the unit is written: the currency before the first number, the unit after the last one."""
        pieces = []
        if first.currency is not None and first.start != first.core.start:
            pieces.append(self.span(first.start, first.core.start)[2])
        if written.unit_start is not None:
            pieces.append(self.span(written.unit_start, written.unit_end)[2])
        return " ".join(pieces)

    def _not_a_quantity(self, amount: _Amount):
        """A year (`2024`, `1990s`), an ordinal (`12th`, `first`) or a multiple (`twice`): the numeral or words
        alone, without the noun after them."""
        core = amount.core
        if core.kind in ("ordinal", "multiple"):
            return [self.reading(core.start, core.end, core.kind, value=core.term)], core.end
        if self.is_word(core.end, "s") and self.glued(core.end):  # a decade: `1990s`
            reading = self.reading(core.start, core.end + 1, "year", low=core.term, high=core.term.plus(Decimal(9)))
            return [reading], core.end + 1
        if self.lower(core.end) in ("-", "–") and self.glued(core.end) and self.numeral(core.end + 1, "2"):
            # `2024-25`: the end year's century is the start's, which a shape does not say
            problem = "a range of years whose end is written with two digits is not read"
            return [self.reading(core.start, core.end + 2, "year", low=core.term, problem=problem)], core.end + 2
        return [self.reading(core.start, core.end, "year", value=core.term)], core.end

    def _is_year(self, amount: _Amount) -> bool:
        """A four-digit numeral starting with 1 or 2 with nothing that makes it an amount (a currency, a sign,
        a scale, a unit, a plural noun after it: `2015 vehicles`) is a year, unless a word of time or a
        determiner stands before it (`in 2024`, `the 2024 elections`)."""
        core = amount.core
        if core.numeral is None or core.numeral.numeral.shape != "Y" or core.scaled or core.kind != "cardinal":
            return False
        if amount.currency is not None or amount.unit is not None or amount.start != core.start:
            return False
        return not (amount.counted_plural and self.lower(core.start - 1) not in YEAR_CONTEXT)

    def _qualifier_after(self, index: int):
        start = index + 1 if self.lower(index) == "-" and self.glued(index) else index
        found = self.lexicon.qualifiers_after.at(self.tokens, start)
        if found is None or (start != index and not self.glued(start)):
            return None
        return found

    def _range_end(self, first: _Amount, opener: str | None, start: int) -> _Amount | None:
        """The second end of a range, if one follows `first`: `11-15`, `$11-$15`, `35 to 40`, `between 35 and
        40`, `from 6.2 to 16.1`. Not after a word of change (`rose from 5% to 7%`, `grew 10% to $16bn`):
        those are where a change started and where it ended, two figures."""
        joiner = self.lower(first.end)
        if not (joiner in RANGE_JOINERS or (joiner == "and" and opener == "between")):
            return None
        if joiner == "to" and self._after_change(start):
            return None
        second = self._amount(first.end + 1)
        if second is None or second.core.kind not in ("cardinal", "fraction"):
            return None
        if second.currency is None and second.unit is None and first.currency is not None:
            second.currency = first.currency  # `$35-40/kg`: the currency carries over, and so may its `per`
            self._per(second, first.currency)
        return second if _same_units(first, second) else None

    def _after_change(self, index: int) -> bool:
        return any(self.lower(i) in self.lexicon.change_words for i in range(max(0, index - 4), index))

    def _amount(self, index: int) -> _Amount | None:
        """[currency] [minus] number [unit | counted noun], as in `$4.16 trillion`, `-3.2%`, `200,000 tons`,
        `$15 per kilogram`, `90-day`, `12.4 million EVs`."""
        start = index
        found = self.lexicon.units_before.at(self.tokens, index)
        currency, index = found if found else (None, index)
        negative = self._minus(index)
        if negative:
            index += 1
        core = self._core(index)
        if core is None or (currency is not None and core.kind != "cardinal"):
            return None
        if negative:
            core = replace(core, term=core.term.times(Decimal(-1)))
        amount = _Amount(core, start, core.end, currency=currency)
        if core.kind in ("cardinal", "fraction"):
            self._unit(amount)
        return amount

    def _minus(self, index: int) -> bool:
        if self.is_word(index, "minus"):
            return self._core(index + 1) is not None
        token = self.token(index)
        return (
            token is not None
            and token.text in MINUS_SIGNS
            and not token.glued
            and self.numeral(index + 1) is not None
            and self.glued(index + 1)
        )

    def _unit(self, amount: _Amount) -> None:
        """The unit after the number (`tons`, `-day`, `per cent`) and a `per` unit after it or after the
        currency (`$15 per kilogram`, `% a year`); else the noun it counts."""
        index = amount.end
        if self._qualifier_after(index) is not None:
            return  # `50-plus`, `50+`
        hyphen = self.lower(index) == "-" and self.glued(index) and self.is_word(index + 1) and self.glued(index + 1)
        found = self.lexicon.units_after.at(self.tokens, index + 1 if hyphen else index)
        if found is not None:
            amount.unit, end = found
            amount.unit_start, amount.unit_end = (index + 1 if hyphen else index), end
            amount.end = end
        elif hyphen:  # `an 11-member team`: what it counts, written as a compound
            amount.counted, amount.end = (index + 1, index + 2), index + 2
            return
        numerator = amount.unit or amount.currency
        if numerator is not None:
            self._per(amount, numerator)
        if amount.unit is None and amount.currency is None:
            self._counted(amount)
            count = self.lexicon.units.get(COUNT_UNIT)
            if amount.counted is not None and count is not None and self.is_word(amount.end + 1):
                self._per(amount, count)  # `5 visits per day`: a rate, which a count cannot hold

    def _per(self, amount: _Amount, numerator: Unit) -> None:
        index = amount.end
        if self.lower(index) not in PER_WORDS:
            return
        found = self.lexicon.units_after.at(self.tokens, index + 1)
        if found is None:
            if self.lower(index) in ("per", "/") and self.is_word(index + 1):
                amount.problem = f"no unit is written {self.span(index + 1, index + 2)[2]!r} in the units vocabulary"
                amount.end = index + 2
            return
        denominator, end = found
        compound = self.lexicon.compound(numerator, denominator)
        if compound is None and self.lower(index) in ("a", "an"):
            return  # `a` was an article, not `per`
        amount.unit = self.lexicon.units.get(compound) if compound else None
        amount.unit_start = amount.unit_start if amount.unit_start is not None else index
        amount.unit_end, amount.end = end, end
        if compound is None:
            amount.problem = (
                f"no unit of the units vocabulary is {numerator.unit_id} per {denominator.unit_id} "
                f"(its pint expression would be '{numerator.pint} / {denominator.pint}')"
            )

    def _counted(self, amount: _Amount) -> None:
        """The noun a number counts: up to MAX_COUNTED_WORDS words, ending at the first plural (`17 rare
        earth elements`), stopping at a function word, a participle or punctuation."""
        start = index = amount.end
        while index - start < MAX_COUNTED_WORDS:
            token = self.token(index)
            if token is not None and token.text == "-" and token.glued and index > start and self.glued(index + 1):
                index += 1
                continue
            if token is None or not token.is_word or not _countable(token, self.lexicon):
                break
            index += 1
            if _plural(token.lower):
                amount.counted_plural = True
                break
        while index > start and not self.is_word(index - 1):
            index -= 1
        if index > start:
            amount.counted, amount.end = (start, index), index


def _countable(token: Token, lexicon: Lexicon) -> bool:
    word = token.lower
    if word in FUNCTION_WORDS or word in lexicon.change_words or word in MONTHS:
        return False
    if lexicon.number_words.at([token], 0):
        return False
    return not (len(word) > 4 and word.endswith(("ed", "ing")))


def _plural(word: str) -> bool:
    return word in IRREGULAR_PLURALS or (len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")))


def _same_units(first: _Amount, second: _Amount) -> bool:
    """Whether two amounts can be the ends of one range: no two units or currencies that differ, and not
    money on one side and another unit on the other (`5% to $16bn` is two figures)."""
    for side in ("unit", "currency"):
        mine, theirs = getattr(first, side), getattr(second, side)
        if mine is not None and theirs is not None and mine != theirs:
            return False
    money_only = [a.currency is not None and a.unit is None for a in (first, second)]
    unit_only = [a.currency is None and a.unit is not None for a in (first, second)]
    return not ((money_only[0] and unit_only[1]) or (unit_only[0] and money_only[1]))


def _share_units(first: _Amount, second: _Amount) -> None:
    """What one end of a range writes and the other leaves out applies to both: the currency (`$11-15`), the
    unit (`35 to 40 percent`), the scale (`3 to 4 million`, unless the first end is too large for it:
    `500,000 to 1 million`)."""
    if first.currency is None:
        first.currency = second.currency
    if second.currency is None:
        second.currency = first.currency
    if first.unit is None and second.unit is not None:
        first.unit, first.problem = second.unit, first.problem or second.problem
    if second.unit is None:
        second.unit = first.unit
    if second.core.scaled and not first.core.scaled and _small(first.core):
        first.core = replace(first.core, term=first.core.term.times(second.core.scale), scale=second.core.scale)


def _small(core: _Core) -> bool:
    """A number a scale word after the range can apply to: number words, or a numeral of up to three digits
    before its decimal point (`3`, `1.5`), not one already in thousands (`500,000`)."""
    return core.numeral is None or core.numeral.numeral.shape in ("1", "2", "3", "D")
