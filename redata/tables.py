"""Reading one CSV table, once, into a polars frame, and mapping rows back to CSV line numbers.

Every cell is read as a string, and a column given a parser is parsed into its type as soon as it is
read; its strings are kept only if some cell did not parse (they are what a report shows). A text column
named categorical, or whose first rows repeat their texts, is held as a polars categorical: a code per
row, each distinct text once.

The rules a CSV must follow: UTF-8 without a byte-order mark; comma-delimited with `"` quoting; a header
row naming each field once; LF or CRLF line endings (both accepted); an empty cell is null. A file
that breaks them yields a `TableReadError` whose message names the file and, where it can be found,
the line.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BOM = b"\xef\xbb\xbf"
# pyarrow parses a file in blocks of this size; a row longer than a block is read again with one block
# of MAX_BLOCK_BYTES, and a row longer than that cannot be read (any field so long breaks maxLength).
BLOCK_BYTES = 1024 * 1024
MAX_BLOCK_BYTES = 256 * 1024 * 1024
# Parsed blocks are converted to polars, and their columns parsed, this many bytes of Arrow strings at a
# time: about three groups are in flight (see `_groups`). Reading the 1M-row package's figures peaked at
# 676-703 MB in a validation, against 760-783 MB with 32 MiB; the 10M figures read about 0.35 s slower.
GROUP_BYTES = 16 * 1024 * 1024
HEADER_PROBE_BYTES = 1024 * 1024
# A text column is held as a categorical when, in a first group of at least REPEATING_ROWS rows, it holds
# one distinct value (or null) per REPEATS rows or fewer: a code costs 4 bytes a row where a string's view
# costs 16, its text stored once. In the 1M-row package: the figures' period, period_as_written and note,
# the mentions' quote, and four columns of the 20,079 entities; validating it peaked at 611-645 MB against
# 693-707 MB, in as much time. The first group decides for the whole table (a table read again in one
# large block, for a row longer than a block, decides on that block): a column whose texts repeat there
# but not after is held as a categorical all the same, and costs more than strings would.
REPEATING_ROWS = 1 << 14
REPEATS = 4


class TableReadError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class RawTable:
    """A table as read: every column, parsed where a parser was given (`typed`); the strings of the cells
    that are kept (`frame`: unparsed columns, and parsed ones where some cell did not parse); the header as
    written."""

    path: Path
    header: list[str]
    frame: object  # polars.DataFrame of pl.String columns (categoricals where read so), named as the header
    typed: object  # polars.DataFrame of every column, named as the header

    def line_numbers(self, rows) -> list[int]:
        """CSV line numbers of the given 0-based row indices (the header is line 1).

        A quoted value may hold line breaks, so a row's line is 2 + its index + every line break in the
        rows before it. Counted only when a problem needs reporting, and only up to the last row asked. A
        column whose strings were dropped parsed whole, and no number, boolean or date holds a line break; a
        categorical's texts are counted like strings.
        """
        import polars as pl

        rows = [int(row) for row in rows]
        if not rows:
            return []
        head = self.frame.head(max(rows) + 1)
        if not head.columns:
            return [2 + row for row in rows]
        breaks = pl.sum_horizontal(
            [pl.col(c).cast(pl.String).str.count_matches("\n", literal=True).fill_null(0) for c in head.columns]
        )
        before = head.select((breaks.cum_sum() - breaks).alias("before")).get_column("before")
        return [2 + row + int(before[row]) for row in rows]


@dataclass
class ReadResult:
    """What reading one CSV gave: its header and cells, or the error that stopped it (and where)."""

    header: list[str] | None
    raw: RawTable | None
    error: TableReadError | None


def read_file(path: Path, parsers: dict | None = None, categorical: Collection[str] = ()) -> ReadResult:
    """Read one CSV (header, then cells); a file that breaks the rules gives its error, never raises it."""
    try:
        header = read_header(path)
    except TableReadError as error:
        return ReadResult(None, None, error)
    try:
        return ReadResult(header, read_table(path, header, parsers, categorical), None)
    except TableReadError as error:
        return ReadResult(header, None, error)


def read_in_background(reads: dict[str, Callable[[], ReadResult]]) -> dict[str, Future]:
    """Start these reads (each one CSV file, by name), in order, on one background thread. Arrow and
    polars work outside the GIL, so the reading overlaps with the single-threaded start of a run
    (imports, the descriptor layer)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redata-read")
    pending = {name: executor.submit(read) for name, read in reads.items()}
    executor.shutdown(wait=False)
    return pending


