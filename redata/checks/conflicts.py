"""Layer 8, conflicts (warnings): figures on the same metric, subject and period whose values disagree.

Two figures disagree when their intervals (`figure_interval`) cannot both hold: about 60 percent and
approximately 70 percent of world mining do; over 70 percent and 75 percent do not. Each row of a
disagreeing group is listed with every side's value, source and attribution. Sources disagreeing is a
fact worth knowing, not an error: these never fail validation unless `--strict`.
"""

from __future__ import annotations

import polars as pl

from ..report import MAX_ROWS_PER_RULE, WARNING, Problem
from . import ROW, STREAMING, Context, figure_interval, row_problems

LAYER = "conflicts"
KEY = ("metric", "subject_id", "period")
# The largest number of key combinations packed into one integer; beyond it, the figures group on three.
# Below 2**63, every size and product fits whichever 64-bit integer type polars gives the arithmetic.
PACKED_LIMIT = (1 << 63) - 1


def check(context: Context) -> list[Problem]:
    figures = context.table(
        "figures", *KEY, "figure_id", "as_written", "source_id", "attributed_to_id", "value", "value_low", "value_high"
    )
    if figures is None:
        return []
    disagreeing = _disagreeing_groups(figures.frame)
    if disagreeing.height == 0:
        return []
    # The rows reported are the first MAX_ROWS_PER_RULE disagreeing rows. Each of them is, or comes after,
    # the first row of its group, so their groups are among the MAX_ROWS_PER_RULE groups that start first:
    # only those groups' rows are gathered, never every disagreeing row. A group's key is its first row's.
    first_rows = disagreeing.bottom_k(MAX_ROWS_PER_RULE, by="_first").get_column("_first")
    starting_first = figures.frame.select(KEY)[first_rows.to_list()]
    # Each key column is matched on its own first (a join on the three at once encodes every row's key).
    maybe = pl.all_horizontal(pl.col(c).is_in(starting_first.get_column(c).implode(), nulls_equal=True) for c in KEY)
    groups = figures.frame.filter(maybe).join(starting_first, on=list(KEY), how="semi", nulls_equal=True).sort(ROW)
    shown = groups.head(MAX_ROWS_PER_RULE)
    side = pl.format(
        "{} says {} ({}, attributed to {})",
        "figure_id",
        "as_written",
        "source_id",
        pl.col("attributed_to_id").fill_null("no one"),
    )
    sides = groups.group_by(KEY).agg(side.str.join("; ").alias("_sides"))
    failing = shown.join(sides, on=list(KEY), how="inner", nulls_equal=True).with_columns(
        pl.format(
            "{} of {} in {} disagree: {}",
            "metric",
            "subject_id",
            pl.col("period").fill_null("an unstated period"),
            "_sides",
        ).alias("_message")
    )
    return row_problems(
        figures,
        failing,
        layer=LAYER,
        field="value",
        rule="conflicting-values",
        message="figures disagree",
        value="figure_id",
        severity=WARNING,
        total=disagreeing.get_column("_count").sum(),
    )


def _disagreeing_groups(figures: pl.DataFrame) -> pl.DataFrame:
    """The number of rows (`_count`) and first row (`_first`) of every group of more than one figure whose
    intervals cannot all hold.

    The figures are grouped on one integer packed from codes of their key columns, not on the strings: a
    categorical's own codes, or those of categories of this call's own, let go with it."""
    low, high = figure_interval()
    codes = figures.select(_codes(c, figures.schema[c]) for c in KEY)
    rows = pl.concat([figures.select(ROW, "value", "value_low", "value_high"), codes], how="horizontal")
    return (
        rows.lazy()
        .group_by(_packed_key(codes))
        .agg(
            low.max().alias("_low"),
            high.min().alias("_high"),
            pl.len().alias("_count"),
            pl.col(ROW).min().alias("_first"),
        )
        .filter((pl.col("_low") > pl.col("_high")) & (pl.col("_count") > 1))
        .select("_count", "_first")
        .collect(engine=STREAMING)  # the packed key is made a morsel at a time: unlike the codes, never held whole
    )


def _codes(column: str, dtype) -> pl.Expr:
    """A column's categorical codes: a categorical's own, or those of categories of this call's own (as text
    first: a schema may type a key column otherwise, and only text casts to a categorical)."""
    if dtype == pl.Categorical:
        return pl.col(column).to_physical()
    return pl.col(column).cast(pl.String).cast(pl.Categorical(pl.Categories.random())).to_physical()


def _packed_key(codes: pl.DataFrame) -> pl.Expr | list[str]:
    """One integer for the three codes (mixed radix, 0 for null) where every combination fits, else the
    three columns. At 10M figures, grouping on the streaming engine took the layer from 2.7-2.9 s (the three
    codes, eagerly, in parts) to 1.6-1.8 s; on the three codes it takes 0.2-0.3 s more than on one integer."""
    # a code c is the digit c + 1, null the digit 0
    sizes = [int(largest or 0) + 2 for largest in codes.select(pl.all().max()).row(0)]
    if sizes[0] * sizes[1] * sizes[2] > PACKED_LIMIT:
        return list(KEY)
    digit = [(pl.col(c).cast(pl.UInt64) + 1).fill_null(0) for c in KEY]
    return ((digit[0] * sizes[1] + digit[1]) * sizes[2] + digit[2]).alias("_key")
