"""The number reader: finds every number in English text and says what it is, with its character offsets.

A quantity gets its value, or the bounds of a range or of an inequality (exact `Decimal`s, scale words
applied), its unit, currency, qualifier and counted noun; a year, a date, an ordinal, a multiple, a time of
day, a name or code (`F-35`), or a footnote mark glued to a number is classified as such. The words come
from the package's vocabularies (`redata.lexicon`); how they combine is the grammar (`redata.grammar`,
`redata.numbers`, in the English of `redata.english`); what it says is a `Reading` (`redata.readings`).

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

from dataclasses import replace
from pathlib import Path

from .grammar import Grammar
from .lexicon import Lexicon
from .readings import KINDS, DateParts, Reading, Term
from .tokens import tokens

__all__ = ["KINDS", "DateParts", "Reader", "Reading", "Term"]


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
        return [_shifted(reading.resolve(values), start) for reading in Grammar(self.lexicon, span, found).readings()]

    def read_shape(self, text: str, shapes: bool = True) -> list[Reading]:
        """The readings of a text whose numerals may be placeholders (see `redata.shapes`), numbers as Terms."""
        return Grammar(self.lexicon, text, tokens(text, shapes)).readings()


def _shifted(reading: Reading, start: int) -> Reading:
    if not start:
        return reading
    numbers = tuple((a + start, b + start) for a, b in reading.numbers)
    return replace(reading, char_start=reading.char_start + start, char_end=reading.char_end + start, numbers=numbers)
