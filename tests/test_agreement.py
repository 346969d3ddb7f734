"""The agreement layer: the real package agrees with its words; each planted slip fails with its row, field
and a message naming both sides; words the reader cannot read are an error of their own; and the bulk
reading of figures gives the verdicts of the plain per-row reading."""

from __future__ import annotations

import random

import polars as pl
import pytest
from conftest import REPO, Tables

from redata import validate
from redata.checks import ROW
from redata.checks.agreement import figure_verdicts
from redata.findings import event_findings, figure_findings, period_findings
from redata.quantities import Reader
from redata.shapes import cut

READER = Reader.from_package(REPO / "datapackage")


def agreement_errors(source) -> set[tuple]:
    report = validate(source / "datapackage")
    return {(p.table, p.row, p.field, p.rule, p.message) for p in report.errors if p.layer == "agreement"}


def test_the_real_package_agrees_with_its_words():
    report = validate(REPO / "datapackage")
    assert [p for p in report.problems if p.layer == "agreement"] == []


def test_every_figure_event_and_period_is_read():
    """No row passes for want of a reading: each figure reads as one quantity, each event as one date, and
    the periods whose words give a date are compared."""
    tables = Tables(REPO)
    assert all(figure_findings(READER, _typed(row)) == [] for row in tables.read("figures"))
    compared = [row for row in tables.read("figures") if READER.read(row["period_as_written"] or "")]
    assert len(compared) >= 15
    assert all(period_findings(READER, row) == [] for row in compared)
    for row in tables.read("events"):
        assert event_findings(READER, {**row, "date": _date(row["date"])}) == []


def _typed(row: dict) -> dict:
    numbers = {f: float(row[f]) if row[f] else None for f in ("value", "value_low", "value_high")}
    texts = {f: row[f] or None for f in ("qualifier", "unit_in_words")}
    return {**row, **numbers, **texts}


def _date(text: str):
    import datetime

    return datetime.date.fromisoformat(text)


SLIPS = {
    "value ×10": (
        "s003-f17",
        {"value": "2000000"},
        "value",
        "as-written-value",
        "as_written '200,000 tons' reads value 200000 t; the row says value 2000000 t",
    ),
    "value ×1000": (
        "s003-f18",
        {"value": "439000000000"},
        "value",
        "as-written-value",
        "as_written '$439 million' reads value 439000000 USD; the row says value 439000000000 USD",
    ),
    "a scale word ignored": (
        "s003-f23",
        {"value": "7.55"},
        "value",
        "as-written-value",
        "as_written '$7.55 billion' reads value 7550000000 USD; the row says value 7.55 USD",
    ),
    "a range's ends swapped": (
        "s003-f21",
        {"value_low": "15", "value_high": "11"},
        "value_low",
        "as-written-value",
        "as_written 'approximately $11-$15 per kilogram' reads value_low 11, value_high 15 USD/kg; "
        "the row says value_low 15, value_high 11 USD/kg",
    ),
    "a range's end changed": (
        "s003-f22",
        {"value_high": "45"},
        "value_high",
        "as-written-value",
        "as_written 'around $35-$40 per kilogram' reads value_low 35, value_high 40 USD/kg; "
        "the row says value_low 35, value_high 45 USD/kg",
    ),
    "a bound on the wrong side": (
        "s003-f07",
        {"value_low": "", "value_high": "70"},
        "value_low",
        "as-written-value",
        "as_written 'over 70 percent' reads value_low 70 percent; the row says value_high 70 percent",
    ),
    "a unit of the wrong scale": (
        "s003-f14",
        {"unit": "kg"},
        "unit",
        "as-written-unit",
        "as_written '550 grams' reads value 550 g; the row says value 550 kg",
    ),
    "a value in another unit of the right dimension": (
        "s003-f15",
        {"unit": "kg", "value": "3"},
        "value",
        "as-written-value",
        "as_written '300 grams' reads value 300 g (value 0.3 kg); the row says value 3 kg",
    ),
    "a unit of another dimension": (
        "s000-f11",
        {"unit": "day"},
        "unit",
        "as-written-unit",
        "as_written 'an average of 18 years' reads value 18 year; the row says value 18 day",
    ),
    "a qualifier the words do not have": (
        "s003-f20",
        {"qualifier": "about"},
        "qualifier",
        "as-written-qualifier",
        "as_written '25 percent' has no qualifier; the row says 'about'",
    ),
    "a qualifier missing": (
        "s000-f04",
        {"qualifier": ""},
        "qualifier",
        "as-written-qualifier",
        "as_written 'about 60%' has the qualifier 'about'; the row says none",
    ),
    "another qualifier than the words'": (
        "s003-f16",
        {"qualifier": "nearly"},
        "qualifier",
        "as-written-qualifier",
        "as_written 'around 90 percent' has the qualifier 'around'; the row says 'nearly'",
    ),
    "a recorded choice of unit taken away": (
        "s000-f03",
        {"unit_in_words": ""},
        "unit",
        "as-written-unit",
        "as_written '115%' reads value 115 percent; the row's unit 'percentage_point' does not convert to it",
    ),
    "a period the words do not give": (
        "s003-f05",
        {"period": "../2024"},
        "period",
        "period-as-written",
        "period_as_written 'until 2023' reads '2023'; the row's period ../2024 neither starts nor ends then",
    ),
}


