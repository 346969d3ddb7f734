"""Layer 4, provenance: every quote is the archived text at its offsets, and every number quoted is inside it.

Applies to every table with the fields `source_id`, `quote`, `char_start` and `char_end` (the quoting
convention): `text[char_start:char_end] == quote`, where a quote whose text could not be read cannot be
evaluated (an error). Every field whose name ends in `as_written` must occur inside the row's quote. A
mention's quote must be one of its entity's aliases. Checking quotes against texts needs the archived texts,
which only a source package has.
"""

from __future__ import annotations

import polars as pl

from ..limits import MAX_ROWS_PER_RULE
from ..report import Problem
from . import MESSAGE, ROW, STREAMING, Context, Table, position_in, row_problems

LAYER = "provenance"
QUOTING = ("source_id", "quote", "char_start", "char_end")
TEXT, LENGTH, ASCII, POSITION = "\x00text", "\x00length", "\x00ascii", "\x00position"
ROWS_AT_A_TIME = 200_000


def as_written_fields(table: Table) -> list[str]:
    return [c for c in table.frame.columns if c.endswith("as_written")]


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for table in context.tables_with(*QUOTING):
        if context.has_texts():
            problems += _quote_problems(table, context)
        problems += _as_written_problems(table)
    return problems + _mention_problems(context)


def _quote_problems(table: Table, context: Context) -> list[Problem]:
    texts = context.texts
    found = position_in(pl.col("source_id"), table.frame.schema["source_id"], texts.get_column("source_id"))
    text_columns = _text_columns(texts)
    # A slice of rows at a time: each row's text beside its quote took 115 MB at 1M rows at once, 30 MB so.
    parts = [_failing_quotes(rows, found, text_columns) for rows in table.frame.iter_slices(ROWS_AT_A_TIME)]
    failing = pl.concat(failing for failing, _ in parts)
    unread = pl.concat(unread for _, unread in parts)
    shown = failing.sort(ROW).head(MAX_ROWS_PER_RULE)  # only the rows reported get the (Python) explanation
    messages = [_quote_message(context.text(s), q, a, b) for s, q, a, b in shown.select(QUOTING).iter_rows()]
    shown = shown.with_columns(pl.Series(MESSAGE, messages, dtype=pl.String))
    unread = unread.with_columns(pl.format("the text of source {} was not read", "source_id").alias(MESSAGE))
    common = {"layer": LAYER, "field": "quote"}
    return row_problems(
        table,
        shown,
        rule="quote-at-offsets",
        message="quote is not the source text at [char_start:char_end]",
        value="quote",
        total=failing.height,
        **common,
    ) + row_problems(
        table, unread, rule="quote-at-offsets-unevaluable", message="the quote cannot be checked", **common
    )


def _failing_quotes(rows: pl.DataFrame, found: pl.Expr, text_columns: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Of `rows`, those whose quote is not their text at their offsets, and those whose text was not read."""
    joined = (
        rows.select(ROW, "source_id", pl.col("quote").cast(pl.String), "char_start", "char_end", found.alias(POSITION))
        .drop_nulls(QUOTING)
        .with_columns(*(pl.lit(column).gather(pl.col(POSITION)).alias(name) for name, column in text_columns.items()))
    )
    start, end = pl.col("char_start"), pl.col("char_end")
    in_bounds = (start >= 0) & (start < end) & (end <= pl.col(LENGTH))
    length = (end - start).clip(lower_bound=0)
    # In an ASCII text a character offset is a byte offset, and a byte slice costs nothing per character before
    # it: the quotes of the 1M-row package's ASCII texts are checked in 0.3 s so, against 1.1 s sliced by
    # characters.
    kinds = (
        (pl.col(ASCII), pl.col(TEXT).cast(pl.Binary).bin.slice(start, length) != pl.col("quote").cast(pl.Binary)),
        (~pl.col(ASCII), pl.col(TEXT).str.slice(start, length) != pl.col("quote")),
    )
    # each kind is taken first, then compared: a filter of both at once would slice every row both ways
    failing = pl.concat(
        joined.filter(kind).filter(~in_bounds | differs).select(ROW, *QUOTING) for kind, differs in kinds
    )
    return failing, joined.filter(pl.col(TEXT).is_null()).select(ROW, "source_id")


def _text_columns(texts: pl.DataFrame) -> dict:
    """What a quote is checked against, of each text: itself, its length, and whether it is ASCII."""
    text = texts.get_column("text")
    return {TEXT: text, LENGTH: text.str.len_chars(), ASCII: text.str.len_bytes() == text.str.len_chars()}


def _quote_message(text: str, quote: str, start: int, end: int) -> str:
    """Say what the text holds there, and where the quote really is, so a curator can fix the row."""
    if not 0 <= start < end <= len(text):
        where = f"offsets [{start}:{end}] are outside the text (length {len(text)})"
    else:
        where = f"text[{start}:{end}] is {text[start:end][:60]!r}"
    actual = text.find(quote)
    found = f"the quote occurs at [{actual}:{actual + len(quote)}]" if actual >= 0 else "the quote occurs nowhere"
    return f"{where}; {found}"


def _as_written_problems(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    for column in as_written_fields(table):
        written, quote = pl.col(column).cast(pl.String), pl.col("quote").cast(pl.String)
        failing = table.frame.filter(
            written.is_not_null() & quote.is_not_null() & ~quote.str.contains(written, literal=True)
        ).select(ROW, column)
        problems += row_problems(
            table,
            failing,
            layer=LAYER,
            field=column,
            rule="as-written-in-quote",
            message=f"{column} does not occur inside the quote",
            value=column,
        )
    return problems


def _mention_problems(context: Context) -> list[Problem]:
    mentions = context.table("mentions", "entity_id", "quote")
    entities = context.table("entities", "entity_id", "aliases")
    if mentions is None or entities is None:
        return []
    aliases = entities.frame.select(
        pl.col("entity_id").cast(pl.String), pl.col("aliases").cast(pl.String).str.split(";").alias("\x00aliases")
    )
    failing = (
        mentions.frame.lazy()
        .select(ROW, pl.col("entity_id").cast(pl.String), pl.col("quote").cast(pl.String))
        .join(aliases.lazy(), on="entity_id", how="inner")
        .filter(~pl.col("\x00aliases").list.contains(pl.col("quote")))
        .collect(engine=STREAMING)
    )
    return row_problems(
        mentions,
        failing,
        layer=LAYER,
        field="quote",
        rule="mention-is-alias",
        message="a mention must quote one of the entity's aliases",
        value="quote",
    )
