"""Sentences of an archived text, as (start, end) offsets into it: pysbd's segmentation, with a line break
inside a sentence (a wrapped line) joined back.

pysbd keeps abbreviations (`U.S.`, `Inc.`) and decimals inside their sentence and gives character spans; it
takes every line break for a sentence end, so a piece that ends without closing punctuation and is followed
by one that starts in lower case is one sentence broken across lines.
"""

from __future__ import annotations

import re

CLOSING = re.compile(r"[.!?…:;\"”’)\]]\s*$")
PARAGRAPH = re.compile(r"\n\s*\n")


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text`, in order, without their surrounding white space; every character that is not
    white space lies in exactly one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in [*PARAGRAPH.finditer(text), None]:
        end = gap.start() if gap else len(text)
        spans += _paragraph(text, start, end)
        start = gap.end() if gap else end
    return _joined(text, spans)


def _paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of one paragraph (segmented alone: pysbd's time grows faster than the text)."""
    import pysbd

    piece = text[start:end]
    if not piece.strip():
        return []
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    found = []
    for segment in segmenter.segment(piece):
        if piece[segment.start : segment.end] != segment.sent:  # spans that do not index the text are not used
            return [_trimmed(text, start, end)]
        found.append(_trimmed(text, start + segment.start, start + segment.end))
    return [span for span in found if span[0] < span[1]]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and _continues(text, joined[-1], start):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _continues(text: str, previous: tuple[int, int], start: int) -> bool:
    between = text[previous[1] : start]
    return (
        "\n\n" not in between.replace("\r", "")
        and not CLOSING.search(text[previous[0] : previous[1]])
        and text[start : start + 1].islower()
    )
