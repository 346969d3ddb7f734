"""Layer `agreement`: every number and date recorded from the text is the one its words give.

The number reader (`redata.quantities`), with the package's own vocabularies, reads each figure's
`as_written` and the row must agree: its value or bounds, converted from the unit the words give to the
row's unit (or read in `unit_in_words`, where the curator records the words' number in another unit), and
its qualifier. Each event's `date_as_written` gives its date and precision; each figure's
`period_as_written`, its period. Words the reader cannot read as one quantity or date are an error of
their own: the row cannot be evaluated.

Figures are read in bulk: a million `as_written` texts share a handful of shapes (`redata.shapes`), each
read once, and the numerals' values are compared as polars columns. The verdicts are those of the plain
per-row reading (`redata.findings`), which gives the messages of the rows reported. Dates and periods
repeat, and are read once per distinct combination.
"""

from __future__ import annotations

import polars as pl

from .. import shapes
from ..findings import READING_FIELDS, TOLERANCE, VALUE_FIELDS, event_findings, figure_findings, period_findings
from ..lexicon import VOCABULARIES, Lexicon, LexiconError
from ..quantities import Reader, Reading
from ..report import MAX_ROWS_PER_RULE, Problem
from . import MESSAGE, ROW, STREAMING, Context, Table, row_problems

LAYER = "agreement"
FIGURE_FIELDS = ("as_written", *VALUE_FIELDS, "unit", "qualifier")
EVENT_FIELDS = ("date_as_written", "date", "date_precision", "date_resolution")
PERIOD_FIELDS = ("period_as_written", "period")
# Figures compared at a time: what a batch holds (its shapes, values and the template columns joined to
# them) is bounded by this, not by the table. On the 1M-row package the layer's first run added 93 MB at
# its peak with 2^18 rows, 204 MB with 2^19, in about as much time.
BATCH_ROWS = 1 << 18
RULE_MESSAGES = {
    "as-written-value-unevaluable": "as_written cannot be evaluated",
    "as-written-value": "the value does not agree with as_written",
    "as-written-unit": "the unit does not agree with as_written",
    "as-written-qualifier": "the qualifier does not agree with as_written",
    "date-as-written-unevaluable": "date_as_written cannot be evaluated",
    "date-as-written": "the date does not agree with date_as_written",
    "date-resolved": "a date whose words lack its year or month needs date_resolution",
    "period-as-written-unevaluable": "period_as_written cannot be evaluated",
    "period-as-written": "the period does not agree with period_as_written",
}


def check(context: Context) -> list[Problem]:
    reader = reader_of(context)
    if isinstance(reader, Problem):
        return [reader]
    problems: list[Problem] = []
    figures = context.table("figures", *FIGURE_FIELDS)
    if figures is not None:
        problems += _reported(figures, figure_verdicts(figures.frame, reader), reader, figure_findings)
    periods = context.table("figures", *PERIOD_FIELDS)
    if periods is not None:
        problems += _distinct_verdicts(periods, PERIOD_FIELDS, reader, period_findings)
    events = context.table("events", *EVENT_FIELDS)
    if events is not None:
        problems += _distinct_verdicts(events, EVENT_FIELDS, reader, event_findings)
    return problems


def reader_of(context: Context) -> Reader | Problem:
    """The reader of this package's vocabularies; a problem where they cannot give one (fail closed)."""
    rows = {}
    for name in VOCABULARIES:
        table = context.table(name)
        if table is not None:
            rows[name] = table.frame.drop(ROW).to_dicts()
    try:
        return Reader(Lexicon.from_rows(rows, skip_invalid=True))  # the structure layer reports a bad cell
    except LexiconError as error:
        message = f"the number reader cannot be built, so no figure can be evaluated: {error}"
        return Problem(LAYER, None, None, None, None, "agreement-unevaluable", message)


