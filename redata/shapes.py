"""Reading a column of texts in bulk: each text's numerals are cut out, so that texts which differ only in
their digits (`47.3 percent`, `12.1 percent`) share one shape. The number reader reads each distinct shape
once; the numerals' values go on as polars columns.

A text is cut into `_cut`, the text with each numeral replaced by MARKER, and `_key`, the shapes of its
numerals packed into one integer (four bits a numeral, in order, 0 for none): together they are its shape.
`shape_text` writes a shape as the reader reads it, each marker the placeholder of its numeral's shape
(`redata.tokens`). This works because the grammar decides on a numeral's shape, never on its digits; what
needs the digits (a range's ends in order) is done on the values, by the caller, as the plain reader does in
`Reading.resolve`. A text holding a marker or placeholder character itself cannot be told from a shape: its
`_cut` is null, and the caller reads it with the plain reader.
"""

from __future__ import annotations

import polars as pl

from .tokens import MAX_NUMERAL_LENGTH, MAX_NUMERALS, NUMERAL_PATTERN, PLACEHOLDERS, SHAPES

# A text is cut at its first MAX_NUMERALS numerals; `_numerals` counts one more where it holds more.
MARKER = "\ue0ff"
KEY_BITS = 4
_GROUPED = r"^[0-9]{1,3}(,[0-9]{3})+$"
_GROUPED_DECIMAL = r"^[0-9]{1,3}(,[0-9]{3})+\.[0-9]+$"
_FOOTNOTED = r"^[0-9]{4,6}(,[0-9]{3})+$"
_SHAPE_CODES = {shape: code for code, shape in enumerate(SHAPES)}


def value_column(slot: int) -> str:
    return f"_n{slot}"


def cut(texts: pl.Series) -> pl.DataFrame:
    """One row per text, in order: `_cut` and `_key` (its shape, see above), `_numerals` (how many numerals
    it holds, MAX_NUMERALS + 1 for more) and `_n0` … `_n{MAX_NUMERALS - 1}` (the numerals' values, null
    where a numeral is no number, `F` or `X`, or there is none)."""
    texts = texts.cast(pl.String)
    height = texts.len()
    # the first numeral of every text, aligned with the texts (null where there is none): one pattern
    # replaces it with the marker, and the numeral is the bytes the marker took the place of ...
    held = texts.str.contains_any([*PLACEHOLDERS, MARKER]).fill_null(True)  # read plainly, see above
    cut_texts = texts.str.replace(NUMERAL_PATTERN, MARKER)  # no numeral, no change
    numeral = _replaced(texts, cut_texts, held)
    codes = shape_codes(numeral)
    key = (codes.cast(pl.Int64) + 1).fill_null(0)
    count = numeral.is_not_null().cast(pl.Int32)
    values = [
        _value(numeral, codes),
        *(pl.repeat(None, height, dtype=pl.Float64, eager=True) for _ in range(1, MAX_NUMERALS)),
    ]
    # ... and the next ones of the few texts that hold more, a slot at a time
    rows = cut_texts.str.contains("[0-9]").arg_true()
    current = cut_texts.gather(rows)
    for slot in range(1, MAX_NUMERALS + 1):
        numeral = current.str.extract(NUMERAL_PATTERN, 0)
        found = numeral.is_not_null()
        rows, current, numeral = rows.filter(found), current.filter(found), numeral.filter(found)
        if rows.len() == 0:
            break
        count = count.scatter(rows, count.gather(rows) + 1)
        if slot == MAX_NUMERALS:  # one more than is cut: the count says there are too many
            break
        codes = shape_codes(numeral)
        current = current.str.replace(NUMERAL_PATTERN, MARKER)
        cut_texts = cut_texts.scatter(rows, current)
        key = key.scatter(rows, key.gather(rows) + (codes.cast(pl.Int64) + 1) * (1 << (KEY_BITS * slot)))
        values[slot] = values[slot].scatter(rows, _value(numeral, codes))
        more = current.str.contains("[0-9]")
        rows, current = rows.filter(more), current.filter(more)
    cut_texts = pl.select(pl.when(held).then(None).otherwise(cut_texts)).to_series()
    columns = [cut_texts.alias("_cut"), key.alias("_key"), count.alias("_numerals")]
    return pl.DataFrame(columns + [value.alias(value_column(slot)) for slot, value in enumerate(values)])


