"""The release's SQLite database and its datasette metadata, both generated from the Table Schemas.

Each table becomes a SQLite table with declared types, NOT NULL, primary and foreign keys, UNIQUE, the
enumerations and the boolean and date forms as CHECKs, and an index on each foreign key; each table with
foreign keys also gets a view `<table>_labelled` that decodes them (see `redata.labels`). Writing is
deterministic, so a rebuild gives the same bytes, and refuses a database whose foreign keys do not hold.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from . import schema as table_schema
from .errors import CannotRun
from .labels import LABELLED_SUFFIX, decoded_columns, label_fields, labelled_columns
from .types import field_type

MEDIATYPE = "application/vnd.sqlite3"
INSERT_BATCH = 10_000


def quoted(name: str) -> str:
    """An SQL identifier, quoted (names come from the schemas, which may use any text)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def create_table(name: str, schema: dict[str, Any]) -> str:
    """The CREATE TABLE statement of one Table Schema."""
    required = table_schema.required_fields(schema)
    unique = table_schema.unique_fields(schema) - set(table_schema.primary_key(schema))
    lines = []
    for field in table_schema.fields(schema):
        column = quoted(field["name"])
        line = f"{column} {field_type(field).sql}"
        if field["name"] in required:
            line += " NOT NULL"
        if field["name"] in unique:
            line += " UNIQUE"
        check = _column_check(field)
        if check:
            line += f" CHECK ({column} IS NULL OR {check})"
        lines.append(line)
    key = table_schema.primary_key(schema)
    if key:
        lines.append(f"PRIMARY KEY ({', '.join(map(quoted, key))})")
    for foreign in table_schema.foreign_keys(schema):
        lines.append(
            f"FOREIGN KEY ({', '.join(map(quoted, foreign['fields']))}) REFERENCES "
            f"{quoted(foreign['resource'] or name)} ({', '.join(map(quoted, foreign['reference_fields']))})"
        )
    return f"CREATE TABLE {quoted(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _column_check(field: dict[str, Any]) -> str | None:
    column = quoted(field["name"])
    kind = field_type(field).name
    enum = table_schema.constraints(field).get("enum")
    if enum:
        return f"{column} IN ({', '.join(literal(v) for v in enum)})"
    if kind == "boolean":
        return f"{column} IN (0, 1)"
    if kind == "date":
        return f"date({column}) IS {column}"  # date() of a text that is no date is NULL
    return None


def create_indexes(name: str, schema: dict[str, Any]) -> list[str]:
    """An index on each foreign key that neither the primary key nor a UNIQUE column already leads."""
    key = table_schema.primary_key(schema)
    unique = table_schema.unique_fields(schema)
    statements = []
    for foreign in table_schema.foreign_keys(schema):
        fields = foreign["fields"]
        if fields == key[: len(fields)] or (len(fields) == 1 and fields[0] in unique):
            continue
        index = quoted(f"{name}__{'__'.join(fields)}")
        statements.append(f"CREATE INDEX {index} ON {quoted(name)} ({', '.join(map(quoted, fields))})")
    return statements


def create_view(name: str, schemas: dict[str, dict[str, Any]]) -> str | None:
    """The `<name>_labelled` view, or None for a table with nothing to decode."""
    decoded = decoded_columns(name, schemas)
    if not decoded:
        return None
    aliases = {(d.field, d.resource): quoted(f"{d.field}__{d.resource}") for d in decoded}
    selected = []
    for column, source in labelled_columns(name, schemas):
        if source is None:
            selected.append(f"t.{quoted(column)}")
        else:
            alias = aliases[(source.field, source.resource)]
            selected.append(f"{alias}.{quoted(source.label)} AS {quoted(column)}")
    keys = {(d.field, d.resource): d.key for d in decoded}
    joins = [
        f"LEFT JOIN {quoted(resource)} AS {alias} ON {alias}.{quoted(keys[(field, resource)])} = t.{quoted(field)}"
        for (field, resource), alias in aliases.items()
    ]
    return (
        f"CREATE VIEW {quoted(name + LABELLED_SUFFIX)} AS SELECT\n  "
        + ",\n  ".join(selected)
        + f"\nFROM {quoted(name)} AS t\n"
        + "\n".join(joins)
    )


