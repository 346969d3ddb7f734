"""`redata.load`: tables of a release as pandas frames, the newest release by default, nothing trusted."""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest
from conftest import cli, edit_json

import redata
from redata.errors import CannotRun


def rows(path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_load_reads_the_built_tables(built):
    figures = redata.load("figures", path=built.parent)
    assert len(figures) == rows(built / "figures.csv")
    assert str(figures["char_end"].dtype) == "Int64"
    pd.testing.assert_frame_equal(figures, redata.load("figures", path=built.parent, version="1.0.0"))
    assert set(redata.load_package(built)) == {p.stem for p in built.glob("*.parquet")}


def test_an_unknown_version_lists_the_versions_built(built):
    with pytest.raises(CannotRun, match="no built package of version 9.9.9; the versions built are: 1.0.0"):
        redata.load("figures", path=built.parent, version="9.9.9")


def _release(source, tables, out, version: str, note: str) -> None:
    figure = tables.read("figures")[0]
    tables.update("figures", "figure_id", figure["figure_id"], note=note)
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version=version))
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## [1.0.0]", f"## [{version}] - 2026-12-01\n\n- A note.\n\n## [1.0.0]", 1))
    assert cli("build", source / "datapackage", "--out", out).code == 0


def test_the_newest_release_is_loaded_and_a_pre_release_only_when_asked(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    _release(source, tables, out, "1.0.10", "Newer note.")
    _release(source, tables, out, "1.1.0-rc.1", "Candidate note.")
    first_id = tables.read("figures")[0]["figure_id"]

    def note(**options) -> str:
        figures = redata.load("figures", path=out, **options)
        return figures.loc[figures["figure_id"] == first_id, "note"].item()

    assert note() == "Newer note."  # 1.0.10 is newer than 1.0.9 would be: SemVer, not text order
    assert note(prereleases=True) == "Candidate note."
    assert note(version="1.0.0") not in ("Newer note.", "Candidate note.")


@pytest.mark.parametrize("damage", ["swapped", "corrupt"])
def test_a_parquet_file_that_is_not_the_recorded_one_is_one_line(built, tmp_path, damage):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    if damage == "swapped":
        shutil.copy(copy / "metrics.parquet", copy / "units.parquet")
    else:
        (copy / "units.parquet").write_bytes(b"PAR1" + b"\0" * 100)
    with pytest.raises(CannotRun, match="cannot be loaded: units:parquet.bytes: units.parquet has"):
        redata.load("units", path=copy)