def _replaced(texts: pl.Series, cut_texts: pl.Series, held: pl.Series) -> pl.Series:
    """What the first marker of each cut text stands for in its text; null where it has no marker, or held
    one before it was cut (where the bytes found would not be the numeral's)."""
    frame = pl.DataFrame({"text": texts, "cut": cut_texts, "held": held})
    start = pl.when(pl.col("held")).then(None).otherwise(pl.col("cut").str.find(MARKER, literal=True))
    length = pl.col("text").str.len_bytes() - pl.col("cut").str.len_bytes() + len(MARKER.encode())
    return frame.select(pl.col("text").cast(pl.Binary).bin.slice(start, length).cast(pl.String)).to_series()


def shape_text(cut_text: str, key: int) -> str:
    """The shape as the number reader reads it: each marker of `cut_text` the placeholder of its shape."""
    pieces = cut_text.split(MARKER)
    shaped = [pieces[0]]
    for slot, piece in enumerate(pieces[1:]):
        code = ((key >> (KEY_BITS * slot)) & ((1 << KEY_BITS) - 1)) - 1
        shaped += [PLACEHOLDERS[code], piece]
    return "".join(shaped)


def shape_codes(numerals: pl.Series) -> pl.Series:
    """Each numeral's shape as its index in SHAPES, as `redata.tokens.numeral_shape` gives it. The patterns
    run only on the numerals with a comma, which few are; the rest is told by counting and comparing (a `Y`
    is a plain numeral of four digits from `1000` up to, not including, `3000`)."""
    frame = pl.DataFrame({"numeral": numerals})
    numeral = pl.col("numeral")
    length = numeral.str.len_bytes()
    commas, points = numeral.str.count_matches(",", literal=True), numeral.str.count_matches(".", literal=True)
    year = (length == 4) & (numeral >= "1000") & (numeral < "3000")
    code = _SHAPE_CODES
    codes = frame.select(
        pl.when(length > MAX_NUMERAL_LENGTH)
        .then(code["X"])
        .when(commas > 0)
        .then(-1)  # told apart by pattern below
        .when(points == 1)
        .then(code["D"])
        .when(points > 1)
        .then(code["X"])
        .when(year)
        .then(code["Y"])
        .otherwise(length.clip(upper_bound=5).cast(pl.Int32) - 1)  # "1" … "5" are codes 0 … 4
        .cast(pl.Int32)
    ).to_series()
    with_comma = (codes == -1).fill_null(False)
    if with_comma.any():
        grouped = frame.filter(with_comma).select(
            pl.when(numeral.str.contains(_GROUPED))
            .then(code["G"])
            .when(numeral.str.contains(_GROUPED_DECIMAL))
            .then(code["GD"])
            .when(numeral.str.contains(_FOOTNOTED))
            .then(code["F"])
            .otherwise(code["X"])
            .cast(pl.Int32)
        )
        codes = codes.scatter(with_comma.arg_true(), grouped.to_series())
    return codes


def _value(numerals: pl.Series, codes: pl.Series) -> pl.Series:
    """Each numeral's value as a float, thousands separators dropped; null for `F` and `X`. Only the
    numerals with separators (`G`, `GD`) have them dropped, which few have."""
    values = numerals.cast(pl.Float64, strict=False)
    grouped = codes.is_in([_SHAPE_CODES["G"], _SHAPE_CODES["GD"]]).fill_null(False)
    if grouped.any():
        rows = grouped.arg_true()
        values = values.scatter(rows, numerals.gather(rows).str.replace_all(",", "", literal=True).cast(pl.Float64))
    no_number = codes.is_in([_SHAPE_CODES["F"], _SHAPE_CODES["X"]])
    return pl.select(pl.when(no_number).then(None).otherwise(values)).to_series()
