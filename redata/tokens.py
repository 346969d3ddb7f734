"""Text cut into the tokens the number reader works on: numerals, words and single symbols, each with its
offsets, and each numeral with its shape, the traits of its digits the reader's decisions depend on.

A numeral is a run of ASCII digits, commas and points that starts and ends with a digit (`12.4`, `200,000`,
`1,2,3`). Its shape says what it can be without saying its value: a plain integer of one to five or more
digits (`1` … `5`), four digits starting with 1 or 2 (`Y`, which may be a year), an integer with thousands
separators (`G`), a decimal (`D`, `GD` with separators), a grouped number whose first group is too long for
one (`F`: a footnote mark glued to it, as `14270,000` in a table extracted from a PDF), or none of these
(`X`, as is a numeral of more than 30 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

NUMERAL_PATTERN = r"[0-9](?:[0-9.,]*[0-9])?"
# A longer numeral is no number a text states (an identifier, a table run together): its shape is `X`.
MAX_NUMERAL_LENGTH = 30
# The most numerals a shape keeps (`redata.shapes`), and so the most a figure's words may hold.
MAX_NUMERALS = 4
# In a shape (see `redata.shapes`), each numeral is replaced by one private-use character naming its shape.
SHAPES = ("1", "2", "3", "4", "5", "Y", "G", "D", "GD", "F", "X")
PLACEHOLDER_BASE = 0xE000
PLACEHOLDERS = "".join(chr(PLACEHOLDER_BASE + index) for index in range(len(SHAPES)))
WORD_PATTERN = r"[^\W\d_]+(?:['’][^\W\d_]+)*"
_TOKEN = re.compile(rf"(?P<numeral>{NUMERAL_PATTERN})|(?P<word>{WORD_PATTERN})|(?P<space>\s+)|(?P<symbol>.)", re.DOTALL)
_SHAPE_TOKEN = re.compile(
    rf"(?P<numeral>{NUMERAL_PATTERN}|[{PLACEHOLDERS}])|(?P<word>{WORD_PATTERN})|(?P<space>\s+)|(?P<symbol>.)", re.DOTALL
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_GROUPED_DECIMAL = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")
_FOOTNOTED = re.compile(r"[0-9]{4,6}(?:,[0-9]{3})+")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


@dataclass(frozen=True, slots=True)
class Numeral:
    """A numeral: its place among the text's numerals, its shape, and its value (None in a shape)."""

    slot: int
    shape: str
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    lower: str
    kind: str  # "numeral", "word" or "symbol"
    glued: bool  # written against the token before it, with no space between
    numeral: Numeral | None = None

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def is_numeral(self) -> bool:
        return self.kind == "numeral"


def numeral_shape(digits: str) -> str:
    """The shape of a numeral's digits (see the module's docstring); `redata.shapes` computes the same in bulk."""
    if len(digits) > MAX_NUMERAL_LENGTH:
        return "X"
    if "," not in digits and "." not in digits:
        if len(digits) == 4 and digits[0] in "12":
            return "Y"
        return str(min(len(digits), 5))
    if _GROUPED.fullmatch(digits):
        return "G"
    if _DECIMAL.fullmatch(digits):
        return "D"
    if (
        "." in digits
        and _GROUPED.fullmatch(digits[: digits.index(".")])
        and _DECIMAL.fullmatch(digits.replace(",", ""))
    ):
        return "GD"
    if _FOOTNOTED.fullmatch(digits):
        return "F"
    return "X"


def numeral_value(digits: str, shape: str) -> Decimal | None:
    """The value of a numeral that is a number (thousands separators dropped); None for `F` and `X`."""
    if shape in ("F", "X"):
        return None
    return Decimal(digits.replace(",", ""))


def tokens(text: str, shapes: bool = False) -> list[Token]:
    """The tokens of `text`, spaces left out (a token says whether a space preceded it). With `shapes`,
    the text is a shape: its placeholder characters are numerals of the shape they name, without value."""
    found: list[Token] = []
    slot = 0
    previous_end = -1
    for match in (_SHAPE_TOKEN if shapes else _TOKEN).finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        start, end, piece = match.start(), match.end(), match.group()
        numeral = None
        if kind == "numeral":
            if len(piece) == 1 and piece in PLACEHOLDERS:
                numeral = Numeral(slot, SHAPES[ord(piece) - PLACEHOLDER_BASE], None)
            else:
                shape = numeral_shape(piece)
                numeral = Numeral(slot, shape, numeral_value(piece, shape))
            slot += 1
        found.append(Token(start, end, piece, piece.lower(), kind, start == previous_end, numeral))
        previous_end = end
    return found


def spelling_words(spelling: str) -> tuple[str, ...]:
    """A vocabulary spelling as the lower-case texts of its tokens (`U.S. dollars` → u . s . dollars)."""
    return tuple(token.lower for token in tokens(spelling))
