"""The precision a number's words imply: the rounding step of a number as written, in its value's unit.

The rule: a number with decimals is stated to its last decimal (`12.4` to 0.1); a whole number ending in a
non-zero digit to the unit (`11`); a whole number ending in zeros to half its last non-zero place, since
a reader cannot tell whether `60` was rounded to the unit, to five or to ten, and five is the coarser
rounding writers use below ten (`60` to 5, `200,000` to 50,000). A scale word carries the step with it
(`12.4 million` to 100,000). A number written in words (`two`, `half`) is read to the unit of its value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Digits, with thousands separators and decimals: what a written number's precision is read from.
NUMERAL = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Precision:
    step: float  # the rounding step, in the unit of the value read
    basis: str  # the reading in words, for a verdict


def implied_precision(written: str, value: float | None) -> Precision:
    """The rounding step of the number `written` (a figure's `as_written`, a reference's `as_printed`),
    whose value, in its unit, is `value` (for a range or a bound, the value of its first number)."""
    numerals = [numeral.rstrip(",") for numeral in NUMERAL.findall(written)]
    if not numerals:
        return Precision(1.0, f"{written!r} is written in words: read to the unit")
    first = float(numerals[0].replace(",", ""))
    scale = float(f"{value / first:.12g}") if value is not None and first else 1.0  # 12.4 million: 1e6, not 999999.99
    steps = [(_step(numeral), numeral) for numeral in numerals]
    step, numeral = max(steps)
    shown = (
        number_text(step) if scale == 1 else f"{number_text(step)} × {number_text(scale)} = {number_text(step * scale)}"
    )
    return Precision(step * scale, f"{numeral!r} is read to the nearest {shown}")


def _step(numeral: str) -> float:
    digits = numeral.replace(",", "")
    whole, _, decimals = digits.partition(".")
    if decimals:
        return 10.0 ** -len(decimals)
    significant = whole.rstrip("0")
    zeros = len(whole) - len(significant)
    if zeros == 0 or not significant:
        return 1.0
    return 10.0**zeros / 2


def number_text(number: float) -> str:
    """A number as a reader writes it: thousands separated, no exponent, at most four decimals."""
    if not math.isfinite(number):
        return "∞" if number > 0 else "-∞"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")
