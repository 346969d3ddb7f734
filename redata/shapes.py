"""Reading a column of texts in bulk: each text's numerals are cut out and replaced by a placeholder of their
shape, so that texts which differ only in their digits (`47.3 percent`, `12.1 percent`) share one shape.
The number reader reads each distinct shape once; the numerals' values go on as polars columns.

This works because the grammar decides on a numeral's shape, never on its digits (`redata.tokens`); what
needs the digits (a range's ends in order) is done on the values, by the caller, as the plain reader does in
`Reading.resolve`. A text holding a placeholder character itself cannot be told from a shape: its shape is
null, and the caller reads it with the plain reader.
"""

from __future__ import annotations

import polars as pl

from .tokens import MAX_NUMERAL_LENGTH, NUMERAL_PATTERN, PLACEHOLDERS, SHAPES

# A text is cut at its first MAX_NUMERALS numerals; `_numerals` counts one more where it holds more.
MAX_NUMERALS = 4
_FIRST_NUMERAL = rf"(?s)^([^0-9]*)({NUMERAL_PATTERN})(.*)$"
_GROUPED = r"^[0-9]{1,3}(,[0-9]{3})+$"
_GROUPED_DECIMAL = r"^[0-9]{1,3}(,[0-9]{3})+\.[0-9]+$"
_FOOTNOTED = r"^[0-9]{4,6}(,[0-9]{3})+$"


def value_column(slot: int) -> str:
    return f"_n{slot}"


def cut(texts: pl.Series) -> pl.DataFrame:
    """One row per text, in order: `_shape` (the text, each numeral replaced by its shape's placeholder),
    `_numerals` (how many numerals it holds, MAX_NUMERALS + 1 for more) and `_n0` … `_n{MAX_NUMERALS - 1}`
    (the numerals' values, null where a numeral is no number, `F` or `X`, or there is none)."""
    texts = texts.cast(pl.String)
    shape, count, values = _cut(texts, 0)
    holds_placeholder = texts.str.contains(f"[{PLACEHOLDERS}]").fill_null(True)
    shape = pl.select(pl.when(holds_placeholder).then(None).otherwise(shape)).to_series()
    values += [_nulls(texts.len())] * (MAX_NUMERALS - len(values))
    return pl.DataFrame(
        [shape.alias("_shape"), count.alias("_numerals")]
        + [value.alias(value_column(slot)) for slot, value in enumerate(values)]
    )


def _cut(texts: pl.Series, slot: int) -> tuple[pl.Series, pl.Series, list[pl.Series]]:
    """The shapes, numeral counts and values of `texts`, whose first numeral is the `slot`-th of its text.
    Only the texts with another numeral after the first go on to the next slot."""
    before, numeral, after = texts.str.extract_groups(_FIRST_NUMERAL).struct.unnest().get_columns()
    count = numeral.is_not_null().cast(pl.Int32)
    if slot == MAX_NUMERALS:  # one more than is cut: the count says there are too many
        return texts, count, []
    shapes = shape_of(numeral)
    placeholder = shapes.replace_strict(list(SHAPES), list(PLACEHOLDERS), default=None, return_dtype=pl.String)
    values = [_value(numeral, shapes)]
    more = after.str.contains("[0-9]").fill_null(False)
    if more.any():
        rows = more.arg_true()
        rest_shape, rest_count, rest_values = _cut(after.gather(rows), slot + 1)
        after = after.scatter(rows, rest_shape)
        count = count.scatter(rows, count.gather(rows) + rest_count)
        for rest in rest_values:
            values.append(_nulls(texts.len()).scatter(rows, rest))
    shape = pl.select(pl.coalesce(pl.concat_str([before, placeholder, after]), texts)).to_series()
    return shape, count, values


def _nulls(height: int) -> pl.Series:
    return pl.repeat(None, height, dtype=pl.Float64, eager=True)


def shape_of(numerals: pl.Series) -> pl.Series:
    """Each numeral's shape, as `redata.tokens.numeral_shape` gives it (null for a null numeral). The patterns
    run only on the numerals with a comma, which few are; the rest is told by counting and comparing (a `Y` is
    a plain numeral of four digits from `1000` up to, not including, `3000`)."""
    frame = pl.DataFrame({"numeral": numerals})
    numeral = pl.col("numeral")
    length = numeral.str.len_bytes()
    commas, points = numeral.str.count_matches(",", literal=True), numeral.str.count_matches(".", literal=True)
    year = (length == 4) & (numeral >= "1000") & (numeral < "3000")
    shapes = frame.select(
        pl.when(length > MAX_NUMERAL_LENGTH)
        .then(pl.lit("X"))
        .when(commas > 0)
        .then(pl.lit("?"))  # told apart by pattern below
        .when(points == 1)
        .then(pl.lit("D"))
        .when(points > 1)
        .then(pl.lit("X"))
        .when(year)
        .then(pl.lit("Y"))
        .otherwise(length.clip(upper_bound=5).cast(pl.String))
    ).to_series()
    with_comma = (shapes == "?").fill_null(False)
    if with_comma.any():
        grouped = frame.filter(with_comma).select(
            pl.when(numeral.str.contains(_GROUPED))
            .then(pl.lit("G"))
            .when(numeral.str.contains(_GROUPED_DECIMAL))
            .then(pl.lit("GD"))
            .when(numeral.str.contains(_FOOTNOTED))
            .then(pl.lit("F"))
            .otherwise(pl.lit("X"))
        )
        shapes = shapes.scatter(with_comma.arg_true(), grouped.to_series())
    return shapes


def _value(numerals: pl.Series, shapes: pl.Series) -> pl.Series:
    """Each numeral's value as a float, thousands separators dropped; null for `F` and `X`. Only the
    numerals with separators (`G`, `GD`) have them dropped, which few have."""
    values = numerals.cast(pl.Float64, strict=False)
    grouped = shapes.is_in(["G", "GD"]).fill_null(False)
    if grouped.any():
        rows = grouped.arg_true()
        values = values.scatter(rows, numerals.gather(rows).str.replace_all(",", "", literal=True).cast(pl.Float64))
    return pl.select(pl.when(shapes.is_in(["F", "X"])).then(None).otherwise(values)).to_series()