def read_header(path: Path) -> list[str]:
    if not path.is_file():
        raise TableReadError(f"{path}: file not found")
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_PROBE_BYTES)
    except OSError as error:
        raise TableReadError(f"{path}: cannot be read: {error.strerror or error}") from None
    if not head:
        raise TableReadError(f"{path}: file is empty; a header row is required", 1)
    if head.startswith(BOM):
        raise TableReadError(f"{path}:1: file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", 1)
    first = head.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TableReadError(f"{path}:1: header is not UTF-8 (byte {error.start})", 1) from None
    if len(first) == len(head) and len(head) == HEADER_PROBE_BYTES:
        raise TableReadError(f"{path}:1: header line is longer than {HEADER_PROBE_BYTES} bytes", 1)
    try:
        header = next(csv.reader(io.StringIO(text.rstrip("\r"))), [])
    except csv.Error as error:
        raise TableReadError(f"{path}:1: header cannot be parsed: {error}", 1) from None
    if not header or header == [""]:
        raise TableReadError(f"{path}:1: header row is empty", 1)
    return header


def read_table(
    path: Path, header: list[str], parsers: dict | None = None, categorical: Collection[str] = ()
) -> RawTable:
    """Read every cell as a string, without inferring types, and parse the columns `parsers` names (column
    name -> polars expression over that column, null where a cell does not parse) and cast the text columns
    `categorical` names, and those whose first rows repeat (see REPEATING_ROWS), to categoricals; `header`
    is the file's header as `read_header` gave it.

    pyarrow's streaming reader parses the file a block at a time, on a thread of its own, while each
    GROUP_BYTES of parsed blocks is converted to polars and parsed, every column of the group together:
    the file is never held whole as Arrow strings. A column with a cell that did not parse is read again,
    whole, for its strings (only a table with such a cell pays for it)."""
    import pyarrow as pa

    parsers = parsers or {}
    # The error is explained outside the `except` clause: an exception holds the frames it passed through,
    # and with them every group already read.
    for block_bytes in (BLOCK_BYTES, MAX_BLOCK_BYTES):
        try:
            return _read_in_groups(path, header, parsers, categorical, block_bytes)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
            if block_bytes == BLOCK_BYTES and isinstance(error, pa.ArrowInvalid) and "straddle" in str(error):
                continue  # a row longer than a block: read again in one large block
            if isinstance(error, pa.ArrowInvalid) and "skip initial" in str(error):
                # the header was read, so the file is that one line without a final line break: no rows
                return _no_rows(path, header, parsers, categorical)
            failure = _explain(path, error)
        break
    raise TableReadError(*failure)


def _no_rows(path: Path, header: list[str], parsers: dict, categorical: Collection[str]) -> RawTable:
    """The table of a file that holds its header only, as `_read_in_groups` gives it."""
    import polars as pl

    names = _unique_names(header)
    strings = _held(pl.DataFrame({name: pl.Series(name, [], dtype=pl.String) for name in names}), categorical)
    return RawTable(
        path, header, strings.select([name for name in names if name not in parsers]), _parsed(strings, parsers)
    )


