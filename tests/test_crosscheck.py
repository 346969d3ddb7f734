"""The cross-check: each figure a comparison rule covers gets a verdict against the reference values, with
both sides' numbers; shares are computed from printed values; changing a reference value or a figure flips
the verdict it should; a figure whose metric has no rule gets none; verdicts are warnings in the report
and a table of the built package."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import REFERENCES, REPO, Tables, cli, edit_json, errors_of

from redata import validate
from redata.checks.crosscheck import COLUMNS, period_bounds, verdicts
from redata.precision import implied_precision
from redata.rules import BY_NAME
from redata.validation import run

SHARE_COLUMNS = ("verdict", "reference_value", "reference_low", "reference_high", "reference_period")


def _verdicts(root) -> dict[str, dict]:
    _, context = run(root / "datapackage")
    return {row["figure_id"]: row for row in verdicts(context).iter_rows(named=True)}


@pytest.fixture(scope="module")
def real() -> dict[str, dict]:
    return _verdicts(REPO)


def test_the_mining_shares_are_judged_against_shares_computed_from_printed_values(real):
    china = 270000 / 390000 * 100  # mcs2025-ree-world-china-2024 over mcs2025-ree-world-world-total-2024
    us = 45000 / 390000 * 100
    assert real["s000-f04"]["verdict"] == "inconsistent"  # about 60%: 55 to 65
    assert real["s003-f03"]["verdict"] == "consistent"  # approximately 70 percent: 65 to 75
    assert real["s003-f06"]["verdict"] == "consistent"  # only 11 percent: 10.5 to 11.5, against 11.40 to 11.68
    assert real["s000-f04"]["reference_value"] == pytest.approx(china)
    assert real["s003-f06"]["reference_value"] == pytest.approx(us)
    # each printed number stands for what rounds to it: 270,000 for 267,500..272,500, 390,000 for 387,500..392,500
    assert real["s000-f04"]["reference_low"] == pytest.approx(267500 / 392500 * 100)
    assert real["s000-f04"]["reference_high"] == pytest.approx(272500 / 387500 * 100)
    assert (real["s000-f04"]["figure_low"], real["s000-f04"]["figure_high"]) == (55.0, 65.0)
    assert (real["s003-f06"]["figure_low"], real["s003-f06"]["figure_high"]) == (10.5, 11.5)
    assert real["s000-f04"]["reference_value_ids"] == "mcs2025-ree-world-china-2024;mcs2025-ree-world-world-total-2024"
    assert "Production quota; does not include undocumented production." in real["s000-f04"]["footnotes"]
    assert "'60' is read to the nearest 5" in real["s000-f04"]["tolerance"]


def test_a_present_tense_claim_is_compared_with_the_latest_year_before_publication(real):
    for figure_id in ("s000-f04", "s003-f03", "s003-f06"):
        assert real[figure_id]["reference_period"] == "2024"
        assert real[figure_id]["period_rule"].startswith("the latest reference period before the source's publication")
    assert "2025-05" in real["s000-f04"]["period_rule"] and "2025-06" in real["s003-f03"]["period_rule"]


def test_what_cannot_be_compared_says_why(real):
    assert real["s000-f05"]["verdict"] == real["s003-f04"]["verdict"] == "not_comparable"
    assert "a refining share has no mining reference" in real["s000-f05"]["reason"]
    assert "a refining share has no mining reference" in real["s003-f05"]["reason"]  # 'until 2023' as well
    magnets = real["s003-f17"]  # 200,000 tons of magnets, the world's
    assert magnets["verdict"] == "not_comparable" and "A magnet total is not an oxide total" in magnets["reason"]
    assert (magnets["reference_value"], magnets["reference_unit"], magnets["reference_period"]) == (
        390000.0,
        "t_reo",
        "2024",
    )
    assert real["s003-f16"]["verdict"] == "not_comparable"


def test_a_figure_whose_metric_has_no_rule_gets_no_verdict(real, source, tables):
    metrics = {row["figure_id"]: row["metric"] for row in Tables(REPO).read("figures")}
    ruled = {row["metric"] for row in Tables(REPO).read("reference_comparisons")}
    assert set(real) == {figure for figure, metric in metrics.items() if metric in ruled}
    assert "s003-f08" not in real  # EV production: the reference measures nothing like it
    tables.delete("reference_comparisons", "metric", "share_of_world_refining")
    after = _verdicts(source)
    assert set(real) - set(after) == {"s000-f05", "s003-f04", "s003-f05"}


def test_changing_a_reference_value_flips_the_verdicts_it_should(source, tables):
    # China at 234,000 of 390,000 is 60 percent: about 60% holds, approximately 70 percent does not
    tables.update("reference_values", "value_id", "mcs2025-ree-world-china-2024", as_printed="234,000", value="234000")
    after = _verdicts(source)
    assert (after["s000-f04"]["verdict"], after["s003-f03"]["verdict"]) == ("consistent", "inconsistent")
    assert after["s000-f04"]["reference_value"] == pytest.approx(60.0)
    assert after["s003-f06"]["verdict"] == "consistent"  # the US share does not read China's value


def test_changing_the_world_total_flips_the_us_share(source, tables):
    tables.update(
        "reference_values", "value_id", "mcs2025-ree-world-world-total-2024", as_printed="360,000", value="360000"
    )
    after = _verdicts(source)
    assert after["s003-f06"]["verdict"] == "inconsistent"  # 45,000 / 360,000 = 12.5 percent


def _rewrite(source, tables, source_id: str, old: str, new: str) -> None:
    """Change words of an archived article (same length) and its sha256, as a different article would read."""
    (row,) = [r for r in tables.read("sources") if r["source_id"] == source_id]
    path = source / "seeds" / row["file"]
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    tables.update("sources", "source_id", source_id, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def test_changing_a_figure_flips_its_verdict(source, tables):
    _rewrite(source, tables, "s000", "about 60%", "about 70%")
    (figure,) = [r for r in tables.read("figures") if r["figure_id"] == "s000-f04"]
    tables.update(
        "figures",
        "figure_id",
        "s000-f04",
        quote=figure["quote"].replace("about 60%", "about 70%"),
        as_written="about 70%",
        value="70",
    )
    report = validate(source / "datapackage")
    assert report.errors == []
    verdict = {p.value: p.rule for p in report.warnings if p.layer == "crosscheck"}
    assert verdict["s000-f04"] == "verdict-consistent"


def test_a_figure_of_a_year_the_reference_prints_is_compared_in_that_year(source, tables):
    tables.update("figures", "figure_id", "s003-f03", period="2023")
    after = _verdicts(source)["s003-f03"]
    assert (after["reference_period"], after["period_rule"]) == ("2023", "the figure's own period")
    assert after["reference_value"] == pytest.approx(255000 / 376000 * 100)


def test_a_figure_of_a_year_the_reference_does_not_print_is_not_comparable(source, tables):
    tables.update("figures", "figure_id", "s003-f03", period="2019")
    tables.update("figures", "figure_id", "s003-f06", period="")
    after = _verdicts(source)
    assert after["s003-f03"]["verdict"] == "not_comparable" and "2019" in after["s003-f03"]["reason"]
    assert after["s003-f06"]["verdict"] == "not_comparable" and "no period" in after["s003-f06"]["reason"]


def test_a_subject_the_reference_does_not_measure_is_not_comparable(source, tables):
    tables.update("figures", "figure_id", "s003-f06", subject_id="japan")
    after = _verdicts(source)["s003-f06"]
    assert after["verdict"] == "not_comparable"
    assert after["reason"] == "No reference value measures mine_production of japan."


def _production_figure(tables, subject_id: str, value: str, as_written: str) -> None:
    """s003-f17 made a mine production figure in REO equivalent (its words stay the magnets' own)."""
    tables.update(
        "figures",
        "figure_id",
        "s003-f17",
        metric="mine_production",
        unit="t_reo",
        subject_id=subject_id,
        period="2024",
        value=value,
        as_written=as_written,
    )


def test_a_quota_is_not_actual_production(source, tables):
    _production_figure(tables, "china", "200000", "200,000 tons")
    china = _verdicts(source)["s003-f17"]
    assert china["verdict"] == "not_comparable" and "a quota is not actual production" in china["reason"]
    assert "footnote 14" in china["reason"]


def test_a_production_figure_without_a_quota_is_compared(source, tables):
    _production_figure(tables, "united-states", "200000", "200,000 tons")
    us = _verdicts(source)["s003-f17"]
    assert (us["verdict"], us["reference_value"], us["figure_low"], us["figure_high"]) == (
        "inconsistent",
        45000.0,
        175000.0,
        225000.0,
    )


def test_nearly_reaches_below_its_number_only(source, tables):
    tables.update("figures", "figure_id", "s003-f03", qualifier="nearly")
    after = _verdicts(source)["s003-f03"]
    assert (after["figure_low"], after["figure_high"], after["verdict"]) == (65.0, 70.0, "consistent")


def test_a_qualifier_without_a_tolerance_cannot_be_evaluated(source, tables):
    tables.delete("qualifier_tolerances", "qualifier", "approximately")
    line = tables.line_of("figures", "figure_id", "s003-f03")
    assert errors_of(validate(source / "datapackage")) == [
        ("crosscheck", "figures", line, "value", "crosscheck-unevaluable")
    ]


def test_an_incomplete_rule_is_an_error(source, tables):
    line = tables.update("reference_comparisons", "metric", "share_of_world_mining", total_subject_id="")
    assert errors_of(validate(source / "datapackage")) == [
        ("crosscheck", "reference_comparisons", line, "comparison", "comparison-rule")
    ]


def test_rules_without_the_reference_values_are_an_error(source):
    edit_json(
        source / "datapackage" / "datapackage.json",
        lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "reference_values"]),
    )
    (problem,) = validate(source / "datapackage").errors
    assert (problem.layer, problem.table, problem.rule) == (
        "crosscheck",
        "reference_comparisons",
        "crosscheck-unevaluable",
    )
    assert "reference_values" in problem.message


