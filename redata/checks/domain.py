"""Layer 3, domain rules: what the figures mean, checked against the package's vocabularies.

Each rule is a polars expression over a table joined with the vocabularies it needs (`units`, `metrics`,
`qualifiers`, `sources`). The numbers the rules compare against (a unit's allowed range, whether it counts
whole things, its dimension, the bounds a qualifier implies, a source's publication date) are data in those
tables, never constants here. A rule has three outcomes: it holds, it fails, or it cannot be evaluated (an
input it needs is present but unusable: a unit not in `units`, a period that names no calendar date), which
is an error of its own, `<rule>-unevaluable`. A rule applies only where the row fills the inputs it `needs`:
an empty optional cell means "not applicable".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..report import Problem
from . import MESSAGE, ROW, Context, first_rows_by, row_problems

LAYER = "domain"
VALUE_FIELDS = ("value", "value_low", "value_high")
APPLIES, HOLDS = "\x00applies", "\x00holds"


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    field: str
    needs: tuple[str, ...]  # the row's own cells the rule reads; where one is empty, the rule does not apply
    holds: Callable  # () -> boolean expression: true, false, or null where it cannot be evaluated
    explain: Callable  # () -> text expression: why a row fails
    unevaluable: Callable  # () -> text expression: why a row cannot be evaluated


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for table_name, build_frame in FRAMES.items():
        table = context.tables.get(table_name)
        frame = build_frame(context) if table is not None else None
        if frame is None:
            continue
        rules = [rule for rule in RULES if rule.table == table_name]
        # one pass counts where each rule fails or cannot be evaluated; only those rules' rows are searched
        counts = frame.select(
            expression.sum().alias(str(index))
            for index, expression in enumerate(e for rule in rules for e in _outcomes(rule))
        ).row(0)
        for number, rule in enumerate(rules):
            if counts[2 * number] or counts[2 * number + 1]:
                problems += _evaluate(rule, table, frame)
    return problems


def _outcomes(rule: Rule) -> tuple:
    """(where the rule fails, where it cannot be evaluated), both false where it does not apply."""
    applies = pl.all_horizontal([pl.col(c).is_not_null() for c in rule.needs] or [pl.lit(True)])
    holds = rule.holds()
    return (applies & holds.not_()).fill_null(False), (applies & holds.is_null()).fill_null(False)


def _evaluate(rule: Rule, table, frame) -> list[Problem]:
    fails, unevaluable = _outcomes(rule)
    # only the rows that fail, or cannot be evaluated, are copied out of the frame
    failing = frame.filter(fails).with_columns(rule.explain().alias(MESSAGE))
    unevaluable = frame.filter(unevaluable).with_columns(rule.unevaluable().alias(MESSAGE))
    value = rule.field if rule.field in frame.columns else None
    common = {"layer": LAYER, "field": rule.field, "value": value}
    return row_problems(table, failing, rule=rule.name, message=BY_RULE_MESSAGE[rule.name], **common) + row_problems(
        table, unevaluable, rule=f"{rule.name}-unevaluable", message=f"{rule.name} cannot be evaluated", **common
    )


# ---------------------------------------------------------------- the frames the rules read
# Each is a table's rows with what the rules need looked up (the first row where a vocabulary repeats a key,
# which the structure layer reports); None when a table it needs is missing or lacks a column.


def _look_up(frame, vocabulary, key: str, found: str):
    """`frame` with every column of `vocabulary` (a left join on `key`, compared as text) and `found`, true where
    the key is in the vocabulary. Only the key column is joined, and the columns looked up are set beside the
    frame's, which are not copied; a key the frame holds as a categorical is matched as one, and the texts
    looked up come as categoricals (a 4-byte code per row)."""
    categorical = frame.schema[key] == pl.Categorical
    texts = [name for name, dtype in vocabulary.schema.items() if dtype == pl.String and name != key]
    vocabulary = first_rows_by(vocabulary.with_columns(pl.col(key).cast(pl.String)), key).with_columns(
        pl.col(key).cast(pl.Categorical if categorical else pl.String),
        *[pl.col(name).cast(pl.Categorical) for name in texts],
        pl.lit(True).alias(found),
    )
    keys = frame.select(pl.col(key) if categorical else pl.col(key).cast(pl.String))
    looked_up = keys.join(vocabulary, on=key, how="left", maintain_order="left").drop(key)
    return frame.hstack(looked_up)


def _figures_frame(context: Context):
    read = [*VALUE_FIELDS, "unit", "qualifier", "metric", "period", "forecast", "source_id", *BASIS_FIELDS]
    figures = context.table("figures", *read)
    units = context.table("units", "unit_id", "dimension", "minimum", "maximum", "whole_number")
    metrics = context.table("metrics", "metric_id", "dimension")
    qualifiers = context.table("qualifiers", "qualifier", "implies")
    sources = context.table("sources", "source_id", "published", "published_precision")
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
    frame = figures.frame.select(ROW, *read)
    frame = _look_up(frame, unit, "unit", "unit_found")
    frame = _look_up(frame, metric, "metric", "metric_found")
    frame = _look_up(frame, qualifier, "qualifier", "qualifier_found")
    frame = _look_up(frame, _publication(sources.frame), "source_id", "source_found")
    frame = _look_up(frame, _related_figures(figures.frame), "related_figure_id", "related_found")
    return _look_up(frame, _period_starts(frame), "period", "period_found")


# the fields that say how a figure's credit and period were decided, and the figure it is read beside
BASIS_FIELDS = (
    "figure_id",
    "period_as_written",
    "period_basis",
    "attributed_to_id",
    "attribution_basis",
    "related_figure_id",
)


def _related_figures(figures):
    """Each figure some figure names as related: its id, and the figure it names back. Only those: a lookup of
    every figure took 0.6 s and 200 MB for 1M figures, which name none."""
    named = figures.get_column("related_figure_id").drop_nulls().cast(pl.String).implode()
    return figures.filter(pl.col("figure_id").cast(pl.String).is_in(named)).select(
        pl.col("figure_id").cast(pl.String).alias("related_figure_id"),
        pl.col("related_figure_id").cast(pl.String).alias("related_names_back"),
    )


def _events_frame(context: Context):
    read = ["date", "source_id", *INTERVALS["events"]]
    events = context.table("events", *read)
    sources = context.table("sources", "source_id", "published", "published_precision")
    if not (events and sources):
        return None
    return _look_up(events.frame.select(ROW, *read), _publication(sources.frame), "source_id", "found")


# each table's date of a stated precision, and the interval of days it stands for: (date, precision, start, end)
INTERVALS = {
    "events": ("date_precision", "date_start", "date_end"),
    "sources": ("published_precision", "published_start", "published_end"),
}


def _sources_frame(context: Context):
    read = ["published", *INTERVALS["sources"]]
    sources = context.table("sources", *read)
    return sources.frame.select(ROW, *read) if sources else None


def _metrics_frame(context: Context):
    metrics, units = context.table("metrics", "dimension"), context.table("units", "dimension")
    if not (metrics and units):
        return None
    dimensions = units.frame.get_column("dimension").cast(pl.String).drop_nulls().unique()
    return metrics.frame.select(ROW, "dimension").with_columns(
        pl.col("dimension").cast(pl.String).is_in(dimensions.implode()).alias("dimension_known")
    )


def _units_frame(context: Context):
    units = context.table("units", "unit_id", "dimension", "to_base_factor", "base_unit_id", "minimum", "maximum")
    if not units:
        return None
    base = units.frame.select(
        pl.col("unit_id").alias("base_unit_id"),
        pl.col("dimension").alias("base_dimension"),
        pl.col("to_base_factor").alias("base_factor"),
    )
    rows = units.frame.select(ROW, "unit_id", "dimension", "base_unit_id", "minimum", "maximum")
    return _look_up(rows, base, "base_unit_id", "base_found")


FRAMES = {
    "figures": _figures_frame,
    "events": _events_frame,
    "metrics": _metrics_frame,
    "units": _units_frame,
    "sources": _sources_frame,
}


def _publication(sources):
    """Each source's publication window: the last day its `published` date at its precision can mean."""
    published, precision = pl.col("published"), pl.col("published_precision").cast(pl.String)
    latest = (
        pl.when(precision == "year")
        .then(pl.date(published.dt.year(), 12, 31))
        .when(precision == "month")
        .then(published.dt.month_end())
        .when(precision == "day")
        .then(published)
    )
    return sources.select("source_id", latest.alias("published_latest"), published.dt.year().alias("published_year"))