def _read_in_groups(
    path: Path, header: list[str], parsers: dict, categorical: Collection[str], block_bytes: int
) -> RawTable:
    import polars as pl
    import pyarrow as pa

    names = _unique_names(header)
    reader = _csv_reader(path, len(header), block_bytes)
    parsed = [name for name in names if name in parsers]
    typed_parts, failing, held = [], set(), None
    for batches in _groups(reader):
        # Positional placeholders keep duplicate or empty header names readable; the columns are named as
        # written in polars, which would rename an empty name coming from Arrow.
        strings = pl.from_arrow(pa.Table.from_batches(batches, schema=reader.schema), rechunk=True)
        strings = strings.rename(dict(zip(strings.columns, names, strict=True)))
        if held is None:  # every group holds the same columns as categoricals: those the first group shows
            held = set(categorical) | _repeating(
                strings, [name for name in names if name not in parsers and name not in categorical]
            )
        strings = _held(strings, held)
        typed = _parsed(strings, parsers)
        if parsed:
            failed = strings.select(
                [unparsed(pl.col(name), typed.get_column(name)).any().alias(name) for name in parsed]
            ).row(0)
            failing.update(name for name, fails in zip(parsed, failed, strict=True) if fails)
        typed_parts.append(typed)
    typed = pl.concat(typed_parts)
    kept = _strings_of(path, names, block_bytes, [name for name in names if name in failing])
    strings = {
        name: kept[name] if name in failing else typed.get_column(name)
        for name in names
        if name not in parsers or name in failing
    }
    # Arrow's pool keeps what a read freed for the next read. Returned once a table is read, the process
    # that read the 1M-row package's two large tables held 59 MB less (returned as freed, it slows the read).
    _memory_pool(pa).release_unused()
    return RawTable(path, header, pl.DataFrame(strings), typed)


def _held(strings, categorical: Collection[str]):
    """The frame with its `categorical` columns cast to categoricals. Cast a group at a time, as read: a
    validation of the 10M-row package peaked at 4.7 GB against 6.7-6.8 GB, and its figures took 0.2-0.5 s
    more to read (read by Arrow as dictionaries, which polars then merges a batch at a time, 0.75-1.3 s)."""
    import polars as pl

    # by column, not by `pl.col(name)`, which takes a header label like `^a.*$` for a pattern
    return strings.with_columns(
        strings.get_column(name).cast(pl.Categorical) for name in strings.columns if name in categorical
    )


def _repeating(strings, candidates: list[str]) -> set[str]:
    """The columns among `candidates` whose values repeat enough in this frame to be held as categoricals."""
    if strings.height < REPEATING_ROWS or not candidates:
        return set()
    return {name for name in candidates if strings.get_column(name).n_unique() * REPEATS <= strings.height}


def distinct_texts(column):
    """A column's distinct values as text, nulls left out (a polars series or expression): what a check of a
    categorical's texts tests once each, instead of once per row."""
    import polars as pl

    return column.unique().drop_nulls().cast(pl.String)


def texts_where(frame, name: str, test):
    """Where the text column `name` of `frame` (eager or lazy) passes `test` (strings -> booleans), as a
    polars expression: a categorical's distinct texts are tested, each once, and its rows looked up."""
    import polars as pl

    if frame.collect_schema()[name] != pl.Categorical:
        return test(pl.col(name))
    texts = frame.lazy().select(distinct_texts(pl.col(name))).collect().to_series()
    return pl.col(name).is_in(texts.filter(test(texts)).implode())


def _parsed(strings, parsers: dict):
    """Every column of a frame of strings, parsed where `parsers` names it."""
    import polars as pl

    return strings.select([parsers[name].alias(name) if name in parsers else pl.col(name) for name in strings.columns])


def _groups(reader):
    """The reader's record batches in groups of about GROUP_BYTES (at least one group, perhaps empty).

    The blocks are parsed on a thread of their own while the caller converts the group before. Besides the
    group being converted, one waits in the hand-over and one more is being parsed: about three groups
    of Arrow strings at a time, never the whole file."""
    import queue
    import threading

    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop, done = threading.Event(), object()

    def produce() -> None:
        try:
            group, size, sent = [], 0, False
            for batch in reader:
                if stop.is_set():
                    return
                group.append(batch)
                size += batch.nbytes
                if size >= GROUP_BYTES:
                    handoff.put(group)
                    group, size, sent = [], 0, True
            if group or not sent:
                handoff.put(group)
            handoff.put(done)
        except BaseException as error:  # raised again in the caller's thread
            handoff.put(error)

    producer = threading.Thread(target=produce, name="redata-csv-blocks", daemon=True)
    producer.start()
    try:
        while (item := handoff.get()) is not done:
            if isinstance(item, BaseException):
                try:
                    raise item
                finally:
                    item = None  # else this frame holds the error, whose traceback holds this frame
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # a caller that stops early: let the producer put what it holds, and end
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.1)


