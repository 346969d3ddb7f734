"""The Table Schema types redata supports, and everything each one maps to, in one table.

For each type: how a CSV cell parses into it (a polars expression over the column of strings, null where
the cell does not parse), the message for a cell that does not, and its polars, Arrow, pandas and SQLite
types and its documentation. Every derivation (`redata.schema`, the SQLite writer, the data dictionary)
reads this table; no other module names a type's counterpart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
# A calendar date Python, Arrow and Parquet all hold: years 0001 to 9999 (Python's range).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TEXT_RULES = ("pattern", "minLength", "maxLength")
RANGE_RULES = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


@dataclass(frozen=True)
class FieldType:
    name: str  # the Table Schema type
    polars: str  # the polars dtype's name (`polars.<name>`)
    arrow: str  # the pyarrow type factory's name (`pyarrow.<name>()`)
    pandas: str  # the pandas dtype a Parquet column reads back as
    sql: str  # the SQLite column type
    invalid: str  # why a cell does not parse
    documentation: str  # what a value looks like, for the data dictionary
    parse: Callable  # (polars expression of strings) -> typed expression, null where a cell does not parse
    constraints: tuple[str, ...]  # the value constraints Table Schema 2.0 gives the type, besides `enum`


def _parse_string(column):
    return column


def _parse_integer(column):
    import polars as pl

    return column.cast(pl.Int64, strict=False)


def _parse_number(column):
    """A finite double; a non-zero number too small for one is refused like one too large, not read as 0."""
    import polars as pl

    number = column.cast(pl.Float64, strict=False)
    # what is left of a zero's text once its sign, zeros and point are stripped: nothing, or an exponent
    rest = column.str.strip_chars_start("+-0.")
    underflow = (number == 0) & (rest != "") & ~rest.str.starts_with("e") & ~rest.str.starts_with("E")
    return pl.when(number.is_finite() & ~underflow).then(number)


def _parse_boolean(column):
    import polars as pl

    mapping = dict.fromkeys(TRUE_VALUES, True) | dict.fromkeys(FALSE_VALUES, False)
    return column.replace_strict(mapping, default=None, return_dtype=pl.Boolean)


def _parse_date(column):
    import polars as pl

    in_range = column.str.contains(DATE_PATTERN) & ~column.str.starts_with("0000")
    return pl.when(in_range).then(column.str.to_date("%Y-%m-%d", strict=False))


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("string", "String", "string", "str", "TEXT", "not text", "text", _parse_string, TEXT_RULES),
        FieldType(
            "integer",
            "Int64",
            "int64",
            "Int64",
            "INTEGER",
            "not an integer (digits, an optional sign, at most 64 bits)",
            "a whole number",
            _parse_integer,
            RANGE_RULES,
        ),
        FieldType(
            "number",
            "Float64",
            "float64",
            "float64",
            "REAL",
            "not a finite number a double can hold (plain decimal, no thousands separator)",
            "a decimal number",
            _parse_number,
            RANGE_RULES,
        ),
        FieldType(
            "boolean",
            "Boolean",
            "bool_",
            "boolean",
            "INTEGER",
            f"not a boolean ({'/'.join(TRUE_VALUES + FALSE_VALUES)})",
            "true or false",
            _parse_boolean,
            (),
        ),
        FieldType(
            "date",
            "Date",
            "date32",
            "object",
            "TEXT",
            "not a calendar date (YYYY-MM-DD, year 0001 to 9999)",
            "a date, YYYY-MM-DD",
            _parse_date,
            RANGE_RULES,
        ),
    )
}


def field_type(field: dict) -> FieldType:
    """The field's type; a field that names none is a string. An unsupported type raises KeyError (the
    descriptor layer reports it before any table is read)."""
    return TYPES[field.get("type", "string")]


def polars_dtype(field: dict):
    import polars as pl

    return getattr(pl, field_type(field).polars)


def arrow_type(field: dict):
    import pyarrow as pa

    return getattr(pa, field_type(field).arrow)()


def typed_value(value, field: dict):
    """A constraint's value (`minimum`, an `enum` member) as the field's type; ValueError or TypeError if it is
    not one."""
    import datetime as dt
    import math

    kind = field_type(field).name
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else _refuse(value, kind)
    if kind == "integer":
        parsed = int(value) if isinstance(value, str) else value
        return parsed if isinstance(parsed, int) and not isinstance(parsed, bool) else _refuse(value, kind)
    if kind == "number":
        parsed = float(value) if isinstance(value, str) else value
        ok = isinstance(parsed, int | float) and not isinstance(parsed, bool) and math.isfinite(parsed)
        return float(parsed) if ok else _refuse(value, kind)
    if kind == "boolean":
        return value if isinstance(value, bool) else _refuse(value, kind)
    return value if isinstance(value, str) else _refuse(value, kind)


def _refuse(value, kind: str):
    raise ValueError(f"{value!r} is not a {kind}")
