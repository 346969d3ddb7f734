"""Layer 2, structure and types: every CSV against its Table Schema.

Reads each table once, parsing every column into its type as it is read (see `redata.tables`), checks the
header against the schema's fields, reports each cell that did not parse (never guessed), applies the
schema's constraints through the pandera schema derived from it, checks uniqueness and primary keys, and
reports text cells a spreadsheet would execute as a formula. In a built package, each table's Parquet file
must hold what its CSV holds. Tables whose header holds every field go on to the later layers, typed.
"""

from __future__ import annotations

from collections import Counter

from .. import schema as table_schema
from ..package import Package, Resource
from ..report import Problem
from ..tables import TableReadError, read_header, read_table
from . import ROW, STREAMING, Table, row_problems

LAYER = "structure"
VALUE = "\x00value"


def check(package: Package, usable: set[str]) -> tuple[dict[str, Table], list[Problem]]:
    """The typed tables and the problems found."""
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name, resource in package.resources.items():
        if name not in usable:
            continue
        table, found = check_table(resource)
        problems += found
        if table is not None:
            tables[name] = table
            problems += parquet_problems(table)
    return tables, problems


def read(resource: Resource) -> tuple[Table | None, list[Problem]]:
    """A table read and typed as its schema says, or the problems that stopped it (header, CSV syntax)."""
    name = resource.name
    if not is_csv(resource):
        message = f"{resource.path.name} is not a CSV table; redata reads CSV tables only"
        return None, [Problem(LAYER, name, None, None, resource.descriptor.get("format"), "csv-readable", message)]
    try:
        header = read_header(resource.path)
    except TableReadError as error:
        return None, _read_problems(name, error)
    problems = _header_problems(name, resource.path, header, resource.schema)
    expected = table_schema.field_names(resource.schema)
    if not set(expected) <= set(header):
        return None, problems
    try:
        schema = resource.schema
        raw = read_table(resource.path, header, table_schema.parsers(schema), table_schema.categorical_fields(schema))
    except TableReadError as error:
        return None, problems + _read_problems(name, error)
    frame = raw.frame.select(table_schema.column(name) for name in expected).with_row_index(ROW)
    return Table(name, resource, raw, frame), problems


def check_table(resource: Resource) -> tuple[Table | None, list[Problem]]:
    table, problems = read(resource)
    if table is None:
        return None, problems
    problems += _blank_rows(table)
    table.frame = table.frame.filter(~_blank())  # reported once; the rows after keep their lines, by their ROW
    problems += _type_problems(table)
    problems += _constraint_problems(table)
    problems += _uniqueness_problems(table)
    problems += _formula_problems(table)
    return table, problems


def is_csv(resource: Resource) -> bool:
    declared = resource.descriptor.get("format")
    return declared == "csv" if declared else resource.path.suffix.lower() == ".csv"


def _read_problems(name: str, error: TableReadError) -> list[Problem]:
    return [Problem(LAYER, name, line, None, None, "csv-readable", message) for line, message in error.problems]


def _header_problems(name: str, path, header: list[str], schema: dict) -> list[Problem]:
    expected = table_schema.field_names(schema)
    if len(header) == 1 and len(expected) > 1:
        delimiter = next((d for d in (";", "\t", "|") if d in header[0]), None)
        if delimiter:
            shown = "a tab" if delimiter == "\t" else repr(delimiter)
            message = f"{path}: the header is one column split by {shown}; fields must be separated by commas"
            return [Problem(LAYER, name, 1, None, header[0], "delimiter", message)]
    counts = Counter(header)
    problems = [
        Problem(LAYER, name, 1, label, label, "header-duplicate", f"column {label!r} appears {count} times")
        for label, count in sorted(counts.items())
        if count > 1
    ]
    wanted = set(expected)
    missing = [field for field in expected if field not in counts]
    extra = [label for label in counts if label not in wanted]
    problems += [
        Problem(LAYER, name, 1, field, None, "header-missing", f"column {field!r} of the schema is missing")
        for field in missing
    ]
    problems += [
        Problem(LAYER, name, 1, label, label, "header-extra", f"column {label!r} is not a field of the schema")
        for label in extra
    ]
    if not missing and not extra and len(header) == len(expected) and header != expected:
        message = f"columns must be in the schema's order: {','.join(expected)}"
        problems.append(Problem(LAYER, name, 1, None, ",".join(header), "header-order", message))
    return problems


def _blank_rows(table: Table) -> list[Problem]:
    """Rows without a single value (a blank line, or only commas), as frictionless reports them. Each is kept
    as a row, so the lines of the rows after it stay true."""

    failing = table.frame.filter(_blank()).select(ROW)
    message = "the row holds no value (a blank line, or only commas)"
    return row_problems(table, failing, layer=LAYER, field=None, rule="blank-row", message=message)


def _blank():
    import polars as pl

    return pl.all_horizontal(pl.all().exclude(ROW).is_null())


def _type_problems(table: Table) -> list[Problem]:
    """Cells that hold a value which did not parse into the field's type."""
    import polars as pl

    bad = table.raw.bad_cells
    problems: list[Problem] = []
    if bad.height == 0:  # every cell parsed, the common case: no field needs a look
        return problems
    for field in table_schema.fields(table.schema):
        cells = bad.filter(pl.col("column") == field["name"])
        if cells.height:
            failing = cells.select(pl.col("row").alias(ROW), pl.col("text").alias(VALUE))
            message = table_schema.field_type(field).invalid
            problems += row_problems(
                table, failing, layer=LAYER, field=field["name"], rule="type", message=message, value=VALUE
            )
    return problems


