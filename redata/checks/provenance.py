"""Layer 4, provenance: every quote is the archived text at its offsets, and every number quoted is inside it.

Applies to every table with the fields `source_id`, `quote`, `char_start` and `char_end` (the quoting
convention): `text[char_start:char_end] == quote`. Every field whose name ends in `as_written` must occur
inside the row's quote. A mention's quote must be one of its entity's aliases. Checking quotes against
texts needs the archived texts, which only a source package has.
"""

from __future__ import annotations

import polars as pl

from ..report import MAX_ROWS_PER_RULE, Problem
from . import ROW, STREAMING, Context, Table, looked_up, row_problems

LAYER = "provenance"
QUOTING = ("source_id", "quote", "char_start", "char_end")


def as_written_fields(table: Table) -> list[str]:
    return [c for c in table.frame.columns if c.endswith("as_written")]


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    texts = _texts_frame(context.texts) if context.has_texts() else None
    for table in context.tables_with(*QUOTING):
        if texts is not None:
            problems += _quote_problems(table, texts, context)
        problems += _as_written_problems(table)
    problems += _mention_problems(context)
    return problems


def _texts_frame(texts: pl.DataFrame) -> pl.DataFrame:
    """Each text with its length in characters, and whether it is ASCII (where bytes are characters)."""
    return texts.select(
        "source_id",
        pl.col("text").alias("_text"),
        pl.col("text").str.len_chars().alias("_length"),
        (pl.col("text").str.len_bytes() == pl.col("text").str.len_chars()).alias("_ascii"),
    )


def _quote_problems(table: Table, texts: pl.DataFrame, context: Context) -> list[Problem]:
    # the quote as text (a schema may make any column a foreign key, held as a categorical)
    rows = table.frame.lazy().select(ROW, *QUOTING).drop_nulls().with_columns(pl.col("quote").cast(pl.String))
    # offsets out of order are reported by `in_bounds`; the slice itself needs a length of at least 0
    start, length = pl.col("char_start"), (pl.col("char_end") - pl.col("char_start")).clip(lower_bound=0)
    in_bounds = (start >= 0) & (start < pl.col("char_end")) & (pl.col("char_end") <= pl.col("_length"))
    # In an ASCII text a character offset is a byte offset, and a byte slice costs nothing per character
    # before it; other texts are sliced by characters.
    differs_by_bytes = pl.col("_text").cast(pl.Binary).bin.slice(start, length) != pl.col("quote").cast(pl.Binary)
    differs_by_chars = pl.col("_text").str.slice(start, length) != pl.col("quote")
    # Each kind of text is looked up only by the rows that quote it; a kind no text has is not looked up.
    # Each kind is collected on its own: in one plan, polars 1.36's common-subplan elimination merged the
    # two lookups (polars issue 28450), and quotes were compared with another source's text.
    kinds = [(texts.filter(pl.col("_ascii")), differs_by_bytes), (texts.filter(~pl.col("_ascii")), differs_by_chars)]
    failing = pl.concat(
        [
            looked_up(rows, "source_id", some, ["_text", "_length"])
            .drop_nulls("_length")
            .filter(~in_bounds | differs)
            .collect(engine=STREAMING)  # only the failing rows are ever held, not every row beside its text
            for some, differs in kinds
            if some.height
        ]
    )
    shown = failing.sort(ROW).head(MAX_ROWS_PER_RULE)  # only the rows reported get the (Python) explanation
    messages = [
        _quote_message(context.text(source), quote, start, end)
        for source, quote, start, end in shown.select("source_id", "quote", "char_start", "char_end").iter_rows()
    ]
    shown = shown.with_columns(pl.Series("_message", messages, dtype=pl.String))
    return row_problems(
        table,
        shown,
        layer=LAYER,
        field="quote",
        rule="quote-at-offsets",
        message="quote is not the source text at [char_start:char_end]",
        value="quote",
        total=failing.height,
    )


def _quote_message(text: str, quote: str, start: int, end: int) -> str:
    """Say what the text holds there, and where the quote really is, so a curator can fix the row."""
    if not 0 <= start < end <= len(text):
        where = f"offsets [{start}:{end}] are outside the text (length {len(text)})"
    else:
        where = f"text[{start}:{end}] is {text[start:end][:60]!r}"
    actual = text.find(quote)
    hint = (
        f"; the quote occurs at [{actual}:{actual + len(quote)}]"
        if actual >= 0
        else "; the quote occurs nowhere in the source"
    )
    return where + hint


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
    mentions, entities = (
        context.table("mentions", "entity_id", "quote"),
        context.table("entities", "entity_id", "aliases"),
    )
    if mentions is None or entities is None:
        return []
    # the entities' key as the mentions hold theirs (a categorical: the join compares codes), through its
    # text, since either schema may type its key otherwise
    key = pl.col("entity_id").cast(pl.String).cast(mentions.frame.schema["entity_id"], strict=False)
    aliases = entities.frame.select(key, pl.col("aliases").cast(pl.String).str.split(";").alias("_aliases"))
    failing = (
        mentions.frame.lazy()
        .select(ROW, "entity_id", pl.col("quote").cast(pl.String))
        .join(aliases.lazy(), on="entity_id", how="inner")
        .filter(~pl.col("_aliases").list.contains(pl.col("quote")))
        .collect(engine=STREAMING)  # the aliases of every mention are never all held at once
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
