"""Layer 7, coverage: every number in the archived texts is accounted for by some row.

A number is a run of digits (with `.` or `,` inside it) or a number word (`seven`, `half`, `million`,
`first`, …). It is accounted for when it lies inside the span of an `*as_written` field of a quoting
table (figures, events, exclusions, …): the first occurrence of that text inside the row's quote. Spans
are merged per source with a sort and an as-of join, so the cost grows with rows, not rows × numbers.
"""

from __future__ import annotations

import re

import polars as pl

from ..report import Problem
from . import ROW, Context, Table
from .provenance import QUOTING, as_written_fields

LAYER = "coverage"
NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion dozen half quarter first second third fourth fifth sixth seventh eighth ninth "
    "tenth once twice"
).split()
NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of every number in a text, in Python string indices."""
    return [(m.start(), m.end(), m.group()) for m in NUMBER.finditer(text)]


def check(context: Context) -> list[Problem]:
    if not context.texts:
        return []
    tokens = _tokens(context.texts)
    spans = _spans(context)
    uncovered = _uncovered(tokens, spans)
    sources = context.table("sources")
    source_rows = dict(sources.frame.select("source_id", ROW).iter_rows()) if sources else {}
    problems = []
    for source_id, start, end, token in uncovered.iter_rows():
        text = context.texts[source_id]
        line = text.count("\n", 0, start) + 1
        around = text[max(0, start - 30): end + 30].replace("\n", " ")
        row = source_rows.get(source_id)
        problems.append(
            Problem(
                LAYER, "sources", sources.lines([row])[0] if row is not None else None, "file", token, "number-accounted",
                f"number {token!r} at [{start}:{end}] of {source_id} (line {line} of its text) is in no figure, event or exclusion: …{around}…",
            )
        )
    return problems


def _tokens(texts: dict[str, str]) -> pl.DataFrame:
    rows = [(source_id, start, end, token) for source_id, text in texts.items() for start, end, token in numbers(text)]
    return pl.DataFrame(rows, schema={"source_id": pl.String, "start": pl.Int64, "end": pl.Int64, "token": pl.String}, orient="row")


def _spans(context: Context) -> pl.DataFrame:
    """Absolute [start, end) of every as-written text, over every quoting table."""
    frames = [_table_spans(table, column) for table in context.tables_with(*QUOTING) for column in as_written_fields(table)]
    empty = pl.DataFrame(schema={"source_id": pl.String, "start": pl.Int64, "end": pl.Int64})
    return pl.concat([empty, *frames]) if frames else empty


def _table_spans(table: Table, column: str) -> pl.DataFrame:
    written = pl.col(column)
    return (
        table.frame.filter(written.is_not_null() & pl.col("quote").str.contains(written, literal=True))
        .select(
            "source_id",
            (pl.col("char_start") + pl.col("quote").str.split(written).list.first().str.len_chars()).cast(pl.Int64).alias("start"),
            written.str.len_chars().cast(pl.Int64).alias("_length"),
        )
        .drop_nulls()
        .select("source_id", "start", (pl.col("start") + pl.col("_length")).alias("end"))
    )


def _uncovered(tokens: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """Tokens not inside any span: for each token, the furthest end among spans starting at or before it."""
    reach = (
        spans.sort("source_id", "start")
        .with_columns(pl.col("end").cum_max().over("source_id").alias("reach"))
        .group_by("source_id", "start").agg(pl.col("reach").max())
        .sort("source_id", "start")
    )
    joined = tokens.sort("source_id", "start").join_asof(reach, on="start", by="source_id", strategy="backward", check_sortedness=False)
    return joined.filter(pl.col("reach").is_null() | (pl.col("reach") < pl.col("end"))).select("source_id", "start", "end", "token")