def _period_starts(frame):
    """Each distinct period with its first calendar day, parsed once per period (null if it names none)."""
    return frame.select(pl.col("period").cast(pl.String).unique().drop_nulls()).with_columns(
        period_start(pl.col("period")).alias("period_start")
    )


def period_start(period):
    """The first calendar day a `period` names (its start, or its end for `../end`); null where it names no
    calendar date (`2025-13`, `2025-02-30`) — and where any date it holds is not one."""
    dates = period.str.extract_all(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
    padded = dates.list.eval(
        pl.when(pl.element().str.len_chars() == 4)
        .then(pl.element() + "-01-01")
        .when(pl.element().str.len_chars() == 7)
        .then(pl.element() + "-01")
        .otherwise(pl.element())
        .str.to_date("%Y-%m-%d", strict=False)
    )
    return pl.when(padded.list.len() > 0).then(
        pl.when(padded.list.eval(pl.element().is_null()).list.any().not_()).then(padded.list.first())
    )


# ---------------------------------------------------------------- the rules


def _text(expression) -> pl.Expr:
    """An expression shown in a message: its text, or `(empty)`."""
    return expression.cast(pl.String).fill_null("(empty)")


def _not_in(vocabulary: str, key: str):
    return lambda: pl.format("{} {} is not in {}", pl.lit(key), _text(pl.col(key)), pl.lit(vocabulary))


def _in_unit_range(column: str):
    value, minimum, maximum = pl.col(column), pl.col("unit_minimum"), pl.col("unit_maximum")
    within = (minimum.is_null() | (value >= minimum)) & (maximum.is_null() | (value <= maximum))
    return pl.when(pl.col("unit_found")).then(within)


def _range_detail(column: str):
    return pl.format(
        "{} {} is outside the range [{}, {}] of unit {}",
        pl.lit(column),
        _text(pl.col(column)),
        _text(pl.col("unit_minimum").fill_null(float("-inf"))),
        _text(pl.col("unit_maximum").fill_null(float("inf"))),
        _text(pl.col("unit")),
    )


def _whole(column: str):
    value = pl.col(column)
    return pl.when(pl.col("unit_found")).then(pl.col("unit_whole_number").not_() | (value == value.floor()))


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
    """Booleans, not `_shape`'s words, which only a failing row's message needs."""
    has = {c: pl.col(c).is_not_null() for c in VALUE_FIELDS}
    point_or_range = (has["value"] & ~has["value_low"] & ~has["value_high"]) | (
        ~has["value"] & has["value_low"] & has["value_high"]
    )
    implies = pl.col("qualifier_implies")  # a categorical compares with a text as its text
    matches = (
        pl.when(pl.col("qualifier").is_null() | implies.is_in(["approximate", "exact"]))
        .then(point_or_range)
        .when(implies == "lower_bound")
        .then(~has["value"] & has["value_low"] & ~has["value_high"])
        .when(implies == "upper_bound")
        .then(~has["value"] & ~has["value_low"] & has["value_high"])
    )
    return pl.when(pl.col("qualifier").is_null() | pl.col("qualifier_found")).then(matches)


def _bounds_in_order():
    low, value, high = pl.col("value_low"), pl.col("value"), pl.col("value_high")
    return (
        (low.is_null() | value.is_null() | (low <= value))
        & (high.is_null() | value.is_null() | (value <= high))
        & (low.is_null() | high.is_null() | (low <= high))
    )


def _dimensions_match():
    found = pl.col("unit_found") & pl.col("metric_found")
    return pl.when(found).then(pl.col("unit_dimension") == pl.col("metric_dimension"))  # categoricals, as texts


def _why_dimension_unevaluable():
    return (
        pl.when(pl.col("unit_found").is_null())
        .then(_not_in("units", "unit")())
        .otherwise(_not_in("metrics", "metric")())
    )


def _period_before_publication():
    known = pl.col("period_start").is_not_null() & pl.col("source_found").fill_null(False)
    return pl.when(known).then(pl.col("forecast") | (pl.col("period_start") <= pl.col("published_latest")))


def _why_period_unevaluable():
    return (
        pl.when(pl.col("period_start").is_null())
        .then(pl.format("period {} names no calendar date", _text(pl.col("period"))))
        .otherwise(pl.format("the publication date of source {} is not known", _text(pl.col("source_id"))))
    )


def _unit_base():
    same = (pl.col("base_dimension").cast(pl.String) == pl.col("dimension").cast(pl.String)) & (
        pl.col("base_factor") == 1
    )
    return pl.when(pl.col("base_found")).then(same)


def _attribution_basis_agrees():
    return (pl.col("attribution_basis") == "none") == pl.col("attributed_to_id").is_null()


def _period_basis_agrees():
    """`none` exactly where there is no period; `stated` has the words; `publication` is the publication year
    (which cannot be evaluated where the source is unknown)."""
    basis, period = pl.col("period_basis").cast(pl.String), pl.col("period").cast(pl.String)
    publication_year = (
        pl.when(basis != "publication")
        .then(pl.lit(True))
        .when(pl.col("source_found").fill_null(False))
        .then(period.fill_null("") == pl.col("published_year").cast(pl.String))
    )
    stated_in_words = (basis != "stated") | pl.col("period_as_written").is_not_null()
    return ((basis == "none") == period.is_null()) & stated_in_words & publication_year


def _why_period_basis_fails():
    basis = pl.col("period_basis").cast(pl.String)
    return (
        pl.when((basis == "none") != pl.col("period").is_null())
        .then(
            pl.format(
                "period_basis {} does not fit period {}: none goes with no period", basis, _text(pl.col("period"))
            )
        )
        .when(basis == "stated")
        .then(pl.lit("period_basis stated, but period_as_written holds no words that give the period"))
        .otherwise(
            pl.format(
                "period_basis publication, but period {} is not the source's publication year {}",
                _text(pl.col("period")),
                _text(pl.col("published_year")),
            )
        )
    )


def _related_names_back():
    figure, related = pl.col("figure_id").cast(pl.String), pl.col("related_figure_id").cast(pl.String)
    back = pl.col("related_names_back").cast(pl.String)
    return pl.when(pl.col("related_found")).then((figure != related) & back.eq_missing(figure))


def _interval(table: str):
    """(start, end) of the interval a date at its precision stands for; null where the precision is none known."""
    precision_field = INTERVALS[table][0]
    date, precision = pl.col("date" if table == "events" else "published"), pl.col(precision_field).cast(pl.String)
    start = pl.when(precision == "day").then(date).when(precision == "month").then(date.dt.month_start())
    start = start.when(precision == "year").then(pl.date(date.dt.year(), 1, 1))
    end = pl.when(precision == "day").then(date).when(precision == "month").then(date.dt.month_end())
    end = end.when(precision == "year").then(pl.date(date.dt.year(), 12, 31))
    return start, end


def _interval_agrees(table: str):
    date = pl.col("date" if table == "events" else "published")
    _, start_field, end_field = INTERVALS[table]
    start, end = _interval(table)
    stored_start, stored_end = pl.col(start_field), pl.col(end_field)
    return pl.when(start.is_not_null()).then((date == start) & (stored_start == start) & (stored_end == end))


def _why_interval_fails(table: str):
    date_field = "date" if table == "events" else "published"
    precision_field, start_field, end_field = INTERVALS[table]
    start, end = _interval(table)
    return pl.format(
        "{} {} at {} precision stands for {}..{} (stored as its first day), but the row holds {} {}..{}",
        pl.lit(date_field),
        _text(pl.col(date_field)),
        _text(pl.col(precision_field)),
        _text(start),
        _text(end),
        _text(pl.col(date_field)),
        _text(pl.col(start_field)),
        _text(pl.col(end_field)),
    )


def _interval_rule(table: str) -> Rule:
    date_field = "date" if table == "events" else "published"
    precision_field, start_field, end_field = INTERVALS[table]
    return Rule(
        "date-interval",
        table,
        start_field,
        (date_field, precision_field, start_field, end_field),
        lambda: _interval_agrees(table),
        lambda: _why_interval_fails(table),
        lambda: pl.format("{} {} is not day, month or year", pl.lit(precision_field), _text(pl.col(precision_field))),
    )


RULES: list[Rule] = [
    *[
        Rule(
            "unit-range",
            "figures",
            column,
            (column,),
            lambda c=column: _in_unit_range(c),
            lambda c=column: _range_detail(c),
            _not_in("units", "unit"),
        )
        for column in VALUE_FIELDS
    ],
    *[
        Rule(
            "unit-whole-number",
            "figures",
            column,
            (column,),
            lambda c=column: _whole(c),
            lambda c=column: pl.format(
                "{} {} is not a whole number, as unit {} requires", pl.lit(c), _text(pl.col(c)), _text(pl.col("unit"))
            ),
            _not_in("units", "unit"),
        )
        for column in VALUE_FIELDS
    ],
    Rule(
        "value-within-bounds",
        "figures",
        "value",
        (),
        _bounds_in_order,
        lambda: pl.format(
            "value_low {} <= value {} <= value_high {} does not hold",
            _text(pl.col("value_low")),
            _text(pl.col("value")),
            _text(pl.col("value_high")),
        ),
        lambda: pl.lit("the bounds cannot be compared"),
    ),
    Rule(
        "qualifier-bounds",
        "figures",
        "qualifier",
        (),
        _qualifier_matches_shape,
        lambda: pl.format(
            "qualifier {} implies {}, but the row fills {}",
            _text(pl.col("qualifier")).replace("(empty)", "(none)"),
            pl.col("qualifier_implies").cast(pl.String).fill_null("exact"),
            _shape(),
        ),
        _not_in("qualifiers", "qualifier"),
    ),
    Rule(
        "metric-dimension",
        "figures",
        "unit",
        ("unit", "metric"),
        _dimensions_match,
        lambda: pl.format(
            "unit {} measures {}, but metric {} is a {}",
            _text(pl.col("unit")),
            _text(pl.col("unit_dimension")),
            _text(pl.col("metric")),
            _text(pl.col("metric_dimension")),
        ),
        _why_dimension_unevaluable,
    ),
    Rule(
        "period-after-publication",
        "figures",
        "period",
        ("period", "forecast"),
        _period_before_publication,
        lambda: pl.format(
            "period {} starts after the source's publication ({}); mark the figure as a forecast if it is one",
            _text(pl.col("period")),
            _text(pl.col("published_latest")),
        ),
        _why_period_unevaluable,
    ),
    Rule(
        "date-after-publication",
        "events",
        "date",
        ("date",),
        lambda: pl.when(pl.col("published_latest").is_not_null()).then(pl.col("date") <= pl.col("published_latest")),
        lambda: pl.format(
            "date {} is after the source's publication ({})", _text(pl.col("date")), _text(pl.col("published_latest"))
        ),
        lambda: pl.format("the publication date of source {} is not known", _text(pl.col("source_id"))),
    ),
    Rule(
        "attribution-basis",
        "figures",
        "attribution_basis",
        ("attribution_basis",),
        _attribution_basis_agrees,
        lambda: pl.format(
            "attribution_basis {} with attributed_to_id {}: none goes exactly with no credit",
            _text(pl.col("attribution_basis")),
            _text(pl.col("attributed_to_id")),
        ),
        lambda: pl.lit("the credit cannot be read"),
    ),
    Rule(
        "period-basis",
        "figures",
        "period_basis",
        ("period_basis",),
        _period_basis_agrees,
        _why_period_basis_fails,
        lambda: pl.format("the publication date of source {} is not known", _text(pl.col("source_id"))),
    ),
    Rule(
        "related-figure-mutual",
        "figures",
        "related_figure_id",
        ("related_figure_id",),
        _related_names_back,
        lambda: (
            pl.when(pl.col("figure_id").cast(pl.String) == pl.col("related_figure_id").cast(pl.String))
            .then(pl.lit("a figure is not related to itself"))
            .otherwise(
                pl.format(
                    "related figure {} does not name {} back (its related_figure_id is {})",
                    _text(pl.col("related_figure_id")),
                    _text(pl.col("figure_id")),
                    _text(pl.col("related_names_back")),
                )
            )
        ),
        lambda: pl.format("related figure {} is not a figure", _text(pl.col("related_figure_id"))),
    ),
    _interval_rule("events"),
    _interval_rule("sources"),
    Rule(
        "metric-dimension-known",
        "metrics",
        "dimension",
        ("dimension",),
        lambda: pl.col("dimension_known"),
        lambda: pl.format("dimension {} is not the dimension of any unit", _text(pl.col("dimension"))),
        lambda: pl.lit("the units' dimensions cannot be read"),
    ),
    Rule(
        "unit-base",
        "units",
        "base_unit_id",
        ("base_unit_id",),
        _unit_base,
        lambda: pl.format(
            "base unit {} has dimension {} and factor {}; unit {} has dimension {}",
            _text(pl.col("base_unit_id")),
            _text(pl.col("base_dimension")),
            _text(pl.col("base_factor")),
            _text(pl.col("unit_id")),
            _text(pl.col("dimension")),
        ),
        _not_in("units", "base_unit_id"),
    ),
    Rule(
        "unit-range-order",
        "units",
        "minimum",
        ("minimum", "maximum"),
        lambda: pl.col("minimum") <= pl.col("maximum"),
        lambda: pl.format("minimum {} > maximum {}", _text(pl.col("minimum")), _text(pl.col("maximum"))),
        lambda: pl.lit("the range cannot be compared"),
    ),
]


def _messages() -> dict[str, str]:
    from ..rules import BY_NAME

    return {rule.name: BY_NAME[rule.name].description for rule in RULES}


BY_RULE_MESSAGE = _messages()
