"""The proposals file: its columns come from schemas/proposals.json and the target tables' schemas, and it
round-trips through a spreadsheet-style edit with every cell as it was (line breaks, commas, quotes, no-break
spaces); what cannot be taken as meant is refused, located at its line and column."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pandas as pd
import pytest
from conftest import REPO, REVIEWED_PROPOSALS, edit_json

from redata.errors import CannotRun, Refused
from redata.package import open_package
from redata.proposals import (
    KEEP,
    MAX_FILE_BYTES,
    Proposal,
    Reason,
    format_reasons,
    parse_reasons,
    proposal_format,
    read_proposals,
    write_proposals,
)

TRICKY = "“Quoted”, with a comma,\na line break and a no\u00a0break space"


@pytest.fixture(scope="module")
def form():
    return proposal_format(open_package(REPO / "datapackage"))


def _proposals() -> list[Proposal]:
    return [
        Proposal(
            "P1",
            "figures",
            {"source_id": "s003", "quote": TRICKY, "char_start": "10", "char_end": "20", "as_written": "a, b"},
            keep=None,
            confidence=0.25,
            reasons=[Reason("metric", 0.25, 'cue "cost", or "price"?'), Reason("row", 0.9, "a number, read")],
        ),
        Proposal("P2", "entities", {"name": "Volta\u00a0Motors", "type": "company", "aliases": "Volta;Volta Motors"}),
        Proposal("P3", "mentions", {"entity_id": "P2", "source_id": "s003", "quote": "Volta"}, keep=False),
    ]


def test_the_columns_are_the_review_fields_then_each_target_field_once(form):
    review = [f["name"] for f in json.loads((REPO / "schemas" / "proposals.json").read_text())["fields"]]
    columns = form.columns
    assert columns[: len(review)] == review == ["keep", "proposal_id", "table", "confidence", "reasons"]
    assert len(columns) == len(set(columns))
    for target in form.targets.values():
        assert set(target.fields) - {target.assigns} <= set(columns), target.table
    assert "figure_id" not in columns and "statement_id" not in columns  # accept assigns them
    assert "event_id" in columns  # a statement's reference to its event, though an event's own id is assigned
    assert REVIEWED_PROPOSALS.read_text(encoding="utf-8").splitlines()[0] == ",".join(columns)


def test_a_file_written_edited_in_a_spreadsheet_and_read_back_keeps_every_cell(form, tmp_path):
    path = tmp_path / "proposals.csv"
    write_proposals(path, form, _proposals())
    # a spreadsheet's save: every cell quoted, CRLF line ends, a byte-order mark, the verdicts filled in
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][0], rows[2][0] = "Yes", "x"
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    read = read_proposals(path, form)
    assert [(p.proposal_id, p.keep) for p in read] == [("P1", True), ("P2", True), ("P3", False)]
    for written, back in zip(_proposals(), read, strict=True):
        assert {k: v for k, v in back.cells.items() if v} == written.cells
        assert (back.table, back.confidence, back.reasons) == (written.table, written.confidence, written.reasons)
    assert read[0].cells["quote"] == TRICKY and read[0].line == 2 and read[1].line == 5


def test_a_file_read_and_written_by_pandas_keeps_every_cell(form, tmp_path):
    path = tmp_path / "proposals.csv"
    write_proposals(path, form, _proposals())
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["proposal_id"] == "P2", KEEP] = "no"
    frame.to_csv(path, index=False)
    read = read_proposals(path, form)
    assert read[0].cells["quote"] == TRICKY and read[1].keep is False and read[1].cells["name"] == "Volta\u00a0Motors"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h: h.replace(",reasons", ""), "column(s) reasons missing"),
        (lambda h: h + ",comment", "column(s) comment unknown"),
        (lambda h: h.replace(",", ";"), "not comma-separated"),
        (lambda h: h.replace("confidence", "keep"), "column(s) keep twice"),
    ],
)
def test_a_header_that_is_not_the_format_is_refused(form, tmp_path, change, words):
    path = tmp_path / "proposals.csv"
    write_proposals(path, form, _proposals())
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(change(header) + "\n" + rest, encoding="utf-8")
    with pytest.raises(Refused, match=re.escape(words)) as refusal:
        read_proposals(path, form)
    assert f"{path}:1:" in str(refusal.value)


def test_every_bad_review_cell_is_listed_at_its_line_and_column(form, tmp_path):
    path = tmp_path / "proposals.csv"
    proposals = _proposals()
    proposals[2].proposal_id = "P1"  # used twice
    write_proposals_unchecked(path, form, proposals)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][0], rows[1][3] = "maybe", "1.5"
    rows[2][1], rows[2][2] = "p2", "figure"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(Refused, match="5 problem") as refusal:
        read_proposals(path, form)
    details = "\n".join(refusal.value.details)
    for located in (":2:keep: 'maybe'", ":2:confidence: '1.5'", ":4:proposal_id: 'p2'", ":4:table: 'figure'"):
        assert f"{path}{located}" in details
    assert f"{path}:5:proposal_id: P1 is used already on line 2" in details


def write_proposals_unchecked(path, form, proposals) -> None:
    """A file as a careless writer would make it: write_proposals itself refuses a repeated id."""
    with pytest.raises(ValueError, match="used twice"):
        write_proposals(path, form, proposals)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(form.columns)
    for p in proposals:
        cells = {KEEP: "", "proposal_id": p.proposal_id, "table": p.table, "confidence": "", "reasons": ""}
        writer.writerow([cells.get(name, p.cells.get(name, "")) for name in form.columns])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_writer_cannot_fill_a_field_its_table_does_not_have(form, tmp_path):
    with pytest.raises(ValueError, match="no field 'unit'"):
        write_proposals(tmp_path / "p.csv", form, [Proposal("P1", "mentions", {"unit": "count"})])
    with pytest.raises(ValueError, match="no field 'figure_id'"):
        write_proposals(tmp_path / "p.csv", form, [Proposal("P1", "figures", {"figure_id": "s004-f01"})])
    assert not (tmp_path / "p.csv").exists()


def test_reasons_read_back_as_written_and_a_malformed_one_is_an_error():
    reasons = [Reason("subject_id", 0.55, "nearest entity: “Brazil”"), Reason("row", 1.0, "a range, read")]
    assert parse_reasons(format_reasons(reasons)) == reasons
    with pytest.raises(ValueError):
        parse_reasons("metric: no confidence")
    with pytest.raises(ValueError):
        parse_reasons("metric (1.5): too sure")


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte(form, tmp_path):
    path = tmp_path / "proposals.csv"
    write_proposals(path, form, _proposals())
    path.write_bytes(path.read_bytes().replace(b"Volta", b"Volt\xe4", 1))
    with pytest.raises(Refused, match=r"not UTF-8: byte 0xe4 at offset"):
        read_proposals(path, form)


def test_a_huge_file_or_a_pipe_is_refused_without_being_read(form, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, and nothing may be read
    with pytest.raises(Refused, match="larger than 64 MiB"):
        read_proposals(huge, form)
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with pytest.raises(CannotRun, match="not a regular file"):
        read_proposals(pipe, form)


def test_the_format_refuses_a_target_the_package_lacks_or_a_clash_of_names(source):
    schemas = source / "schemas" / "proposals.json"
    edit_json(schemas, lambda s: s["targets"].append({"resource": "publications"}))
    with pytest.raises(CannotRun, match="target 'publications' is not a table of the package"):
        proposal_format(open_package(source / "datapackage"))
    edit_json(schemas, lambda s: s["targets"].pop())
    edit_json(schemas, lambda s: s["fields"][4].update(name="reason"))
    with pytest.raises(CannotRun, match="review fields must be"):
        proposal_format(open_package(source / "datapackage"))
