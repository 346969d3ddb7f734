"""Layer 7, coverage: every number in the archived texts is accounted for by some row.

A number is what the number reader counts as one (`Lexicon.token_pattern`): a numeral (digits, with `.` or
`,` inside), or a number word of the package's `number_words` that stands alone (`seven`, `half`,
`million`, `first`, …). It is accounted for when it lies inside the span of an `*as_written` field of a quoting
table (figures, events, exclusions, …): the first occurrence of that text inside the row's quote. Spans
are merged per source with a sort and an as-of join, so the cost grows with rows, not rows × numbers;
the texts are scanned in batches, so the memory the numbers take does not grow with them. As for every
rule, the first numbers unaccounted for are listed (in text order) and the rest counted.
"""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl

from ..report import MAX_ROWS_PER_RULE, Problem
from . import ROW, STREAMING, Context, Table
from .agreement import reader_of
from .provenance import QUOTING, as_written_fields

LAYER = "coverage"
NOWHERE = "no figure, event or exclusion"
# Texts are split around every number by polars' regex engine (the same syntax, case-insensitive);
# this character marks the cuts, so a text that holds it is scanned with Python's engine instead.
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
    pattern = reader.token_pattern
    texts = context.texts.with_row_index("code").with_columns(pl.col("code").cast(pl.Int64))  # a text's code is its row
    names = texts.get_column("source_id").to_list()
    pack = _pack(texts)
    reach = _reach(context, names, pack)
    uncovered = pl.concat([_uncovered(_tokens(batch, pattern), reach, pack) for batch in _batches(texts)])
    count = uncovered.height
    uncovered = uncovered.head(MAX_ROWS_PER_RULE)  # in text order, as the batches come
    sources = context.table("sources", "source_id")
    source_rows = dict(sources.frame.select("source_id", ROW).iter_rows()) if sources else {}
    # the CSV line of each source with an unaccounted number, looked up once for all its numbers
    listed = [names[code] for code in uncovered.get_column("code").unique().to_list() if names[code] in source_rows]
    csv_lines = dict(zip(listed, sources.lines([source_rows[s] for s in listed]), strict=True)) if listed else {}
    problems = []
    for code, start, end in uncovered.iter_rows():
        source_id = names[code]
        text = texts.get_column("text")[code]
        token = text[start:end]
        line = text.count("\n", 0, start) + 1
        around = text[max(0, start - 30) : end + 30].replace("\n", " ")
        problems.append(
            Problem(
                LAYER,
                "sources",
                csv_lines.get(source_id),
                "file",
                token,
                "number-accounted",
                f"number {token!r} at [{start}:{end}] of {source_id} (line {line} of its text) "
                f"is in {NOWHERE}: …{around}…",
            )
        )
    if count > len(problems):
        more = f"number is in {NOWHERE}: {count - len(problems)} more number(s) like the above"
        problems.append(Problem(LAYER, "sources", None, "file", None, "number-accounted", more))
    return problems


# Positions are packed with their source's code into one sortable integer, code * pack + offset, where
# pack is the first power of two above the longest text (see `_pack`). A span is sorted as one integer
# too, (code * pack + start) * pack + length, where that fits in PACKED_LIMIT.
PACKED_LIMIT = (1 << 63) - 1
# Texts are scanned in batches of about this many characters, in order, and only the numbers no span
# covers are kept. The 786 MB of texts of a 10M-row package, scanned at once, took 3.2 GB more memory.
BATCH_CHARS = 1 << 22


def _batches(texts: pl.DataFrame):
    """The texts (code, text) in consecutive slices of about BATCH_CHARS characters (a longer text alone)."""
    sizes = texts.get_column("text").str.len_bytes().to_list()  # at least the characters: a bound is all it needs
    start, size = 0, 0
    for row, length in enumerate(sizes):
        if row > start and size + length > BATCH_CHARS:
            yield texts.slice(start, row - start)
            start, size = row, 0
        size += length
    if start < len(sizes):
        yield texts.slice(start)


def _tokens(texts: pl.DataFrame, pattern: str) -> pl.DataFrame:
    """Where every number of every text (code, text) is, as (code, start, end), found by one vectorised
    split: marking each match with CUT on both sides and splitting there alternates text, number, text, …
    Only the positions are kept: the few numbers reported are cut from the texts again."""
    holds_cut = pl.col("text").str.contains(CUT, literal=True)
    pieces = (
        texts.lazy()
        .filter(~holds_cut)
        .select(
            "code",
            pl.col("text")
            .str.replace_all(f"(?i){pattern}", f"{CUT}${{0}}{CUT}")
            .str.split(CUT)
            .list.eval(pl.element().str.len_chars().cast(pl.Int64))
            .alias("length"),  # only each piece's length goes on
        )
        .with_columns(
            pl.col("length").list.eval(pl.element().cum_sum()).alias("end"),
            pl.int_ranges(0, pl.col("length").list.len()).alias("index"),
        )
        .explode("length", "end", "index")
    )
    found = (
        pieces.filter(pl.col("index") % 2 == 1)
        .select("code", (pl.col("end") - pl.col("length")).alias("start"), "end")
        .collect(engine=STREAMING)
    )
    rest = [
        (code, start, end)
        for code, text in texts.filter(holds_cut).select("code", "text").iter_rows()
        for start, end, _ in numbers(text, pattern)
    ]
    if rest:
        found = pl.concat([found, pl.DataFrame(rest, schema=found.schema, orient="row")]).sort("code", "start")
    return found