def _reported(table: Table, failing: pl.DataFrame, reader: Reader, findings) -> list[Problem]:
    """Problems for the failing (row, rule, field)s, each rule's first rows with the plain reading's message."""
    problems = []
    for (rule, field), group in failing.group_by("_rule", "_field", maintain_order=True):
        shown = group.sort(ROW).head(MAX_ROWS_PER_RULE)
        rows = table.frame.filter(pl.col(ROW).is_in(shown.get_column(ROW).implode()))
        messages = {}
        for row in rows.with_columns(pl.col(pl.Categorical).cast(pl.String)).to_dicts():
            found = [f for f in findings(reader, row) if f.rule == rule and f.field == field]
            messages[row[ROW]] = found[0].message if found else RULE_MESSAGES[rule]
        shown = shown.with_columns(pl.col(ROW).replace_strict(messages, return_dtype=pl.String).alias(MESSAGE))
        problems += row_problems(
            table, shown, layer=LAYER, field=field, rule=rule, message=RULE_MESSAGES[rule], total=group.height
        )
    return problems


def _distinct_verdicts(table: Table, fields: tuple[str, ...], reader: Reader, findings) -> list[Problem]:
    """Verdicts of texts that repeat (dates, periods): each distinct combination of `fields` read once, its
    texts told apart by their categorical codes; only the rows of failing combinations are looked up."""
    combinations = table.frame.select(fields).unique(maintain_order=True)
    as_text = combinations.with_columns(pl.col(pl.Categorical).cast(pl.String)).to_dicts()
    failing = [(number, f.rule, f.field) for number, row in enumerate(as_text) for f in findings(reader, row)]
    if not failing:
        return []
    found = pl.DataFrame(failing, schema={"_number": pl.UInt32, "_rule": pl.String, "_field": pl.String}, orient="row")
    failing_combinations = combinations.with_row_index("_number").join(found, on="_number")
    rows = table.frame.select(ROW, *fields).join(failing_combinations, on=list(fields), nulls_equal=True)
    return _reported(table, rows.select(ROW, "_rule", "_field"), reader, findings)


# ---------------------------------------------------------------------- figures in bulk


def figure_verdicts(frame: pl.DataFrame, reader: Reader) -> pl.DataFrame:
    """(ROW, _rule, _field) of every finding `figure_findings` would give, for a whole figures table. The
    rows go in batches of BATCH_ROWS, so what the comparison holds does not grow with the table; each shape
    is read once, in the first batch that has it."""
    templates: dict[tuple[str, int], tuple] = {}
    found = [
        _batch_verdicts(frame.slice(start, BATCH_ROWS), reader, templates)
        for start in range(0, max(frame.height, 1), BATCH_ROWS)
    ]
    return pl.concat(found)


def _batch_verdicts(frame: pl.DataFrame, reader: Reader, templates: dict[tuple[str, int], tuple]) -> pl.DataFrame:
    columns = [ROW, *FIGURE_FIELDS, *(["unit_in_words"] if "unit_in_words" in frame.columns else [])]
    rows = frame.select(columns).filter(pl.col("as_written").is_not_null())  # a missing one is structure's
    if "unit_in_words" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("unit_in_words"))
    rows = pl.concat([rows, shapes.cut(rows.get_column("as_written"))], how="horizontal")
    plain = rows.filter(pl.col("_cut").is_null()).with_columns(pl.col(pl.Categorical).cast(pl.String))
    codes = _Codes(reader.lexicon)
    shaped = rows.filter(pl.col("_cut").is_not_null())
    new = [key for key in shaped.select("_cut", "_key").unique().iter_rows() if key not in templates]
    templates.update((key, _template(key, reader, codes)) for key in new)
    bulk = _compare(shaped, _template_frame(templates), codes)
    return pl.concat([bulk, _plain_verdicts(plain, reader)])


