"""The words the number reader knows, read from the package's vocabularies (`units`, `qualifiers`,
`number_words`, `change_words`), and the one regular expression of a number in the text built from them.

Every spelling is matched on tokens (`redata.tokens`), in any case, except a spelling of one letter (`t`,
`m`, `C`), matched in its own case only: a letter is a symbol whose case carries its meaning.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any

from .tokens import NUMERAL_PATTERN, Token, spelling_words

# The unit of a number that names no unit: it counts the things its noun names (`12.4 million EVs`).
COUNT_UNIT = "count"
# The unit of a fraction word standing alone (`over half`): a part of a whole.
FRACTION_UNIT = "fraction"
VOCABULARIES = ("units", "qualifiers", "number_words", "change_words")


class LexiconError(Exception):
    """A vocabulary the reader needs is missing or holds a row it cannot use; the message says which."""


@dataclass(frozen=True)
class Unit:
    unit_id: str
    dimension: str
    base_unit_id: str
    to_base_factor: Decimal
    pint: str


@dataclass(frozen=True)
class Qualifier:
    qualifier: str
    implies: str  # approximate, lower_bound, upper_bound or exact
    position: str  # before or after


@dataclass(frozen=True)
class NumberWord:
    word: str
    kind: str  # cardinal, scale, fraction, ordinal or multiple
    value: Decimal
    standalone: bool
    glued: bool


class Phrases:
    """Spellings of one or more tokens, each with what it means, matched at a place in a list of tokens."""

    def __init__(self) -> None:
        # first token's lower-case text -> (the tokens' lower-case texts, the one letter's case or None, meaning)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str | None, Any]]] = {}

    def add(self, spelling: str, meaning: Any) -> None:
        words = spelling_words(spelling)
        if not words:
            return
        letter = spelling if len(spelling) == 1 and spelling.isalpha() else None  # its case is its meaning
        entries = self._by_first.setdefault(words[0], [])
        entries.append((words, letter, meaning))
        entries.sort(key=lambda entry: -len(entry[0]))  # the longest spelling first

    def first_words(self) -> Iterable[str]:
        return self._by_first.keys()

    def entries(self) -> list[tuple[tuple[str, ...], Any]]:
        """Every spelling, as its tokens' lower-case texts, with its meaning."""
        return [(words, meaning) for entries in self._by_first.values() for words, _, meaning in entries]

    def meanings(self) -> list[Any]:
        return [meaning for _, meaning in self.entries()]

    def at(self, tokens: list[Token], index: int) -> tuple[Any, int] | None:
        """The longest spelling that starts at `tokens[index]`: (its meaning, the index just past it)."""
        if index >= len(tokens):
            return None
        for words, letter, meaning in self._by_first.get(tokens[index].lower, ()):
            end = index + len(words)
            if letter is not None and tokens[index].text != letter:
                continue
            if end <= len(tokens) and all(tokens[index + k].lower == words[k] for k in range(1, len(words))):
                return meaning, end
        return None


@dataclass
class Lexicon:
    units: dict[str, Unit] = field(default_factory=dict)
    units_before: Phrases = field(default_factory=Phrases)  # -> Unit
    units_after: Phrases = field(default_factory=Phrases)
    compound_units: dict[str, str] = field(default_factory=dict)  # "USD / kilogram" -> unit_id
    qualifiers_before: Phrases = field(default_factory=Phrases)  # -> Qualifier
    qualifiers_after: Phrases = field(default_factory=Phrases)
    number_words: Phrases = field(default_factory=Phrases)  # -> tuple of NumberWord, one per kind
    standalone_words: tuple[str, ...] = ()
    change_words: frozenset[str] = frozenset()

    @property
    def token_pattern(self) -> str:
        """A number in the text: a numeral, or a number word standing alone (case-insensitive: compile it
        with IGNORECASE, or prefix `(?i)` for polars). The same in Python's `re` and Rust's `regex`."""
        words = "|".join(re.escape(word) for word in sorted(self.standalone_words, key=lambda w: (-len(w), w)))
        return rf"{NUMERAL_PATTERN}|\b(?:{words})\b" if words else NUMERAL_PATTERN

    @cached_property
    def first_words(self) -> frozenset[str]:
        """The lower-case first token of every spelling a reading can begin with: qualifiers, currencies,
        number words."""
        phrases = (self.qualifiers_before, self.units_before, self.number_words)
        return frozenset(first for table in phrases for first in table.first_words())

    def unit(self, unit_id: str | None) -> Unit | None:
        return self.units.get(unit_id) if unit_id else None

    def compound(self, numerator: Unit, denominator: Unit) -> str | None:
        """The unit written as `numerator per denominator` (`$ ... per kilogram`), if the vocabulary has it."""
        return self.compound_units.get(_pint_key(f"{numerator.pint} / {denominator.pint}"))

    @classmethod
    def from_rows(cls, tables: Mapping[str, Iterable[Mapping[str, Any]]], skip_invalid: bool = False) -> Lexicon:
        """Build the lexicon from the vocabularies' rows (dicts of field name to value, typed or as text).
        A row the reader cannot use raises LexiconError, or with `skip_invalid` is left out (where another
        check reports it: a unit left out then fails every figure in it)."""
        missing = [name for name in VOCABULARIES if name not in tables]
        if missing:
            raise LexiconError(f"the vocabularies {', '.join(missing)} are missing")
        lexicon = cls()
        _each(tables["units"], _add_unit, lexicon, skip_invalid)
        _each(tables["qualifiers"], _add_qualifier, lexicon, skip_invalid)
        words: dict[str, list[NumberWord]] = {}
        _each(tables["number_words"], _add_number_word, words, skip_invalid)
        _add_number_words(lexicon, words)
        changes: set[str] = set()
        _each(
            tables["change_words"],
            lambda row, found: found.add(_text(row, "word", "change_words").lower()),
            changes,
            skip_invalid,
        )
        lexicon.change_words = frozenset(changes)
        for required in (COUNT_UNIT, FRACTION_UNIT):
            if required not in lexicon.units:
                raise LexiconError(f"units: the reader needs the unit {required!r}, which the vocabulary lacks")
        return lexicon

    @classmethod
    def from_package(cls, folder: str | Path = "datapackage") -> Lexicon:
        """Read the vocabularies of the package whose descriptor is `folder`/datapackage.json."""
        folder = Path(folder)
        try:
            descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            paths = {r["name"]: r["path"] for r in descriptor["resources"] if r.get("name") in VOCABULARIES}
            tables = {}
            for name, path in paths.items():
                with (folder / path).open(encoding="utf-8", newline="") as handle:
                    tables[name] = list(csv.DictReader(handle))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LexiconError(f"{folder}: the vocabularies cannot be read: {error}") from None
        return cls.from_rows(tables)


