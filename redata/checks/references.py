"""Layer 5, referential integrity: every foreign key declared in `schemas/` resolves.

One anti-join per foreign key, composite keys and self-references (no `resource`) included, the keys compared
as text (a schema may type the two sides differently). A key whose target table could not be read cannot be
evaluated: it is reported as such, once per key.
"""

from __future__ import annotations

import polars as pl

from .. import schema as table_schema
from ..report import Problem
from . import ROW, STREAMING, Context, Table, row_problems

LAYER = "references"
VALUE = "\x00value"


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for table in context.tables.values():
        for key in table_schema.foreign_keys(table.schema):
            problems += _key_problems(context, table, key)
    return problems


def _key_problems(context: Context, table: Table, key: dict) -> list[Problem]:
    local, remote = key["fields"], key["reference_fields"]
    target_name = key["resource"] or table.name
    target = context.table(target_name, *remote)
    field = ",".join(local)
    if target is None:
        message = f"foreign key to {target_name} cannot be checked: that table could not be read"
        return [Problem(LAYER, table.name, None, field, None, "foreign-key-unevaluable", message)]
    targets = target.frame.lazy().select(
        table_schema.column(name).cast(pl.String).alias(f"\x00{i}") for i, name in enumerate(remote)
    )
    joined = [f"\x00{i}" for i in range(len(local))]
    rows = table.frame.lazy()
    if len(local) == 1:
        # A key's distinct values are looked for among the targets, each once, and only the rows of those not
        # found are taken: 0.03 s for the seven keys of 1M figures, against 0.35 s joined row by row, and a
        # key of a few rows to 1M figures in 0.01 s, against 0.4 s (an anti-join hashes the 1M targets).
        absent = _absent(table.frame.get_column(local[0]), target.frame.get_column(remote[0]))
        if absent.len() == 0:
            return []
        rows = rows.filter(table_schema.column(local[0]).cast(pl.String).is_in(absent.implode()))
    as_text = [table_schema.column(name).cast(pl.String).alias(f"\x00{i}") for i, name in enumerate(local)]
    failing = (
        rows.select(pl.col(ROW), *as_text)
        .drop_nulls(joined)
        .join(targets, on=joined, how="anti")
        .with_columns(pl.concat_str([pl.col(c) for c in joined], separator=", ").alias(VALUE))
        .collect(engine=STREAMING)
    )
    message = f"no row of {target_name} has {', '.join(remote)} equal to this value"
    return row_problems(table, failing, layer=LAYER, field=field, rule="foreign-key", message=message, value=VALUE)


def _absent(keys: pl.Series, targets: pl.Series) -> pl.Series:
    """The distinct texts of a key that no target has (compared as texts: the schemas may type them apart)."""
    texts = keys.unique().drop_nulls().cast(pl.String)
    targets = targets.cast(pl.String)
    found = targets.filter(targets.is_in(texts.implode()))
    return texts.filter(~texts.is_in(found.implode()))
