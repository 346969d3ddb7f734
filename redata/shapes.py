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
    texts = texts.cast(pl.String).rename("_text")
    height = texts.len()
    shape = pl.Series("_shape", [None] * height, dtype=pl.String)
    count = pl.Series("_numerals", [0] * height, dtype=pl.Int32)
    values = [pl.Series(value_column(slot), [None] * height, dtype=pl.Float64) for slot in range(MAX_NUMERALS)]
    rows = pl.int_range(height, eager=True, dtype=pl.UInt32)  # the texts that may hold another numeral
    rest, built = texts, pl.Series([""] * height, dtype=pl.String)
    for slot in range(MAX_NUMERALS + 1):
        before, numeral, after = rest.str.extract_groups(_FIRST_NUMERAL).struct.unnest().get_columns()
        found = numeral.is_not_null()
        rows, before, numeral, after, built = (series.filter(found) for series in (rows, before, numeral, after, built))
        if rows.len() == 0:
            break
        count = count.scatter(rows, count.gather(rows) + 1)
        if slot == MAX_NUMERALS:
            break
        shapes = shape_of(numeral)
        placeholder = shapes.replace_strict(list(SHAPES), list(PLACEHOLDERS), return_dtype=pl.String)
        built = pl.concat_str([built, before, placeholder], separator="")  # a Series: concatenated eagerly
        shape = shape.scatter(rows, pl.select(pl.concat_str([built, after])).to_series())
        values[slot] = values[slot].scatter(rows, _value(numeral, shapes))
        rest = after
    holds_placeholder = texts.str.contains(f"[{PLACEHOLDERS}]").fill_null(True)
    shape = pl.select(
        pl.when(holds_placeholder).then(None).when(shape.is_null()).then(texts).otherwise(shape).alias("_shape")
    ).to_series()
    return pl.DataFrame([shape, count, *values])


def shape_of(numerals: pl.Series) -> pl.Series:
    """Each numeral's shape, as `redata.tokens.numeral_shape` gives it. The patterns run only on the numerals
    with a comma, which few are."""
    frame = pl.DataFrame({"numeral": numerals})
    numeral = pl.col("numeral")
    length = numeral.str.len_bytes()
    comma, point = numeral.str.contains(",", literal=True), numeral.str.contains(".", literal=True)
    plain = ~comma & ~point
    year = (length == 4) & numeral.str.slice(0, 1).is_in(["1", "2"])
    shapes = frame.select(
        pl.when(length > MAX_NUMERAL_LENGTH)
        .then(pl.lit("X"))
        .when(plain & year)
        .then(pl.lit("Y"))
        .when(plain)
        .then(length.clip(upper_bound=5).cast(pl.String))
        .when(~comma)
        .then(pl.when(numeral.str.count_matches(".", literal=True) == 1).then(pl.lit("D")).otherwise(pl.lit("X")))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("shape")
    ).to_series()
    with_comma = shapes.is_null()
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
    """Each numeral's value as a float, thousands separators dropped; null for `F` and `X`."""
    values = numerals.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    return pl.select(pl.when(shapes.is_in(["F", "X"])).then(None).otherwise(values)).to_series()
