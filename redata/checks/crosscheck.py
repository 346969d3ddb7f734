"""Layer `crosscheck` (warnings): a verdict for each figure a comparison rule covers, against the reference
values: consistent, inconsistent, or not comparable (and why), with both sides' numbers.

The rules are data. `reference_comparisons` says, for a metric of the figures, which reference metric
measures the same thing and how the reference side is computed (the subject's share of a total, or the
same quantity), or why the two are not comparable; `qualifier_tolerances` says how far a qualified number
reaches. A figure whose metric has no rule gets no verdict.

Both sides are intervals, and they are consistent when they meet. The figure's: its number, widened by
its qualifier's rounding steps (half a step either way when unqualified), the step being the precision
its words imply (`redata.precision`). The reference's: each printed number stands for the values that
round to it (half a step of its own printed precision either way); a share is computed from those
intervals, low part over high total to high part over low total, and its point from the printed numbers.

The period rule: a figure in a period the reference prints is compared in that period; a figure whose
period holds its source's publication (a present-tense claim, `2025` in an article of May 2025) is
compared in the latest reference period that ends before the publication; any other is not comparable.
Of several values for one metric, subject and period, the newest publication's is used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from ..limits import MAX_ROWS_PER_RULE
from ..precision import implied_precision, number_text
from ..report import WARNING, Problem
from . import MESSAGE, ROW, Context, row_problems
from .publications import expected_values, failing_rows, footnotes_by_publication, marks

LAYER = "crosscheck"
PERCENT = "percent"  # the unit a computed share is expressed in, before conversion to the figure's
ROUNDING = 0.5  # an unqualified number allows half a rounding step either way
VERDICT_RULES = {
    "consistent": "verdict-consistent",
    "inconsistent": "verdict-inconsistent",
    "not_comparable": "verdict-not-comparable",
}
FIGURE_FIELDS = (
    "figure_id",
    "metric",
    "subject_id",
    "period",
    "source_id",
    "unit",
    "qualifier",
    "as_written",
    "value",
    "value_low",
    "value_high",
)
# The columns of the verdicts table, in order (schemas/derived/verdicts.json describes them).
COLUMNS = {
    "figure_id": pl.String,
    "verdict": pl.String,
    "reason": pl.String,
    "comparison": pl.String,
    "unit": pl.String,
    "figure_low": pl.Float64,
    "figure_high": pl.Float64,
    "tolerance": pl.String,
    "reference_metric": pl.String,
    "reference_unit": pl.String,
    "reference_value": pl.Float64,
    "reference_low": pl.Float64,
    "reference_high": pl.Float64,
    "reference_period": pl.String,
    "period_rule": pl.String,
    "reference_value_ids": pl.String,
    "computation": pl.String,
    "footnotes": pl.String,
}


class Unevaluable(Exception):
    """A comparison the rules call for cannot be computed."""


@dataclass(frozen=True)
class Rule:
    metric: str
    comparison: str
    reference_metric: str | None
    total_subject_id: str | None
    reason: str
    refused_meaning: str | None
    refusal: str | None


@dataclass(frozen=True)
class Reference:
    """One reference value, with what a comparison needs of it."""

    value_id: str
    publication_year: int
    publication_id: str
    as_printed: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    notes: tuple[tuple[str, str, str], ...]  # (mark, meaning, text) of its footnotes and symbol


@dataclass(frozen=True)
class Interval:
    point: float | None
    low: float
    high: float


@dataclass(frozen=True)
class Unit:
    dimension: str
    factor: float  # to the dimension's base unit


def check(context: Context) -> list[Problem]:
    # Only the first verdicts of each kind are listed: those a figure's subject cannot have (no reference
    # value measures it) are made for the first rows alone, however many there are.
    frame, problems = judge(context, unmeasured_rows=MAX_ROWS_PER_RULE)
    if context.table("verdicts", *COLUMNS) is not None:  # a built package publishes them all: all are compared
        problems += _published_problems(context, judge(context)[0])
    figures = context.table("figures", "figure_id")
    if figures is None or frame.height == 0:
        return problems
    totals = dict(frame.group_by("verdict").agg(pl.col("_total").sum()).iter_rows())
    for verdict, rule in VERDICT_RULES.items():
        chosen = frame.filter(pl.col("verdict") == verdict).sort(ROW)
        shown = chosen.head(MAX_ROWS_PER_RULE).with_columns(  # only the verdicts listed get their words
            pl.format("{}: {}", pl.col("verdict"), pl.col("reason")).alias(MESSAGE)
        )
        problems += row_problems(
            figures,
            shown,
            total=totals.get(verdict, 0),
            layer=LAYER,
            field="value",
            rule=rule,
            message=f"figures judged {verdict.replace('_', ' ')} against the reference values",
            value="figure_id",
            severity=WARNING,
            # a verdict is a finding the package publishes (the verdicts table), not a defect: it never fails --strict
            acknowledged=True,
        )
    return problems


def _published_problems(context: Context, frame: pl.DataFrame) -> list[Problem]:
    """A package that publishes verdicts (a built one) publishes the verdicts its tables give, no other."""
    published = context.table("verdicts", *COLUMNS)
    if published is None:
        return []
    theirs = published.frame.select(ROW, *(pl.col(name).cast(kind) for name, kind in COLUMNS.items()))
    current = frame.drop(ROW, "_total").rename({name: f"{name}_now" for name in COLUMNS if name != "figure_id"})
    joined = theirs.join(current.with_columns(pl.lit(True).alias("_judged")), on="figure_id", how="left")
    differing = [
        pl.when(pl.col(f"{name}_now").ne_missing(pl.col(name))).then(pl.lit(name))
        for name in COLUMNS
        if name != "figure_id"
    ]
    failing = joined.with_columns(pl.concat_list(differing).list.drop_nulls().list.join(", ").alias("_columns")).filter(
        pl.col("_judged").is_null() | (pl.col("_columns") != "")
    )
    failing = failing.with_columns(
        pl.when(pl.col("_judged").is_null())
        .then(pl.lit("the rules give this figure no verdict now"))
        .otherwise(pl.format("the rules now give other {}", "_columns"))
        .alias(MESSAGE)
    )
    problems = row_problems(
        published,
        failing,
        layer=LAYER,
        field="verdict",
        rule="verdicts-current",
        message="a published verdict is the one the tables give",
        value="figure_id",
    )
    missing = sorted(set(frame.get_column("figure_id").to_list()) - set(theirs.get_column("figure_id").to_list()))
    if missing:
        message = f"the rules give verdicts the table lacks, for {', '.join(missing[:20])}"
        problems.append(Problem(LAYER, "verdicts", None, "figure_id", None, "verdicts-current", message))
    return problems


def verdicts(context: Context) -> pl.DataFrame:
    """The verdicts table: one row per figure a comparison rule covers, in the figures' order."""
    return verdict_table(judge(context)[0])


