"""`redata release`: the version the changes since the last built release need, set in one place with a dated
changelog entry; a smaller level, an invalid package or no release to count from is refused."""

from __future__ import annotations

import json
import re

import pytest
from conftest import (
    CHANGELOG_HEADING,
    NEXT_MAJOR,
    NEXT_MINOR,
    NEXT_PATCH,
    PACKAGE_VERSION,
    RELEASE_DATE,
    edit_json,
    file_bytes,
    run_cli,
)

from redata.errors import CannotRun, Refused
from redata.release import changelog_with, release, release_date

DAY = "2026-12-05"


def _version(root) -> str:
    return json.loads((root / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))["version"]


def test_a_corrected_value_makes_a_patch_release_that_changes_only_the_version_and_the_changelog(source, tables, built):
    tables.update("figures", "figure_id", "s000-f04", note="A corrected note.")
    descriptor_before = json.loads((source / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    before = file_bytes(source)
    released = release("patch", source / "datapackage", built.parent, DAY)
    assert (released.previous, released.version, released.needed) == (PACKAGE_VERSION, NEXT_PATCH, "patch")
    after = file_bytes(source)
    assert sorted(name for name in before if before[name] != after[name]) == [
        "CHANGELOG.md",
        "datapackage/datapackage.json",
    ]
    assert json.loads(after["datapackage/datapackage.json"]) == {**descriptor_before, "version": NEXT_PATCH}
    changelog = after["CHANGELOG.md"].decode()
    entry = (
        f"## [{NEXT_PATCH}] - 2026-12-05\n\nThe changes since {PACKAGE_VERSION}, as `redata diff` counts them "
        "(a patch release):\n\n"
        f"- `figures`: 1 row changed (`s000-f04`)\n\n{CHANGELOG_HEADING} - {RELEASE_DATE}"
    )
    assert entry in changelog and changelog.startswith(before["CHANGELOG.md"].decode().split(CHANGELOG_HEADING)[0])


def test_rows_added_need_a_minor_release_and_a_patch_is_refused_with_the_changes(article_source, built):
    root = article_source
    from redata.accept import accept

    accept(root / "s004-proposals.csv", root / "datapackage")
    before = file_bytes(root)
    with pytest.raises(Refused, match="need a minor release, not a patch one") as refusal:
        release("patch", root / "datapackage", built.parent, DAY)
    assert "figures: 3 added, 0 removed, 0 changed (minor)" in refusal.value.details
    assert file_bytes(root) == before
    assert release("minor", root / "datapackage", built.parent, DAY).version == NEXT_MINOR
    # set again before it is built: the new level replaces the version and its entry
    again = release("major", root / "datapackage", built.parent, DAY)
    assert (again.version, again.replaced) == (NEXT_MAJOR, NEXT_MINOR)
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{NEXT_MINOR}]" not in changelog and changelog.count(f"## [{NEXT_MAJOR}] - 2026-12-05") == 1
    assert "- `figures`: 3 rows added (`s004-f01`, `s004-f02`, `s004-f03`)" in changelog
    assert _version(root) == NEXT_MAJOR


def test_nothing_to_release_an_invalid_package_or_an_older_version_is_refused(source, tables, built):
    dist = built.parent
    with pytest.raises(Refused, match=f"nothing changed since {re.escape(PACKAGE_VERSION)}"):
        release("minor", source / "datapackage", dist, DAY)
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version="0.9.0"))
    with pytest.raises(Refused, match=rf"holds version 0\.9\.0, older than the release {re.escape(PACKAGE_VERSION)}"):
        release("minor", source / "datapackage", dist, DAY)
    tables.update("figures", "figure_id", "s000-f04", unit="parsec")
    before = file_bytes(source)
    with pytest.raises(Refused, match="a release is made of a valid package"):
        release("minor", source / "datapackage", dist, DAY)
    assert file_bytes(source) == before


def test_with_no_release_built_it_cannot_run_and_the_command_says_so_with_exit_2(source, tmp_path):
    with pytest.raises(CannotRun, match="holds no built release of us-china-rare-earths"):
        release("minor", source / "datapackage", tmp_path / "empty", DAY)
    result = run_cli("release", "minor", "--dist", tmp_path / "empty", cwd=source)  # a real process's one line
    assert result.code == 2 and result.stderr.startswith("redata: error: ") and len(result.stderr.splitlines()) == 1


def test_a_refused_release_exits_1_with_one_line(source, built):
    result = run_cli("release", "patch", "--dist", built.parent, cwd=source)  # a real process's one line
    assert (
        result.code == 1
        and result.stderr.strip()
        == f"redata: refused: nothing changed since {PACKAGE_VERSION}; there is nothing to release"
    )


def test_the_date_is_the_one_given_else_source_date_epoch_else_today(monkeypatch):
    assert release_date("2026-01-31") == "2026-01-31"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796428800")
    assert release_date(None) == DAY
    for bad in ("2026-02-30", "31/01/2026", "2026-1-31"):
        with pytest.raises(CannotRun, match="--date"):
            release_date(bad)


def test_an_entry_goes_above_the_newest_and_one_for_the_same_version_is_refused():
    text = "# Changelog\n\nIntro.\n\n## [1.0.0] - 2026-11-22\n\n- First.\n"
    entry = "## [1.1.0] - 2026-12-05\n\n- Second.\n"
    assert changelog_with(text, None, "1.1.0", entry) == (
        "# Changelog\n\nIntro.\n\n## [1.1.0] - 2026-12-05\n\n- Second.\n\n## [1.0.0] - 2026-11-22\n\n- First.\n"
    )
    with pytest.raises(Refused, match="has an entry for 1.0.0 already"):
        changelog_with(text, None, "1.0.0", entry)
    assert changelog_with("# Changelog\n", None, "1.0.0", entry) == "# Changelog\n\n" + entry
