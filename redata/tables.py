"""Reading one CSV table, once, into a typed polars frame, and mapping rows back to CSV line numbers.

The rules a CSV must follow: UTF-8 without a byte-order mark; comma-delimited with `"` quoting; a header
row naming each field once; LF or CRLF line endings; every row as wide as the header; an
empty cell is null. Every cell is read as a string and parsed into its field's type as it is read; a cell
that does not parse becomes null, and its text is kept aside for the report. A file that breaks the rules
raises `TableReadError`, whose problems name the file and, where it can be found, the line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from .limits import MAX_COLUMNS, MAX_HEADER_BYTES, MAX_ROW_BYTES, MAX_ROWS_PER_RULE, MEBIBYTE

BOM = b"\xef\xbb\xbf"
# pyarrow parses a file this many bytes at a time; each block becomes one chunk of the polars frame. A row
# longer than a block is read again in one block of MAX_ROW_BYTES.
BLOCK_BYTES = 8 * MEBIBYTE
SCAN_BYTES = MEBIBYTE  # what an error's explanation reads of the file at a time


class TableReadError(Exception):
    """A CSV that cannot be read as a table: one (line or None, message) per thing wrong, up to
    MAX_ROWS_PER_RULE of them."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        super().__init__(problems[0][1])
        self.problems = problems


@dataclass
class RawTable:
    """A table as read: every column typed (`frame`, named by `names`, the header's labels made unique), and
    the text of every cell that did not parse (`bad_cells`: `row`, `column`, `text`)."""

    path: Path
    names: list[str]
    frame: object  # polars.DataFrame
    bad_cells: object  # polars.DataFrame

    def line_numbers(self, rows) -> list[int]:
        """CSV line numbers of the given 0-based row indices (the header is line 1): 2 + the row's index + the
        line breaks inside the quoted values of the rows before it (only text holds line breaks)."""
        import polars as pl

        rows = [int(row) for row in rows]
        if not rows:
            return []
        head = self.frame.head(max(rows) + 1)
        texts = [name for name, dtype in head.schema.items() if dtype in (pl.String, pl.Categorical)]
        breaks = pl.sum_horizontal(
            [pl.nth(head.columns.index(n)).cast(pl.String).str.count_matches("\n", literal=True) for n in texts]
            + [pl.lit(0, pl.UInt32)]
        ).fill_null(0)
        per_row = head.select(breaks.alias("breaks")).get_column("breaks")
        bad = self.bad_cells.filter(pl.col("row") <= max(rows))
        if bad.height:  # a cell that did not parse may hold line breaks too
            extra = bad.group_by("row").agg(pl.col("text").str.count_matches("\n", literal=True).sum())
            per_row = per_row.scatter(extra.get_column("row"), per_row.gather(extra.get_column("row")) + extra["text"])
        before = per_row.cum_sum() - per_row
        return [2 + row + int(before[row]) for row in rows]


def read_header(path: Path) -> list[str]:
    """The header's labels; TableReadError if the file has no readable header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_HEADER_BYTES + 1)
    except FileNotFoundError:
        raise TableReadError([(None, f"{path}: file not found")]) from None
    except OSError as error:
        raise TableReadError([(None, f"{path}: cannot be read: {error.strerror or error}")]) from None
    if not head:
        raise TableReadError([(1, f"{path}: file is empty; a header row is required")])
    if head.startswith(BOM):
        raise TableReadError([(1, f"{path}:1: file starts with a UTF-8 byte-order mark; save it without one")])
    first = head.split(b"\n", 1)[0]
    if len(first) > MAX_HEADER_BYTES:
        raise TableReadError([(1, f"{path}:1: header line is longer than {MAX_HEADER_BYTES} bytes")])
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TableReadError([(1, f"{path}:1: header is not UTF-8 (byte {error.start})")]) from None
    try:
        header = next(csv.reader(io.StringIO(text.rstrip("\r")), strict=True), [])
    except csv.Error as error:
        raise TableReadError([(1, f"{path}:1: header cannot be parsed: {error}")]) from None
    if not header or header == [""]:
        raise TableReadError([(1, f"{path}:1: header row is empty")])
    if len(header) > MAX_COLUMNS:
        raise TableReadError([(1, f"{path}:1: header has {len(header)} columns, more than {MAX_COLUMNS}")])
    return header


def unique_names(header: list[str]) -> list[str]:
    """The header's labels, a repeated one numbered (`a`, `a#2`), none equal to another (`a,a,a#2`)."""
    taken, seen, names = set(header), set(), []
    for label in header:
        name, number = label, 1
        while name in seen or (name != label and name in taken):
            number += 1
            name = f"{label}#{number}"
        seen.add(name)
        names.append(name)
    return names


