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
    as_text = [table_schema.column(name).cast(pl.String).alias(f"\x00{i}") for i, name in enumerate(local)]
    targets = target.frame.lazy().select(
        table_schema.column(name).cast(pl.String).alias(f"\x00{i}") for i, name in enumerate(remote)
    )
    joined = [f"\x00{i}" for i in range(len(local))]
    failing = (
        table.frame.lazy()
        .select(pl.col(ROW), *as_text)
        .drop_nulls(joined)
        .join(targets, on=joined, how="anti")
        .with_columns(pl.concat_str([pl.col(c) for c in joined], separator=", ").alias(VALUE))
        .collect(engine=STREAMING)
    )
    message = f"no row of {target_name} has {', '.join(remote)} equal to this value"
    return row_problems(table, failing, layer=LAYER, field=field, rule="foreign-key", message=message, value=VALUE)
