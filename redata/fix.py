"""`fix()`: put back at its offsets every quote that occurs exactly once in its text, and list the others.

A row of a quoting table (`source_id`, `quote`, `char_start`, `char_end`) whose quote is not the text at its
offsets gets the offsets of the quote's one occurrence. Nothing else is ever written: not a quote, a value, a
sha256, nor the offsets of a quote found twice or nowhere, which are left for the curator with the candidates
(every occurrence; or, for a quote found nowhere, the passages equal to it but for typography and spacing, else
the closest passage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .curation import occurrences, source_package, source_texts, validated, whole_number
from .transaction import Transaction

QUOTING = ("source_id", "quote", "char_start", "char_end")
MAX_CANDIDATES = 5
# A quote found nowhere is looked for approximately in texts up to this long, for the rows listed first.
MAX_FUZZY_TEXT = 2_000_000
MAX_FUZZY_ROWS = 50
FUZZY_SCORE = 80
# Typography a curator typing a quote may get wrong: curly quotes, dashes (spacing is collapsed apart).
TYPOGRAPHY = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'} | {dash: "-" for dash in "‐‑‒–—―−"}
)


@dataclass
class Moved:
    where: str
    old: tuple[str, str]
    new: tuple[int, int]

    def line(self) -> str:
        return f"{self.where}: offsets [{self.old[0]}:{self.old[1]}] -> [{self.new[0]}:{self.new[1]}]"


@dataclass
class Left:
    where: str
    reason: str
    candidates: list[str] = field(default_factory=list)

    def line(self) -> str:
        listed = f"; candidates: {'; '.join(self.candidates)}" if self.candidates else ""
        return f"{self.where}: {self.reason}{listed}; left for the curator"


@dataclass
class Fixed:
    moved: list[Moved] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)
    dry_run: bool = False
    recovered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"finished an interrupted change: {name}" for name in self.recovered]
        lines += [moved.line() for moved in self.moved] + [left.line() for left in self.left]
        verb = "would move (dry run)" if self.dry_run else "moved"
        if not self.moved and not self.left:
            return [*lines, "nothing to fix: every quote is the text at its offsets"]
        return [*lines, f"{verb} {len(self.moved)} quote(s); {len(self.left)} left for the curator"]


def fix(package: str | Path = "datapackage", dry_run: bool = False) -> Fixed:
    where = source_package(package)
    with Transaction(where.root) as change:
        _, context = validated(where.descriptor)
        texts = source_texts(context)
        result = Fixed(dry_run=dry_run, recovered=change.recovered)
        searches = _Searches(texts)
        for name, resource in context.package.resources.items():
            names = [f.get("name") for f in resource.schema["fields"]]
            if all(column in names for column in QUOTING) and resource.path.is_file():
                changes = _fix_table(name, resource, texts, searches, result)
                if changes and not dry_run:
                    from .tablefile import rewrite

                    rewrite(resource.path, change.staged(resource.path), changes)
        if result.moved and not dry_run:
            change.commit()
    return result


def _fix_table(name: str, resource, texts: dict[str, str], searches, result: Fixed) -> dict[int, dict[str, str]]:
    """The new offsets of the table's rows whose quote occurs once, by record index; the rest noted."""
    from .tablefile import records

    changes: dict[int, dict[str, str]] = {}
    key = resource.schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    columns: list[str] = []
    for index, record in enumerate(records(resource.path)):
        if index == 0:
            columns = record.fields
            continue
        row = dict(zip(columns, record.fields, strict=False))
        source, quote = row.get("source_id", ""), row.get("quote", "")
        if not source or not quote:
            continue
        where = f"{name}:{record.line} ({', '.join(row.get(k, '') for k in key)})"
        text = texts.get(source)
        start, end = whole_number(row.get("char_start")), whole_number(row.get("char_end"))
        if text is None:
            result.left.append(Left(where, f"the archived text of {source} cannot be read (redata validate says why)"))
            continue
        if start is not None and end is not None and text[start:end] == quote:
            continue
        found = occurrences(text, quote, MAX_CANDIDATES + 1)
        if len(found) == 1:
            new = (found[0], found[0] + len(quote))
            changes[index] = {"char_start": str(new[0]), "char_end": str(new[1])}
            result.moved.append(Moved(where, (row.get("char_start", ""), row.get("char_end", "")), new))
        elif found:
            listed = [f"[{at}:{at + len(quote)}]" for at in found[:MAX_CANDIDATES]]
            more = " or more" if len(found) > MAX_CANDIDATES else ""
            result.left.append(Left(where, f"quote occurs {len(found)}{more} times in {source}", listed))
        else:
            result.left.append(Left(where, f"quote occurs nowhere in {source}", searches.candidates(source, quote)))
    return changes


class _Searches:
    """Where a quote found nowhere may have been meant, each text normalised once."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        self.normalised: dict[str, tuple[str, list[int]]] = {}
        self.fuzzy_left = MAX_FUZZY_ROWS

    def candidates(self, source: str, quote: str) -> list[str]:
        text = self.texts[source]
        if source not in self.normalised:
            self.normalised[source] = normalise(text)
        plain, index = self.normalised[source]
        wanted = normalise(quote)[0]
        spans = [(index[at], index[at + len(wanted) - 1] + 1) for at in occurrences(plain, wanted, MAX_CANDIDATES)]
        if spans:
            return [f"{_passage(text, a, b)} (typography or spacing differ)" for a, b in spans]
        return self._closest(text, quote)

    def _closest(self, text: str, quote: str) -> list[str]:
        if self.fuzzy_left <= 0 or len(text) > MAX_FUZZY_TEXT:
            return []
        self.fuzzy_left -= 1
        from rapidfuzz import fuzz

        match = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_SCORE)
        if match is None:
            return []
        return [f"{_passage(text, match.dest_start, match.dest_end)} (closest, {match.score:.0f}% alike)"]


def normalise(text: str) -> tuple[str, list[int]]:
    """The text with typography made plain and each run of spaces one space; the offset of each character kept."""
    characters, index = [], []
    spaced = False
    for at, character in enumerate(text):
        if character.isspace():
            if spaced:
                continue
            character, spaced = " ", True
        else:
            spaced = False
        characters.append(character.translate(TYPOGRAPHY))
        index.append(at)
    return "".join(characters), index


def _passage(text: str, start: int, end: int) -> str:
    words = re.sub(r"\s", " ", text[start:end])
    shown = words if len(words) <= 60 else words[:57] + "…"
    return f"[{start}:{end}] {shown!r}"