def read_table(path: Path, header: list[str], parsers: dict, categorical: frozenset[str] = frozenset()) -> RawTable:
    """Every row of the CSV under the header's (unique) names, the columns `parsers` names parsed (name ->
    polars expression, null where a cell does not parse), the text columns `categorical` names held as
    categoricals. TableReadError if the file breaks the rules."""
    import pyarrow as pa

    names = unique_names(header)
    parsers = parsers | _as_categorical(categorical)
    for block_bytes in (BLOCK_BYTES, MAX_ROW_BYTES):
        try:
            raw = _read_blocks(path, names, parsers, block_bytes)
            # Arrow's allocator keeps what the reading thread allocated and this one freed: 10 to 100 MB after
            # the 1M-row package's figures, until given back here
            pa.default_memory_pool().release_unused()
            return raw
        except pa.ArrowInvalid as error:
            if "skip" in str(error):  # the file is its header line alone, without a final line break
                return _read_blocks(None, names, parsers, block_bytes)
            text_problem = _text_problem(path)  # bytes no CSV holds are found before a larger block is read
            if "straddl" in str(error) and block_bytes < MAX_ROW_BYTES and text_problem is None:
                continue  # a row longer than a block: read again in one large block
            raise TableReadError([text_problem] if text_problem else explain(path, len(header), str(error))) from None
        except OSError as error:
            raise TableReadError([(None, f"{path}: cannot be read: {error.strerror or error}")]) from None
    raise AssertionError("unreachable")


def _as_categorical(names: frozenset[str]) -> dict:
    import polars as pl

    from .schema import column

    return {name: column(name).cast(pl.Categorical) for name in names}


def _read_blocks(path, names, parsers, block_bytes) -> RawTable:
    import polars as pl

    typed_parts, bad_parts, offset = [], [], 0
    with contextlib.closing(_string_blocks(path, names, block_bytes)) as blocks:
        for strings in blocks:
            typed = strings.select(parsers.get(name, pl.nth(i)).alias(name) for i, name in enumerate(names))
            bad_parts += _bad_cells(strings, typed, [name for name in names if name in parsers], offset)
            typed_parts.append(typed)
            offset += strings.height
    frame = pl.concat(typed_parts, rechunk=False) if typed_parts else _empty(names, parsers)
    empty = pl.DataFrame(schema={"row": pl.UInt32, "column": pl.String, "text": pl.String})
    return RawTable(path, names, frame, pl.concat([empty, *bad_parts]))


def _string_blocks(path, names, block_bytes):
    """The CSV's rows as polars frames of strings, a block at a time (none for a header alone)."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if path is None:
        return
    placeholders = [f"column_{i}" for i in range(len(names))]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=placeholders, skip_rows=1, block_size=block_bytes),
        # a blank line is read as a row of nulls, which the structure layer reports at its line
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(placeholders, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    try:
        for batch in _read_ahead(reader):
            # named after the conversion: Arrow would rename a repeated or empty name
            yield pl.from_arrow(pa.Table.from_batches([batch])).rename(dict(zip(placeholders, names, strict=True)))
    finally:
        reader.close()  # its reading thread is stopped: one still running when the process ends aborts it


def _read_ahead(reader):
    """The reader's batches, the next one parsed on a thread of its own while the caller converts this one:
    Arrow parses outside the GIL, so the two overlap (the 1M-row package's figures read in 1.2 s, against 2.0 s
    one after the other)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="redata-csv") as ahead:
        pending = ahead.submit(_next_batch, reader)
        while (batch := _waited_for(pending)) is not None:
            pending = ahead.submit(_next_batch, reader)
            yield batch


