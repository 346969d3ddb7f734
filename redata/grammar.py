"""The number reader's grammar as a whole: a text's tokens read left to right into dates (`May 12`, `the
12th`), names and codes (`F-35`, `DPA 1950`), footnote marks glued to numbers, and the quantities, years,
ordinals and multiples of `redata.numbers`.
"""

from __future__ import annotations

from .english import (
    DATE_MODIFIERS,
    FUNCTION_WORDS,
    MONTH_ABBREVIATIONS,
    MONTH_CONTEXT,
    MONTHS,
    ORDINAL_SUFFIXES,
    RANGE_JOINERS,
    STARTERS,
)
from .numbers import NumberGrammar
from .readings import DateParts, Reading, Term


class Grammar(NumberGrammar):
    """Reads every number and date of one text's tokens, in order."""

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
