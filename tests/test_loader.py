"""`redata.load` and `load_package` wherever the data is: a release folder, a release zip, REDATA_PACKAGE,
any working directory; versions chosen by SemVer precedence; files checked against the descriptor."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import semver
from conftest import (
    AFTER_NEXT_MINOR_PRERELEASE,
    BUILT_NAME,
    CHANGELOG_HEADING,
    NEXT_MINOR,
    PACKAGE_VERSION,
    built_name,
    cli,
    edit_json,
)

import redata
from redata import loader
from redata.errors import CannotRun


def release_copy(built: Path, folder: Path, version: str) -> Path:
    """A copy of the built release that says it is `version` (its files unchanged)."""
    copy = folder / built_name(version)
    shutil.copytree(built, copy)
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = version
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return copy


def test_a_release_zip_loads_like_its_folder(built):
    from_folder = redata.load_package(built)
    from_zip = redata.load_package(built.parent / f"{BUILT_NAME}.zip")
    assert set(from_folder) == set(from_zip)
    for name in from_folder:
        pd.testing.assert_frame_equal(from_folder[name], from_zip[name])
    assert str(from_zip["figures"]["char_start"].dtype) == "Int64"


def test_the_environment_variable_and_any_working_directory(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no dist/ here
    monkeypatch.setenv("REDATA_PACKAGE", str(built.parent / f"{BUILT_NAME}.zip"))
    assert len(redata.load("figures")) == 40
    monkeypatch.setenv("REDATA_PACKAGE", str(built.parent))
    assert len(redata.load("figures")) == 40
    monkeypatch.setenv("REDATA_PACKAGE", str(tmp_path / "nowhere"))
    with pytest.raises(CannotRun, match="REDATA_PACKAGE=.*nowhere: no such file or folder"):
        redata.load("figures")


def test_without_a_path_the_source_trees_dist_is_found(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDATA_PACKAGE", raising=False)
    monkeypatch.setattr(loader, "SOURCE_TREE_DIST", built.parent)
    assert len(redata.load("entities")) > 0
    monkeypatch.setattr(loader, "SOURCE_TREE_DIST", tmp_path / "missing")
    with pytest.raises(CannotRun, match="no release found: pass a path, set REDATA_PACKAGE"):
        redata.load("entities")


def test_versions_newest_release_and_pre_releases(built, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    release_copy(built, dist, "1.0.0")
    release_copy(built, dist, "1.2.0-rc.1")
    release_copy(built, dist, "1.1.0")
    (dist / "notes").mkdir()  # not a release: ignored
    assert loader.find_release(dist).name == built_name("1.1.0")
    assert loader.find_release(dist, prerelease=True).name == built_name("1.2.0-rc.1")
    assert loader.find_release(dist, "1.2.0-rc.1").name == built_name("1.2.0-rc.1")
    with pytest.raises(
        CannotRun, match=r"no release of version 2\.0\.0; versions there: 1\.0\.0, 1\.1\.0, 1\.2\.0-rc\.1"
    ):
        redata.load("figures", dist, version="2.0.0")
    assert len(redata.load("figures", dist, version="1.0.0")) == 40


def test_only_pre_releases_are_not_picked_unasked(built, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    release_copy(built, dist, "2.0.0-beta")
    with pytest.raises(CannotRun, match="only pre-releases there"):
        loader.find_release(dist)
    assert loader.find_release(dist, prerelease=True).name.endswith("2.0.0-beta")


def test_semver_precedence():
    from redata import versions

    ordered = ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11",
               "1.0.0-rc.1", "1.0.0", "1.0.10", "1.10.0"]  # fmt: skip
    assert sorted(reversed(ordered), key=versions.parse) == ordered
    assert versions.parse("1.0.0+a") == versions.parse("1.0.0+b")  # build metadata has no precedence


def test_labels_returns_the_labelled_view(built):
    figures = redata.load("figures", built, labels=True)
    china = figures[(figures["metric"] == "share_of_world_mining") & (figures["subject_id"] == "china")]
    assert sorted(zip(china["source_id"], china["source_publisher"].fillna("—"), china["value"], strict=True)) == [
        ("s000", "—", 60.0),
        ("s003", "TRT World", 70.0),
    ]
    assert set(china["subject_name"]) == {"China"}
    tables = redata.load_package(built, labels=True)
    assert "speaker_name" in tables["statements"] and list(tables["sources"].columns) == list(
        redata.load("sources", built).columns
    )


def test_a_file_that_does_not_match_its_descriptor_is_refused(built, tmp_path):
    copy = release_copy(built, tmp_path, PACKAGE_VERSION)
    parquet = copy / "figures.parquet"
    data = bytearray(parquet.read_bytes())
    data[100] ^= 0xFF
    parquet.write_bytes(bytes(data))
    with pytest.raises(CannotRun, match="the sha256 of the Parquet file of table figures does not match"):
        redata.load("figures", copy)
    assert len(redata.load("entities", copy)) > 0


def test_paths_that_leave_the_release_are_refused(built, tmp_path):
    copy = release_copy(built, tmp_path, PACKAGE_VERSION)
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["parquet"]["path"] = "../secret.parquet"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(CannotRun, match="outside the package"):
        redata.load(descriptor["resources"][0]["name"], copy)
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(copy.iterdir()):
            handle.write(path, f"release/{path.name}")
    with pytest.raises(CannotRun, match="not a plain relative path"):
        redata.load(descriptor["resources"][0]["name"], archive)


def test_a_damaged_zip_is_a_clear_error(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CannotRun, match="not a readable zip"):
        redata.load("figures", archive)


def test_an_unknown_table_lists_the_tables(built):
    with pytest.raises(CannotRun, match="no table 'figure'; tables are: sources, units"):
        redata.load("figure", built)


def _release(source, tables, out, version: str, note: str) -> None:
    figure = tables.read("figures")[0]
    tables.update("figures", "figure_id", figure["figure_id"], note=note)
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version=version))
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace(CHANGELOG_HEADING, f"## [{version}] - 2026-12-01\n\n- A note.\n\n{CHANGELOG_HEADING}", 1)
    )
    assert cli("build", source / "datapackage", "--out", out).code == 0


def test_the_newest_release_is_loaded_and_a_pre_release_only_when_asked(source, tables, tmp_path):
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    minor = semver.Version.parse(NEXT_MINOR)
    _release(source, tables, out, str(minor.replace(patch=9)), "Older note.")
    _release(source, tables, out, str(minor.replace(patch=10)), "Newer note.")
    _release(source, tables, out, AFTER_NEXT_MINOR_PRERELEASE, "Candidate note.")
    first_id = tables.read("figures")[0]["figure_id"]

    def note(**options) -> str:
        figures = redata.load("figures", path=out, **options)
        return figures.loc[figures["figure_id"] == first_id, "note"].item()

    assert note() == "Newer note."  # X.Y.10 is newer than X.Y.9: SemVer, not text order
    assert note(prerelease=True) == "Candidate note."
    assert note(version=PACKAGE_VERSION) not in ("Older note.", "Newer note.", "Candidate note.")


@pytest.mark.parametrize("damage", ["swapped", "corrupt"])
def test_a_parquet_file_that_is_not_the_recorded_one_is_one_line(built, tmp_path, damage):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    if damage == "swapped":
        shutil.copy(copy / "metrics.parquet", copy / "units.parquet")
    else:
        (copy / "units.parquet").write_bytes(b"PAR1" + b"\0" * 100)
    with pytest.raises(CannotRun, match="the Parquet file of table units has [0-9]+ bytes, the descriptor says"):
        redata.load("units", path=copy)


def _zipped(members: dict[str, str]):
    """A release zip holding these files (name -> text)."""

    def make(built: Path, folder: Path) -> Path:
        path = folder / "release.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in members.items():
                archive.writestr(name, text)
        return path

    return make


def _built_copy(change):
    """A copy of the built release whose descriptor's text is `change`d."""

    def make(built: Path, folder: Path) -> Path:
        copy = folder / BUILT_NAME
        shutil.copytree(built, copy)
        descriptor = copy / "datapackage.json"
        descriptor.write_text(change(descriptor.read_text(encoding="utf-8")), encoding="utf-8")
        return copy

    return make