def test_two_values_for_one_period_in_one_publication_cannot_be_told_apart(source, tables):
    rows = tables.read("reference_values")
    (china,) = [r for r in rows if r["value_id"] == "mcs2025-ree-world-china-2024"]
    rows.append({**china, "value_id": "mcs2025-ree-world-china-2024-again", "column_label": "2024 again"})
    tables.write("reference_values", rows)
    problems = [p for p in validate(source / "datapackage").errors if p.layer == "crosscheck"]
    assert {p.rule for p in problems} == {"crosscheck-unevaluable"}
    assert {p.value for p in problems} == {"s000-f04", "s003-f03"}


def test_verdicts_are_warnings_in_the_report_and_its_json(real):
    report = validate(REPO / "datapackage", REFERENCES)
    judged = {p.value: p for p in report.problems if p.layer == "crosscheck"}
    assert set(judged) == set(real) and all(p.severity == "warning" for p in judged.values())
    assert judged["s000-f04"].rule == "verdict-inconsistent" and judged["s000-f04"].message.startswith("inconsistent:")
    result = cli("validate", REPO / "datapackage", "--format", "json", "--references", REFERENCES)
    assert result.code == 0
    listed = [p for p in json.loads(result.stdout)["problems"] if p["layer"] == "crosscheck"]
    assert {p["value"] for p in listed} == set(real) and {p["severity"] for p in listed} == {"warning"}


