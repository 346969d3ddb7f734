"""The release's SQLite database and datasette metadata: typed, keyed, checked, labelled, described, and
served by a real datasette."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest
from conftest import BUILT_NAME, REPO

import redata
from redata import schema as table_schema
from redata.database import create_table, create_view
from redata.labels import LABELLED_SUFFIX, decoded_columns

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}


def descriptor_of(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def schemas_of(folder: Path) -> dict[str, dict]:
    return {r["name"]: r["schema"] for r in descriptor_of(folder)["resources"]}


@pytest.fixture
def database(built):
    connection = sqlite3.connect(f"file:{built / f'{BUILT_NAME}.sqlite'}?mode=ro", uri=True)
    yield connection
    connection.close()


def test_one_table_per_resource_and_a_labelled_view_per_table_with_codes(database, built):
    schemas = schemas_of(built)
    tables = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    views = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert tables == set(schemas)
    assert views == {name + LABELLED_SUFFIX for name in schemas if decoded_columns(name, schemas)}
    assert "figures_labelled" in views and "units_labelled" in views  # a self-reference decodes too


def test_columns_keys_and_indexes_follow_the_schemas(database, built):
    problems = []
    for name, schema in schemas_of(built).items():
        info = database.execute(f'PRAGMA table_info("{name}")').fetchall()
        columns = [(row[1], row[2], bool(row[3])) for row in info]
        required = table_schema.required_fields(schema)
        expected = [(f["name"], SQL_TYPES[f.get("type", "string")], f["name"] in required) for f in schema["fields"]]
        if columns != expected:
            problems.append((name, "columns", columns, expected))
        key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5] > 0]
        if key != table_schema.primary_key(schema):
            problems.append((name, "primary key", key))
        foreign = {(row[3], row[2], row[4]) for row in database.execute(f'PRAGMA foreign_key_list("{name}")')}
        declared = {
            (k["fields"][0], k["resource"] or name, k["reference_fields"][0]) for k in table_schema.foreign_keys(schema)
        }
        if foreign != declared:
            problems.append((name, "foreign keys", foreign, declared))
        indexed = set()
        for index in database.execute(f'PRAGMA index_list("{name}")').fetchall():
            first = database.execute(f'PRAGMA index_info("{index[1]}")').fetchall()
            indexed.add(min(first, key=lambda row: row[0])[2])
        if not {field for field, _, _ in declared} <= indexed:
            problems.append((name, "unindexed foreign keys", {field for field, _, _ in declared} - indexed))
    assert problems == []


def test_foreign_keys_hold_and_the_file_is_sound(database):
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_rows_and_values_are_those_of_the_csv(database, built):
    for name in schemas_of(built):
        expected = pl.read_csv(built / f"{name}.csv", infer_schema=False).height
        assert database.execute(f'SELECT count(*) FROM "{name}"').fetchone() == (expected,), name
    row = database.execute(
        "SELECT value, typeof(value), forecast, typeof(forecast), char_start, typeof(char_start) "
        "FROM figures WHERE figure_id = 's003-f08'"
    ).fetchone()
    assert row == (12400000.0, "real", 0, "integer", row[4], "integer")
    assert database.execute("SELECT date, typeof(date) FROM events WHERE event_id = 's003-e01'").fetchone() == (
        "2025-06-09",
        "text",
    )
    assert database.execute("SELECT count(*) FROM figures WHERE forecast = 1").fetchone() == (2,)


def test_the_database_refuses_rows_its_schemas_forbid(built, tmp_path):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes((built / f"{BUILT_NAME}.sqlite").read_bytes())
    connection = sqlite3.connect(copy)
    connection.execute("PRAGMA foreign_keys = ON")
    insert = (
        "INSERT INTO figures (figure_id, source_id, quote, char_start, char_end, as_written, unit, metric, "
        "subject_id, forecast, period_basis, attribution_basis) "
        "VALUES ('x-f1', 's000', 'q', 0, 1, 'q', 'percent', 'share_of_world_mining', ?, ?, 'none', 'none')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        connection.execute(insert, ("atlantis", 0))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        connection.execute(insert, ("china", 2))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        connection.execute("UPDATE events SET date = '12 May 2025' WHERE event_id = 's000-e01'")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        connection.execute("UPDATE events SET kind = 'picnic' WHERE event_id = 's000-e01'")
    connection.close()


def test_the_labelled_view_answers_without_joins(database):
    rows = database.execute(
        "SELECT source_id, source_title, source_publisher, value, unit_name, subject_name, qualifier "
        "FROM figures_labelled WHERE metric = 'share_of_world_mining' AND subject_id = 'china' ORDER BY source_id"
    ).fetchall()
    assert rows == [
        ("s000", "To Import Rare Earths, the US Must Further Reconcile with China", None, 60.0,
         "percent (share of a whole, 0 to 100)", "China", "about"),
        ("s003", "US wakes up from REM sleep but China’s rare earth grip tightens", "TRT World", 70.0,
         "percent (share of a whole, 0 to 100)", "China", "approximately"),
    ]  # fmt: skip
    credited = database.execute("SELECT attributed_to_name FROM figures_labelled WHERE figure_id = 's003-f21'")
    assert credited.fetchone() == ("Benchmark Mineral Intelligence",)


def test_the_labelled_view_equals_the_loaders(database, built):
    """The SQL view and `redata.load(..., labels=True)` are made apart from one definition: same rows."""
    for name in ("figures", "events", "statements", "check_terms"):
        frame = redata.load(name, built, labels=True)
        cursor = database.execute(f'SELECT * FROM "{name}{LABELLED_SUFFIX}"')
        assert [d[0] for d in cursor.description] == list(frame.columns), name
        view = [tuple(row) for row in cursor.fetchall()]
        loaded = [
            tuple(None if _missing(v) else _plain(v) for v in row)
            for row in frame.astype(object).itertuples(index=False)
        ]
        assert view == loaded, name


def _missing(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, (str, bytes)) and pd.isna(value))


def _plain(value):
    import datetime as dt

    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_sql_comes_from_the_schemas():
    schema = json.loads((REPO / "schemas" / "units.json").read_text(encoding="utf-8"))
    statement = create_table("units", schema)
    assert '"unit_id" TEXT NOT NULL' in statement and '"whole_number" INTEGER NOT NULL CHECK' in statement
    assert 'FOREIGN KEY ("base_unit_id") REFERENCES "units" ("unit_id")' in statement
    assert 'PRIMARY KEY ("unit_id")' in statement
    odd = {"fields": [{"name": 'a"b', "type": "string"}], "primaryKey": ['a"b']}
    assert '"a""b" TEXT NOT NULL' in create_table('t"x', odd) and 'CREATE TABLE "t""x"' in create_table('t"x', odd)
    assert create_view("units", {"units": schema}) is not None


def test_the_descriptor_accounts_for_every_file(built):
    descriptor = descriptor_of(built)
    listed = {entry["path"] for entry in descriptor["files"]}
    assert listed == {f"{BUILT_NAME}.sqlite", "metadata.json", "CITATION.cff", "README.md"}
    for entry in descriptor["files"]:
        assert entry["bytes"] == (built / entry["path"]).stat().st_size
        assert entry["hash"].startswith("sha256:") and len(entry["hash"]) == 71
    tables = {r["path"] for r in descriptor["resources"]} | {r["parquet"]["path"] for r in descriptor["resources"]}
    assert {p.name for p in built.iterdir()} == tables | listed | {"datapackage.json"}


def test_validate_finds_a_changed_or_missing_database(built, tmp_path):
    import shutil

    copy = tmp_path / BUILT_NAME
    shutil.copytree(built, copy)
    database = copy / f"{BUILT_NAME}.sqlite"
    data = bytearray(database.read_bytes())
    data[-1] ^= 0xFF
    database.write_bytes(bytes(data))
    report = redata.validate(copy / "datapackage.json")
    assert [(p.layer, p.field, p.rule) for p in report.errors] == [("descriptor", "files.database.hash", "hash")]
    database.unlink()
    report = redata.validate(copy / "datapackage.json")
    assert [(p.field, p.rule) for p in report.errors] == [("files.database", "file-present")]


def test_validate_refuses_files_that_are_malformed_or_leave_the_release(built, tmp_path):
    import shutil

    copy = tmp_path / BUILT_NAME
    shutil.copytree(built, copy)
    descriptor = descriptor_of(copy)
    descriptor["files"][0]["path"] = "../elsewhere.sqlite"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = redata.validate(copy / "datapackage.json")
    assert [(p.field, p.rule) for p in report.errors] == [("files.database", "path-confined")]
    descriptor["files"] = "everything"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = redata.validate(copy / "datapackage.json")
    assert ("files", "files") in [(p.field, p.rule) for p in report.errors]


def test_datasette_metadata_describes_every_table_view_and_column(built):
    metadata = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["license"] == "Creative Commons Attribution 4.0"
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "TRT World" in metadata["source"]
    tables = metadata["databases"][BUILT_NAME]["tables"]
    schemas = schemas_of(built)
    for name, schema in schemas.items():
        assert tables[name]["description"] and tables[name]["title"]
        assert set(tables[name]["columns"]) == set(table_schema.field_names(schema)), name
        assert all(tables[name]["columns"].values()), name
    figures_view = tables["figures_labelled"]["columns"]
    assert "subject_name" in figures_view and "entities" in figures_view["subject_name"]
    assert tables["figures"]["columns"]["char_start"].endswith("Unit: character.")
    assert tables["entities"]["label_column"] == "name"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def test_a_real_datasette_serves_the_labelled_view(built):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", f"{BUILT_NAME}.sqlite", "-m", "metadata.json",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=built, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                databases = _get_json(f"{base}/.json")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read().decode()[-2000:]
                time.sleep(0.25)
        path = databases[BUILT_NAME]["path"]
        query = "metric=share_of_world_mining&subject_id=china&_shape=array&_sort=source_id"
        rows = _get_json(f"{base}{path}/figures_labelled.json?{query}")
        answer = [(r["source_id"], r["source_publisher"], r["as_written"], r["value"]) for r in rows]
        assert answer == [("s000", None, "about 60%", 60.0), ("s003", "TRT World", "approximately 70 percent", 70.0)]
        with urllib.request.urlopen(f"{base}{path}/figures", timeout=10) as response:
            page = response.read().decode("utf-8")
        assert "Identifier of the figure: its source id" in page  # the column's description, from metadata.json
    finally:
        server.terminate()
        server.wait(timeout=30)