def _csv_reader(path: Path, width: int, block_bytes: int, columns: list[int] | None = None):
    """pyarrow's streaming CSV reader, every cell a string, an empty cell null; columns by position."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    placeholder = [f"column_{i}" for i in range(width)]
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=placeholder, skip_rows=1, block_size=block_bytes),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in placeholder},
            include_columns=[placeholder[i] for i in columns] if columns is not None else None,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
        memory_pool=_memory_pool(pa),
    )


def _strings_of(path: Path, names: list[str], block_bytes: int, wanted: list[str]) -> dict:
    """The strings of these columns (`names` being every column's, in order), read again: only a column
    with a cell of the wrong type needs them, for the report."""
    import polars as pl

    if not wanted:
        return {}
    table = _csv_reader(path, len(names), block_bytes, [names.index(name) for name in wanted]).read_all()
    return {
        name: pl.from_arrow(column, rechunk=True).rename(name)
        for name, column in zip(wanted, table.columns, strict=True)
    }


def unparsed(strings, parsed):
    """Where a cell held a value that its parser made null: a cell of the wrong type. Polars series or
    expressions alike; the reader keeps a column's strings exactly when this holds for some cell."""
    return strings.is_not_null() & parsed.is_null()


def _memory_pool(pa):
    """Arrow's jemalloc pool where the build has it: it parsed a 10M-row table in 4.0-4.8 s where the
    default pool (mimalloc, which returns freed pages to the system and faults them in again) took 6.2-8.0 s."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


def _unique_names(header: list[str]) -> list[str]:
    """The header's labels, a repeated one numbered (`a`, `a#2`), none equal to another (`a,a,a#2`)."""
    names: list[str] = []
    taken = set(header)
    seen: set[str] = set()
    for label in header:
        name, number = label, 1
        while name in seen or (name != label and name in taken):
            number += 1
            name = f"{label}#{number}"
        seen.add(name)
        names.append(name)
    return names


def _explain(path: Path, error: Exception) -> tuple[str, int | None]:
    """A one-line message for a CSV pyarrow could not read, with the line where it can be found."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as decode_error:
        line = data.count(b"\n", 0, decode_error.start) + 1
        return f"{path}:{line}: bytes are not UTF-8 (byte {decode_error.start})", line
    line = _unbalanced_quote_line(data)
    if line is not None:
        return f"{path}:{line}: quoted value is never closed", line
    if "straddle" in message or "block" in message:
        return f"{path}: a row is larger than {MAX_BLOCK_BYTES // (1024 * 1024)} MiB", None
    ragged = _ragged_line(data)
    if ragged is not None:
        line, found, expected = ragged
        return f"{path}:{line}: row has {found} fields, the header has {expected}", line
    return f"{path}: cannot be parsed as CSV: {message}", None


def _unbalanced_quote_line(data: bytes) -> int | None:
    """The line of an opening quote that is never closed, if any."""
    text = data.decode("utf-8")
    index, inside, opened_at, at_field_start = 0, False, 0, True
    while index < len(text):
        char = text[index]
        if inside:
            if char == '"':
                if text.startswith('""', index):
                    index += 2
                    continue
                inside = False
        elif char == '"' and at_field_start:
            inside, opened_at = True, index
        else:
            at_field_start = char in ",\n\r"
        index += 1
    return text.count("\n", 0, opened_at) + 1 if inside else None


def _ragged_line(data: bytes) -> tuple[int, int, int] | None:
    """(line, fields found, fields expected) of the first row whose width differs from the header's."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    expected = None
    start = 1
    try:
        for record in reader:
            if expected is None:
                expected = len(record)
            elif record and len(record) != expected:
                return start, len(record), expected
            start = reader.line_num + 1
    except csv.Error:
        return None
    return None