@pytest.mark.parametrize("name", list(SLIPS))
def test_a_planted_slip_fails_with_its_row_field_and_message(source, tables, name):
    figure_id, changes, field, rule, message = SLIPS[name]
    line = tables.update("figures", "figure_id", figure_id, **changes)
    assert agreement_errors(source) == {("figures", line, field, rule, message)}


EVENT_SLIPS = {
    "a day changed": (
        "s000-e04",
        {"date": "2025-04-17"},
        {("date", "date-as-written", "date_as_written 'April 16' reads month 4, day 16; the row's date is 2025-04-17")},
    ),
    "a precision finer than the words": (
        "s000-e11",
        {"date_precision": "day"},
        {
            (
                "date_precision",
                "date-as-written",
                "date_as_written 'January 2025' gives the month; the row's date_precision is day",
            )
        },
    ),
    "a year resolved without saying how": (
        "s000-e10",
        {"date_resolution": ""},
        {
            (
                "date_resolution",
                "date-resolved",
                "date_as_written 'May 9' gives no year; date_resolution must say how the date was resolved",
            )
        },
    ),
    "words that are no date": (
        "s000-e10",
        {"date_as_written": "field meeting"},
        {
            (
                "date_as_written",
                "date-as-written-unevaluable",
                "date_as_written 'field meeting' cannot be evaluated: the reader finds no date in it",
            )
        },
    ),
}


@pytest.mark.parametrize("name", list(EVENT_SLIPS))
def test_an_event_date_that_is_not_its_words_fails(source, tables, name):
    event_id, changes, expected = EVENT_SLIPS[name]
    line = tables.update("events", "event_id", event_id, **changes)
    errors = {e for e in agreement_errors(source)}
    assert errors == {("events", line, field, rule, message) for field, rule, message in expected}


@pytest.mark.parametrize(
    "as_written, why",
    [
        ("percent", "the reader finds no quantity in it (no number)"),
        ("25 percent or 26 percent", "it holds 2 quantities ('25 percent', '26 percent'); a figure records one"),
        ("25 percent in 2024 and 2025 and 2026 and 2027", "it holds 5 numerals; a figure's words hold at most 4"),
        ("25 parsecs per fortnight", "no unit is written 'fortnight' in the units vocabulary"),
    ],
)
def test_words_the_reader_cannot_read_are_an_error_not_a_pass(source, tables, as_written, why):
    """A figure whose as_written cannot be read as one quantity in known words cannot be evaluated: an
    error naming the reason (the provenance layer reports the words missing from the quote besides)."""
    line = tables.update("figures", "figure_id", "s003-f20", as_written=as_written)
    expected = f"as_written {as_written!r} cannot be evaluated: {why}"
    assert agreement_errors(source) == {("figures", line, "as_written", "as-written-value-unevaluable", expected)}


def test_a_spelling_removed_from_the_vocabulary_changes_the_reading(source, tables):
    """Words are data: without `tons` among the spellings of `t`, `200,000 tons` counts things called tons."""
    units = tables.read("units")
    tonne = next(row for row in units if row["unit_id"] == "t")
    tonne["written_after"] = tonne["written_after"].replace(";ton;tons", "")
    tables.write("units", units)
    line = tables.line_of("figures", "figure_id", "s003-f17")
    message = "as_written '200,000 tons' reads value 200000 count; the row's unit 't' does not convert to it"
    assert agreement_errors(source) == {("figures", line, "unit", "as-written-unit", message)}


def test_a_missing_vocabulary_fails_closed(source):
    """Without its number words the reader cannot read: the layer and coverage report that, not a pass."""
    from conftest import edit_json

    edit_json(
        source / "datapackage" / "datapackage.json",
        lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "number_words"]),
    )
    report = validate(source / "datapackage")
    rules = {(p.layer, p.rule) for p in report.errors}
    assert ("agreement", "agreement-unevaluable") in rules
    assert "coverage" in report.skipped or ("coverage", "number-accounted-unevaluable") in rules


# ---------------------------------------------------------------------- the bulk path and the plain one


def _figures_frame() -> pl.DataFrame:
    from redata.checks import ROW

    numbers = ("value", "value_low", "value_high")
    return (
        pl.read_csv(REPO / "datapackage" / "figures.csv", infer_schema_length=0)
        .with_columns(pl.col(numbers).cast(pl.Float64))
        .with_row_index(ROW)
    )


