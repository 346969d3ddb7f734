"""`redata validate`: the real package is valid; each seeded defect is reported exactly, at its table, CSV line
and field, with nothing else; every problem has a message; the report's shapes are the documented ones."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import REFERENCES, REPO, Tables, cli, copy_source, problems_of
from defects import DEFECTS

from redata import validate
from redata.report import LAYERS


def test_the_real_package_is_valid_even_under_strict():
    report = validate(REPO / "datapackage", REFERENCES)
    assert report.errors == [], [p.message for p in report.errors]
    assert report.skipped == {}
    assert report.valid(strict=True)


def test_each_conflict_is_one_warning_naming_every_side_and_the_known_ones_are_acknowledged():
    report = validate(REPO / "datapackage")
    assert [(p.rule, p.value, p.acknowledged) for p in report.warnings if p.layer == "conflicts"] == [
        ("conflicting-values", "s000-f04, s003-f03", True),
        ("conflicting-values", "s003-f23, s003-f24", True),
    ]
    mining = [p for p in report.warnings if p.layer == "conflicts"][0].message
    assert "about 60%" in mining and "approximately 70 percent" in mining and "china-mining-share-2025" in mining


@pytest.fixture(scope="module")
def built_copy_source(built):
    return built


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.name)
def test_a_defect_is_reported_exactly(tmp_path, built, defect):
    if defect.on == "source":
        root = copy_source(tmp_path / "repo")
        package = root / "datapackage"
        tables = Tables(root)
    else:
        root = tmp_path / "built"
        shutil.copytree(built, root)
        package = root
        tables = None
    expected = defect.mutate(root, tables)
    references = {"shared": REFERENCES, "missing": tmp_path / "no-such-folder", "": None}[defect.references]
    report = validate(package, references)
    assert problems_of(report) == expected
    assert all(p.message for p in report.problems)


def test_texts_read_in_parts_and_quotes_checked_in_slices_give_the_same_report(tmp_path, monkeypatch):
    """At 1M rows the texts go into polars a few MB at a time, the quotes are checked a slice of rows at a time and
    the numbers are counted a batch of texts at a time: in parts of one text, slices of three rows and batches of
    one text, quotes moved in two texts and numbers of two texts unaccounted for are reported as in one piece."""
    from defects import quote_moved, update_figure

    from redata import archive
    from redata.checks import coverage, provenance

    root = copy_source(tmp_path / "repo")
    tables = Tables(root)
    expected = quote_moved(root, tables)  # a figure of the first text
    last = tables.read("figures")[-1]
    assert last["source_id"] != "s000"
    line = update_figure(tables, last, char_start=str(int(last["char_start"]) - 1))
    expected.add(("provenance", "figures", line, "quote", "quote-at-offsets"))
    for source_id in ("s000", last["source_id"]):  # a number of each text no longer accounted for
        excluded = next(
            r
            for r in tables.read("exclusions")
            if r["source_id"] == source_id and any(c.isdigit() for c in r["as_written"])
        )
        tables.delete("exclusions", "exclusion_id", excluded["exclusion_id"])
        expected.add(
            ("coverage", "sources", tables.line_of("sources", "source_id", source_id), "file", "number-accounted")
        )
    whole = validate(root / "datapackage", REFERENCES)
    monkeypatch.setattr(archive, "TEXTS_PER_PART", 1)
    monkeypatch.setattr(provenance, "ROWS_AT_A_TIME", 3)
    monkeypatch.setattr(coverage, "BATCH_CHARS", 1)
    sliced = validate(root / "datapackage", REFERENCES)
    assert expected <= problems_of(sliced) == problems_of(whole)
    assert [p.message for p in sliced.problems] == [p.message for p in whole.problems]


def test_the_command_prints_each_problem_on_a_located_line_and_exits_1(source, tables):
    figure = [r for r in tables.read("figures") if r["metric"] == "share_of_world_mining"][0]
    line = tables.update("figures", "figure_id", figure["figure_id"], value="150")
    result = cli("validate", source / "datapackage")
    assert result.code == 1
    assert f"figures:{line}:value" in result.stdout and "rule=unit-range" in result.stdout
    assert "rule=as-written-value" in result.stdout  # and 150 is not what its words say
    assert "2 error(s)" in result.stdout.splitlines()[-1]


def test_strict_fails_on_a_warning_nobody_acknowledged(source, tables):
    tables.delete("acknowledged_conflicts", "figure_id", "s000-f04")
    assert cli("validate", source / "datapackage").code == 0
    strict = cli("validate", source / "datapackage", "--strict")
    assert strict.code == 1 and "INVALID" in strict.stdout


def test_all_layers_run_in_one_pass(source, tables):
    from defects import dangling_entity, unaccounted_number, unit_range, version_not_semver

    expected = set()
    for defect in (unit_range, dangling_entity, unaccounted_number, version_not_semver):
        expected |= defect(source, tables)
    assert problems_of(validate(source / "datapackage")) == expected


def test_json_report_shape_is_the_one_readme_documents(source, tables):
    figure = [r for r in tables.read("figures") if r["metric"] == "share_of_world_mining"][0]
    tables.update("figures", "figure_id", figure["figure_id"], value="150")
    result = cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1
    report = json.loads(result.stdout)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### The JSON report", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    documented = json.loads(block)
    assert set(report) == set(documented) and report["format_version"] == documented["format_version"]
    assert report["valid"] is False and report["errors"] == 2
    for problem in report["problems"]:
        assert set(problem) == set(documented["problems"][0])
        assert problem["layer"] in LAYERS and problem["severity"] in ("error", "warning") and problem["message"]
    (error,) = [p for p in report["problems"] if p["severity"] == "error" and p["layer"] == "domain"]
    assert (error["table"], error["field"], error["rule"], error["value"]) == ("figures", "value", "unit-range", 150.0)


def test_a_count_of_the_rows_not_listed_follows_them():
    """In a report, a problem of a whole table comes before the table's rows, and a rule's count of the rows
    it did not list comes after the rows it listed, as its message ("like the above") says."""
    from redata.report import Problem, sorted_problems

    rows = [Problem("domain", "figures", line, "value", 1.0, "unit-range", "out of range") for line in (9, 3)]
    count = Problem(
        "domain", "figures", None, "value", None, "unit-range", "out of range: 5 more row(s) like the above"
    )
    whole = Problem("domain", "figures", None, None, None, "unit-base", "about the whole table")
    assert sorted_problems([count, rows[0], whole, rows[1]]) == [whole, rows[1], rows[0], count]


def test_a_problem_built_from_empty_cells_still_says_what_failed():
    from redata.report import Problem

    assert Problem("domain", "figures", 3, "value", None, "unit-range", "").message
    assert Problem("domain", "figures", 3, "value", None, "no-such-rule", "").message
