"""`redata add-source`: a text archived byte for byte with its sources row, or refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
from conftest import GUIDE_DETAILS, Tables, cli, copy_source, file_bytes, guide_file

from redata.add_source import MAX_SOURCE_BYTES, SourceDetails, add_source, date_interval, published_date
from redata.errors import CannotRun, Refused
from redata.validation import validate

# CRLF line ends, a no-break space, curly quotes and a byte-order mark: all archived exactly as they are
AWKWARD = "\ufeffA headline\r\n\r\nPrices rose\u00a0sharply, “they said”.\r\n".encode()


def test_the_guides_article_is_archived_and_recorded(article_template):
    text = guide_file("article.txt").encode("utf-8")
    digest = hashlib.sha256(text).hexdigest()
    archived = article_template / "seeds" / f"004_{digest[:16]}.txt"
    assert archived.read_bytes() == text
    row = Tables(article_template).read("sources")[-1]
    assert row == {
        "source_id": "s004",
        "file": archived.name,
        "sha256": digest,
        "title": "Magnet makers scramble as oxide costs climb",
        "publisher": "Example Wire",
        "published": "2025-06-20",
        "published_precision": "day",
        "published_start": "2025-06-20",
        "published_end": "2025-06-20",
        "published_basis": "Given by the curator as 2025-06-20 when the source was archived (day precision); "
        "not inferred from the text.",
        "language": "en",
        "rights": "The article belongs to its publisher, Example Wire. This package republishes only short quoted "
        "excerpts, the source's metadata and its sha256, not the full text.",
        "url": "https://news.example.com/magnets",
        "accessed": "2025-06-21",
    }


def test_a_text_is_archived_byte_for_byte_and_only_its_numbers_are_left_to_account_for(source, tmp_path):
    article = tmp_path / "awkward.txt"
    article.write_bytes(AWKWARD)
    added = add_source(article, SourceDetails("A headline", "2025-05"), source / "datapackage")
    assert (added.source_id, added.line) == ("s004", 4)
    assert added.file.read_bytes() == AWKWARD
    row = Tables(source).read("sources")[-1]
    assert (row["published"], row["published_precision"], row["url"], row["accessed"]) == (
        "2025-05-01",
        "month",
        "",
        "",
    )
    assert (row["published_start"], row["published_end"]) == ("2025-05-01", "2025-05-31")
    assert "whom the curator did not name" in row["rights"]
    assert {p.rule for p in validate(source / "datapackage").errors} == set()  # "Prices rose" holds no number


@pytest.mark.parametrize(
    ("given", "date", "precision"),
    [("2025", "2025-01-01", "year"), ("2025-06", "2025-06-01", "month"), ("2025-06-20", "2025-06-20", "day")],
)
def test_the_precision_is_what_the_date_given_holds(given, date, precision):
    assert published_date(given) == (dt.date.fromisoformat(date), precision)


@pytest.mark.parametrize(
    ("given", "start", "end"),
    [
        ("2024", "2024-01-01", "2024-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-06-20", "2025-06-20", "2025-06-20"),
    ],
)
def test_a_date_stands_for_the_days_of_its_precision(given, start, end):
    assert date_interval(*published_date(given)) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))


@pytest.mark.parametrize("given", ["2025-6", "June 2025", "2025-02-30", "25"])
def test_a_date_that_is_not_one_of_the_three_forms_cannot_run(given):
    with pytest.raises(CannotRun, match="--published"):
        published_date(given)


@pytest.mark.parametrize(
    ("details", "words"),
    [
        ({"title": "Two\nlines"}, "--title: holds a line break"),
        ({"accessed": "2025-06-19"}, "--accessed 2025-06-19 is before the publication"),
        ({"accessed": "21/06/2025"}, "is not a date as YYYY-MM-DD"),
        ({"published": "2999"}, "is after today"),
    ],
)
def test_options_that_cannot_be_recorded_stop_it_before_anything_is_read(source, details, words):
    before = file_bytes(source)
    with pytest.raises(CannotRun, match=words):
        add_source(source / "no-such-file.txt", SourceDetails(**{**GUIDE_DETAILS, **details}), source / "datapackage")
    assert file_bytes(source) == before


def test_a_text_already_archived_is_refused(source):
    before = file_bytes(source)
    with pytest.raises(Refused, match="already archived as s003"):
        add_source(
            source / "seeds" / "003_ad337d1af4783e68.txt", SourceDetails(**GUIDE_DETAILS), source / "datapackage"
        )
    assert file_bytes(source) == before


def test_a_text_that_is_not_utf8_is_refused_naming_the_byte(source, tmp_path):
    article = tmp_path / "latin1.txt"
    article.write_bytes("Line one\nCosts rose in Zürich\n".encode("latin-1"))
    before = file_bytes(source)
    with pytest.raises(Refused, match=r"latin1.txt:2: not UTF-8: byte 0xfc at offset 24 \(column 16"):
        add_source(article, SourceDetails(**GUIDE_DETAILS), source / "datapackage")
    assert file_bytes(source) == before


def test_a_huge_file_a_pipe_or_a_device_is_refused_without_reading_it(source, tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer forever
    before = file_bytes(source)
    with pytest.raises(Refused, match="larger than 64 MiB"):
        add_source(huge, SourceDetails(**GUIDE_DETAILS), source / "datapackage")
    for path in (pipe, "/dev/zero", tmp_path):
        with pytest.raises(CannotRun, match="not a regular file"):
            add_source(path, SourceDetails(**GUIDE_DETAILS), source / "datapackage")
    assert file_bytes(source) == before


def test_a_source_whose_row_breaks_the_schema_is_refused_with_the_reason(source, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("A headline\n", encoding="utf-8")
    before = file_bytes(source)
    with pytest.raises(Refused, match="would leave 1 error") as refusal:
        add_source(article, SourceDetails("=HYPERLINK(1)", "2025"), source / "datapackage")
    assert any("sources:4:title" in line and "formula" in line for line in refusal.value.details)
    assert file_bytes(source) == before


def test_a_package_broken_already_is_not_added_to(source, tables, tmp_path):
    tables.update("figures", "figure_id", "s000-f01", unit="parsec")
    article = tmp_path / "a.txt"
    article.write_text("A headline\n", encoding="utf-8")
    # an unknown unit fails every layer that reads units: several errors
    with pytest.raises(Refused, match=r"has \d+ error\(s\) before adding a source"):
        add_source(article, SourceDetails("A headline", "2025"), source / "datapackage")


def test_a_built_package_cannot_be_added_to(built, tmp_path):
    with pytest.raises(CannotRun, match="not a source package"):
        add_source(tmp_path / "a.txt", SourceDetails(**GUIDE_DETAILS), built)


def test_the_command_exits_1_on_refused_data_and_2_when_it_cannot_run(tmp_path, monkeypatch):
    root = copy_source(tmp_path / "repo")
    seed = root / "seeds" / "003_ad337d1af4783e68.txt"
    refused = cli("add-source", seed, "--title", "T", "--published", "2025", "--package", root / "datapackage")
    assert refused.code == 1 and refused.stderr.strip().splitlines()[-1].startswith("redata: refused: ")
    monkeypatch.chdir(root)
    missing = cli("add-source", tmp_path / "none.txt", "--title", "T", "--published", "2025")
    assert (
        missing.code == 2
        and missing.stderr.strip()
        == f"redata: error: {tmp_path / 'none.txt'}: cannot be opened: No such file or directory"
    )
    assert "Traceback" not in refused.stderr + missing.stderr
