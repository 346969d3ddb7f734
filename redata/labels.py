"""Labelled views: every foreign key of a table decoded into the words of the row it refers to.

A Table Schema names, in its custom property `labelFields`, the fields that say in words what one of its
rows is (an entity's `name`, a source's `title` and `publisher`). A table's labelled view keeps every
field and adds, right after each single-field foreign key, the label fields of the row it refers to,
named `<key without _id>_<label field>` (`subject_id` → `subject_name`). The SQLite views, the loader's
`labels=True` and the site all decode from `decoded_columns`; nothing else decides what a label is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import schema as table_schema
from .errors import CannotRun

LABEL_FIELDS = "labelFields"
LABELLED_SUFFIX = "_labelled"


@dataclass(frozen=True)
class Decoded:
    """One column a labelled view adds: `label` of the `resource` row whose `key` equals the row's `field`."""

    field: str
    resource: str
    key: str
    label: str
    column: str
    description: str


def label_fields(schema: dict[str, Any]) -> list[str]:
    return table_schema.as_list(schema.get(LABEL_FIELDS))


def decoded_columns(name: str, schemas: dict[str, dict[str, Any]]) -> list[Decoded]:
    """The columns the labelled view of table `name` adds, in the order of the fields they decode.

    Raises CannotRun where the schemas cannot be decoded as declared (a label field the referenced table
    lacks, a referenced table that names no label fields, a decoded column that would take a field's name)."""
    schema = schemas[name]
    names = set(table_schema.field_names(schema))
    decoded: list[Decoded] = []
    for key in table_schema.foreign_keys(schema):
        if len(key["fields"]) != 1:
            continue  # a key of several fields has no one column to put words beside
        field, target = key["fields"][0], key["resource"] or name
        target_schema = schemas.get(target)
        if target_schema is None:
            raise CannotRun(f"table {name!r}: foreign key {field!r} refers to {target!r}, which is not in the package")
        labels = label_fields(target_schema)
        if not labels:
            raise CannotRun(f"table {target!r} is referred to by {name}.{field} but its schema names no {LABEL_FIELDS}")
        target_fields = {f["name"]: f for f in table_schema.fields(target_schema)}
        for label in labels:
            if label not in target_fields:
                raise CannotRun(f"table {target!r}: {LABEL_FIELDS} names {label!r}, which is not one of its fields")
            column = f"{field.removesuffix('_id')}_{label}"
            if column in names or any(d.column == column for d in decoded):
                raise CannotRun(f"table {name!r}: the decoded column {column!r} would take the name of another")
            description = f"`{label}` of the `{target}` row that `{field}` refers to: {_sentence(target_fields[label])}"
            decoded.append(Decoded(field, target, key["reference_fields"][0], label, column, description))
    order = {field: index for index, field in enumerate(table_schema.field_names(schema))}
    return sorted(decoded, key=lambda d: order[d.field])


def labelled_columns(name: str, schemas: dict[str, dict[str, Any]]) -> list[tuple[str, Decoded | None]]:
    """Every column of the labelled view in order: (column, None) for a field of the table itself,
    (column, Decoded) for a decoded one, placed right after the field it decodes."""
    after: dict[str, list[Decoded]] = {}
    for decoded in decoded_columns(name, schemas):
        after.setdefault(decoded.field, []).append(decoded)
    columns: list[tuple[str, Decoded | None]] = []
    for field in table_schema.field_names(schemas[name]):
        columns.append((field, None))
        columns += [(d.column, d) for d in after.get(field, [])]
    return columns


def labelled_polars(name: str, frames: dict[str, Any], schemas: dict[str, dict[str, Any]]):
    """The labelled view of table `name` from polars frames of the package's tables, rows in table order."""
    import polars as pl

    frame = frames[name]
    for decoded in decoded_columns(name, schemas):
        words = (
            frames[decoded.resource]
            .select(pl.col(decoded.key).cast(pl.String).alias("_key"), pl.col(decoded.label).alias(decoded.column))
            .unique("_key", keep="first", maintain_order=True)
        )
        frame = (
            frame.with_columns(pl.col(decoded.field).cast(pl.String).alias("_key"))
            .join(words, on="_key", how="left", maintain_order="left")
            .drop("_key")
        )
    return frame.select(column for column, _ in labelled_columns(name, schemas) if column in frame.columns)


def labelled_pandas(name: str, frames: dict[str, Any], schemas: dict[str, dict[str, Any]]):
    """The labelled view of table `name` from pandas frames; a decoded column keeps its label field's dtype."""
    frame = frames[name].copy()
    for decoded in decoded_columns(name, schemas):
        target = frames[decoded.resource].drop_duplicates(decoded.key)
        words = target.set_index(target[decoded.key].astype("string"))[decoded.label]
        frame[decoded.column] = frame[decoded.field].astype("string").map(words).astype(words.dtype)
    return frame[[column for column, _ in labelled_columns(name, schemas)]]


def _sentence(field: dict[str, Any]) -> str:
    return str(field.get("description", "")).strip() or field["name"]
