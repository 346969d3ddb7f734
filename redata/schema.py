"""Table Schemas are the single source of truth about tables; this module derives everything else from them.

From a Frictionless Table Schema (a dict read from `schemas/`) it derives: the polars expressions that
parse a CSV column of strings into its type, the pandera schema that checks a typed table's
constraints, the pyarrow schema that writes its Parquet file, and the data dictionary text. No table
facts are written here: only how each Table Schema type and constraint maps onto those libraries.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# Table Schema type -> (polars dtype name, pyarrow type name). Types outside this map are refused.
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Text a spreadsheet would run as a formula: a cell starting with one of these, unless it is a number.
FORMULA_START = r"^[=+\-@\t\r]"
NUMBER_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return schema["fields"]


def field_names(schema: dict[str, Any]) -> list[str]:
    return [f["name"] for f in fields(schema)]


def field_type(field: dict[str, Any]) -> str:
    """The field's Table Schema type; a field that names none is a string."""
    return field.get("type", "string")


def is_text(field: dict[str, Any]) -> bool:
    return field_type(field) == "string"


def constraints(field: dict[str, Any]) -> dict[str, Any]:
    value = field.get("constraints")
    return value if isinstance(value, dict) else {}


def primary_key(schema: dict[str, Any]) -> list[str]:
    return as_list(schema.get("primaryKey"))