def write_database(tables: list, path: Path) -> None:
    """Write the tables (`redata.checks.Table`s of a validated package, in descriptor order) to a new SQLite
    file at `path`, then check its foreign keys."""
    schemas = {table.name: table.schema for table in tables}
    if path.exists():
        raise CannotRun(f"{path}: already exists; the database is written into a new file only")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")  # rows go in table by table; the keys are checked after
        # A new file in a staging folder that a failure throws away needs no rollback journal and no fsync; a
        # page cache of 256 MiB keeps the keys' B-trees in memory (49 s to 33 s for the 1M-row package).
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
        for table in tables:
            connection.execute(create_table(table.name, table.schema))
            _insert(connection, table)
            for statement in create_indexes(table.name, table.schema):
                connection.execute(statement)
        for table in tables:
            view = create_view(table.name, schemas)
            if view:
                connection.execute(view)
        connection.execute("COMMIT")
        # A fresh file written in one transaction, indexes last, has no free pages: no VACUUM is needed.
        broken = connection.execute("PRAGMA foreign_key_check").fetchmany(5)
        if broken:
            raise CannotRun(f"{path}: foreign keys do not hold in the database (table, rowid, parent): {broken}")
    finally:
        connection.close()


def _insert(connection: sqlite3.Connection, table) -> None:
    """The table's rows, in CSV order: dates as ISO text, booleans as 0 and 1, text as text."""
    import polars as pl

    names = table_schema.field_names(table.schema)
    frame = table.frame.select(names).with_columns(
        pl.col(pl.Categorical).cast(pl.String),
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
        pl.col(pl.Boolean).cast(pl.Int8),
    )
    statement = f"INSERT INTO {quoted(table.name)} VALUES ({', '.join('?' * len(names))})"
    for start in range(0, frame.height, INSERT_BATCH):
        connection.executemany(statement, frame.slice(start, INSERT_BATCH).iter_rows())


# ---------------------------------------------------------------- datasette


def datasette_metadata(descriptor: dict[str, Any], database: str, schemas: dict[str, dict[str, Any]]) -> dict:
    """datasette's metadata.json for the database named `database` (its file name without `.sqlite`):
    titles, descriptions and units of tables, views and columns, the licence and the sources."""
    licence = (descriptor.get("licenses") or [{}])[0]
    tables: dict[str, Any] = {}
    for name, schema in schemas.items():
        fields = {f["name"]: f for f in table_schema.fields(schema)}
        entry = {
            "title": schema.get("title", name),
            "description": schema.get("description", ""),
            "columns": {field: _column_text(fields[field]) for field in fields},
        }
        if label_fields(schema):
            entry["label_column"] = label_fields(schema)[0]
        tables[name] = entry
        decoded = decoded_columns(name, schemas)
        if decoded:
            columns = {
                column: (_column_text(fields[column]) if d is None else d.description)
                for column, d in labelled_columns(name, schemas)
            }
            tables[name + LABELLED_SUFFIX] = {
                "title": f"{schema.get('title', name)}, labelled",
                "description": f"The `{name}` table with each code decoded into words: "
                + ", ".join(f"`{d.column}`" for d in decoded)
                + ".",
                "columns": columns,
            }
    return {
        "title": descriptor.get("title", descriptor.get("name", "")),
        "description": descriptor.get("description", ""),
        "license": licence.get("title") or licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": "; ".join(_source_text(source) for source in descriptor.get("sources", [])),
        "databases": {database: {"title": f"{descriptor.get('name')} {descriptor.get('version')}", "tables": tables}},
    }


def _column_text(field: dict[str, Any]) -> str:
    text = str(field.get("description", "")).strip()
    return f"{text} Unit: {field['unit']}." if "unit" in field else text


def _source_text(source: dict[str, Any]) -> str:
    publisher = source.get("publisher") or "publisher not named in the text"
    return f"{source.get('source_id', '')}: {source.get('title', '')} ({publisher}, {source.get('published', '?')})"


def write_datasette_metadata(descriptor: dict[str, Any], database_path: Path, schemas: dict, path: Path) -> None:
    metadata = datasette_metadata(descriptor, database_path.stem, schemas)
    path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
