"""`redata build`: a Data Package 2.0 of CSV + Parquet that real clients read, built atomically, reproducibly
and under version control (SemVer 2.0: precedence, pre-releases, build metadata)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import jsonschema
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
from conftest import (
    BUILT_NAME,
    CHANGELOG_HEADING,
    NEXT_MINOR_PRERELEASE,
    NEXT_PATCH,
    NEXT_PATCH_PRERELEASE,
    PACKAGE_VERSION,
    PRERELEASE,
    PROFILES,
    REFERENCES,
    RELEASE_DATE,
    REPO,
    built_name,
    cli,
    edit_json,
    run_cli,
)

import redata


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def descriptor_of(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_layout(built):
    assert built.name == BUILT_NAME
    tables = [r["name"] for r in descriptor_of(built)["resources"]]
    expected = {f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")} | {"datapackage.json", "README.md"}
    expected |= {f"{BUILT_NAME}.sqlite", "metadata.json", "CITATION.cff"}
    assert {p.name for p in built.iterdir()} == expected
    assert (built.parent / f"{BUILT_NAME}.zip").is_file()
    with zipfile.ZipFile(built.parent / f"{BUILT_NAME}.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"{BUILT_NAME}/{name}" for name in expected)
    assert not any(p.name.startswith(".redata-staging") for p in built.parent.iterdir())


def test_descriptor_is_data_package_2(built):
    descriptor = descriptor_of(built)
    profile = json.loads((PROFILES / "datapackage.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(profile).validate(descriptor)
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["version"] == PACKAGE_VERSION and descriptor["created"].endswith("Z")
    assert descriptor["licenses"] and descriptor["contributors"] and descriptor["keywords"]
    assert {s["source_id"] for s in descriptor["sources"]} == {"s000", "s003"}
    assert all(len(s["sha256"]) == 64 for s in descriptor["sources"])
    for resource in descriptor["resources"]:
        assert {"path", "format", "mediatype", "encoding", "bytes", "hash", "schema"} <= set(resource)
        assert resource["hash"].startswith("sha256:")
        parquet = resource["parquet"]
        assert parquet["mediatype"] == "application/vnd.apache.parquet" and parquet["hash"].startswith("sha256:")
        assert (built / parquet["path"]).stat().st_size == parquet["bytes"]
        for field in resource["schema"]["fields"]:
            assert field.get("description"), (resource["name"], field["name"])


def test_articles_are_not_republished(built):
    """The package carries quotes, metadata and sha256 of the articles, not their full text."""
    article = (REPO / "seeds" / "003_ad337d1af4783e68.txt").read_text(encoding="utf-8")
    paragraph = article.split("\n\n")[5]
    assert len(paragraph) > 200
    for path in built.iterdir():
        assert paragraph.encode("utf-8") not in path.read_bytes(), path.name


def test_frictionless_cli_validates_the_built_package(built):
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"], cwd=built, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_frictionless_cli_validates_the_source_package():
    """As README documents: `--trusted` lets frictionless follow the `../schemas` paths of the source package."""
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "--trusted", "datapackage/datapackage.json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "VALID" in result.stdout and "INVALID" not in result.stdout


def test_redata_validates_the_built_package(built):
    report = redata.validate(built / "datapackage.json", REFERENCES)  # reference values proved in it too
    assert report.errors == []
    assert set(report.skipped) == {"provenance", "coverage"}


def test_duckdb_and_polars_read_every_table_with_the_csv_row_counts(built):
    for resource in descriptor_of(built)["resources"]:
        expected = csv_rows(built / resource["path"])
        parquet = str(built / resource["parquet"]["path"])
        assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchall() == [(expected,)]
        assert pl.read_parquet(parquet).height == expected
        assert pl.read_csv(built / resource["path"], infer_schema=False).height == expected


def test_parquet_types_and_metadata(built):
    figures = pq.read_table(built / "figures.parquet")
    schema = figures.schema
    assert str(schema.field("char_start").type) == "int64"
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("forecast").type) == "bool"
    assert (
        json.loads((REPO / "schemas" / "figures.json").read_text())["description"]
        == schema.metadata[b"description"].decode()
    )
    assert schema.field("char_start").metadata[b"unit"] == b"character"
    assert schema.field("quote").metadata[b"description"]
    events = pq.read_table(built / "events.parquet").schema
    assert str(events.field("date").type) == "date32[day]"
    assert str(events.field("kind").type).startswith("dictionary")
    assert pq.ParquetFile(built / "figures.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


def test_pandas_reads_the_right_dtypes_without_arguments(built):
    figures = pd.read_parquet(built / "figures.parquet")
    assert str(figures["char_start"].dtype) == "Int64"
    assert str(figures["forecast"].dtype) == "boolean"
    assert str(figures["value"].dtype) == "float64"
    events = pd.read_parquet(built / "events.parquet")
    assert isinstance(events["date"].iloc[0], dt.date)
    assert str(events["kind"].dtype) == "category"
    elements = pd.read_parquet(built / "elements.parquet")
    assert str(elements["entity_id"].dtype) in ("str", "string") and elements["entity_id"].isna().sum() == 10


def test_two_builds_are_byte_identical(tmp_path, built):
    """Every file: the tables, the descriptor, the SQLite database and its metadata, the citation, the zip."""
    again = tmp_path / "again"
    result = run_cli("build", "--out", again)  # another process, from the repository root
    assert result.code == 0, result.stderr
    assert {f"{BUILT_NAME}.sqlite", "metadata.json", "CITATION.cff"} <= {path.name for path in built.iterdir()}
    for path in built.iterdir():
        assert (again / BUILT_NAME / path.name).read_bytes() == path.read_bytes(), path.name
    assert (again / f"{BUILT_NAME}.zip").read_bytes() == (built.parent / f"{BUILT_NAME}.zip").read_bytes()


def test_invalid_package_builds_nothing(source, tables, tmp_path):
    figure = tables.read("figures")[3]
    tables.update("figures", "figure_id", figure["figure_id"], value="150")
    out = tmp_path / "out"
    result = cli("build", source / "datapackage", "--out", out)
    assert result.code == 1
    assert "unit-range" in result.stderr and "nothing was built" in result.stderr
    assert not (out / BUILT_NAME).exists() and not (out / f"{BUILT_NAME}.zip").exists()


def _bump(source: Path, version: str) -> None:
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version=version))
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace(CHANGELOG_HEADING, f"## [{version}] - 2026-12-01\n\n- A correction.\n\n{CHANGELOG_HEADING}", 1),
        encoding="utf-8",
    )


def test_versioning_refuses_changed_content_and_accepts_a_patch(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    first = {p.name: p.read_bytes() for p in (out / BUILT_NAME).iterdir()}

    figure = [r for r in tables.read("figures") if r["metric"] == "share_of_world_refining"][0]
    tables.update("figures", "figure_id", figure["figure_id"], note="Corrected note.")
    refused = cli("build", source / "datapackage", "--out", out)
    assert refused.code == 1 and "bump the version" in refused.stderr and "Traceback" not in refused.stderr
    assert {p.name: p.read_bytes() for p in (out / BUILT_NAME).iterdir()} == first

    _bump(source, NEXT_PATCH)
    accepted = cli("build", source / "datapackage", "--out", out)
    assert accepted.code == 0, accepted.stderr
    assert accepted.stdout.strip().endswith(f"{built_name(NEXT_PATCH)}/datapackage.json")

    result = redata.diff_packages(out / BUILT_NAME, out / built_name(NEXT_PATCH))
    changed = [t for t in result.tables if t.bump != "none"]
    assert [(t.table, t.added, t.removed, t.changed, t.bump) for t in changed] == [("figures", 0, 0, 1, "patch")]
    assert result.bump == "patch"
    shown = cli("diff", out / BUILT_NAME, out / built_name(NEXT_PATCH))
    assert shown.code == 0 and "required bump: patch" in shown.stdout and figure["figure_id"] in shown.stdout


def test_a_declared_bump_smaller_than_the_change_is_refused(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    rows = tables.read("qualifiers")
    rows.append(
        {
            **rows[0],
            "qualifier": "in the region of",
            "description": "Read as approximately.",
            "written_as": "in the region of",
        }
    )
    tables.write("qualifiers", rows)
    _bump(source, NEXT_PATCH)
    refused = cli("build", source / "datapackage", "--out", out)
    assert refused.code == 1 and "need a minor bump" in refused.stderr
    assert not (out / built_name(NEXT_PATCH)).exists()


def test_a_version_needs_a_changelog_entry(source, tmp_path):
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version=NEXT_PATCH))
    result = cli("build", source / "datapackage", "--out", tmp_path / "out")
    assert result.code == 1 and f"CHANGELOG.md has no entry for version {NEXT_PATCH}" in result.stderr


def test_rebuilding_the_same_content_changes_nothing(built):
    before = {p.name: p.stat().st_mtime_ns for p in built.iterdir()}
    result = cli("build", REPO / "datapackage", "--out", built.parent)
    assert result.code == 0
    assert {p.name: p.stat().st_mtime_ns for p in built.iterdir()} == before


def _note(tables, text: str) -> None:
    figure = tables.read("figures")[0]
    tables.update("figures", "figure_id", figure["figure_id"], note=text)


def test_a_pre_release_of_a_version_released_already_is_refused(source, tables, tmp_path):
    """Pre-release precedence is SemVer's: X.Y.Z-rc.1 comes before X.Y.Z, so it cannot follow it."""
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    _note(tables, "A later note.")
    _bump(source, PRERELEASE)
    refused = cli("build", source / "datapackage", "--out", out)
    assert refused.code == 1 and f"is a pre-release of {PACKAGE_VERSION}, which is released already" in refused.stderr