def _plain(frame: pl.DataFrame) -> set[tuple]:
    return {(row[ROW], f.rule, f.field) for row in frame.to_dicts() for f in figure_findings(READER, row)}


def _bulk(frame: pl.DataFrame) -> set[tuple]:
    return set(figure_verdicts(frame, READER).iter_rows())


def test_bulk_and_plain_verdicts_on_the_real_package():
    frame = _figures_frame()
    assert _bulk(frame) == _plain(frame) == set()


MUTATIONS = [
    lambda row, rng, rows: {"value": row["value"] and row["value"] * rng.choice([10, 1000, 0.001, 1.0000001, 1])},
    lambda row, rng, rows: {"value_low": row["value_high"], "value_high": row["value_low"]},
    lambda row, rng, rows: {"unit": rng.choice(["g", "kg", "t", "percent", "count", "USD", "day", "year", "fraction"])},
    lambda row, rng, rows: {"qualifier": rng.choice([None, "about", "over", "within", "nearly", "or more"])},
    lambda row, rng, rows: {"unit_in_words": rng.choice([None, "percent", "g", "count"])},
    lambda row, rng, rows: {"as_written": rng.choice(rows)["as_written"]},
    lambda row, rng, rows: {"as_written": rng.choice(WRITTEN)},
    lambda row, rng, rows: {"value": rng.choice([None, 0.5, 50, 2024, 12400000]), "value_low": None},
]
WRITTEN = [
    "2015 vehicles",
    "in 2024",
    "between 35 and 40 percent",
    "$15-$11 per kilogram",
    "14270,000 tons",
    "F-35",
    "the 12th",
    "1.2.3 percent",
    "over half",
    "two-thirds",
    "12 hours ago",
    "x\ue000 percent",
    "é\ue0ff 5 percent",
    "1 2 3 4 5",
    "3 to 4 million EVs",
    "500,000 to 1 million EVs",
    "$5m",
    "-3.2%",
    "10% a year",
    "$3 per gallon",
    "",
]


def test_bulk_and_plain_verdicts_agree_on_random_mutations():
    """Every row mutated at random, many times over: the bulk verdicts must be the plain ones, row by row."""
    rng = random.Random(20250612)
    frame = _figures_frame()
    rows = frame.to_dicts()
    for _ in range(40):
        mutated = []
        for row in rows:
            changed = dict(row)
            for _ in range(rng.randint(0, 2)):
                changed.update(rng.choice(MUTATIONS)(changed, rng, rows))
            mutated.append(changed)
        table = pl.DataFrame(mutated, schema=frame.schema).with_columns(
            pl.when(pl.col("as_written") == "").then(None).otherwise(pl.col("as_written")).alias("as_written")
        )
        bulk, plain = _bulk(table), _plain(table.filter(pl.col("as_written").is_not_null()))
        assert bulk == plain
    assert plain  # the mutations bite


def test_figures_compared_in_batches_give_the_verdicts_of_one_batch(monkeypatch):
    """Batches share what they read of each shape; verdicts must not depend on where a batch ends."""
    from redata.checks import agreement

    rng = random.Random(3)
    frame = _figures_frame()
    rows = [dict(row, value=row["value"] and row["value"] * rng.choice([1, 10])) for row in frame.to_dicts()]
    table = pl.DataFrame(rows, schema=frame.schema)
    whole = _bulk(table)
    monkeypatch.setattr(agreement, "BATCH_ROWS", 7)
    assert _bulk(table) == whole == _plain(table) and whole


def test_a_million_figures_read_through_a_few_shapes():
    """The synthetic benchmark's texts (`47.3 percent`, `8123456 vehicles`, `2015 vehicles`) are a handful of
    shapes; the verdicts hold for their values, and a slip among them is found."""
    from redata.checks import ROW

    rng = random.Random(7)
    count = 20000
    written, values, units = [], [], []
    for index in range(count):
        if index % 2:
            number = rng.randrange(0, 10_000_000)
            written.append(f"{number} vehicles")
            values.append(float(number))
            units.append("count")
        else:
            share = round(rng.uniform(0, 100), 1)
            written.append(f"{share} percent")
            values.append(share)
            units.append("percent")
    values[1234] *= 10
    frame = pl.DataFrame(
        {
            ROW: pl.Series(range(count), dtype=pl.UInt32),
            "as_written": written,
            "value": values,
            "value_low": [None] * count,
            "value_high": [None] * count,
            "unit": units,
            "qualifier": pl.Series([None] * count, dtype=pl.String),
        },
        schema_overrides={"value_low": pl.Float64, "value_high": pl.Float64},
    )
    assert _bulk(frame) == {(1234, "as-written-value", "value")} == _plain(frame)
    cuts = cut(frame.get_column("as_written"))
    assert cuts.get_column("_cut").null_count() == 0  # every row went the bulk way
    assert cuts.select("_cut", "_key").unique().height <= 6
