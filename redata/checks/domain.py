"""Layer 3, domain rules: what the figures mean, checked with pandera against the package's vocabularies.

Each rule is a vectorised polars expression over a table joined with the vocabularies it needs
(`units`, `metrics`, `qualifiers`, `sources`); the rules run as the checks of one pandera schema per
table. The numbers the rules compare against (a unit's allowed range, whether it counts whole things,
its dimension, the bounds a qualifier implies, a source's publication date) are data in those tables,
never constants here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from ..report import MAX_ROWS_PER_RULE, Problem
from . import ROW, Context, looked_up, row_problems

LAYER = "domain"
VALUE_FIELDS = ("value", "value_low", "value_high")
PUBLICATION = ("source_id", "published", "published_precision")


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    field: str
    message: str
    holds: Callable  # () -> polars boolean expression, true where the row satisfies the rule (null counts as true)
    detail: Callable  # () -> polars string expression explaining a failing row


# Rows of a table joined with its vocabularies at a time: the joined columns of 10M figures took 1.2 GB
# more memory at once.
BATCH_ROWS = 1 << 21


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for table_name, build_frame in (
        ("figures", _figures_frame),
        ("events", _events_frame),
        ("metrics", _metrics_frame),
        ("units", _units_frame),
    ):
        table = context.tables.get(table_name)
        if table is None:
            continue
        rules = [rule for rule in RULES if rule.table == table_name]
        schema = pa.DataFrameSchema(
            checks=[pa.Check(_as_check(rule), name=rule.name, error=rule.name) for rule in rules],
            name=f"{table_name} domain rules",
        )
        shown: list[list] = [[] for _ in rules]  # per rule, the first failing rows of each batch
        totals = [0] * len(rules)
        for start in range(0, max(table.frame.height, 1), BATCH_ROWS):
            frame = build_frame(context, table.frame.slice(start, BATCH_ROWS))
            if frame is None:
                break
            try:
                schema.validate(frame, lazy=True)
                continue
            except pa.errors.SchemaErrors as errors:
                cases = errors.failure_cases.filter(pl.col("index").is_not_null())
            for number, rule in enumerate(rules):
                indices = cases.filter(pl.col("check_number") == number).get_column("index").cast(pl.UInt32)
                totals[number] += indices.len()
                shown[number].append(
                    frame[indices.head(MAX_ROWS_PER_RULE).to_list()].with_columns(rule.detail().alias("_message"))
                )
        for rule, frames, total in zip(rules, shown, totals, strict=True):
            if total:
                problems += row_problems(
                    table,
                    pl.concat(frames),
                    layer=LAYER,
                    field=rule.field,
                    rule=rule.name,
                    message=rule.message,
                    value=rule.field,
                    total=total,
                )
    return problems


def _as_check(rule: Rule):
    return lambda data: data.lazyframe.select(rule.holds().fill_null(True).alias(rule.name))


# ---------------------------------------------------------------- the frames the rules read
# Each takes `rows`, a batch of the rows of the table it checks, and looks up what the rules need (a left
# join: the first row where a vocabulary repeats a key); None when a table it needs is missing or lacks a column.


def _figures_frame(context: Context, rows):
    read = [*VALUE_FIELDS, "unit", "qualifier", "metric", "period", "forecast", "source_id"]
    figures = context.table("figures", *read)
    units = context.table("units", "unit_id", "dimension", "minimum", "maximum", "whole_number")
    metrics, qualifiers = (
        context.table("metrics", "metric_id", "dimension"),
        context.table("qualifiers", "qualifier", "implies"),
    )
    sources = context.table("sources", *PUBLICATION)
    if not all((figures, units, metrics, qualifiers, sources)):
        return None
    unit = units.frame.select(
        pl.col("unit_id").alias("unit"),
        pl.col("dimension").alias("unit_dimension"),
        pl.col("minimum").alias("unit_minimum"),
        pl.col("maximum").alias("unit_maximum"),
        pl.col("whole_number").alias("unit_whole_number"),
    )
    metric = metrics.frame.select(pl.col("metric_id").alias("metric"), pl.col("dimension").alias("metric_dimension"))
    qualifier = qualifiers.frame.select("qualifier", pl.col("implies").alias("qualifier_implies"))
    frame = rows.lazy().select(ROW, *read)
    for key, vocabulary in (
        ("unit", unit),
        ("metric", metric),
        ("qualifier", qualifier),
        ("source_id", _publication(sources.frame)),
        ("period", _period_starts(rows)),
    ):
        frame = _look_up(frame, key, vocabulary)
    return frame.collect()


def _events_frame(context: Context, rows):
    events, sources = context.table("events", "date", "source_id"), context.table("sources", *PUBLICATION)
    if not (events and sources):
        return None
    return _look_up(rows.lazy().select(ROW, "date", "source_id"), "source_id", _publication(sources.frame)).collect()


def _metrics_frame(context: Context, rows):
    metrics, units = context.table("metrics", "dimension"), context.table("units", "dimension")
    if not (metrics and units):
        return None
    dimensions = units.frame.get_column("dimension").drop_nulls().unique().to_list()
    return rows.with_columns(pl.col("dimension").is_in(dimensions).alias("dimension_known"))


def _units_frame(context: Context, rows):
    units = context.table("units", "unit_id", "dimension", "to_base_factor", "base_unit_id", "minimum", "maximum")
    if not units:
        return None
    base = units.frame.select(
        pl.col("unit_id").alias("base_unit_id"),
        pl.col("dimension").alias("base_dimension"),
        pl.col("to_base_factor").alias("base_factor"),
    )
    read = rows.lazy().select(ROW, "unit_id", "dimension", "base_unit_id", "minimum", "maximum")  # what the rules read
    return _look_up(read, "base_unit_id", base).collect()


def _look_up(frame, key: str, vocabulary):
    """`frame` with every column of `vocabulary` but `key`, from the vocabulary's row with the same key.

    A text comes as a categorical: a code per row, where a string costs a 16-byte view. The frame of the
    1M-row package's figures added 43-45 MB at its peak, against 80-82 MB with strings."""
    columns = [c for c in vocabulary.columns if c != key]
    vocabulary = vocabulary.with_columns(
        pl.col(c).cast(pl.Categorical) for c in columns if vocabulary.schema[c] == pl.String
    )
    return looked_up(frame, key, vocabulary, columns)


