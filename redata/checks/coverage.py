"""Layer 7, coverage: every number in the archived texts is accounted for by some row.

A number is what the number reader counts as one (`Lexicon.token_pattern`): a numeral (digits, with `.` or
`,` inside), or a number word of the package's `number_words` that stands alone (`seven`, `half`, `million`,
`first`, …); no vocabulary to say so is an error, `number-accounted-unevaluable`. It is accounted for when it
lies inside the span of an `*as_written` field of a quoting table (figures, events, exclusions, …): the first
occurrence of that text inside the row's quote. As for every rule, the first numbers unaccounted for are listed
(in text order) and the rest counted.
"""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl

from ..limits import MAX_ROWS_PER_RULE, MAX_TEXT_BYTES
from ..report import Problem
from . import ROW, Context, Table
from .agreement import reader_of
from .provenance import QUOTING, as_written_fields

LAYER = "coverage"
NOWHERE = "no figure, event or exclusion"
BATCH_CHARS = 8 * 1024 * 1024
# The character the vectorised scan marks numbers with (see `_tokens`); a text that holds it is scanned by
# Python's engine instead.
CUT = "\x00"


def numbers(text: str, pattern: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of every number in a text, in Python string indices."""
    return [(m.start(), m.end(), m.group()) for m in re.finditer(pattern, text, re.IGNORECASE)]


def check(context: Context) -> list[Problem]:
    if not context.has_texts():
        return []
    reader = reader_of(context)
    if isinstance(reader, Problem):  # no vocabulary says what a number is: nothing can be counted
        return [replace(reader, layer=LAYER, rule="number-accounted-unevaluable")]
    texts = context.texts.with_row_index("code")
    spans = _spans(context, texts.get_column("source_id"))
    uncovered = pl.concat(
        _tokens(batch, reader.token_pattern)
        .join_asof(_spans_within(spans, batch), on="position", strategy="backward", check_sortedness=False)
        .filter(pl.col("reach").is_null() | (pl.col("reach") < pl.col("end")))
        .select((pl.col("position") // PLACE).alias("code"), *_offsets())
        for batch in _batches(texts.select("code", "text"))
    )
    return _problems(context, texts, uncovered)


# A place in the texts is one integer, the text's code × PLACE + the offset in it: a text holds at most
# MAX_TEXT_BYTES < PLACE characters, so one text's places sort before the next one's, and a span of one
# text never reaches a number of another. One sorted column joins as of a place faster than (code, offset)
# pairs (0.47 s against 0.20 s for the 2M numbers and 2M spans of the 1M-row package).
PLACE = 1 << MAX_TEXT_BYTES.bit_length()


def _spans_within(spans: pl.DataFrame, batch: pl.DataFrame) -> pl.DataFrame:
    """The spans of the batch's texts, a slice of the sorted spans. Joined with every span, each batch passed over
    all of them: at 10M rows, about 100 batches over 20M spans took the layer 23 s, against 9 s sliced."""
    codes = batch.get_column("code")
    bounds = pl.Series([codes.min() * PLACE, (codes.max() + 1) * PLACE], dtype=pl.Int64)
    first, end = spans.get_column("position").search_sorted(bounds, side="left").to_list()
    return spans.slice(first, end - first)


def _offsets():
    return (pl.col("position") % PLACE).alias("start"), (pl.col("end") % PLACE).alias("end")


def _batches(texts: pl.DataFrame):
    """The texts in slices of about BATCH_CHARS characters: the pieces a scan cuts a text into take several times
    the text's memory (the 56 MB of texts of a 1M-row package, scanned at once, took 127 MB more)."""
    average = max(1, texts.get_column("text").str.len_bytes().mean() or 1)
    yield from texts.iter_slices(max(1, int(BATCH_CHARS // average)))


def _tokens(texts: pl.DataFrame, pattern: str) -> pl.DataFrame:
    """(code, start, end) of every number of every text, sorted. Python's regex takes 20 s over the 56 MB of
    texts of a 1M-row package; polars' takes a fraction of a second, but finds no offsets. So each number is
    marked with CUT on both sides, the text split there (text, number, text, …), and the offsets summed up
    from the pieces' lengths."""
    holds_cut = pl.col("text").str.contains(CUT, literal=True)
    marked = pl.col("text").str.replace_all(f"(?i){pattern}", f"{CUT}${{0}}{CUT}").str.split(CUT)
    pieces = (
        texts.lazy()
        .filter(~holds_cut)
        .select("code", marked.list.eval(pl.element().str.len_chars()).alias("length"))
        .with_columns(
            pl.col("length").list.eval(pl.element().cum_sum()).alias("end"),
            pl.int_ranges(0, pl.col("length").list.len()).alias("index"),
        )
        .explode("length", "end", "index")
    )
    found = (
        pieces.filter(pl.col("index") % 2 == 1)
        .select("code", (pl.col("end") - pl.col("length")).cast(pl.Int64).alias("start"), pl.col("end").cast(pl.Int64))
        .collect(engine="streaming")
    )
    rest = [
        (code, start, end)
        for code, text in texts.filter(holds_cut).iter_rows()
        for start, end, _ in numbers(text, pattern)
    ]
    found = pl.concat([found, pl.DataFrame(rest, schema=found.schema, orient="row")])
    return found.select(_place("start").alias("position"), _place("end").alias("end")).sort("position")


def _place(offset: str) -> pl.Expr:
    return pl.col("code").cast(pl.Int64) * PLACE + pl.col(offset)


def _spans(context: Context, names: pl.Series) -> pl.DataFrame:
    """(position, reach) of every as-written text of every quoting table, sorted by the place it starts, with
    `reach` the furthest place the spans that start at or before it end."""
    code = pl.col("source_id").cast(pl.String).cast(pl.Enum(names.unique(maintain_order=True)), strict=False)
    frames = [
        _table_spans(table, column, code.to_physical().cast(pl.UInt32))
        for table in context.tables_with(*QUOTING)
        for column in as_written_fields(table)
    ]
    empty = pl.LazyFrame(schema={"code": pl.UInt32, "start": pl.Int64, "end": pl.Int64})
    return (
        pl.concat([empty, *frames])
        .select(_place("start").alias("position"), _place("end").alias("reach"))
        .sort("position")
        .with_columns(pl.col("reach").cum_max())
        .collect(engine="streaming")
    )


def _table_spans(table: Table, column: str, code) -> pl.LazyFrame:
    """Where the as-written text lies in its source: the quote's start plus the first occurrence of the text
    inside the quote, in characters (`str.find` counts bytes: the characters before it are counted)."""
    written, quote = pl.col(column).cast(pl.String), pl.col("quote").cast(pl.String)
    byte = quote.str.find(written, literal=True)
    ascii_quote = quote.str.len_bytes() == quote.str.len_chars()
    # In an ASCII quote a byte is a character; only the others count the characters before the text (0.65 s
    # for the 2M spans of the 1M-row package, all counted, against 0.3 s).
    rows = table.frame.lazy().select(
        code.alias("code"),
        "char_start",
        written.alias("written"),
        byte.alias("byte"),
        quote.alias("quote"),
        ascii_quote.alias("ascii"),
    )
    counted = pl.col("quote").cast(pl.Binary).bin.slice(0, pl.col("byte")).cast(pl.String).str.len_chars()
    offsets = pl.concat(
        [
            rows.filter(pl.col("ascii")).with_columns(pl.col("byte").alias("before")),
            rows.filter(~pl.col("ascii")).with_columns(counted.alias("before")),
        ]
    )
    start = pl.col("char_start") + pl.col("before")
    return (
        offsets.select("code", start.cast(pl.Int64).alias("start"), pl.col("written").str.len_chars().alias("length"))
        .drop_nulls()
        .select("code", "start", (pl.col("start") + pl.col("length")).alias("end"))
    )


def _problems(context: Context, texts: pl.DataFrame, uncovered: pl.DataFrame) -> list[Problem]:
    count = uncovered.height
    names = texts.get_column("source_id").to_list()
    sources = context.table("sources", "source_id")
    rows = dict(sources.frame.select(pl.col("source_id").cast(pl.String), ROW).iter_rows()) if sources else {}
    problems = []
    for code, start, end in uncovered.head(MAX_ROWS_PER_RULE).iter_rows():
        source_id, text = names[code], texts.get_column("text")[code]
        line = text.count("\n", 0, start) + 1
        around = text[max(0, start - 30) : end + 30].replace("\n", " ")
        message = f"number {text[start:end]!r} at [{start}:{end}] of {source_id} (line {line} of its text) "
        problems.append(
            Problem(
                LAYER,
                "sources",
                sources.lines([rows[source_id]])[0] if source_id in rows else None,
                "file",
                text[start:end],
                "number-accounted",
                message + f"is in {NOWHERE}: …{around}…",
            )
        )
    if count > len(problems):
        more = f"number is in {NOWHERE}: {count - len(problems)} more number(s) like the above"
        problems.append(Problem(LAYER, "sources", None, "file", None, "number-accounted", more))
    return problems
