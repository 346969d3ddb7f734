"""The derived tables a built package carries beside the curated ones (the verdicts): generated from the
validated tables by pure functions, described by the Table Schemas in `schemas/derived/`, never edited."""

from __future__ import annotations

from pathlib import Path

DERIVED_FOLDER = "derived"  # inside schemas/
DERIVED_TABLES = ("verdicts",)


def derived_tables(context, folder: Path) -> list:
    """Each derived table written as CSV into `folder`, as a `Table` the build publishes like the others."""
    import polars as pl

    from .checks import ROW, Table
    from .checks.crosscheck import verdicts
    from .package import Resource, read_json

    tables = []
    makers = {"verdicts": verdicts}
    for name in DERIVED_TABLES:
        make = makers[name]
        frame = make(context)
        schema = read_json(context.package.paths.schemas / DERIVED_FOLDER / f"{name}.json", "Table Schema")
        path = folder / f"{name}.csv"
        frame.write_csv(path, line_terminator="\n")
        typed = frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.UInt32))
        tables.append(Table(name, Resource(name, path, schema, {}), None, typed))
    return tables