def foreign_keys(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Foreign keys with `fields` and `reference.fields` normalised to lists."""
    keys = []
    for key in schema.get("foreignKeys") or []:
        reference = key.get("reference") or {}
        keys.append(
            {
                "fields": as_list(key.get("fields")),
                "resource": reference.get("resource"),
                "reference_fields": as_list(reference.get("fields")),
            }
        )
    return keys


def required_fields(schema: dict[str, Any]) -> set[str]:
    names = {f["name"] for f in fields(schema) if constraints(f).get("required")}
    return names | set(primary_key(schema))


def unique_fields(schema: dict[str, Any]) -> set[str]:
    names = {f["name"] for f in fields(schema) if constraints(f).get("unique")}
    key = primary_key(schema)
    return names | (set(key) if len(key) == 1 else set())


def categorical_fields(schema: dict[str, Any]) -> set[str]:
    """Text fields that are, alone, a foreign key and not unique: their values are another table's keys,
    which repeat wherever many rows refer to one (the rule does not count them), so a table holds them as
    categoricals (a code per row, each text once). The reader holds other text columns so when their
    first rows repeat (see `redata.tables`); the layers cast a categorical to text where they read it as text."""
    text = {f["name"] for f in fields(schema) if is_text(f)}
    single = {key["fields"][0] for key in foreign_keys(schema) if len(key["fields"]) == 1}
    return (single & text) - unique_fields(schema)


def enum_fields(schema: dict[str, Any]) -> set[str]:
    return {f["name"] for f in fields(schema) if "enum" in constraints(f)}


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def anchored(pattern: str) -> str:
    """Table Schema patterns match the whole value (XML Schema semantics)."""
    return f"^(?:{pattern})$"


# ---------------------------------------------------------------- parsing CSV strings into types


def polars_dtype(field: dict[str, Any]):
    import polars as pl

    return {
        "string": pl.String,
        "integer": pl.Int64,
        "number": pl.Float64,
        "boolean": pl.Boolean,
        "date": pl.Date,
    }[field_type(field)]


def parse_expression(field: dict[str, Any]):
    """A polars expression turning the field's column of CSV strings into its type; unparsable -> null."""
    import polars as pl

    column = pl.col(field["name"])
    kind = field_type(field)
    if kind == "string":
        return column
    if kind == "integer":
        return column.cast(pl.Int64, strict=False)
    if kind == "number":
        number = column.cast(pl.Float64, strict=False)
        return pl.when(number.is_finite()).then(number)
    if kind == "boolean":
        mapping = {v: True for v in TRUE_VALUES} | {v: False for v in FALSE_VALUES}
        return column.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    if kind == "date":
        return pl.when(column.str.contains(DATE_PATTERN)).then(column.str.to_date("%Y-%m-%d", strict=False))
    raise ValueError(f"field type {kind!r} is not supported")


def type_message(field: dict[str, Any]) -> str:
    kind = field_type(field)
    return {
        "integer": "not an integer",
        "number": "not a finite number (plain decimal, no thousands separator)",
        "boolean": f"not a boolean ({'/'.join(TRUE_VALUES + FALSE_VALUES)})",
        "date": "not a date (YYYY-MM-DD)",
    }.get(kind, f"not of type {kind}")


# ---------------------------------------------------------------- pandera: constraints on typed tables


def constraint_checks(field: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(rule, message, pandera Check) for each value constraint of a field, in a stable order."""
    import pandera.polars as pa

    rules = constraints(field)
    kind = field_type(field)
    checks: list[tuple[str, str, Any]] = []

    def add(rule: str, message: str, check) -> None:
        checks.append((rule, message, check))

    if "enum" in rules:
        allowed = [_typed(v, kind) for v in rules["enum"]]
        add("enum", f"not one of {', '.join(map(str, rules['enum']))}", pa.Check.isin(allowed))
    if "pattern" in rules:
        pattern = anchored(rules["pattern"])
        add(
            "pattern",
            f"does not match the pattern {rules['pattern']}",
            _text_check("str_matches", lambda text: text.str.contains(pattern)),
        )
    for rule, build, word in (
        ("minimum", pa.Check.ge, "below the minimum"),
        ("maximum", pa.Check.le, "above the maximum"),
        ("exclusiveMinimum", pa.Check.gt, "not above the exclusive minimum"),
        ("exclusiveMaximum", pa.Check.lt, "not below the exclusive maximum"),
    ):
        if rule in rules:
            add(rule, f"{word} {rules[rule]}", build(_typed(rules[rule], kind)))
    if "minLength" in rules:
        shortest = rules["minLength"]
        add(
            "minLength",
            f"shorter than {shortest} characters",
            _text_check("str_length", lambda text: text.str.len_chars() >= shortest),
        )
    if "maxLength" in rules:
        longest = rules["maxLength"]
        add(
            "maxLength",
            f"longer than {longest} characters",
            _text_check("str_length", lambda text: text.str.len_chars() <= longest),
        )
    return checks


def _text_check(name: str, holds):
    """A pandera check of a text column (`holds`: strings -> booleans). pandera's own string checks take
    strings only: a categorical's distinct texts are tested, each once (see `redata.tables.texts_where`);
    its rows are looked up among the few that fail."""
    import pandera.polars as pa

    from .tables import texts_where

    return pa.Check(
        lambda data: data.lazyframe.select(~texts_where(data.lazyframe, data.key, lambda text: ~holds(text))), name=name
    )


def pandera_schema(schema: dict[str, Any], name: str = "table", categorical: set[str] | None = None):
    """The pandera (polars) schema that checks a typed table against its Table Schema's constraints; the
    text columns `categorical` names (by default the schema's `categorical_fields`) held as categoricals.

    Uniqueness is left to `redata.checks.structure`, which counts distinct keys first and looks for the
    duplicated rows only when there are some (pandera always does the expensive search).
    """
    import pandera.polars as pa
    import polars as pl

    required = required_fields(schema)
    categorical = categorical_fields(schema) if categorical is None else categorical
    columns = {}
    for field in fields(schema):
        columns[field["name"]] = pa.Column(
            pl.Categorical if field["name"] in categorical else polars_dtype(field),
            checks=[check for _, _, check in constraint_checks(field)],
            nullable=field["name"] not in required,
            coerce=False,
        )
    return pa.DataFrameSchema(columns, name=name, strict=False, ordered=False)


def _typed(value: Any, kind: str) -> Any:
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "integer" and isinstance(value, str):
        return int(value)
    if kind == "number" and isinstance(value, str):
        return float(value)
    return value


def schema_errors(
    schema: dict[str, Any], resources: dict[str, dict[str, Any]], declared: set[str] | None = None
) -> list[tuple[str, str, str]]:
    """(field, rule, message) for every reason the Table Schema cannot be applied as written.

    `resources` maps each readable resource of the package to its Table Schema, to check foreign keys;
    `declared` names every resource the descriptor declares (a declared one that could not be read is
    reported where it is declared, not again by each key pointing at it).
    """
    problems: list[tuple[str, str, str]] = []
    names = [f["name"] for f in fields(schema)]
    seen = set()
    for field in fields(schema):
        name = field["name"]
        if name in seen:
            problems.append((name, "field-name-unique", f"field {name!r} is declared twice"))
        seen.add(name)
        if field_type(field) not in SUPPORTED_TYPES:
            problems.append(
                (name, "field-type", f"field type {field.get('type')!r} is not one of {', '.join(SUPPORTED_TYPES)}")
            )
            continue
        rules = constraints(field)
        if "pattern" in rules:
            error = _regex_error(rules["pattern"])
            if error:
                problems.append(
                    (name, "pattern-valid", f"pattern {rules['pattern']!r} is not a valid regular expression: {error}")
                )
        for rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if rule in rules:
                try:
                    _typed(rules[rule], field_type(field))
                except (TypeError, ValueError):
                    problems.append((name, "constraint-valid", f"{rule} {rules[rule]!r} is not a {field.get('type')}"))
    for key_field in primary_key(schema):
        if key_field not in names:
            problems.append(
                (
                    key_field,
                    "primary-key-field",
                    f"primary key names field {key_field!r}, which the schema does not have",
                )
            )
    for key in foreign_keys(schema):
        for local in key["fields"]:
            if local not in names:
                problems.append(
                    (local, "foreign-key-field", f"foreign key names field {local!r}, which the schema does not have")
                )
        target = key["resource"]
        target_schema = schema if target in (None, "") else resources.get(target)
        if target_schema is None and target in (declared or set()):
            continue
        if target_schema is None:
            problems.append(
                (
                    ",".join(key["fields"]),
                    "foreign-key-resource",
                    f"foreign key refers to resource {target!r}, which the package does not have",
                )
            )
            continue
        target_names = field_names(target_schema)
        for remote in key["reference_fields"]:
            if remote not in target_names:
                problems.append(
                    (
                        ",".join(key["fields"]),
                        "foreign-key-field",
                        f"foreign key refers to field {remote!r}, which resource {target!r} does not have",
                    )
                )
        if len(key["fields"]) != len(key["reference_fields"]):
            problems.append(
                (
                    ",".join(key["fields"]),
                    "foreign-key-field",
                    "foreign key has a different number of fields on each side",
                )
            )
    return problems


def _regex_error(pattern: Any) -> str | None:
    """Patterns run in polars (Rust regex) and in frictionless (Python re): both must accept them."""
    if not isinstance(pattern, str):
        return "not a string"
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    import polars as pl

    try:
        pl.Series([""]).str.contains(anchored(pattern))
    except Exception as error:  # polars raises ComputeError with the regex engine's message
        return str(error).splitlines()[0]
    return None


# ---------------------------------------------------------------- pyarrow: the Parquet schema


def arrow_schema(schema: dict[str, Any]):
    """The pyarrow schema a table is written to Parquet with: types, enumerations dictionary-encoded,
    field descriptions and units in the field metadata, the table's title and description in the schema's."""
    import pyarrow as pa

    arrow_types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }
    required = required_fields(schema)
    arrow_fields = []
    for field in fields(schema):
        kind = arrow_types[field_type(field)]
        if "enum" in constraints(field):
            kind = pa.dictionary(pa.int32(), kind)
        metadata = {key: str(field[key]) for key in ("description", "unit") if key in field}
        arrow_fields.append(
            pa.field(field["name"], kind, nullable=field["name"] not in required, metadata=metadata or None)
        )
    metadata = {key: str(schema[key]) for key in ("title", "description") if key in schema}
    return pa.schema(arrow_fields, metadata=metadata or None)


def pandas_dtypes(schema: dict[str, Any]) -> dict[str, str]:
    """The pandas dtype each field reads back as from Parquet: nullable integers and booleans stay so,
    enumerations are categories, dates are `datetime.date` objects."""
    dtypes = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean", "date": "object"}
    return {
        field["name"]: "category" if "enum" in constraints(field) else dtypes[field_type(field)]
        for field in fields(schema)
    }


# ---------------------------------------------------------------- the data dictionary


def data_dictionary(tables: list[tuple[str, dict[str, Any]]]) -> str:
    """Markdown describing every table and field, generated from the Table Schemas."""
    lines: list[str] = []
    for name, schema in tables:
        lines += [f"## `{name}`: {schema.get('title', name)}", "", schema.get("description", ""), ""]
        key = primary_key(schema)
        if key:
            lines.append(f"Primary key: {', '.join(f'`{k}`' for k in key)}.")
        for foreign in foreign_keys(schema):
            target = foreign["resource"] or name
            lines.append(
                f"Foreign key: {', '.join(f'`{f}`' for f in foreign['fields'])} → "
                f"`{target}`.{', '.join(f'`{f}`' for f in foreign['reference_fields'])}."
            )
        lines += ["", "| field | type | required | constraints | unit | description |", "|---|---|---|---|---|---|"]
        required = required_fields(schema)
        for field in fields(schema):
            rules = {k: v for k, v in constraints(field).items() if k != "required"}
            rule_text = "; ".join(f"{k}: {_rule_text(v)}" for k, v in rules.items())
            lines.append(
                f"| `{field['name']}` | {field.get('type', 'string')} | {'yes' if field['name'] in required else ''} | "
                f"{_cell(rule_text)} | {_cell(field.get('unit', ''))} | {_cell(field.get('description', ''))} |"
            )
        lines.append("")
    return "\n".join(lines)


def _rule_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(f"`{v}`" for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"`{value}`"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
