"""Layer 8, conflicts (warnings): figures on the same metric, subject and period whose values disagree.

Two figures disagree when their intervals (see `consistency`) cannot both hold: about 60 percent and
approximately 70 percent of world mining do; over 70 percent and 75 percent do not. Each row of a
disagreeing group is listed with every side's value, source and attribution. Sources disagreeing is a
fact worth knowing, not an error: these never fail validation unless `--strict`.
"""

from __future__ import annotations

import polars as pl

from ..report import WARNING, Problem
from . import ROW, Context, row_problems

LAYER = "conflicts"
KEY = ("metric", "subject_id", "period")


def check(context: Context) -> list[Problem]:
    figures = context.table("figures")
    if figures is None:
        return []
    low = pl.coalesce("value", "value_low").fill_null(float("-inf"))
    high = pl.coalesce("value", "value_high").fill_null(float("inf"))
    side = pl.format(
        "{} says {} ({}, attributed to {})",
        "figure_id", "as_written", "source_id", pl.col("attributed_to_id").fill_null("no one"),
    )
    rows = figures.frame.select(ROW, *KEY, "figure_id", low.alias("_low"), high.alias("_high"), side.alias("_side"))
    groups = (
        rows.group_by(KEY)
        .agg(
            (pl.col("_low").max() > pl.col("_high").min()).alias("_disagree"),
            pl.col("_side").str.join("; ").alias("_sides"),
            pl.len().alias("_count"),
        )
        .filter(pl.col("_disagree") & (pl.col("_count") > 1))
    )
    if groups.height == 0:
        return []
    failing = rows.join(groups, on=list(KEY), how="inner", nulls_equal=True).with_columns(
        pl.format("{} of {} in {} disagree: {}", "metric", "subject_id", pl.col("period").fill_null("an unstated period"), "_sides").alias("_message")
    )
    return row_problems(figures, failing, layer=LAYER, field="value", rule="conflicting-values", message="figures disagree", value="figure_id", severity=WARNING)
