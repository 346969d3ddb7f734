"""Layer 6, consistency: the arithmetic recorded in `checks` and `check_terms` holds.

Every figure is read as an interval (`figure_interval`): a point value is [value, value]; a range is
[value_low, value_high]; a one-sided bound is open on the other side. Values are converted to their unit's
base (`units.to_base_factor`) before they are added or compared. A check holds when the stated relation is
possible within its tolerance:
- `sum`: the parts' interval sum meets the total's interval, widened by the tolerance;
- `at_most`: the parts' smallest possible sum is no more than the whole's (or `limit`) plus tolerance;
- `growth`: start × (1 + rate)^years lands on end, i.e. the implied yearly rate (end / start)^(1 / years) - 1,
  in percent, lies in the rate's interval widened by the tolerance, with years the difference between the
  years of the end's and the start's periods.
A check marked `known_inconsistency` that fails is a warning (the source itself is inconsistent). A check whose
arithmetic cannot be done (a term that names no figure, a number that overflows) is `check-holds-unevaluable`.
There are a handful of checks however large the package, so each is evaluated in Python, plainly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from ..report import Problem
from . import MESSAGE, ROW, Context, figure_interval, row_problems

LAYER = "consistency"
KINDS = {"sum": ("part", "total"), "at_most": ("part", "whole"), "growth": ("start", "end", "rate")}


@dataclass
class Term:
    figure_id: str
    role: str
    low: float | None  # the figure's interval, in its unit's base; None where a figure or unit is missing
    high: float | None
    year: int | None  # the first year its period names
    out_of_range: bool = False  # a finite, non-zero bound that conversion made infinite or zero


def _term(figure_id: str, role: str, figure: dict | None) -> Term:
    factor = figure and figure["to_base_factor"]
    if not figure or factor is None:
        return Term(figure_id, role, None, None, None)
    low, high = figure["low"] * factor, figure["high"] * factor
    lost = any(
        math.isfinite(raw) and raw != 0 and (math.isinf(converted) or converted == 0)
        for raw, converted in ((figure["low"], low), (figure["high"], high))
    )
    period = figure["period"] or ""
    year = int(period[:4]) if period[:4].isdigit() else None
    return Term(figure_id, role, low, high, year, lost)


def check(context: Context) -> list[Problem]:
    checks = context.table("checks", "check_id", "kind", "tolerance", "limit", "known_inconsistency")
    terms = context.table("check_terms", "check_id", "figure_id", "role")
    figures = context.table("figures", "figure_id", "unit", "period", "value", "value_low", "value_high")
    units = context.table("units", "unit_id", "to_base_factor", "base_unit_id")
    if not all((checks, terms, figures, units)):
        return []
    by_check = _terms(terms.frame, figures.frame, units.frame)
    outcomes: dict[str, list] = {"check-terms": [], "check-holds": [], "known-inconsistency": [], "unevaluable": []}
    for row, check_id, kind, tolerance, limit, known in checks.frame.select(
        ROW, "check_id", "kind", "tolerance", "limit", "known_inconsistency"
    ).iter_rows():
        rule, message = _judge(kind, tolerance, limit, by_check.get(str(check_id), []))
        if rule == "check-holds" and known:
            rule = "known-inconsistency"
        if rule is not None:
            outcomes[rule].append((row, check_id, message))
    problems: list[Problem] = []
    for rule, found in outcomes.items():
        failing = pl.DataFrame(found, schema={ROW: pl.UInt32, "check_id": pl.String, MESSAGE: pl.String}, orient="row")
        name = "check-holds-unevaluable" if rule == "unevaluable" else rule
        problems += row_problems(
            checks,
            failing,
            layer=LAYER,
            field="check_id",
            rule=name,
            message="the check does not hold",
            value="check_id",
        )
    return problems


def _terms(terms: pl.DataFrame, figures: pl.DataFrame, units: pl.DataFrame) -> dict[str, list[Term]]:
    """Each check's terms with their figure's interval in base units (only the figures named are read)."""
    named = terms.get_column("figure_id").cast(pl.String).drop_nulls()
    low, high = figure_interval()
    factors = units.select(pl.col("unit_id").cast(pl.String).alias("unit"), "to_base_factor").unique(
        "unit", keep="first"
    )
    values = (
        figures.filter(pl.col("figure_id").cast(pl.String).is_in(named.implode()))
        .unique("figure_id", keep="first")
        .select(pl.col("figure_id", "unit", "period").cast(pl.String), low.alias("low"), high.alias("high"))
        .join(factors, on="unit", how="left")
    )
    found = {row["figure_id"]: row for row in values.iter_rows(named=True)}
    by_check: dict[str, list[Term]] = {}
    for check_id, figure_id, role in terms.select("check_id", "figure_id", "role").cast(pl.String).iter_rows():
        by_check.setdefault(check_id, []).append(_term(figure_id, role, found.get(figure_id)))
    return by_check


def _judge(kind: str, tolerance: float, limit: float | None, terms: list[Term]) -> tuple[str | None, str]:
    """(rule, message): (None, "") where the check holds."""
    if kind not in KINDS or tolerance is None:  # a cell the structure layer reports: nothing to judge by
        return "unevaluable", "the check's kind or tolerance is not known"
    shape = _shape_error(kind, limit, terms)
    if shape:
        return "check-terms", shape
    missing = [t.figure_id for t in terms if t.low is None]
    if missing:
        return "unevaluable", f"terms {', '.join(missing)} name no figure with a unit in units"
    lost = [t.figure_id for t in terms if t.out_of_range]
    if lost:
        return "unevaluable", f"the values of {', '.join(lost)} overflow or underflow a double in base units"
    single = {t.role: t for t in terms if t.role != "part"}
    holds, message = JUDGES[kind](tolerance, limit, single, [t for t in terms if t.role == "part"])
    if holds is None:
        return "unevaluable", message
    return (None, "") if holds else ("check-holds", message)


def _shape_error(kind: str, limit, terms: list[Term]) -> str | None:
    roles = [t.role for t in terms]
    count = roles.count
    if not terms:
        return "the check has no terms in check_terms"
    if any(role not in KINDS.get(kind, ()) for role in roles):
        return f"a {kind} check takes the roles {', '.join(KINDS.get(kind, ()))} only"
    if kind == "sum" and (count("part") == 0 or count("total") != 1):
        return "a sum needs one or more parts and exactly one total"
    if kind == "at_most" and (count("part") == 0 or count("whole") > 1 or (count("whole") == 0 and limit is None)):
        return "at_most needs one or more parts and either one whole or a limit"
    if kind == "growth" and (count("start"), count("end"), count("rate")) != (1, 1, 1):
        return "growth needs exactly one start, one end and one rate"
    return None


def _sum(tolerance, limit, single, parts):
    low, high = sum(t.low for t in parts), sum(t.high for t in parts)
    total = single["total"]
    if _sum_lost(parts, low, high):
        return None, "the parts cannot be added: their sum overflows a double"
    holds = low - tolerance <= total.high and high + tolerance >= total.low
    ids = " + ".join(t.figure_id for t in parts)
    return holds, (
        f"parts {ids} sum to [{low}, {high}], total {total.figure_id} is [{total.low}, {total.high}]: "
        f"they differ by more than the tolerance {tolerance}"
    )


def _at_most(tolerance, limit, single, parts):
    low = sum(t.low for t in parts)
    whole = single.get("whole")
    bound = whole.high if whole else limit
    if _sum_lost(parts, low, low):
        return None, "the parts cannot be added: their sum overflows a double"
    name = whole.figure_id if whole else "limit"
    return low <= bound + tolerance, (
        f"parts {' + '.join(t.figure_id for t in parts)} sum to at least {low}, "
        f"more than the whole {name} ({bound}) plus the tolerance {tolerance}"
    )


def _growth(tolerance, limit, single, parts):
    start, end, rate = single["start"], single["end"], single["rate"]
    if start.low != start.high or end.low != end.high:
        return None, "growth needs point values (not ranges or bounds) for start and end"
    if start.year is None or end.year is None or end.year <= start.year:
        return None, "growth needs start and end figures whose periods give the number of years"
    if start.low <= 0 or not math.isfinite(end.low / start.low):
        return None, "growth needs a positive start and an end whose ratio to it is finite"
    years = end.year - start.year
    implied = ((end.low / start.low) ** (1 / years) - 1) * 100
    holds = rate.low - tolerance <= implied <= rate.high + tolerance
    return holds, (
        f"start {start.figure_id} ({start.low}, {start.year}) and end {end.figure_id} ({end.low}, {end.year}) "
        f"imply {round(implied, 3)} percent a year; rate {rate.figure_id} allows [{rate.low}, {rate.high}] "
        f"within the tolerance {tolerance}"
    )


def _sum_lost(parts: list[Term], low: float, high: float) -> bool:
    """A sum of finite bounds that came out infinite (an open bound is infinite by design, not lost)."""
    return any(
        math.isinf(total) and all(math.isfinite(getattr(t, side)) for t in parts)
        for total, side in ((low, "low"), (high, "high"))
    )


JUDGES = {"sum": _sum, "at_most": _at_most, "growth": _growth}
