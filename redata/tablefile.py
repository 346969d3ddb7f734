"""A table's CSV file as text, record by record: rows appended or cells rewritten, every other byte kept.

Records are split by Python's csv module (a quoted line break stays inside its record) and read as a stream, so
a table of any size is never held whole. A record is written back as it was read unless it changes; a changed
or new record is written with the file's own line ending (that of its header).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CannotRun

# csv quotes a field holding any character of its line terminator: with "\r\n", a field holding either one.
_QUOTING_TERMINATOR = "\r\n"


@dataclass
class Record:
    """One CSV record: its fields, its text as written (line ending included) and the line it starts on."""

    fields: list[str]
    text: str
    line: int

    @property
    def ending(self) -> str:
        for ending in ("\r\n", "\n", "\r"):
            if self.text.endswith(ending):
                return ending
        return ""


class _Lines:
    """The lines of a file, remembering those the csv reader has taken since the last record."""

    def __init__(self, handle):
        self.handle = handle
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.taken.append(line)
        return line

    def take(self) -> str:
        text, self.taken = "".join(self.taken), []
        return text


def records(path: Path) -> Iterator[Record]:
    """Every record of a CSV file, the header first; a blank line is a record of no fields."""
    try:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            lines = _Lines(handle)
            reader = csv.reader(lines, strict=True)
            line = 1
            try:
                for fields in reader:
                    yield Record(fields, lines.take(), line)
                    line = reader.line_num + 1
            except csv.Error as error:
                raise CannotRun(f"{path}:{line}: cannot be parsed as CSV: {error}") from None
            except UnicodeDecodeError:
                raise CannotRun(f"{path}:{reader.line_num + 1}: bytes are not UTF-8") from None
    except OSError as error:
        raise CannotRun(f"{path}: cannot be read: {error.strerror or error}") from None


def header(path: Path) -> list[str]:
    for record in records(path):
        return record.fields
    raise CannotRun(f"{path}: file is empty; a header row is required")


def record_text(values: list[str], ending: str) -> str:
    """One record as csv writes it (quoted only where needed), ending as given."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=_QUOTING_TERMINATOR).writerow(values)
    return buffer.getvalue()[: -len(_QUOTING_TERMINATOR)] + ending


def append(path: Path, out: Path, rows: list[list[str]]) -> list[int]:
    """Write to `out` the file at `path` followed by `rows`; the line each appended row starts on."""
    first = next(records(path), None)
    if first is None:
        raise CannotRun(f"{path}: file is empty; a header row is required")
    ending = first.ending or "\n"
    shutil.copyfile(path, out)
    with out.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        handle.seek(max(handle.tell() - 1, 0))
        last = handle.read(1)
    starts = []
    with out.open("a", encoding="utf-8", newline="") as handle:
        if last not in (b"\n", b""):
            handle.write(ending)
            lines += 1
        for row in rows:
            text = record_text(row, ending)
            starts.append(lines + 1)
            lines += text.count("\n")
            handle.write(text)
    return starts


def rewrite(path: Path, out: Path, changes: dict[int, dict[str, str]]) -> None:
    """Write to `out` the file at `path` with, in the records `changes` names by index (the header is 0), the
    cells of the named columns replaced; every other record is written as it was read."""
    names: list[str] = []
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        for count, record in enumerate(records(path), start=1):
            if count == 1:
                names = record.fields
            change = changes.get(count - 1)
            if not change:
                handle.write(record.text)
                continue
            fields = list(record.fields)
            for name, value in change.items():
                fields[names.index(name)] = value
            handle.write(record_text(fields, record.ending))
    if not count:
        raise CannotRun(f"{path}: file is empty; a header row is required")
    if any(index >= count for index in changes):
        raise CannotRun(f"{path}: has {count} records, fewer than the changes name")
