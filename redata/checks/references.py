"""Layer 5, referential integrity: every foreign key declared in `schemas/` resolves.

One anti-join per foreign key, composite keys and self-references (no `resource`) included; a key of one
field held as a categorical looks for its distinct texts among the targets instead. A key whose
target table could not be read is not checked here: the structure layer has already failed it.
"""

from __future__ import annotations

import polars as pl

from .. import schema as table_schema
from ..report import Problem
from ..tables import distinct_texts
from . import ROW, STREAMING, Context, row_problems

LAYER = "references"


def check(context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for table in context.tables.values():
        for key in table_schema.foreign_keys(table.schema):
            local, remote = key["fields"], key["reference_fields"]
            target = context.table(key["resource"] or table.name, *remote)
            if target is None:  # unread, or without the fields: the descriptor layer has reported it
                continue
            targets = target.frame.select([pl.col(r).alias(name) for name, r in zip(local, remote, strict=False)])
            rows = table.frame.lazy().select(ROW, *local).drop_nulls(local)
            if len(local) == 1 and table.frame.schema[local[0]] == pl.Categorical:
                absent = _absent(table.frame.get_column(local[0]), targets.get_column(local[0]))
                rows = rows.filter(pl.col(local[0]).is_in(absent.implode()))
            else:
                # an anti join needs no distinct targets: deduplicating a large target cost more than the join.
                # Join keys must share a dtype, and a schema may type the two sides differently: a
                # categorical is compared as its text, and casts to or from another type through it.
                rows = rows.with_columns(
                    pl.col(name).cast(pl.String) for name in local if table.frame.schema[name] == pl.Categorical
                )
                wanted = rows.collect_schema()
                for name in local:
                    target = pl.col(name).cast(pl.String) if targets.schema[name] == pl.Categorical else pl.col(name)
                    targets = targets.with_columns(target.cast(wanted[name], strict=False))
                rows = rows.join(targets.lazy(), on=local, how="anti")
            failing = (
                rows.with_columns(
                    pl.concat_str([pl.col(c).cast(pl.String) for c in local], separator=", ").alias("_value")
                ).collect(engine=STREAMING)  # the rows with a key are never all copied at once
            )
            target_name = key["resource"] or table.name
            problems += row_problems(
                table,
                failing,
                layer=LAYER,
                field=",".join(local),
                rule="foreign-key",
                message=f"no row of {target_name} has {', '.join(remote)} equal to this value",
                value="_value",
            )
    return problems


def _absent(keys: pl.Series, targets: pl.Series) -> pl.Series:
    """The distinct texts of a categorical foreign key that no target has: each text is looked for once, and
    only the targets among those few texts are kept (a set of every target of 1M figures took 127 MB)."""
    texts = distinct_texts(keys)
    targets = targets.cast(pl.String, strict=False)
    found = targets.filter(targets.is_in(texts.implode()))
    return texts.filter(~texts.is_in(found.implode()))