def judge(context: Context, unmeasured_rows: int | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Every verdict (with the figure's `ROW` and `_total`, how many verdicts the row stands for), and the
    problems of rules that cannot be applied.

    Figures whose rule names no reference metric, and figures whose subject no reference value measures,
    are judged not comparable as whole columns; only the others, whose reference values exist, are
    judged one by one. With `unmeasured_rows`, only the first so many of those whose subject no reference
    value measures are made, the last of them standing for the rest (`_total`)."""
    empty = pl.DataFrame(schema={ROW: pl.UInt32, **COLUMNS})
    tables = _tables(context)
    if tables is None:
        return empty, []
    missing = [name for name, table in tables.items() if table is None]
    if missing:
        message = f"the cross-check's rules cannot be applied without the tables {', '.join(missing)}"
        return empty, [Problem(LAYER, "reference_comparisons", None, None, None, "crosscheck-unevaluable", message)]
    figures = tables["figures"]
    rules, problems = _rules(tables["reference_comparisons"])
    judging = _Judge(tables, rules)
    covered = _covered(figures.frame, rules, set(judging.references))
    measured = covered.filter(pl.col("_measured")).select(ROW, "reference_metric", "comparison", "_rule_reason")
    rows, failing = [], []
    for figure in _with_fields(figures.frame, measured).iter_rows(named=True):
        try:
            rows.append({ROW: figure[ROW], **judging.verdict(figure)})
        except Unevaluable as error:
            failing.append((figure[ROW], str(error), figure["figure_id"]))
    judged = pl.DataFrame(rows, schema=empty.schema) if rows else empty
    judged = judged.with_columns(pl.lit(1, pl.UInt32).alias("_total"))
    unmeasured = _unmeasured(covered.filter(~pl.col("_measured")), unmeasured_rows)
    frame = pl.concat([judged, unmeasured], how="diagonal_relaxed").select(ROW, *COLUMNS, "_total").sort(ROW)
    problems += row_problems(
        figures,
        failing_rows(failing),
        layer=LAYER,
        field="value",
        rule="crosscheck-unevaluable",
        message="the comparison its rule calls for cannot be computed",
        value="_value",
    )
    return frame.cast({ROW: pl.UInt32, **COLUMNS}), problems


def _unmeasured(covered: pl.DataFrame, rows: int | None) -> pl.DataFrame:
    """The verdicts of figures no reference value measures: not comparable, as whole columns. With `rows`, only
    the first so many, the last standing for the rest (`_total`)."""
    count = covered.height
    unmeasured = covered.head(rows) if rows is not None else covered
    unmeasured = unmeasured.select(
        ROW,
        "figure_id",
        pl.lit("not_comparable").alias("verdict"),
        pl.when(pl.col("reference_metric").is_null())
        .then(pl.col("_rule_reason"))
        .otherwise(pl.format("No reference value measures {} of {}.", "reference_metric", "subject_id"))
        .alias("reason"),
        "comparison",
        "unit",
        "reference_metric",
    )
    totals = [1] * (unmeasured.height - 1) + [count - unmeasured.height + 1] if unmeasured.height else []
    return unmeasured.with_columns(pl.Series("_total", totals, dtype=pl.UInt32))


def verdict_table(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(ROW).drop(ROW, "_total")


def _covered(figures: pl.DataFrame, rules: dict[str, Rule], measured: set[tuple[str, str]]) -> pl.DataFrame:
    """The figures a rule covers, with the rule's comparison, reference metric and reason, and whether some
    reference value measures that metric of their subject (`_measured`)."""
    by_metric = pl.DataFrame(
        [(r.metric, r.comparison, r.reference_metric, r.reason) for r in rules.values()],
        schema={"metric": pl.String, "comparison": pl.String, "reference_metric": pl.String, "_rule_reason": pl.String},
        orient="row",
    )
    pairs = pl.DataFrame(
        list(measured), schema={"reference_metric": pl.String, "subject_id": pl.String}, orient="row"
    ).with_columns(pl.lit(True).alias("_measured"))
    covered = pl.col("metric").cast(pl.String).is_in(by_metric.get_column("metric").implode())
    return (
        figures.filter(covered)  # only the figures a rule covers, and only what every verdict row shows
        .select(ROW, *(pl.col(name).cast(pl.String) for name in ("figure_id", "metric", "subject_id", "unit")))
        .join(by_metric, on="metric", how="inner", maintain_order="left")
        .join(pairs, on=["reference_metric", "subject_id"], how="left", maintain_order="left")
        .with_columns(pl.col("_measured").fill_null(False))
    )


_TEXT = {"figure_id", "metric", "subject_id", "period", "source_id", "unit", "qualifier", "as_written"}


def _with_fields(figures: pl.DataFrame, measured: pl.DataFrame) -> pl.DataFrame:
    """Every field a verdict reads, of the few figures whose subject the reference measures."""
    chosen = figures.filter(pl.col(ROW).is_in(measured.get_column(ROW).implode()))
    fields = chosen.select(
        ROW, *(pl.col(name).cast(pl.String) if name in _TEXT else pl.col(name) for name in FIGURE_FIELDS)
    )
    return fields.join(measured, on=ROW, how="inner", maintain_order="left")


def _tables(context: Context) -> dict | None:
    """The tables the rules read, by name (None where a table is missing), or None where there are no rules."""
    needed = {
        "figures": FIGURE_FIELDS,
        "reference_comparisons": ("metric", "comparison", "reference_metric", "total_subject_id", "reason"),
        "reference_values": ("value_id", "publication_id", "as_printed", "unit", "period", "metric", "subject_id"),
        "reference_publications": ("publication_id", "year"),
        "reference_footnotes": ("publication_id", "mark", "kind", "meaning", "text"),
        "qualifier_tolerances": ("qualifier", "steps_below", "steps_above", "basis"),
        "units": ("unit_id", "dimension", "to_base_factor"),
        "sources": ("source_id", "published", "published_precision"),
    }
    tables = {name: context.table(name, *columns) for name, columns in needed.items()}
    if tables["figures"] is None or tables["reference_comparisons"] is None:
        return None  # no rules, no verdicts
    return tables  # those missing (unread, or of another shape) make the rules inapplicable


def _rules(comparisons) -> tuple[dict[str, Rule], list[Problem]]:
    rules, failing = {}, []
    fields = ("metric", "comparison", "reference_metric", "total_subject_id", "reason", "refused_meaning", "refusal")
    present = [name for name in fields if name in comparisons.frame.columns]
    for row in comparisons.frame.select(ROW, *(pl.col(name).cast(pl.String) for name in present)).iter_rows(named=True):
        rule = Rule(*(row.get(name) for name in fields))
        missing = _rule_gaps(rule)
        if missing:
            failing.append((row[ROW], f"a {rule.comparison} rule needs {missing}", rule.metric))
        elif rule.metric is not None:
            rules.setdefault(rule.metric, rule)
    problems = row_problems(
        comparisons,
        failing_rows(failing),
        layer=LAYER,
        field="comparison",
        rule="comparison-rule",
        message="rule incomplete",
        value="_value",
    )
    return rules, problems


def _rule_gaps(rule: Rule) -> str:
    gaps = []
    if rule.comparison in ("share_of_total", "same_quantity") and rule.reference_metric is None:
        gaps.append("a reference_metric")
    if rule.comparison == "share_of_total" and rule.total_subject_id is None:
        gaps.append("a total_subject_id")
    if (rule.refused_meaning is None) != (rule.refusal is None):
        gaps.append("refused_meaning and refusal together")
    return " and ".join(gaps)


def _refuse_by_footnote(rule: Rule, notes: list, value_ids: str) -> None:
    """A rule refuses values a footnote gives a meaning it names (a quota is not actual production)."""
    refused = [
        (mark, text) for mark, meaning, text in notes if rule.refused_meaning and meaning == rule.refused_meaning
    ]
    if refused:
        marked = "; ".join(f"footnote {mark}: {text}" for mark, text in refused)
        raise _Refusal(f"Not comparable: {rule.refusal} ({value_ids}, {marked}).")


class _Refusal(Exception):
    """The figure is not comparable, for the reason given."""


class _Judge:
    """The vocabularies a verdict reads, indexed once, and the verdict of one figure."""

    def __init__(self, tables: dict, rules: dict[str, Rule]):
        self.rules = rules
        self.units = {
            unit_id: Unit(dimension, factor)
            for unit_id, dimension, factor in tables["units"]
            .frame.select(pl.col("unit_id").cast(pl.String), pl.col("dimension").cast(pl.String), "to_base_factor")
            .iter_rows()
        }
        self.tolerances = {
            qualifier: (below, above, basis)
            for qualifier, below, above, basis in tables["qualifier_tolerances"]
            .frame.select(pl.col("qualifier").cast(pl.String), "steps_below", "steps_above", "basis")
            .iter_rows()
        }
        self.publications = _publication_windows(tables["sources"])
        self.references = _references(tables)

    def verdict(self, figure: dict) -> dict:
        rule = self.rules[figure["metric"]]
        result = {
            "figure_id": figure["figure_id"],
            "comparison": rule.comparison,
            "unit": figure["unit"],
            "reference_metric": rule.reference_metric,
        }
        try:
            result.update(self._reference_side(figure, rule))
            if rule.comparison == "not_comparable":
                raise _Refusal(f"{rule.reason} Beside it: {_reference_text(result)}.")
            result.update(self._figure_side(figure))
        except _Refusal as refusal:
            return {**_bounded(result), "verdict": "not_comparable", "reason": str(refusal)}
        meet = result["reference_low"] <= result["figure_high"] and result["figure_low"] <= result["reference_high"]
        reason = (
            f"{figure['as_written']!r} allows {_range_text(result['figure_low'], result['figure_high'])} "
            f"{figure['unit']}; {_reference_text(result)}; the two {'meet' if meet else 'do not meet'}."
        )
        if result["footnotes"]:
            reason += f" Footnotes of the reference values: {result['footnotes']}"
        return {**_bounded(result), "verdict": "consistent" if meet else "inconsistent", "reason": reason}

    def _reference_side(self, figure: dict, rule: Rule) -> dict:
        subjects = [figure["subject_id"]]
        if rule.comparison == "share_of_total":
            subjects.append(rule.total_subject_id)
        period, period_rule, chosen, intervals = self._references_of(figure, rule, subjects)
        notes = list(dict.fromkeys(note for reference in chosen for note in reference.notes))
        side = {
            "reference_period": period,
            "period_rule": period_rule,
            "reference_value_ids": ";".join(reference.value_id for reference in chosen),
            "footnotes": " ".join(f"[{mark}] {text}" for mark, _, text in notes) or None,
        }
        _refuse_by_footnote(rule, notes, side["reference_value_ids"])
        if rule.comparison == "share_of_total":
            return {**side, **self._share(figure, subjects, chosen, intervals)}
        return {**side, **self._quantity(figure, rule, chosen[0], intervals[0])}

    def _references_of(self, figure: dict, rule: Rule, subjects: list[str]) -> tuple:
        """(period, period rule, the reference value of each subject in it, their printed intervals)."""
        by_period = [self.references.get((rule.reference_metric, subject), {}) for subject in subjects]
        for subject, periods in zip(subjects, by_period, strict=True):
            if not periods:
                raise _Refusal(f"No reference value measures {rule.reference_metric} of {subject}.")
        period, period_rule = self._period(figure, set.intersection(*(set(periods) for periods in by_period)))
        chosen = [_one(periods[period]) for periods in by_period]
        intervals = [_printed_interval(reference) for reference in chosen]
        for reference, interval in zip(chosen, intervals, strict=True):
            if interval is None:
                said = "; ".join(text for mark, _, text in reference.notes if mark == reference.as_printed)
                raise _Refusal(f"{reference.value_id} is printed {reference.as_printed!r} ({said or 'no number'}).")
        return period, period_rule, chosen, intervals

    def _share(self, figure, subjects, chosen, intervals) -> dict:
        (part, total), (part_interval, total_interval) = chosen, intervals
        if total_interval.low <= 0:
            raise _Refusal(f"The total {total.value_id} is printed {total.as_printed!r}: no share of it can be taken.")
        to_figure = self._factor(PERCENT, figure["unit"])
        low = max(part_interval.low, 0.0) / total_interval.high * 100 * to_figure
        high = part_interval.high / total_interval.low * 100 * to_figure
        point = None
        if part_interval.point is not None and total_interval.point is not None:
            point = part_interval.point / total_interval.point * 100 * to_figure
        computation = (
            f"{part.publication_id}: {subjects[0]} {part.as_printed} / {subjects[1]} {total.as_printed} {part.unit} "
            f"= {_short(point) if point is not None else 'a bound'} {figure['unit']}"
        )
        return {
            "reference_unit": figure["unit"],
            "reference_value": point,
            "reference_low": low,
            "reference_high": high,
            "computation": computation,
        }

    def _quantity(self, figure, rule: Rule, reference: Reference, interval: Interval) -> dict:
        # a rule that compares nothing shows the reference in its own unit; a comparison, in the figure's
        unit = figure["unit"] if rule.comparison == "same_quantity" else reference.unit
        factor = self._factor(reference.unit, unit)
        point = interval.point * factor if interval.point is not None else None
        return {
            "reference_unit": unit,
            "reference_value": point,
            "reference_low": interval.low * factor,
            "reference_high": interval.high * factor,
            "computation": f"{reference.publication_id}: "
            f"{figure['subject_id']} {reference.as_printed} {reference.unit}",
        }

    def _factor(self, unit: str, into: str) -> float:
        """The factor that converts a value in `unit` into `into`."""
        source, target = self.units.get(unit), self.units.get(into)
        if source is None or target is None or source.dimension != target.dimension:
            raise Unevaluable(f"a value in {unit} cannot be expressed in {into}: their units differ in dimension")
        return source.factor / target.factor

    def _period(self, figure: dict, available: set[str]) -> tuple[str, str]:
        """The reference period to compare in, and the rule that chose it (see the module's docstring)."""
        period = figure["period"]
        if period is None:
            raise _Refusal("The figure states no period, and a reference value is of one.")
        if period in available:
            return period, "the figure's own period"
        window = self.publications.get(figure["source_id"])
        if window is None:
            raise Unevaluable(f"the publication date of source {figure['source_id']} is not known")
        start, end = period_bounds(period)
        if not (start <= window[1] and window[0] <= end):
            raise _Refusal(f"No reference value is of the figure's period, {period}.")
        before = [p for p in available if period_bounds(p)[1] < window[0]]
        if not before:
            raise _Refusal(f"No reference period ends before the source's publication ({window[0]:%Y-%m}).")
        latest = max(before, key=lambda p: period_bounds(p)[1])
        return latest, f"the latest reference period before the source's publication, {window[0]:%Y-%m}"

    def _figure_side(self, figure: dict) -> dict:
        low_anchor = next((figure[k] for k in ("value", "value_low", "value_high") if figure[k] is not None), None)
        high_anchor = next((figure[k] for k in ("value", "value_high", "value_low") if figure[k] is not None), None)
        if low_anchor is None:
            raise Unevaluable("the figure has no value, value_low or value_high")
        precision = implied_precision(figure["as_written"], low_anchor)
        qualifier = figure["qualifier"]
        if qualifier is None:
            below, above, basis = ROUNDING, ROUNDING, "unqualified: the number as stated, to its rounding"
        elif qualifier in self.tolerances:
            below, above, basis = self.tolerances[qualifier]
        else:
            raise Unevaluable(f"the qualifier {qualifier!r} has no row in qualifier_tolerances")
        return {
            "figure_low": low_anchor - below * precision.step if below is not None else -math.inf,
            "figure_high": high_anchor + above * precision.step if above is not None else math.inf,
            "tolerance": f"{basis}; {precision.basis}",
        }


def _one(candidates: list[Reference]) -> Reference:
    """The newest publication's value; two values of one metric, subject and period there cannot be told apart."""
    newest = max(candidate.publication_year for candidate in candidates)
    top = [candidate for candidate in candidates if candidate.publication_year == newest]
    if len(top) > 1:
        raise Unevaluable(f"{', '.join(c.value_id for c in top)} give one metric, subject and period: which is meant?")
    return top[0]


def _printed_interval(reference: Reference) -> Interval | None:
    """The values a printed number stands for: those that round to it (a legend symbol is exact)."""
    if reference.value is not None:
        if expected_values(reference.as_printed, {}) is None:  # a symbol, such as `—` for zero
            return Interval(reference.value, reference.value, reference.value)
        half = ROUNDING * implied_precision(reference.as_printed, reference.value).step
        return Interval(reference.value, reference.value - half, reference.value + half)
    if reference.low is not None:
        return Interval(None, reference.low, math.inf)
    if reference.high is not None:
        return Interval(None, -math.inf, reference.high)
    return None


def _references(tables: dict) -> dict[tuple[str, str], dict[str, list[Reference]]]:
    """The reference values by (metric, subject), then period; values without a period are left out."""
    years = dict(
        tables["reference_publications"].frame.select(pl.col("publication_id").cast(pl.String), "year").iter_rows()
    )
    notes = footnotes_by_publication(tables["reference_footnotes"])
    values = tables["reference_values"].frame
    wanted = ("value_id", "publication_id", "as_printed", "unit", "period", "metric", "subject_id", "footnotes")
    numbers = [name for name in ("value", "value_low", "value_high") if name in values.columns]
    found: dict[tuple[str, str], dict[str, list[Reference]]] = {}
    for row in values.select(*(pl.col(n).cast(pl.String) for n in wanted if n in values.columns), *numbers).iter_rows(
        named=True
    ):
        if row["period"] is None or row["metric"] is None or row["subject_id"] is None:
            continue
        known = notes.get(row["publication_id"], {})
        shown = [*marks(row.get("footnotes")), row["as_printed"]]
        reference = Reference(
            row["value_id"],
            years.get(row["publication_id"]) or 0,
            row["publication_id"],
            row["as_printed"],
            row.get("value"),
            row.get("value_low"),
            row.get("value_high"),
            row["unit"],
            tuple((m, known[m].meaning, known[m].text) for m in shown if m in known),
        )
        found.setdefault((row["metric"], row["subject_id"]), {}).setdefault(row["period"], []).append(reference)
    return found


def _publication_windows(sources) -> dict[str, tuple[dt.date, dt.date]]:
    """Each source's publication as the first and last day its date at its precision can mean."""
    windows = {}
    for source_id, published, precision in sources.frame.select(
        pl.col("source_id").cast(pl.String), "published", pl.col("published_precision").cast(pl.String)
    ).iter_rows():
        if published is None:
            continue
        text = published.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]
        windows[source_id] = period_bounds(text)
    return windows


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day an ISO 8601 period (`2024`, `2025-05`, `2020/..`, `../2023`) covers."""
    start, _, end = period.partition("/")
    end = end or start
    try:
        return (
            dt.date.min if start == ".." else _first_day(start),
            dt.date.max if end == ".." else _last_day(end),
        )
    except ValueError:
        raise Unevaluable(f"the period {period!r} cannot be read") from None


def _first_day(text: str) -> dt.date:
    parts = [int(part) for part in text.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(text: str) -> dt.date:
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def _short(number: float) -> str:
    return number_text(round(number, 2)) if math.isfinite(number) else number_text(number)


def _range_text(low: float, high: float) -> str:
    if math.isinf(high) and math.isinf(low):
        return "any value"
    if math.isinf(high):
        return f"at least {_short(low)}"
    if math.isinf(low):
        return f"at most {_short(high)}"
    return f"{_short(low)} to {_short(high)}"


def _reference_text(side: dict) -> str:
    point = side.get("reference_value")
    ranged = _range_text(side["reference_low"], side["reference_high"])
    given = (
        f"{_short(point)} {side['reference_unit']} ({ranged})"
        if point is not None
        else f"{ranged} {side['reference_unit']}"
    )
    return (
        f"the reference gives {given} for {side['reference_period']} ({side['period_rule']}), "
        f"computed as {side['computation']}"
    )


def _bounded(result: dict) -> dict:
    """The verdict's numbers as the table holds them: an unbounded end is empty."""
    return {key: (None if isinstance(value, float) and math.isinf(value) else value) for key, value in result.items()}