def _publication(sources):
    """Each source's publication window: the last day its `published` date at its precision can mean."""
    published, precision = pl.col("published"), pl.col("published_precision")
    latest = (
        pl.when(precision == "year")
        .then(pl.date(published.dt.year(), 12, 31))
        .when(precision == "month")
        .then(published.dt.month_end())
        .otherwise(published)
    )
    return sources.select("source_id", published.alias("published"), latest.alias("published_latest"))


def _period_starts(figures):
    """Each distinct period with its start date: parsed once per period, not once per row."""
    # as text: a schema may make the period a foreign key, held as a categorical
    return figures.select(pl.col("period").unique().drop_nulls().cast(pl.String)).with_columns(
        _period_start().alias("period_start")
    )


def _period_start():
    """The first calendar date a `period` string names (its start, or its end for `../end`)."""
    first = pl.col("period").str.extract(r"([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)", 1)
    padded = (
        pl.when(first.str.len_chars() == 4)
        .then(first + "-01-01")
        .when(first.str.len_chars() == 7)
        .then(first + "-01")
        .otherwise(first)
    )
    return padded.str.to_date("%Y-%m-%d", strict=False)


# ---------------------------------------------------------------- the rules


def _in_unit_range(column: str):
    value = pl.col(column)
    return value.is_null() | (
        (pl.col("unit_minimum").is_null() | (value >= pl.col("unit_minimum")))
        & (pl.col("unit_maximum").is_null() | (value <= pl.col("unit_maximum")))
    )


def _range_detail(column: str):
    return pl.format(
        "{} {} is outside the range [{}, {}] of unit {}",
        pl.lit(column),
        pl.col(column),
        pl.col("unit_minimum").fill_null(float("-inf")),
        pl.col("unit_maximum").fill_null(float("inf")),
        pl.col("unit"),
    )


def _whole(column: str):
    value = pl.col(column)
    return value.is_null() | ~pl.col("unit_whole_number").fill_null(False) | (value == value.floor())


def _shape():
    """Which of value / value_low / value_high a figure fills: point, range, lower, upper, or other."""
    has = {c: pl.col(c).is_not_null() for c in VALUE_FIELDS}
    return (
        pl.when(has["value"] & ~has["value_low"] & ~has["value_high"])
        .then(pl.lit("point"))
        .when(~has["value"] & has["value_low"] & has["value_high"])
        .then(pl.lit("range"))
        .when(~has["value"] & has["value_low"] & ~has["value_high"])
        .then(pl.lit("lower_bound"))
        .when(~has["value"] & ~has["value_low"] & has["value_high"])
        .then(pl.lit("upper_bound"))
        .when(~has["value"] & ~has["value_low"] & ~has["value_high"])
        .then(pl.lit("empty"))
        .otherwise(pl.lit("point and bounds"))
    )


