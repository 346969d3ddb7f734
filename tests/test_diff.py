"""`redata diff`: what changed between two releases, by primary key, and the bump it needs; a release that is
not intact (a file that is not the one its descriptor records, a path outside it) is refused in one line."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from conftest import cli, edit_json

import redata


def test_identical_releases_need_no_bump(built):
    result = redata.diff_packages(built, built)
    assert result.bump == "none" and all(t.bump == "none" for t in result.tables)


def test_a_release_and_the_source_it_was_built_from_differ_in_nothing(built, source):
    """The derived tables are the build's: the source package has none, and they are not counted removed."""
    assert "verdicts" in {t.table for t in redata.diff_packages(built, built).tables}
    for old, new in ((built, source / "datapackage"), (source / "datapackage", built)):
        result = redata.diff_packages(old, new)
        assert result.bump == "none" and "verdicts" not in {t.table for t in result.tables}


def test_diff_classifies_schema_changes(built, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(built, new)

    def drop_note(descriptor):
        for resource in descriptor["resources"]:
            if resource["name"] == "figures":
                resource["schema"]["fields"] = [f for f in resource["schema"]["fields"] if f["name"] != "note"]
                resource.pop("hash"), resource.pop("bytes"), resource.pop("parquet")

    edit_json(new / "datapackage.json", drop_note)
    pl.read_csv(new / "figures.csv", infer_schema=False).drop("note").write_csv(new / "figures.csv")
    result = redata.diff_packages(built, new)
    figures = [t for t in result.tables if t.table == "figures"][0]
    assert figures.schema_changes == ["field note removed"] and result.bump == "major"


def test_a_file_that_is_not_the_recorded_one_is_refused(built, tmp_path):
    swapped = tmp_path / "swapped"
    shutil.copytree(built, swapped)
    shutil.copy(swapped / "metrics.csv", swapped / "units.csv")
    result = cli("diff", built, swapped)
    assert result.code == 2 and "cannot be compared" in result.stderr and "units" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_path_outside_the_release_is_refused(built, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    edit_json(copy / "datapackage.json", lambda d: d["resources"][0].update(path="../../etc/passwd"))
    result = cli("diff", built, copy)
    assert result.code == 2 and "outside the package" in result.stderr


def test_repeated_keys_are_paired_in_order(built, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(built, new)
    path = new / "qualifiers.csv"
    header, first, *rest = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, first, first, *rest]) + "\n", encoding="utf-8")
    edit_json(new / "datapackage.json", lambda d: [(r.pop("hash", None), r.pop("bytes", None)) for r in d["resources"]])
    result = redata.diff_packages(built, new)
    qualifiers = [t for t in result.tables if t.table == "qualifiers"][0]
    assert (qualifiers.added, qualifiers.removed, qualifiers.changed) == (1, 0, 0)


SCHEMA_CHANGES = [
    ("value_low", {"type": "integer"}, "field value_low type number -> integer (narrowed)", "major"),
    ("char_start", {"type": "number"}, "field char_start type integer -> number (widened)", "minor"),
    ("quote", {"description": "The sentence, verbatim."}, "field quote description or constraints changed", "patch"),
]


@pytest.mark.parametrize(("field", "change", "said", "bump"), SCHEMA_CHANGES, ids=[c[0] for c in SCHEMA_CHANGES])
def test_a_field_retyped_or_redescribed_needs_its_bump(source, tmp_path, field, change, said, bump):
    new = tmp_path / "new"
    shutil.copytree(source, new)
    edit_json(
        new / "schemas" / "figures.json",
        lambda schema: next(f for f in schema["fields"] if f["name"] == field).update(change),
    )
    result = redata.diff_packages(source / "datapackage", new / "datapackage")
    [figures] = [t for t in result.tables if t.bump != "none"]
    assert (figures.table, figures.schema_changes, figures.bump, result.bump) == ("figures", [said], bump, bump)