def _constraint_problems(table: Table) -> list[Problem]:
    """Types, required fields, enum, pattern, ranges and lengths: pandera validates the typed table against the
    schema derived from its Table Schema and gives the rows where a constraint fails, which are then told apart
    by constraint. A failure pandera cannot place on a row (a check that raised) is a problem of the table."""
    import pandera.polars as pa
    import polars as pl

    try:
        table_schema.pandera_schema(table.schema, table.name).validate(table.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    problems = [
        Problem(LAYER, table.name, None, column, None, "type", f"pandera could not check {check}: {case}")
        for column, check, case in cases.filter(pl.col("index").is_null())
        .select("column", "check", "failure_case")
        .unique(maintain_order=True)
        .iter_rows()
    ]
    placed = cases.filter(pl.col("index").is_not_null()).get_column("index").unique()
    failing = table.frame[placed.sort().to_list()]  # pandera's index is the position in the frame
    categorical = table_schema.categorical_fields(table.schema)
    bad = table.raw.bad_cells
    for constraint in table_schema.table_constraints(table.schema, categorical):
        rows = failing.filter(constraint.holds.not_()).select(ROW, table_schema.column(constraint.field).alias(VALUE))
        # a cell of the wrong type is null once parsed: it is reported as a type problem, not as missing
        unparsed = bad.filter(pl.col("column") == constraint.field).get_column("row")
        rows = rows.filter(~pl.col(ROW).is_in(unparsed.implode()))
        problems += row_problems(
            table,
            rows,
            layer=LAYER,
            field=constraint.field,
            rule=constraint.rule,
            message=constraint.message,
            value=VALUE,
        )
    return problems


def _uniqueness_problems(table: Table) -> list[Problem]:
    """Unique fields and the primary key."""
    import polars as pl

    problems: list[Problem] = []
    keys = [[field] for field in sorted(table_schema.unique_fields(table.schema))]
    primary = table_schema.primary_key(table.schema)
    if len(primary) > 1:
        keys.append(primary)
    for key in keys:
        columns = [table_schema.column(name) for name in key]
        present = table.frame.select(pl.col(ROW), *columns).drop_nulls(key)
        # Distinct hashes prove distinct keys, and only where a hash repeats are the keys compared: finding the
        # duplicates of 1M figure ids, or of the mentions' two-column key, takes 200 MB more at once.
        hashes = present.lazy().select(pl.struct(columns).hash()).collect(engine=STREAMING).to_series()
        if hashes.n_unique() == present.height:
            continue
        duplicated = present.filter(pl.struct(columns).is_duplicated())
        shown = duplicated.select(ROW, pl.concat_str([c.cast(pl.String) for c in columns], separator=", ").alias(VALUE))
        rule = "primary-key" if key == primary else "unique"
        message = f"{'primary key' if rule == 'primary-key' else 'value'} ({', '.join(key)}) is not unique"
        problems += row_problems(
            table, shown, layer=LAYER, field=",".join(key), rule=rule, message=message, value=VALUE
        )
    return problems


def _formula_problems(table: Table) -> list[Problem]:
    """Text cells that start like a formula (`-5`, a number, is not one). One pass finds the text columns where
    some cell does, in every text column at once; only those are searched."""
    import polars as pl

    names = [f["name"] for f in table_schema.fields(table.schema) if table_schema.is_text(f)]
    found = table.frame.select(_some_formula(table.frame, name).alias(str(i)) for i, name in enumerate(names))
    message = "text starts with = + - @ or a tab or carriage return, which a spreadsheet would run as a formula"
    problems: list[Problem] = []
    for name, some in zip(names, found.row(0) if names else (), strict=True):
        if some:
            text = table_schema.column(name).cast(pl.String)
            failing = table.frame.select(pl.col(ROW), text.alias(VALUE)).filter(
                pl.col(VALUE).str.contains(table_schema.FORMULA_START)
                & ~pl.col(VALUE).str.contains(table_schema.NUMBER_TEXT)
            )
            problems += row_problems(
                table, failing, layer=LAYER, field=name, rule="formula-injection", message=message, value=VALUE
            )
    return problems


def _some_formula(frame, name: str):
    """Whether some cell of a text column starts like a formula; a categorical's distinct texts stand for its rows."""
    import polars as pl

    column = table_schema.column(name)
    if frame.schema[name] == pl.Categorical:
        column = column.unique()
    return column.cast(pl.String).str.contains(table_schema.FORMULA_START).any()


# ---------------------------------------------------------------- a built package's Parquet files


def parquet_problems(table: Table) -> list[Problem]:
    """A table's Parquet file (in a built package) must hold exactly the table its CSV holds. Its footer is
    read first: a file that claims another number of rows, or other columns, is not decompressed at all."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = table.resource.parquet
    if path is None:
        return []

    def problem(rule: str, message: str) -> list[Problem]:
        return [Problem(LAYER, table.name, None, "parquet", path.name, rule, message)]

    try:
        metadata = pq.read_metadata(path)
        if metadata.num_rows != table.frame.height:
            return problem(
                "parquet-matches-csv", f"{path.name} holds {metadata.num_rows} rows, the CSV holds {table.frame.height}"
            )
        if not metadata.schema.to_arrow_schema().equals(table_schema.arrow_schema(table.schema), check_metadata=False):
            return problem("parquet-schema", f"{path.name}: column types differ from those the Table Schema gives")
        stored = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        return problem("parquet-readable", f"{path}: cannot be read as Parquet: {str(error).splitlines()[0]}")
    as_text = pl.col(pl.Categorical).cast(pl.String)  # enumerations are dictionary-encoded in the file
    if not pl.from_arrow(stored).with_columns(as_text).equals(table.frame.drop(ROW)):
        return problem("parquet-matches-csv", f"{path.name} does not hold the same rows as {table.resource.path.name}")
    return []
