"""The grammar of numbers: how numerals, number words, scale words, currencies, units, counted nouns and
qualifiers combine into a quantity, a range or a bound; and, for the numbers that are not quantities, a
year, an ordinal or a multiple. Dates and names are read on top of it (`redata.grammar`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from .english import (
    FUNCTION_WORDS,
    IRREGULAR_PLURALS,
    MAX_COUNTED_WORDS,
    MINUS_SIGNS,
    MONTHS,
    ORDINAL_SUFFIXES,
    PER_WORDS,
    RANGE_JOINERS,
    RELATIVE_WORDS,
    YEAR_CONTEXT,
)
from .lexicon import COUNT_UNIT, FRACTION_UNIT, Lexicon, NumberWord, Qualifier, Unit
from .readings import EXACT, ONE, ZERO, Reading, Term, constant
from .tokens import Token


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


class NumberGrammar:
    """Reads the numbers of one text's tokens; its methods return None where no number starts."""

    def __init__(self, lexicon: Lexicon, text: str, found: list[Token]):
        self.lexicon, self.text, self.tokens = lexicon, text, found

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
        kind, end = self._quantity_kind(end, first, second)
        fields = _numbers(first, second, qualifier)
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

    def _quantity_kind(self, end: int, first: _Amount, second) -> tuple[str, int]:
        """A quantity, or, by the word after it, a time relative to now (`two years ago`) or a multiple
        (`three times`); and where the reading ends."""
        if self.is_word(end, *RELATIVE_WORDS) and first.unit is not None:
            return "relative_time", end + 1
        if self.is_word(end, "times") and second is None:
            return "multiple", end + 1
        return "quantity", end

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


def _numbers(first: _Amount, second: _Amount | None, qualifier: Qualifier | None) -> dict[str, Term]:
    """The reading's numbers: a range's two ends, the one bound its qualifier implies, or a value."""
    if second is not None:
        return {"low": first.core.term, "high": second.core.term}
    implies = qualifier.implies if qualifier is not None else None
    if implies == "lower_bound":
        return {"low": first.core.term}
    if implies == "upper_bound":
        return {"high": first.core.term}
    return {"value": first.core.term}