class _Codes:
    """The lexicon's units and qualifiers as numbers, so rows (whose texts are categoricals) and templates
    are compared as integers: each unit's base (and factor), each qualifier. A row's unit or qualifier
    the lexicon lacks has no code (null) and a qualifier -2; no qualifier is -1."""

    def __init__(self, lexicon: Lexicon):
        bases = sorted({unit.base_unit_id for unit in lexicon.units.values()})
        self.base = {unit_id: bases.index(unit.base_unit_id) for unit_id, unit in lexicon.units.items()}
        self.factor = {unit_id: float(unit.to_base_factor) for unit_id, unit in lexicon.units.items()}
        qualifiers = sorted(
            {
                q.qualifier
                for phrases in (lexicon.qualifiers_before, lexicon.qualifiers_after)
                for q in phrases.meanings()
            }
        )
        self.qualifier = {qualifier: number for number, qualifier in enumerate(qualifiers)}

    def unit(self, column: str, mapping: dict, dtype) -> pl.Expr:
        return pl.col(column).replace_strict(mapping, default=None, return_dtype=dtype)

    def row_qualifier(self) -> pl.Expr:
        qualifier = pl.col("qualifier")
        return pl.when(qualifier.is_null()).then(-1).otherwise(qualifier.replace_strict(self.qualifier, default=-2))


def _plain_verdicts(rows: pl.DataFrame, reader: Reader) -> pl.DataFrame:
    found = [(row[ROW], f.rule, f.field) for row in rows.to_dicts() for f in figure_findings(reader, row)]
    return pl.DataFrame(found, schema={ROW: pl.UInt32, "_rule": pl.String, "_field": pl.String}, orient="row")


def _template_frame(templates: dict[str, tuple]) -> pl.DataFrame:
    """Per shape, what its one quantity is made of: whether it has one (`_readable`), its unit's base and
    factor and its qualifier (as `_Codes`), and for value, low and high a Term as (slot, factor, offset): the
    reading is numeral[slot] × factor + offset, or null where `_has_` the field is false."""
    schema = {
        "_cut": pl.String,
        "_key": pl.Int64,
        "_readable": pl.Boolean,
        "_read_base": pl.Int32,
        "_read_factor": pl.Float64,
        "_qualifier": pl.Int32,
    }
    for name in READING_FIELDS.values():
        schema |= {f"_has_{name}": pl.Boolean, f"_slot_{name}": pl.Int32, f"_factor_{name}": pl.Float64}
        schema |= {f"_offset_{name}": pl.Float64}
    return pl.DataFrame(list(templates.values()), schema=schema, orient="row")


def _template(shape: tuple[str, int], reader: Reader, codes: _Codes) -> tuple:
    readings = [r for r in reader.read_shape(shapes.shape_text(*shape)) if r.kind == "quantity"]
    quantity: Reading | None = readings[0] if len(readings) == 1 and not readings[0].problem else None
    unit = quantity.unit if quantity else None
    qualifier = quantity.qualifier if quantity else None
    record = [
        *shape,
        quantity is not None,
        codes.base.get(unit),
        codes.factor.get(unit),
        codes.qualifier.get(qualifier, -2) if qualifier else -1,
    ]
    for name in READING_FIELDS.values():
        term = getattr(quantity, name) if quantity else None
        if term is None:
            record += [False, None, None, None]
        else:
            record += [True, term.slot, float(term.factor), float(term.offset)]
    return tuple(record)


def _number(name: str) -> pl.Expr:
    """The reading's `name` (value, low or high) for each row, from its template's Term and its numerals."""
    slot = pl.col(f"_slot_{name}")
    numeral = pl.lit(None, dtype=pl.Float64)
    for index in reversed(range(shapes.MAX_NUMERALS)):
        numeral = pl.when(slot == index).then(pl.col(shapes.value_column(index))).otherwise(numeral)
    numeral = pl.when(slot.is_null()).then(pl.lit(0.0)).otherwise(numeral)
    number = numeral * pl.col(f"_factor_{name}") + pl.col(f"_offset_{name}")
    return pl.when(pl.col(f"_has_{name}")).then(number).otherwise(None)