def _each(rows: Iterable[Mapping[str, Any]], add, target, skip_invalid: bool) -> None:
    """`add(row, target)` for each row; a row it cannot use raises LexiconError, or is left out."""
    for row in rows:
        try:
            add(row, target)
        except LexiconError:
            if not skip_invalid:
                raise


def _text(row: Mapping[str, Any], name: str, table: str) -> str:
    value = row.get(name)
    if value is None or str(value).strip() == "":
        raise LexiconError(f"{table}: a row has no {name}: {dict(row)}")
    return str(value)


def _number(row: Mapping[str, Any], name: str, table: str) -> Decimal:
    try:
        number = Decimal(str(row.get(name)))
    except InvalidOperation:
        raise LexiconError(f"{table}: {name} {row.get(name)!r} is not a number") from None
    if not number.is_finite():
        raise LexiconError(f"{table}: {name} {row.get(name)!r} is not a finite number")
    return number


def _flag(row: Mapping[str, Any], name: str) -> bool:
    return str(row.get(name)).strip().lower() in ("true", "1", "yes")


def _spellings(row: Mapping[str, Any], name: str) -> list[str]:
    return [s.strip() for s in str(row.get(name) or "").split(";") if s.strip()]


def _pint_key(expression: str) -> str:
    return " ".join(expression.split())


def _add_unit(row: Mapping[str, Any], lexicon: Lexicon) -> None:
    unit = Unit(
        _text(row, "unit_id", "units"),
        _text(row, "dimension", "units"),
        _text(row, "base_unit_id", "units"),
        _number(row, "to_base_factor", "units"),
        _text(row, "pint", "units"),
    )
    if unit.to_base_factor <= 0:
        raise LexiconError(f"units: {unit.unit_id}'s to_base_factor {unit.to_base_factor} converts nothing")
    lexicon.units.setdefault(unit.unit_id, unit)  # a repeated key is reported by the structure layer
    if "/" in unit.pint:
        lexicon.compound_units.setdefault(_pint_key(unit.pint), unit.unit_id)
    for spelling in _spellings(row, "written_before"):
        lexicon.units_before.add(spelling, unit)
    for spelling in _spellings(row, "written_after"):
        lexicon.units_after.add(spelling, unit)


def _add_qualifier(row: Mapping[str, Any], lexicon: Lexicon) -> None:
    position = _text(row, "position", "qualifiers")
    qualifier = Qualifier(_text(row, "qualifier", "qualifiers"), _text(row, "implies", "qualifiers"), position)
    phrases = lexicon.qualifiers_after if position == "after" else lexicon.qualifiers_before
    for spelling in _spellings(row, "written_as"):
        phrases.add(spelling, qualifier)


def _add_number_word(row: Mapping[str, Any], words: dict[str, list[NumberWord]]) -> None:
    word = NumberWord(
        _text(row, "word", "number_words"),
        _text(row, "kind", "number_words"),
        _number(row, "value", "number_words"),
        _flag(row, "standalone"),
        _flag(row, "glued"),
    )
    words.setdefault(word.word, []).append(word)


def _add_number_words(lexicon: Lexicon, by_spelling: dict[str, list[NumberWord]]) -> None:
    for spelling, words in by_spelling.items():
        lexicon.number_words.add(spelling, tuple(words))
    lexicon.standalone_words = tuple(
        sorted({word.word.lower() for words in by_spelling.values() for word in words if word.standalone})
    )
