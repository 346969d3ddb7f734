"""What a PDF prints, read with pdfplumber: lines of words with superscript marks kept apart from the words
they are printed on, the cells of a table under a run-in heading, and the text of a footnote.

The layout rules are those of a statistical summary such as the USGS Mineral Commodity Summaries: a table
starts at a bold run-in heading (`World Mine Production and Reserves:`); its column labels are bold words,
a label over several columns being their group; numbers are right-aligned under their column's label;
a row whose label has no numbers heads the indented rows below it; footnote marks are printed smaller and
raised, before a number (`¹⁴270,000`) or after a label (`Reserves¹¹`); footnotes are set in small type,
each line led by its mark. A plain text extraction glues the marks to the numbers (`14270,000`); here a
mark is never part of the word it is printed on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

# A word printed at less than this share of its line's largest size, and raised above its baseline, is a
# superscript mark (the chapter's marks are 6.48 pt on 10.02 pt lines, 4.98 pt on 7.98 pt footnotes).
SUPERSCRIPT_SIZE = 0.8
RAISED_BY = 0.5  # points
# A mark this close (points) to a word is printed on it.
TOUCHING = 0.75
# Marks printed one after another ("e, 4") are one group when this close (points).
MARK_GROUP_GAP = 3.0
# Bold words this close (points) are one column label ("Mine production"); labels of columns are further apart.
PHRASE_GAP = 5.0
# A cell belongs to the column whose right edge is within this distance (points) of its own.
ALIGNED = 4.0
# A vertical gap larger than this share of a line's height starts a new block (paragraph or table).
BLOCK_GAP = 0.6
# The printed page number stands alone in this top share of the page.
PAGE_NUMBER_BAND = 0.08
# A document larger than this, or with more pages, is not read (the chapter is 0.7 MB, two pages).
MAX_BYTES = 64 * 1024 * 1024
MAX_PAGES = 200


class DocumentError(Exception):
    """The document cannot be read as a PDF."""


class ReaderMissing(DocumentError):
    """The PDF library is not installed, so no document can be read."""


@dataclass(frozen=True)
class Word:
    """A word as printed, without its marks; `left`/`right` include the marks printed on it."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    marks_before: tuple[str, ...] = ()
    marks_after: tuple[str, ...] = ()
    left: float | None = None  # set once the word's marks are known
    right: float | None = None

    @property
    def marks(self) -> tuple[str, ...]:
        return self.marks_before + self.marks_after


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]
    top: float
    bottom: float

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def size(self) -> float:
        return max(word.size for word in self.words)


@dataclass(frozen=True)
class Page:
    position: int  # 1 for the file's first page
    number: str | None  # the page number printed in its top margin
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Cell:
    """One printed cell of a table, located by its labels as printed (marks kept apart)."""

    page: str | None
    section: str
    row_group: str  # the labels of the rows that head this one, outermost first, joined by " > "
    row_label: str
    column_group: str
    column_label: str
    text: str
    value_marks: tuple[str, ...]  # the marks printed on the number itself
    footnotes: tuple[str, ...]  # every mark that qualifies it: its own, its labels' and its headings'

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.section, self.row_group, self.row_label, self.column_group, self.column_label)


# ---------------------------------------------------------------- reading pages


def read_pages(path: Path) -> list[Page]:
    """Every page of a PDF as lines of words; raises DocumentError for anything that is not a readable PDF."""
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    pdfplumber = pdf_library()
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise DocumentError(f"{path}: more than {MAX_PAGES} pages")
            return [_page(position, page) for position, page in enumerate(pdf.pages, start=1)]
    except DocumentError:
        raise
    except Exception as error:  # noqa: BLE001  pdfminer raises many kinds of errors on damaged files
        raise DocumentError(f"{path}: cannot be read as a PDF ({type(error).__name__}: {error})") from None


def pdf_library():
    """pdfplumber, which reads the documents; ReaderMissing where it is not installed (the layer reports that as a
    rule it cannot evaluate)."""
    try:
        import pdfplumber
    except ImportError as error:
        raise ReaderMissing(f"pdfplumber is not installed ({error}); it reads reference documents") from None
    return pdfplumber


def _page(position: int, page) -> Page:
    raw = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
    words = [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], w["size"], "Bold" in w["fontname"]) for w in raw]
    lines = lines_of(words)
    return Page(position, _printed_page_number(lines, page.height), tuple(lines))