def _waited_for(future):
    """The future's result, waited for a twentieth of a second at a time. A Ctrl-C that the system hands to
    another thread is run by the main thread only once it wakes; seen in CI under Python 3.11, the reading thread
    spun on the signal left pending, never handing over its batch, and the main thread, waiting without end, was
    still there 47 minutes after the Ctrl-C."""
    while future not in wait([future], timeout=0.05).done:
        pass
    return future.result()


def _next_batch(reader):
    """The reader's next batch, None after the last. Arrow's StopIteration, raised through a future, would tie
    the reader and its buffers (80 MB at 1M rows) to the future in a reference cycle, kept until the garbage
    collector next runs."""
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


def _bad_cells(strings, typed, parsed: list[str], offset: int) -> list:
    """(row, column, text) of the cells of `parsed` columns that held text their parser made null."""
    import polars as pl

    parts = []
    for name in parsed:
        index = strings.columns.index(name)
        failing = strings.get_column(name).is_not_null() & typed.get_column(name).is_null()
        if failing.any():
            cells = strings.select(pl.nth(index).alias("text")).with_row_index("row", offset).filter(failing)
            parts.append(cells.select("row", pl.lit(name).alias("column"), "text"))
    return parts


def _empty(names: list[str], parsers: dict):
    import polars as pl

    strings = pl.DataFrame({name: pl.Series(name, [], dtype=pl.String) for name in names})
    return strings.select(parsers.get(name, pl.nth(index)).alias(name) for index, name in enumerate(names))


# ---------------------------------------------------------------- explaining a file that cannot be read


def explain(path: Path, width: int, reason: str) -> list[tuple[int | None, str]]:
    """Where and why a CSV of text cannot be read: the rows that break CSV (at most MAX_ROWS_PER_RULE), read a
    row at a time. `reason` is what the reader said, used when the scan finds nothing."""
    found = _row_problems(path, width)
    return found or [(None, f"{path}: cannot be parsed as CSV: {reason.strip().splitlines()[0]}")]


def _text_problem(path: Path) -> tuple[int, str] | None:
    """The first bytes that are not UTF-8, or the first NUL, which no CSV of text holds: a scan of at most the
    whole file, a block at a time, that stops there."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, consumed = 1, 0
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BYTES):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                line = lines + block.count(b"\n", 0, max(error.start, 0))
                return line, f"{path}:{line}: bytes are not UTF-8 (byte {consumed + error.start})"
            if "\x00" in text:
                line = lines + text.count("\n", 0, text.index("\x00"))
                return line, f"{path}:{line}: holds a NUL byte; a CSV file holds text"
            lines += text.count("\n")
            consumed += len(block)
    return None


def _row_problems(path: Path, width: int) -> list[tuple[int, str]]:
    """Blank rows, rows of the wrong width and quotes never closed, by line, read with Python's csv module."""
    csv.field_size_limit(MAX_ROW_BYTES)
    problems: list[tuple[int, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        try:
            for record in reader:
                if start > 1 and not record:
                    problems.append((start, f"{path}:{start}: row is blank"))
                elif start > 1 and len(record) != width:
                    problems.append((start, f"{path}:{start}: row has {len(record)} fields, the header has {width}"))
                if len(problems) >= MAX_ROWS_PER_RULE:
                    break
                start = reader.line_num + 1
        except csv.Error as error:
            problems.append((start, f"{path}:{start}: {_csv_error(str(error))}"))
    return problems


def _csv_error(message: str) -> str:
    if "unexpected end of data" in message:
        return "quoted value is never closed"
    if "field larger than field limit" in message:
        return f"a field is larger than {MAX_ROW_BYTES // MEBIBYTE} MiB (or a quoted value is never closed)"
    return f"not valid CSV: {message}"