def _qualifier_matches_shape():
    implies = pl.col("qualifier_implies").fill_null("exact")
    shape = _shape()
    return (
        pl.when(implies == "lower_bound")
        .then(shape == "lower_bound")
        .when(implies == "upper_bound")
        .then(shape == "upper_bound")
        .otherwise(shape.is_in(["point", "range"]))
    )


RULES: list[Rule] = [
    *[
        Rule(
            "unit-range",
            "figures",
            column,
            "value outside the range its unit allows",
            lambda c=column: _in_unit_range(c),
            lambda c=column: _range_detail(c),
        )
        for column in VALUE_FIELDS
    ],
    *[
        Rule(
            "unit-whole-number",
            "figures",
            column,
            "a count must be a whole number",
            lambda c=column: _whole(c),
            lambda c=column: pl.format(
                "{} {} is not a whole number, as unit {} requires", pl.lit(c), pl.col(c), pl.col("unit")
            ),
        )
        for column in VALUE_FIELDS
    ],
    Rule(
        "value-within-bounds",
        "figures",
        "value",
        "value must lie between value_low and value_high",
        lambda: (
            (pl.col("value_low").is_null() | pl.col("value").is_null() | (pl.col("value_low") <= pl.col("value")))
            & (pl.col("value_high").is_null() | pl.col("value").is_null() | (pl.col("value") <= pl.col("value_high")))
            & (
                pl.col("value_low").is_null()
                | pl.col("value_high").is_null()
                | (pl.col("value_low") <= pl.col("value_high"))
            )
        ),
        lambda: pl.format(
            "value_low {} <= value {} <= value_high {} does not hold",
            pl.col("value_low"),
            pl.col("value"),
            pl.col("value_high"),
        ),
    ),
    Rule(
        "qualifier-bounds",
        "figures",
        "qualifier",
        "the qualifier implies other bounds than the row fills",
        _qualifier_matches_shape,
        lambda: pl.format(
            "qualifier {} implies {}, but the row fills {}",
            pl.col("qualifier").fill_null("(none)"),
            pl.col("qualifier_implies").fill_null("exact"),
            _shape(),
        ),
    ),
    Rule(
        "metric-dimension",
        "figures",
        "unit",
        "the unit's dimension is not the metric's",
        lambda: (
            pl.col("unit_dimension").is_null()
            | pl.col("metric_dimension").is_null()
            | (pl.col("unit_dimension") == pl.col("metric_dimension"))
        ),
        lambda: pl.format(
            "unit {} measures {}, but metric {} is a {}",
            pl.col("unit"),
            pl.col("unit_dimension"),
            pl.col("metric"),
            pl.col("metric_dimension"),
        ),
    ),
    Rule(
        "period-after-publication",
        "figures",
        "period",
        "the period starts after the source was published, and the figure is not a forecast",
        lambda: (
            pl.col("forecast")
            | pl.col("period_start").is_null()
            | (pl.col("period_start") <= pl.col("published_latest"))
        ),
        lambda: pl.format(
            "period {} starts after the source's publication ({}); mark the figure as a forecast if it is one",
            pl.col("period"),
            pl.col("published_latest"),
        ),
    ),
    Rule(
        "date-after-publication",
        "events",
        "date",
        "the event is dated after its source was published",
        lambda: pl.col("date") <= pl.col("published_latest"),
        lambda: pl.format("date {} is after the source's publication ({})", pl.col("date"), pl.col("published_latest")),
    ),
    Rule(
        "metric-dimension-known",
        "metrics",
        "dimension",
        "no unit has this dimension",
        lambda: pl.col("dimension_known"),
        lambda: pl.format("dimension {} is not the dimension of any unit", pl.col("dimension")),
    ),
    Rule(
        "unit-base",
        "units",
        "base_unit_id",
        "a base unit must be of the same dimension and convert to itself with factor 1",
        lambda: (
            pl.col("base_dimension").is_null()
            | ((pl.col("base_dimension") == pl.col("dimension")) & (pl.col("base_factor") == 1))
        ),
        lambda: pl.format(
            "base unit {} has dimension {} and factor {}; unit {} has dimension {}",
            pl.col("base_unit_id"),
            pl.col("base_dimension"),
            pl.col("base_factor"),
            pl.col("unit_id"),
            pl.col("dimension"),
        ),
    ),
    Rule(
        "unit-range-order",
        "units",
        "minimum",
        "minimum must not exceed maximum",
        lambda: pl.col("minimum").is_null() | pl.col("maximum").is_null() | (pl.col("minimum") <= pl.col("maximum")),
        lambda: pl.format("minimum {} > maximum {}", pl.col("minimum"), pl.col("maximum")),
    ),
]
