"""`redata accept`: the kept rows of a proposals file merged into the tables with ids and references settled,
or, on any error, nothing at all."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Tables, cli, file_bytes

from redata.accept import accept
from redata.errors import Refused
from redata.validation import validate

PROPOSALS = "s004-proposals.csv"
TARGETS = ("figures", "entities", "mentions", "events", "statements", "relations", "exclusions")


def edit_proposals(path: Path, change) -> None:
    """Rewrite a proposals file as a spreadsheet saves it, `change` editing its rows (dicts by column) in place."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    change(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def keep_only(*kept: str):
    def change(rows: list[dict]) -> None:
        for row in rows:
            row["keep"] = "yes" if row["proposal_id"] in kept else ""

    return change


def by_id(rows: list[dict], proposal_id: str) -> dict:
    return next(row for row in rows if row["proposal_id"] == proposal_id)


def test_the_kept_rows_are_appended_with_ids_in_text_order_and_references_settled(article_source):
    root = article_source
    before = {table: (root / "datapackage" / f"{table}.csv").read_bytes() for table in TARGETS}
    edit_proposals(root / PROPOSALS, lambda rows: rows.reverse())  # ids follow the text, not the file
    result = accept(root / PROPOSALS, root / "datapackage")
    assert result.added == {
        "figures": ["s004-f01", "s004-f02", "s004-f03"],
        "entities": ["volta-motors", "maria-lopez"],  # in the file's order: they have no offsets
        "mentions": ["australia/s004", "maria-lopez/s004", "volta-motors/s004"],  # in text order
        "events": ["s004-e01"],
        "statements": ["s004-q01"],
        "relations": ["s004-r01"],
    }
    assert result.not_kept == ["P12"] and result.remaining == 0
    for table, old in before.items():
        assert (root / "datapackage" / f"{table}.csv").read_bytes().startswith(old), table
    tables = Tables(root)
    figures = {row["figure_id"]: row for row in tables.read("figures") if row["source_id"] == "s004"}
    assert figures["s004-f01"]["as_written"] == "$55-$70 per kilogram"
    assert [figures[f"s004-f0{n}"]["as_written"] for n in (2, 3)] == ["about 12 percent", "3.5 million"]
    assert tables.read("statements")[-1]["speaker_id"] == "maria-lopez"
    relation = tables.read("relations")[-1]
    assert (relation["subject_id"], relation["object_id"]) == ("maria-lopez", "volta-motors")
    assert (root / "datapackage" / "exclusions.csv").read_bytes() == before["exclusions"]  # nothing proposed for it
    assert validate(root / "datapackage").valid()


def test_one_bad_kept_row_refuses_them_all_and_says_which(article_source):
    root = article_source

    def break_three(rows):
        by_id(rows, "P2")["unit"] = "percentt"
        by_id(rows, "P10")["date"] = "2025-14-03"
        by_id(rows, "P4")["note"] = '=HYPERLINK("http://example.com")'  # a formula, for whoever opens the table

    edit_proposals(root / PROPOSALS, break_three)
    before = file_bytes(root)
    with pytest.raises(Refused, match=r"would leave \d+ error") as refusal:
        accept(root / PROPOSALS, root / "datapackage")
    assert file_bytes(root) == before
    # every error is said of one of the three broken rows (an unknown unit fails every layer that reads units)
    assert {line.split(" (", 1)[1].split(")")[0] for line in refusal.value.details} == {
        "P2, figures",
        "P10, events",
        "P4, entities",
    }
    details = "\n".join(refusal.value.details)
    assert f"{root / PROPOSALS}:5 (P2, figures): unit:" in details
    assert f"{root / PROPOSALS}:14 (P10, events): date: not a calendar date" in details
    assert f"{root / PROPOSALS}:8 (P4, entities): note:" in details and "formula" in details


def test_references_that_cannot_be_settled_are_refused_before_anything_is_written(article_source):
    root = article_source

    def break_references(rows):
        by_id(rows, "P6")["entity_id"] = "P12"  # not kept
        by_id(rows, "P9")["speaker_id"] = "P99"  # not in the file
        by_id(rows, "P11")["object_id"] = "P1"  # a figure, where an entity is needed
        by_id(rows, "P10")["event_id"] = "s004-e07"  # accept assigns it

    edit_proposals(root / PROPOSALS, break_references)
    before = file_bytes(root)
    with pytest.raises(Refused, match="4 problem") as refusal:
        accept(root / PROPOSALS, root / "datapackage")
    assert file_bytes(root) == before
    assert sorted(line.split(": ", 1)[1] for line in refusal.value.details) == [
        "entity_id refers to P12, which is not kept",
        "event_id is assigned by accept; leave its cell empty",
        "object_id refers to P1, a row of figures, not of entities",
        "speaker_id refers to P99, which the file does not hold",
    ]


def test_a_quote_shortened_in_review_is_moved_to_its_only_occurrence_and_a_given_entity_id_is_kept(article_source):
    root = article_source

    def review(rows):
        by_id(rows, "P9")["quote"] = "cannot wait for new mines"  # the offsets still fit the longer quote
        by_id(rows, "P5")["entity_id"] = "volta-motors-group"

    edit_proposals(root / PROPOSALS, review)
    result = accept(root / PROPOSALS, root / "datapackage")
    assert any(
        "(P9, statements): quote moved to its only occurrence [316:341] (was [313:341])" in n for n in result.notes
    )
    tables = Tables(root)
    assert tables.read("statements")[-1]["char_start"] == "316"
    assert tables.read("relations")[-1]["object_id"] == "volta-motors-group"
    assert {row["entity_id"] for row in tables.read("mentions") if row["source_id"] == "s004"} >= {"volta-motors-group"}


def test_a_file_with_nothing_kept_is_refused_by_the_command_with_exit_1(article_source, monkeypatch):
    edit_proposals(article_source / PROPOSALS, keep_only())
    monkeypatch.chdir(article_source)
    result = cli("accept", PROPOSALS)
    assert result.code == 1
    assert (
        result.stderr.strip()
        == f"redata: refused: {PROPOSALS}: no row is marked kept (keep = yes); nothing was accepted"
    )


def test_two_accepts_at_once_both_land_one_after_the_other(article_source):
    root = article_source
    first, second = root / "first.csv", root / "second.csv"
    for path, kept in ((first, {"P1", "P2"}), (second, {"P3", "P10"})):
        path.write_bytes((root / PROPOSALS).read_bytes())
        edit_proposals(path, keep_only(*kept))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "redata", "accept", str(p)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in (first, second)
    ]
    outcomes = [process.communicate(timeout=600) + (process.returncode,) for process in processes]
    assert [code for *_, code in outcomes] == [0, 0], outcomes
    figures = {
        row["figure_id"]: row["as_written"] for row in Tables(root).read("figures") if row["source_id"] == "s004"
    }
    assert sorted(figures) == ["s004-f01", "s004-f02", "s004-f03"]
    assert sorted(figures.values()) == ["$55-$70 per kilogram", "3.5 million", "about 12 percent"]
    assert [row["event_id"] for row in Tables(root).read("events")][-1] == "s004-e01"