def _pack(texts: pl.DataFrame) -> int:
    """The first power of two above every text's length in bytes, which bounds it in characters."""
    longest = texts.get_column("text").str.len_bytes().max()
    return 1 << int(longest or 0).bit_length()


def _reach(context: Context, names: list[str], pack: int) -> pl.DataFrame:
    """The span of every as-written text, over every quoting table, as packed [key, reach): sorted by
    `key` (the packed start), with `reach` the running maximum of the packed ends up to that span.

    A span is cut to [0, pack - 1], which holds every text (and so every number), and dropped if that
    leaves it empty (it holds no number). Sorting each span as one packed integer, rather than (key, reach)
    pairs by key, halves what the sort holds: for the 2M spans of the 1M-row package, +50 MB at the peak
    against +98 MB."""
    code = pl.col("source_id").cast(pl.Enum(names), strict=False).to_physical().cast(pl.Int64)
    frames = [
        _table_spans(table, column, code)
        for table in context.tables_with(*QUOTING)
        for column in as_written_fields(table)
    ]
    empty = pl.LazyFrame(schema={"code": pl.Int64, "start": pl.Int64, "end": pl.Int64})
    spans = (
        pl.concat([empty, *frames])
        .with_columns(pl.col("start").clip(lower_bound=0), pl.col("end").clip(upper_bound=pack - 1))
        .filter(pl.col("start") < pl.col("end"))
    )
    if len(names) * pack * pack <= PACKED_LIMIT:
        # Sorted in the same query: sorting the collected spans after took as much memory again.
        ordered = spans.select((_packed("start", pack) * pack + pl.col("end") - pl.col("start")).alias("span")).sort(
            "span"
        )
        key = pl.col("span") // pack
        ordered = ordered.select(key.alias("key"), (key + pl.col("span") % pack).alias("reach"))
    else:
        ordered = spans.select(_packed("start", pack).alias("key"), _packed("end", pack).alias("reach")).sort("key")
    return ordered.with_columns(pl.col("reach").cum_max()).collect(engine=STREAMING)


def _table_spans(table: Table, column: str, code) -> pl.LazyFrame:
    """The first occurrence of the as-written text inside the quote, in characters. `str.find` counts
    bytes, which are characters when the quote is ASCII; other quotes count the characters before it."""
    written, quote = pl.col(column).cast(pl.String), pl.col("quote").cast(pl.String)  # a categorical, as text
    rows = (
        table.frame.lazy()
        .select(code.alias("code"), "char_start", column, "quote", quote.str.find(written, literal=True).alias("_byte"))
        .filter(pl.col("_byte").is_not_null() & pl.col("code").is_not_null())
    )
    ascii_quote = quote.str.len_bytes() == quote.str.len_chars()
    offsets = pl.concat(
        [
            rows.filter(ascii_quote).with_columns(pl.col("_byte").cast(pl.Int64).alias("_offset")),
            rows.filter(~ascii_quote).with_columns(
                quote.str.split(written).list.first().str.len_chars().cast(pl.Int64).alias("_offset")
            ),
        ]
    )
    start = pl.col("char_start") + pl.col("_offset")
    return offsets.select("code", start.alias("start"), (start + written.str.len_chars()).alias("end"))


def _uncovered(tokens: pl.DataFrame, reach: pl.DataFrame, pack: int) -> pl.DataFrame:
    """Tokens not inside any span: a token is covered when the last span starting at or before it reaches
    its end. A span of an earlier source never reaches, its packed end being below the token's source
    code. Only the spans of the tokens' range of sources are joined."""
    keyed = _by_key(tokens.select(_packed("start", pack).alias("key"), _packed("end", pack).alias("end_key")))
    if keyed.height:
        keys = reach.get_column("key")
        low = keys.search_sorted(keyed.get_column("key").first() // pack * pack, side="left")
        reach = reach.slice(low, keys.search_sorted(keyed.get_column("key").last(), side="right") - low)
    joined = keyed.join_asof(reach, on="key", strategy="backward", check_sortedness=False)
    code = pl.col("key") // pack
    return joined.filter(pl.col("reach").is_null() | (pl.col("reach") < pl.col("end_key"))).select(
        code.alias("code"), (pl.col("key") - code * pack).alias("start"), (pl.col("end_key") - code * pack).alias("end")
    )


def _packed(column: str, pack: int):
    return pl.col("code") * pack + pl.col(column)


def _by_key(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame sorted by `key`. Tokens come in text order already, and checking costs far less than sorting."""
    return frame if frame.get_column("key").is_sorted() else frame.sort("key")