def test_the_built_package_publishes_the_verdicts_as_a_table(built):
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in descriptor["resources"] if r["name"] == "verdicts"]
    assert [f["name"] for f in resource["schema"]["fields"]] == list(COLUMNS)
    table = pl.read_parquet(built / "verdicts.parquet")
    figures = pl.read_parquet(built / "figures.parquet")
    joined = table.join(figures, on="figure_id", how="inner")
    assert joined.height == table.height == len(_verdicts(REPO))
    assert table.filter(pl.col("figure_id") == "s000-f04").get_column("verdict").to_list() == ["inconsistent"]


def test_a_published_verdict_edited_by_hand_is_an_error(built, tmp_path):
    import shutil

    copy = tmp_path / "built"
    shutil.copytree(built, copy)
    path = copy / "verdicts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("s000-f04,inconsistent", "s000-f04,consistent"), encoding="utf-8")
    for resource in (descriptor := json.loads((copy / "datapackage.json").read_text()))["resources"]:
        if resource["name"] == "verdicts":  # the edit is declared, so that only the verdict itself is wrong
            resource["bytes"] = path.stat().st_size
            resource["hash"] = f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    errors = [(p.table, p.rule, p.value) for p in validate(copy / "datapackage.json").errors]
    assert ("verdicts", "verdicts-current", "s000-f04") in errors


def test_the_verdicts_schema_is_table_schema_2():
    import jsonschema
    from conftest import PROFILES

    from redata import schema as table_schema

    schema = json.loads((REPO / "schemas" / "derived" / "verdicts.json").read_text(encoding="utf-8"))
    profile = json.loads((PROFILES / "tableschema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(profile).iter_errors(schema)) == []
    others = {p.stem: json.loads(p.read_text()) for p in (REPO / "schemas").glob("*.json")}
    assert table_schema.schema_errors(schema, {**others, "verdicts": schema}) == []


def test_every_rule_the_new_layers_report_is_in_the_catalogue():
    from redata.checks import crosscheck, publications

    for module in (publications, crosscheck):
        text = Path(module.__file__).read_text(encoding="utf-8")
        registered = {name for name, rule in BY_NAME.items() if rule.layer == module.LAYER}
        named = set(re.findall(r'"((?:reference|verdicts?|comparison|crosscheck)-[a-z0-9-]+)"', text))
        assert named == registered, module.LAYER
    assert {r.layer for r in BY_NAME.values()} >= {"publications", "crosscheck"}
    assert {BY_NAME[rule].severity for rule in crosscheck.VERDICT_RULES.values()} == {"warning"}


@pytest.mark.parametrize(
    ("written", "value", "step"),
    [
        ("about 60%", 60, 5),
        ("only 11 percent", 11, 1),
        ("12.4 million EVs", 12_400_000, 100_000),
        ("200,000 tons", 200_000, 50_000),
        ("99.1%", 99.1, 0.1),
        ("approximately $11-$15 per kilogram", 11, 1),
        ("over half", 50, 1),
    ],
)
def test_the_precision_the_words_imply(written, value, step):
    assert implied_precision(written, value).step == pytest.approx(step)


def test_periods_are_read_as_the_days_they_cover():
    import datetime as dt

    assert period_bounds("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert period_bounds("2025-02") == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert period_bounds("../2023") == (dt.date.min, dt.date(2023, 12, 31))
    assert period_bounds("2020/..") == (dt.date(2020, 1, 1), dt.date.max)