def test_build_metadata_makes_no_new_version(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    _note(tables, "Other content.")
    _bump(source, f"{PACKAGE_VERSION}+rebuilt")
    refused = cli("build", source / "datapackage", "--out", out)
    assert (
        refused.code == 1 and f"has the precedence of the built {PACKAGE_VERSION} but other content" in refused.stderr
    )
    assert not (out / f"{BUILT_NAME}+rebuilt").exists()


def test_a_pre_release_declares_its_bump_against_the_last_release(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    rows = tables.read("qualifiers")
    rows.append({**rows[0], "qualifier": "in the region of", "description": "Read as approximately."})
    tables.write("qualifiers", rows)
    _bump(source, NEXT_PATCH_PRERELEASE)
    refused = cli("build", source / "datapackage", "--out", out)
    assert refused.code == 1 and "need a minor bump" in refused.stderr
    _bump(source, NEXT_MINOR_PRERELEASE)
    assert cli("build", source / "datapackage", "--out", out).code == 0


def test_a_date_a_zip_cannot_carry_is_refused_with_nothing_published(source, tmp_path, monkeypatch):
    out = tmp_path / "out"
    for epoch, words in (("0", "is in 1970"), ("-99999999999999", "not a Unix timestamp"), ("later", "not a Unix")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        result = cli("build", source / "datapackage", "--out", out)
        assert result.code == 2 and words in result.stderr, result.stderr
        assert not (out / BUILT_NAME).exists()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace(f"{CHANGELOG_HEADING} - {RELEASE_DATE}", f"{CHANGELOG_HEADING} - 1979-12-31"), encoding="utf-8"
    )
    result = cli("build", source / "datapackage", "--out", out)
    assert result.code == 2 and "is in 1979" in result.stderr
