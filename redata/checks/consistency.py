"""Layer 6, consistency: the arithmetic recorded in `checks` and `check_terms` holds.

Every figure is read as an interval (`figure_interval`): a point value is [value, value]; a range is [value_low,
value_high]; a one-sided bound is open on the other side. Values are converted to their unit's base
(`units.to_base_factor`) before they are added or compared. A check holds when the stated relation is
possible within its tolerance:
- `sum`: the parts' interval sum meets the total's interval, widened by the tolerance;
- `at_most`: the parts' smallest possible sum is no more than the whole's (or `limit`) plus tolerance;
- `growth`: start × (1 + rate)^years lands on end, i.e. the implied yearly rate
  (end / start)^(1 / years) - 1, in percent, lies in the rate's interval widened by the tolerance,
  with years the difference between the years of the end's and the start's periods.
A check marked `known_inconsistency` that fails is a warning (the source itself is inconsistent).
"""

from __future__ import annotations

import polars as pl

from ..report import ERROR, WARNING, Problem
from . import Context, figure_interval, row_problems

LAYER = "consistency"
ROLES = {"sum": {"part", "total"}, "at_most": {"part", "whole"}, "growth": {"start", "end", "rate"}}
SINGLE_ROLES = ("total", "whole", "start", "end", "rate")


def check(context: Context) -> list[Problem]:
    checks = context.table("checks", "check_id", "kind", "tolerance", "limit", "known_inconsistency")
    terms = context.table("check_terms", "check_id", "figure_id", "role")
    figures = context.table("figures", "figure_id", "unit", "period", "value", "value_low", "value_high")
    units = context.table("units", "unit_id", "to_base_factor", "base_unit_id")
    if not all((checks, terms, figures, units)):
        return []
    values = _term_values(terms.frame, figures.frame, units.frame)
    per_check = _aggregate(values)
    evaluated = (
        checks.frame.with_columns(pl.col("check_id").cast(pl.String))
        .join(per_check, on="check_id", how="left", maintain_order="left")
        .with_columns(_shape_error().alias("_shape_error"))
    )
    problems: list[Problem] = []
    malformed = evaluated.filter(pl.col("_shape_error").is_not_null()).with_columns(
        pl.col("_shape_error").alias("_message")
    )
    problems += row_problems(
        checks,
        malformed,
        layer=LAYER,
        field="check_id",
        rule="check-terms",
        message="the check's terms do not fit its kind",
        value="check_id",
    )
    judged = evaluated.filter(pl.col("_shape_error").is_null()).with_columns(
        _holds().alias("_holds"), _explanation().alias("_message")
    )
    failing = judged.filter(~pl.col("_holds"))
    for known, severity in ((False, ERROR), (True, WARNING)):
        subset = failing.filter(pl.col("known_inconsistency") == known)
        rule = "known-inconsistency" if known else "check-holds"
        problems += row_problems(
            checks,
            subset,
            layer=LAYER,
            field="check_id",
            rule=rule,
            message="the check does not hold",
            value="check_id",
            severity=severity,
        )
    return problems


