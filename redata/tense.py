"""The tense of a claim for `redata propose`, read from the verb forms of its sentence: `past`, `perfect`,
`future` or `present` (no form of another time), with the words that decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .english import (
    DETERMINERS,
    FUTURE_AUXILIARIES,
    IRREGULAR_PAST,
    NOT_PAST_ED,
    PAST_AUXILIARIES,
    PERFECT_AUXILIARIES,
    PRESENT_BE,
)

# A word, with the apostrophes and hyphens inside it (a hyphenated compound is an adjective: `US-based`).
WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
# Adverbs and negation that may stand between an auxiliary and its verb (`has reportedly cut`).
# `by` and its agent after a past participle (`listed by the Survey`), not an amount of change (`fell by 5%`).
AGENT = re.compile(r"\s+by\s+(?:[A-Z]|(?:the|a|an|its|their)\s)")
BETWEEN = re.compile(r"^(?:[a-z]+ly|not|never|already|also|just|since)$")


@dataclass(frozen=True)
class Tense:
    tense: str  # past, perfect, future or present
    words: str  # the words that decided it ("" for present: none of another time)


def tense(text: str, span: tuple[int, int], skipped: list[tuple[int, int]]) -> Tense:
    """The tense of text[span] from its words outside the `skipped` spans (numbers, verbs of saying):
    a future or perfect auxiliary with its verb, a past auxiliary, or a past form (`-ed` or irregular) used as a
    verb — not after a present form of `be` (a passive: `are mined`), a determiner (an adjective: `the listed
    firms`), nor before `by` (a participle: `minerals listed by`). None of these: the present."""
    words = [
        (match.group(), match.start())
        for match in WORD.finditer(text, *span)
        if not any(start <= match.start() < end for start, end in skipped)
    ]
    for index, (word, _) in enumerate(words):
        if not word[0].islower():  # a name, or the first word of a sentence: read as the word before a verb
            continue
        lower = word
        if lower in FUTURE_AUXILIARIES:
            return Tense("future", word)
        if lower in PAST_AUXILIARIES:
            return Tense("past", word)
        if lower in PERFECT_AUXILIARIES:
            verb = _next_verb(words, index)
            if verb and _past_form(verb):
                return Tense("perfect", f"{word} {verb}")
            continue
        if _past_form(lower) and _used_as_past(text, words, index):
            return Tense("past", word)
    return Tense("present", "")


def _past_form(word: str) -> bool:
    if "-" in word:
        return False
    return word in IRREGULAR_PAST or (len(word) > 4 and word.endswith("ed") and word not in NOT_PAST_ED)


def _next_verb(words: list[tuple[str, int]], index: int) -> str | None:
    for word, _ in words[index + 1 : index + 4]:
        if not BETWEEN.match(word):
            return word
    return None


def _used_as_past(text: str, words: list[tuple[str, int]], index: int) -> bool:
    """A past form is a verb of past time unless a present `be`, a determiner or `by` and an agent make it a
    passive or an adjective; coordinated forms (`are refined and processed`) share the word before the first."""
    before = [word.lower() for word, _ in words[:index] if not BETWEEN.match(word)]
    while before and (before[-1] in {"and", "or"} or _past_form(before[-1])):
        before.pop()
    previous = before[-1] if before else ""
    word, start = words[index]
    return previous not in PRESENT_BE | DETERMINERS | {"be", "been", "being"} and not AGENT.match(
        text, start + len(word)
    )