def _in_figures(change):
    """The descriptor's text with its figures resource `change`d."""

    def edit(text: str) -> str:
        descriptor = json.loads(text)
        change(next(r for r in descriptor["resources"] if r["name"] == "figures"))
        return json.dumps(descriptor)

    return edit


def _text_file(built: Path, folder: Path) -> Path:
    path = folder / "notes.txt"
    path.write_text("not a release", encoding="utf-8")
    return path


MALFORMED = {
    "a schema not inline": (
        _built_copy(_in_figures(lambda r: r.update(schema="figures.json"))),
        r"not a release \(its Table Schemas are not inline",
    ),
    "a table without Parquet": (
        _built_copy(_in_figures(lambda r: r.pop("parquet"))),
        r"table 'figures' has no Parquet file",
    ),
    "a descriptor that is no object": (_built_copy(lambda text: "[1]"), r"descriptor must be a JSON object"),
    "a file that is no release": (_text_file, r"neither a datapackage\.json nor a release zip"),
    "a zip of two folders": (
        _zipped({"a/datapackage.json": "{}", "b/datapackage.json": "{}"}),
        r"a release zip holds one folder, this one holds 2 entries at its top",
    ),
    "a zip whose descriptor is not JSON": (_zipped({"a/datapackage.json": "{"}), r"its datapackage\.json is not JSON"),
    "a zip whose descriptor is no object": (
        _zipped({"a/datapackage.json": "[]"}),
        r"its datapackage\.json must be a JSON object",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_release_is_refused_in_one_line_saying_what_is_wrong(built, tmp_path, case):
    make, says = MALFORMED[case]
    path = make(built, tmp_path)
    with pytest.raises(CannotRun, match=says) as refused:
        redata.load("figures", path)
    assert "\n" not in str(refused.value)


def test_a_zip_member_larger_than_the_limit_is_refused_before_it_is_inflated(built, monkeypatch):
    monkeypatch.setattr(loader, "MAX_MEMBER_BYTES", 100)  # the descriptor is larger: the limit itself is not tested
    with pytest.raises(CannotRun, match=r"datapackage\.json would inflate to \d+ bytes; refused"):
        redata.load("figures", built.parent / f"{BUILT_NAME}.zip")