def lines_of(words: Iterable[Word]) -> list[Line]:
    """Words grouped into lines, top to bottom: the larger words make the lines, and a smaller word joins
    the line its middle lies in; marks are then attached to the words they are printed on."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (-w.size, w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        home = next((row for row in rows if row[0].top <= middle <= row[0].bottom), None)
        if home is None:
            rows.append([word])
        else:
            home.append(word)
    lines = [_with_marks(sorted(row, key=lambda w: w.x0)) for row in rows]
    return sorted(lines, key=lambda line: line.top)


def _with_marks(words: list[Word]) -> Line:
    """The line's words, each superscript group attached as marks to the word it touches (the next word
    first: marks precede numbers) or kept as a word of its own where it touches none."""
    largest = max(w.size for w in words)
    baseline = max(w.bottom for w in words if w.size == largest)
    superscript = [w.size < SUPERSCRIPT_SIZE * largest and w.bottom < baseline - RAISED_BY for w in words]
    kept: list[Word] = []
    index = 0
    while index < len(words):
        if not superscript[index]:
            kept.append(_spanning(words[index]))
            index += 1
            continue
        group = _mark_group(words, superscript, index)
        index += len(group)
        _attach(group, words, superscript, index, kept)
    body = [w for w, small in zip(words, superscript, strict=True) if not small] or words
    return Line(tuple(kept), min(w.top for w in body), max(w.bottom for w in body))


def _mark_group(words: list[Word], superscript: list[bool], start: int) -> list[Word]:
    """The superscript words from `start` that are printed as one group (close together)."""
    group = [words[start]]
    following = start + 1
    while following < len(words) and superscript[following] and words[following].x0 - group[-1].x1 <= MARK_GROUP_GAP:
        group.append(words[following])
        following += 1
    return group


def _attach(group: list[Word], words: list[Word], superscript: list[bool], index: int, kept: list[Word]) -> None:
    """Give the group's marks to the word after it (at `index`) or before it, where it touches one; else keep
    the group as a word of its own."""
    marks = tuple(mark for w in group for mark in re.split(r"[,\s]+", w.text) if mark)
    following = words[index] if index < len(words) and not superscript[index] else None
    if following is not None and following.x0 - group[-1].x1 <= TOUCHING:
        words[index] = replace(following, marks_before=marks, left=group[0].x0)
    elif kept and group[0].x0 - kept[-1].x1 <= TOUCHING:
        kept[-1] = replace(kept[-1], marks_after=marks, right=group[-1].x1)
    else:
        kept.append(_spanning(replace(group[0], text=" ".join(w.text for w in group), x1=group[-1].x1)))


def _spanning(word: Word) -> Word:
    return replace(
        word, left=word.x0 if word.left is None else word.left, right=word.x1 if word.right is None else word.right
    )


def _printed_page_number(lines: list[Line], height: float) -> str | None:
    for line in lines:
        if line.top < PAGE_NUMBER_BAND * height and len(line.words) == 1 and line.words[0].text.isdigit():
            return line.words[0].text
    return None


# ---------------------------------------------------------------- tables


def table_cells(pages: list[Page], section: str) -> list[Cell] | None:
    """Every cell of the table under the run-in heading `section` (without its colon); None if no page
    prints that heading."""
    for page in pages:
        for index, line in enumerate(page.lines):
            heading_words = _heading_length(line, section)
            if heading_words:
                return _cells(page, index, heading_words, section)
    return None


def _heading_length(line: Line, section: str) -> int:
    """How many words of the line are the bold heading `section:`, or 0 where the line does not start with it."""
    text = ""
    for count, word in enumerate(line.words, start=1):
        if not word.bold:
            return 0
        text = f"{text} {word.text}".strip()
        if text == f"{section}:":
            return count
        if not f"{section}:".startswith(text):
            return 0
    return 0


def _blocks(lines: tuple[Line, ...]) -> list[list[int]]:
    """Line indices grouped into blocks: a vertical gap larger than BLOCK_GAP of a line's height separates them."""
    blocks: list[list[int]] = []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else None
        if previous is None or line.top - previous.bottom > BLOCK_GAP * (previous.bottom - previous.top):
            blocks.append([])
        blocks[-1].append(index)
    return blocks


@dataclass
class _Column:
    label: str
    marks: tuple[str, ...]
    left: float
    right: float
    groups: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # outermost first


