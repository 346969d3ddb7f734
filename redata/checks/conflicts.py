"""Layer 8, conflicts (warnings): figures on the same metric, subject and period whose values disagree.

Two figures disagree when their intervals (`figure_interval`) cannot both hold: about 60 percent and
approximately 70 percent of world mining do; over 70 percent and 75 percent do not. Each row of a
disagreeing group is listed with every side's value, source and attribution. Sources disagreeing is a
fact worth knowing, not an error: these never fail validation unless `--strict`.
"""

from __future__ import annotations

import polars as pl

from ..report import MAX_ROWS_PER_RULE, WARNING, Problem
from . import ROW, Context, figure_interval, row_problems

LAYER = "conflicts"
KEY = ("metric", "subject_id", "period")


def check(context: Context) -> list[Problem]:
    figures = context.table("figures", *KEY, "figure_id", "as_written", "source_id", "attributed_to_id", "value", "value_low", "value_high")
    if figures is None:
        return []
    low, high = figure_interval()
    disagreeing = (
        figures.frame.group_by(KEY)
        .agg(low.max().alias("_low"), high.min().alias("_high"), pl.len().alias("_count"))
        .filter((pl.col("_low") > pl.col("_high")) & (pl.col("_count") > 1))
        .select(KEY)
    )
    if disagreeing.height == 0:
        return []
    side = pl.format(
        "{} says {} ({}, attributed to {})",
        "figure_id", "as_written", "source_id", pl.col("attributed_to_id").fill_null("no one"),
    )
    # Every disagreeing row is gathered as its key only; whole rows only for the groups reported.
    rows = figures.frame.select(ROW, *KEY).join(disagreeing, on=list(KEY), how="semi", nulls_equal=True)
    shown_rows = rows.get_column(ROW).bottom_k(MAX_ROWS_PER_RULE).implode()
    shown_keys = rows.filter(pl.col(ROW).is_in(shown_rows)).select(KEY).unique()
    group_rows = rows.join(shown_keys, on=list(KEY), how="semi", nulls_equal=True).get_column(ROW).implode()
    groups = figures.frame.filter(pl.col(ROW).is_in(group_rows))
    shown = groups.filter(pl.col(ROW).is_in(shown_rows))
    sides = groups.group_by(KEY).agg(side.str.join("; ").alias("_sides"))
    failing = shown.join(sides, on=list(KEY), how="inner", nulls_equal=True).with_columns(
        pl.format("{} of {} in {} disagree: {}", "metric", "subject_id", pl.col("period").fill_null("an unstated period"), "_sides").alias("_message")
    )
    return row_problems(
        figures, failing, layer=LAYER, field="value", rule="conflicting-values", message="figures disagree",
        value="figure_id", severity=WARNING, total=rows.height,
    )