def _agree(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    both = a.is_not_null() & b.is_not_null()
    close = (a - b).abs() <= TOLERANCE * pl.max_horizontal(a.abs(), b.abs())
    return pl.when(both).then(close).otherwise(a.is_null() & b.is_null())


def _compare(rows: pl.DataFrame, templates: pl.DataFrame, codes: _Codes) -> pl.DataFrame:
    """The findings of `figure_findings`, as (ROW, _rule, _field), for rows cut into shapes (`shapes.cut`)."""
    in_words = pl.col("unit_in_words").is_not_null()
    words_base = pl.when(in_words).then(codes.unit("unit_in_words", codes.base, pl.Int32))
    words_base = words_base.otherwise(codes.unit("unit", codes.base, pl.Int32))
    words_factor = pl.when(in_words).then(codes.unit("unit_in_words", codes.factor, pl.Float64))
    words_factor = words_factor.otherwise(codes.unit("unit", codes.factor, pl.Float64))
    read = {field: pl.col(f"_read_{name}") for field, name in READING_FIELDS.items()}
    by = pl.col("_by")
    values_agree = pl.all_horizontal(_agree(read[f] * by, pl.col(f)) for f in VALUE_FIELDS)
    numbers_agree = pl.all_horizontal(_agree(read[f], pl.col(f)) for f in VALUE_FIELDS)
    first_wrong = pl.when(~_agree(read["value"] * by, pl.col("value"))).then(pl.lit("value"))
    first_wrong = first_wrong.when(~_agree(read["value_low"] * by, pl.col("value_low"))).then(pl.lit("value_low"))
    unit_field = pl.when(in_words).then(pl.lit("unit_in_words")).otherwise(pl.lit("unit"))
    findings = (
        rows.lazy()
        .join(templates.lazy(), on=["_cut", "_key"], how="left")
        .with_columns(**{f"_read_{name}": _number(name) for name in READING_FIELDS.values()})
        .with_columns(
            _readable().alias("_ok"),
            (pl.col("_read_base") == words_base).fill_null(False).alias("_converts"),
            (pl.col("_read_factor") / words_factor).alias("_by"),
        )
        .with_columns(
            # a unit of another dimension, or of the right one but another scale (`550 grams` recorded as kg)
            (~pl.col("_converts") | (~values_agree & (by != 1) & numbers_agree)).alias("_unit_wrong"),
            values_agree.alias("_values_agree"),
        )
        .select(
            ROW,
            pl.when(~pl.col("_ok")).then(pl.lit("as_written")).alias("as-written-value-unevaluable"),
            pl.when(pl.col("_ok") & pl.col("_unit_wrong")).then(unit_field).alias("as-written-unit"),
            pl.when(pl.col("_ok") & ~pl.col("_unit_wrong") & ~pl.col("_values_agree"))
            .then(first_wrong.otherwise(pl.lit("value_high")))
            .alias("as-written-value"),
            pl.when(pl.col("_ok") & (pl.col("_qualifier") != codes.row_qualifier()))
            .then(pl.lit("qualifier"))
            .alias("as-written-qualifier"),
        )
        .filter(pl.any_horizontal(pl.exclude(ROW).is_not_null()))  # few rows fail: only they are unpivoted
        .unpivot(index=ROW, variable_name="_rule", value_name="_field")
        .drop_nulls("_field")
    )
    return findings.collect(engine=STREAMING)


def _readable() -> pl.Expr:
    """The row's words read as one quantity: its shape does, it holds no more numerals than are cut, and
    its numbers, which need the digits, are numbers and make no range from high to low."""
    numbers_present = [
        ~pl.col(f"_has_{name}") | pl.col(f"_read_{name}").is_not_null() for name in READING_FIELDS.values()
    ]
    in_order = (
        pl.col("_read_low").is_null() | pl.col("_read_high").is_null() | (pl.col("_read_low") <= pl.col("_read_high"))
    )
    return (
        pl.col("_readable").fill_null(False)
        & (pl.col("_numerals") <= shapes.MAX_NUMERALS)
        & pl.all_horizontal(numbers_present)
        & in_order
    )