def _cells(page: Page, heading: int, heading_words: int, section: str) -> list[Cell]:
    lines = page.lines
    heading_line = lines[heading]
    blocks = _blocks(lines)
    block = next(b for b in blocks if heading in b)
    header_rows = []
    rest = heading_line.words[heading_words:]
    if rest and all(word.bold for word in rest):  # column labels on the heading's own line
        header_rows.append(list(rest))
        body = [i for i in block if i > heading]
    else:  # the table is the next block, its column labels its leading lines of bold words
        later = [b for b in blocks if b[0] > heading]
        body = later[0] if later else []
    while body and all(word.bold for word in lines[body[0]].words):
        header_rows.append(list(lines[body[0]].words))
        body = body[1:]
    columns = _columns(header_rows)
    heading_marks = tuple(mark for word in heading_line.words[:heading_words] for mark in word.marks)
    return _rows(page, [lines[i] for i in body], columns, section, heading_marks)


def _phrases(words: list[Word]) -> list[list[Word]]:
    phrases: list[list[Word]] = []
    for word in words:
        if phrases and word.left - phrases[-1][-1].right <= PHRASE_GAP:
            phrases[-1].append(word)
        else:
            phrases.append([word])
    return phrases


def _columns(header_rows: list[list[Word]]) -> list[_Column]:
    """The leaf columns, bottom header row first; a label above leaves it overlaps is their group."""
    columns: list[_Column] = []
    for row in reversed(header_rows):
        for phrase in _phrases(row):
            label = " ".join(word.text for word in phrase)
            marks = tuple(mark for word in phrase for mark in word.marks)
            left, right = phrase[0].left, phrase[-1].right
            under = [c for c in columns if c.left <= right and left <= c.right]
            for column in under:
                column.groups.insert(0, (label, marks))
            if not under:
                columns.append(_Column(label, marks, left, right))
    return sorted(columns, key=lambda c: c.right)


def _rows(page: Page, lines: list[Line], columns: list[_Column], section: str, heading_marks) -> list[Cell]:
    cells: list[Cell] = []
    groups: list[tuple[float, str, tuple[str, ...]]] = []  # (indent, label, marks) of the rows heading these
    for line in lines:
        label_words, placed = _split_row(line, columns)
        indent = line.words[0].left
        label = " ".join(word.text for word in label_words)
        label_marks = tuple(mark for word in label_words for mark in word.marks)
        groups = [group for group in groups if group[0] < indent]
        if not placed:
            groups.append((indent, label.removesuffix(":"), label_marks))
            continue
        group_marks = tuple(mark for group in groups for mark in group[2])
        for column, word in placed:
            column_marks = tuple(mark for _, marks in column.groups for mark in marks) + column.marks
            every = heading_marks + column_marks + group_marks + label_marks + word.marks
            cells.append(
                Cell(
                    page=page.number,
                    section=section,
                    row_group=" > ".join(group[1] for group in groups),
                    row_label=label,
                    column_group=" > ".join(group_label for group_label, _ in column.groups),
                    column_label=column.label,
                    text=word.text,
                    value_marks=word.marks,
                    footnotes=tuple(dict.fromkeys(every)),
                )
            )
    return cells


def _split_row(line: Line, columns: list[_Column]) -> tuple[list[Word], list[tuple[_Column, Word]]]:
    """The row's label words and its cells: read from the right, each word aligned with a column not yet
    taken is a cell; the first word that is not, and every word left of it, is the label."""
    words = list(line.words)
    placed: list[tuple[_Column, Word]] = []
    taken: set[int] = set()
    while words:
        word = words[-1]
        column = next(
            (i for i, c in enumerate(columns) if i not in taken and abs(c.right - word.right) <= ALIGNED), None
        )
        if column is None:
            break
        taken.add(column)
        placed.insert(0, (columns[column], words.pop()))
    return words, placed


# ---------------------------------------------------------------- footnotes


def footnote_text(pages: list[Page], mark: str) -> str | None:
    """The text of the footnote led by `mark`, its lines joined by single spaces; None if none is printed.

    A footnote is a line in smaller type than the document's body whose first word carries the mark, with
    the lines that follow it in its block up to the next line led by a mark."""
    body = _body_size(pages)
    for page in pages:
        blocks = _blocks(page.lines)
        for index, line in enumerate(page.lines):
            first = line.words[0]
            if first.marks_before != (mark,) or line.size >= body:
                continue
            block = next(b for b in blocks if index in b)
            parts = [line.text]
            for following in (page.lines[i] for i in block if i > index):
                if following.words[0].marks_before:
                    break
                parts.append(following.text)
            return " ".join(" ".join(parts).split())
    return None


def _body_size(pages: list[Page]) -> float:
    """The size most words are printed in."""
    sizes: dict[float, int] = {}
    for page in pages:
        for line in page.lines:
            for word in line.words:
                sizes[round(word.size, 1)] = sizes.get(round(word.size, 1), 0) + 1
    return max(sizes, key=sizes.get) if sizes else 0.0
