"""Layer 8, conflicts (warnings): figures on the same metric, subject and period whose values disagree.

Two figures disagree when their intervals (`figure_interval`) cannot both hold: about 60 percent and
approximately 70 percent of world mining do; over 70 percent and 75 percent do not. Each conflict is one
warning, at its first figure's row, naming every side. Sources disagreeing is a fact worth knowing, not an
error. A conflict the package acknowledges as data (`acknowledged_conflicts`: the figures of one conflict
under one id, and why they all stand) is still reported, marked acknowledged, and never fails `--strict`;
a conflict that gains or loses a figure is a new one.
"""

from __future__ import annotations

import polars as pl

from ..limits import MAX_ROWS_PER_RULE
from ..report import WARNING, Problem
from . import ROW, Context, figure_interval

LAYER = "conflicts"
KEY = ("metric", "subject_id", "period")
SIDES = ("figure_id", "as_written", "source_id", "attributed_to_id")


def check(context: Context) -> list[Problem]:
    figures = context.table("figures", *KEY, *SIDES, "value", "value_low", "value_high")
    if figures is None:
        return []
    low, high = figure_interval()
    # a categorical key column is grouped on its codes: 50 MB less than on its texts, for 1M figures
    keys = [pl.col(c).to_physical() if figures.frame.schema[c] == pl.Categorical else pl.col(c) for c in KEY]
    conflicts = (
        figures.frame.lazy()
        .select(ROW, *keys, low.alias("low"), high.alias("high"))
        .group_by(KEY)
        .agg(
            pl.col("low").max().alias("highest_low"),
            pl.col("high").min().alias("lowest_high"),
            pl.len().alias("count"),
            pl.col(ROW).min().alias("first_row"),
        )
        .filter((pl.col("highest_low") > pl.col("lowest_high")) & (pl.col("count") > 1))
        .sort("first_row")
        .collect(engine="streaming")
    )
    first_rows = conflicts.head(MAX_ROWS_PER_RULE).get_column("first_row")
    shown = figures.frame.select(KEY)[first_rows.to_list()]  # each conflict's key, as the figures hold it
    sides = (
        figures.frame.select(ROW, *KEY, *SIDES)
        .join(shown, on=KEY, how="semi", nulls_equal=True)
        .select(ROW, *[pl.col(c).cast(pl.String) for c in (*KEY, *SIDES)])
        .sort(ROW)
    )
    acknowledged = _acknowledged(context)
    problems = [_problem(figures, key, group, acknowledged) for key, group in sides.group_by(KEY, maintain_order=True)]
    if conflicts.height > len(problems):
        more = f"figures disagree: {conflicts.height - len(problems)} more conflict(s) like the above"
        problems.append(Problem(LAYER, "figures", None, "value", None, "conflicting-values", more, WARNING))
    return problems


def _problem(figures, key: tuple, group: pl.DataFrame, acknowledged: dict[frozenset, tuple[str, str]]) -> Problem:
    metric, subject, period = key
    sides = "; ".join(
        f"{figure} says {written} ({source}, attributed to {credit or 'no one'})"
        for figure, written, source, credit in group.select(SIDES).iter_rows()
    )
    message = f"{metric} of {subject} in {period or 'an unstated period'}: {sides}"
    ids = frozenset(group.get_column("figure_id").to_list())
    known = acknowledged.get(ids)
    if known:
        message += f"; acknowledged as {known[0]}: {known[1]}"
    line = figures.lines([group.get_column(ROW).min()])[0]
    return Problem(
        LAYER, "figures", line, "value", ", ".join(sorted(ids)), "conflicting-values", message, WARNING, bool(known)
    )


def _acknowledged(context: Context) -> dict[frozenset, tuple[str, str]]:
    """The figure ids of each acknowledged conflict -> (its id, why its figures all stand)."""
    table = context.table("acknowledged_conflicts", "conflict_id", "figure_id", "reason")
    if table is None:
        return {}
    groups = table.frame.group_by("conflict_id", maintain_order=True).agg(
        pl.col("figure_id").cast(pl.String), pl.col("reason").cast(pl.String).first()
    )
    return {frozenset(ids): (conflict, reason) for conflict, ids, reason in groups.iter_rows()}