def _term_values(terms: pl.DataFrame, figures: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Each term with its figure's interval in base units and the year its period starts."""
    factor = units.select(
        pl.col("unit_id").cast(pl.String).alias("unit"),
        pl.col("to_base_factor").alias("_factor"),
        pl.col("base_unit_id").alias("_base"),
    )
    # only the few figures the terms name are looked up and converted, however many figures there are; keys
    # held as categoricals are cast to text to be joined
    figure_values = (
        figures.filter(pl.col("figure_id").is_in(terms.get_column("figure_id").cast(pl.String).drop_nulls().implode()))
        .select(
            pl.col("figure_id", "unit", "period").cast(pl.String),
            pl.col("value"),
            pl.col("value_low"),
            pl.col("value_high"),
        )
        .join(factor, on="unit", how="left")
    )
    low, high = figure_interval()
    return (
        terms.select(pl.col("check_id", "figure_id").cast(pl.String), "role")
        .join(figure_values, on="figure_id", how="left")
        .with_columns(
            (low * pl.col("_factor")).alias("_low"),
            (high * pl.col("_factor")).alias("_high"),
            pl.col("period").str.extract(r"([0-9]{4})", 1).cast(pl.Int64).alias("_year"),
            pl.col("figure_id").is_null().alias("_missing"),
        )
    )


def _aggregate(values: pl.DataFrame) -> pl.DataFrame:
    is_part = pl.col("role") == "part"
    single = []
    for role in SINGLE_ROLES:
        chosen = pl.col("role") == role
        single += [
            chosen.sum().alias(f"{role}_count"),
            pl.col("_low").filter(chosen).first().alias(f"{role}_low"),
            pl.col("_high").filter(chosen).first().alias(f"{role}_high"),
            pl.col("_year").filter(chosen).first().alias(f"{role}_year"),
            pl.col("figure_id").filter(chosen).first().alias(f"{role}_id"),
        ]
    return values.group_by("check_id").agg(
        is_part.sum().alias("part_count"),
        pl.col("_low").filter(is_part).sum().alias("parts_low"),
        pl.col("_high").filter(is_part).sum().alias("parts_high"),
        pl.col("figure_id").filter(is_part).str.join(" + ").alias("part_ids"),
        pl.col("role").unique().alias("roles"),
        pl.col("_base").unique().alias("bases"),
        *single,
    )


def _shape_error():
    """Why a check's terms do not fit its kind (null when they do)."""
    kind, count = pl.col("kind"), lambda role: pl.col(f"{role}_count").fill_null(0)
    parts = pl.col("part_count").fill_null(0)
    return (
        pl.when(pl.col("roles").is_null())
        .then(pl.lit("the check has no terms in check_terms"))
        .when((kind == "sum") & ((parts == 0) | (count("total") != 1)))
        .then(pl.lit("a sum needs one or more parts and exactly one total"))
        .when(
            (kind == "at_most")
            & ((parts == 0) | ((count("whole") != 1) & pl.col("limit").is_null()) | (count("whole") > 1))
        )
        .then(pl.lit("at_most needs one or more parts and either one whole or a limit"))
        .when((kind == "growth") & ((count("start") != 1) | (count("end") != 1) | (count("rate") != 1)))
        .then(pl.lit("growth needs exactly one start, one end and one rate"))
        .when(
            ~pl.col("roles")
            .list.eval(pl.element().is_in(["part", "total", "whole", "start", "end", "rate"]))
            .list.all()
        )
        .then(pl.lit("unexpected role"))
        .when((kind != "growth") & (pl.col("bases").list.len() > 1))
        .then(pl.lit("the terms are not all in units of one dimension"))
        .when(
            (kind == "growth")
            & ((pl.col("start_low") != pl.col("start_high")) | (pl.col("end_low") != pl.col("end_high")))
        )
        .then(pl.lit("growth needs point values (not ranges or bounds) for start and end"))
        .when(
            (kind == "growth")
            & (
                pl.col("start_year").is_null()
                | pl.col("end_year").is_null()
                | (pl.col("end_year") <= pl.col("start_year"))
            )
        )
        .then(pl.lit("growth needs start and end figures whose periods give the number of years"))
    )


def _implied_rate():
    years = pl.col("end_year") - pl.col("start_year")
    return ((pl.col("end_low") / pl.col("start_low")).pow(1 / years) - 1) * 100


def _holds():
    tolerance, kind = pl.col("tolerance"), pl.col("kind")
    whole_high = pl.coalesce("whole_high", "limit")
    return (
        pl.when(kind == "sum")
        .then(
            (pl.col("parts_low") - tolerance <= pl.col("total_high"))
            & (pl.col("parts_high") + tolerance >= pl.col("total_low"))
        )
        .when(kind == "at_most")
        .then(pl.col("parts_low") <= whole_high + tolerance)
        .when(kind == "growth")
        .then(
            (_implied_rate() >= pl.col("rate_low") - tolerance) & (_implied_rate() <= pl.col("rate_high") + tolerance)
        )
        .otherwise(pl.lit(False))
    )


def _explanation():
    kind = pl.col("kind")
    return (
        pl.when(kind == "sum")
        .then(
            pl.format(
                "parts {} sum to [{}, {}], total {} is [{}, {}]: they differ by more than the tolerance {}",
                "part_ids",
                "parts_low",
                "parts_high",
                "total_id",
                "total_low",
                "total_high",
                "tolerance",
            )
        )
        .when(kind == "at_most")
        .then(
            pl.format(
                "parts {} sum to at least {}, more than the whole {} ({}) plus the tolerance {}",
                "part_ids",
                "parts_low",
                pl.coalesce(pl.col("whole_id"), pl.lit("limit")),
                pl.coalesce("whole_high", "limit"),
                "tolerance",
            )
        )
        .otherwise(
            pl.format(
                "start {} ({}, {}) and end {} ({}, {}) imply {} percent a year; "
                "rate {} allows [{}, {}] within the tolerance {}",
                "start_id",
                "start_low",
                "start_year",
                "end_id",
                "end_low",
                "end_year",
                _implied_rate().round(3),
                "rate_id",
                "rate_low",
                "rate_high",
                "tolerance",
            )
        )
    )
