"""The names of a text for `redata propose`: known entities found by their aliases, and capitalised names no
entity holds yet (new candidates), each with its offsets and, for a new one, a type guessed from its last word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .english import FUNCTION_WORDS, MONTHS

# Entity types that are what a figure counts or measures, not who or where: a subject is looked for among
# the other names first.
THING_TYPES = {"material", "rare_earth_element", "product", "document", "law", "policy", "agreement"}
# A run of capitalised words, with the lower-case words that join the parts of a name (`Ministry of Commerce`).
CAPITALISED = re.compile(
    r"(?<![\w’'])[A-Z][\w&’'.-]*(?:[ \t]+(?:(?:of|for|and|the|de|du|von|van|&)[ \t]+)?[A-Z][\w&’'.-]*)*(?![$\w])"
)
# A single capitalised word with an ending of nationality is an adjective (`Chinese firms`), not a name.
DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ese|ian|can|ish|ean)$")
POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# Between a name and the verb it is the subject of: an abbreviation in brackets, a comma, an adverb.
BEFORE_VERB = re.compile(r"^\s*(?:\([^()]{0,60}\))?\s*,?\s*(?:[a-z]+ly\s+)?$")
# Marks a sentence may open with before its first word (a quotation, a bracket): that word is still its first.
OPENING_MARKS = re.compile(r"[“\"‘'(\[\s]*")
BEFORE_NAME = re.compile(r"^\s*(?:the\s+)?$", re.IGNORECASE)


def phrase_pattern(phrase: str) -> re.Pattern:
    """A word or phrase as whole words, case-insensitive, any white space between its words."""
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str
    entity_id: str | None  # None: a new name
    type: str | None = None
    type_confidence: float = 0.0
    type_reason: str = ""

    @property
    def is_thing(self) -> bool:
        return self.type in THING_TYPES


class Names:
    """Every name of one text, in order."""

    def __init__(self, text: str, names: list[Name]):
        self.text = text
        self.all = sorted(names, key=lambda name: name.start)

    @classmethod
    def find(cls, text: str, sentences, entities: list[dict[str, str]], type_cues) -> Names:
        known = _known(text, entities)
        taken = [(name.start, name.end) for name in known]
        new = []
        for start, end in sentences:
            opening = start + len(OPENING_MARKS.match(text, start, end).group())
            for match in CAPITALISED.finditer(text, start, end):
                name = _new_name(text, match.start(), match.end(), opening, type_cues)
                if name and not any(a < name.end and name.start < b for a, b in taken):
                    new.append(name)
        return cls(text, known + new)

    def within(self, start: int, end: int) -> list[Name]:
        return [name for name in self.all if start <= name.start and name.end <= end]

    def after(self, position: int, limit: int) -> Name | None:
        """The name that starts right after `position` (past white space and `the`), before `limit`."""
        for name in self.all:
            if position <= name.start < limit and BEFORE_NAME.match(self.text[position : name.start]):
                return name
            if name.start >= limit:
                break
        return None

    def before(self, position: int, floor: int) -> Name | None:
        """The name that ends right before `position` (a bracketed abbreviation or an adverb between)."""
        found = [n for n in self.all if floor <= n.start and n.end <= position]
        for name in reversed(found):
            if BEFORE_VERB.match(self.text[name.end : position]):
                return name
        return None


def _known(text: str, entities: list[dict[str, str]]) -> list[Name]:
    """Each occurrence of an alias of a known entity (the longest at a place), as written."""
    aliases: dict[str, tuple[str, str]] = {}
    for row in entities:
        for alias in [*(row.get("aliases") or "").split(";"), row.get("name") or ""]:
            if alias.strip():
                aliases.setdefault(alias.strip(), (row["entity_id"], row.get("type") or ""))
    if not aliases:
        return []
    alternatives = "|".join(re.escape(alias) for alias in sorted(aliases, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w$-])(?:{alternatives})(?![\w$-])")
    found = []
    for match in pattern.finditer(text):
        entity_id, entity_type = aliases[match.group()]
        found.append(Name(match.start(), match.end(), match.group(), entity_id, entity_type))
    return found


def _new_name(text: str, start: int, end: int, sentence_start: int, type_cues) -> Name | None:
    """A capitalised run as a new name: without a possessive, a closing full stop or a sentence's first function
    word; none where it is one word opening a sentence, a month or a weekday, or holds a digit."""
    words = text[start:end].split()
    if start == sentence_start and words and words[0].lower() in FUNCTION_WORDS:
        words = words[1:]
        start = end - len(" ".join(words)) if words else end
    words = _name_words(words, type_cues)
    if words is None:
        return None
    name = " ".join(words)
    if not _may_be_a_name(words, name, start == sentence_start and len(words) == 1):
        return None
    start = text.find(name, start, end + 1)
    if start < 0:  # the words were joined by other white space than one space
        return None
    return _typed(Name(start, start + len(name), name, None), type_cues)


def _name_words(words: list[str], type_cues) -> list[str] | None:
    """The words of a capitalised run that make the name: trailing connectives, a possessive and a closing full
    stop (not an abbreviation the type cues know) left out."""
    while words and words[-1].lower() in {"of", "for", "and", "the", "de", "du", "von", "van", "&"}:
        words = words[:-1]
    if not words:
        return None
    last = POSSESSIVE.sub("", words[-1])
    if last.endswith(".") and last.count(".") == 1 and last.lower() not in {word for _, word, _ in type_cues}:
        last = last[:-1]
    return [*words[:-1], last]


def _may_be_a_name(words: list[str], name: str, one_word_opening: bool) -> bool:
    """Not a lone word opening a sentence, a demonym, a month or weekday, function words only, or digits."""
    lowered = {word.lower().strip(".") for word in words}
    if not name or one_word_opening or any(c.isdigit() for c in name) or len(name) < 2:
        return False
    if len(words) == 1 and DEMONYM.match(name):
        return False
    return not (lowered & (set(MONTHS) | WEEKDAYS) or lowered <= FUNCTION_WORDS)


def _typed(name: Name, type_cues) -> Name:
    last = name.text.split()[-1].lower()
    for _, word, value in type_cues:
        if word == last:
            return Name(name.start, name.end, name.text, None, value, 0.6, f'last word "{word}" (cue_words)')
    words = name.text.split()
    if 2 <= len(words) <= 3 and all(word.isalpha() for word in words):
        return Name(name.start, name.end, name.text, None, "person", 0.3, "two or three plain capitalised words")
    return name
