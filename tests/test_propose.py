"""`redata propose`: the rows proposed for an archived text are valid as written (each quote at its offsets), a
curator who keeps them all gets a valid package from `accept`, the values, units and qualifiers read are the
right ones on articles the package has never seen, and hostile inputs are refused with one line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import Tables, cli

from redata.accept import accept
from redata.add_source import SourceDetails, add_source
from redata.errors import CannotRun, Refused
from redata.propose import propose
from redata.validation import validate

# News paragraphs of the package's domain written for these tests (not from the seeds): a company's output in
# tonnes with "about", a price range in dollars per kilogram, a share with "nearly", a count in millions, a
# date without a year, a quotation with "said", ordinals and a code.
ARTICLE = """Lynwood Mining lifts magnet output as prices climb

Lynwood Mining Ltd produced about 4,200 tonnes of rare earth magnets in the first half, the company said.

Neodymium oxide prices ranged from $58 to $63 per kilogram in July, according to Benchmark Mineral Intelligence.

Brazil mines nearly 2% of the world's rare earths.

Carmakers in India built 1.4 million electric vehicles in 2024.

On August 3, Lynwood Mining executives met Volta Motors buyers.

\u201cWe will double our refining capacity before the end of the decade,\u201d said Anna Berg, the chief executive \
of Lynwood Mining.

It was the second such deal this year, and it covers magnets for the F-35 fighter.
"""
# Two paragraphs of other styles, and every number in them: (as_written, table) where a figure or an exclusion
# accounts for it.
CENTRAL_BANK = (
    "Central bank holds rates\n\n"
    "The Reserve Bank of Australia held its cash rate at 4.35% on Tuesday, its sixth meeting in a row without a "
    "change. Governor Michele Bullock said inflation had eased to 2.8 percent in the June quarter, down from 3.6 "
    "percent in March. The bank expects the economy to grow by about 1.5% in 2026, and sees unemployment peaking "
    "at 4.5 per cent.\n"
)
CENTRAL_BANK_NUMBERS = {
    ("4.35%", "figures"),
    ("sixth", "exclusions"),
    ("2.8 percent", "figures"),
    ("quarter", "exclusions"),
    ("3.6 percent", "figures"),
    ("about 1.5%", "figures"),
    ("4.5 per cent", "figures"),
}
TRADE = (
    "Magnet exports slump\n\n"
    "China's exports of rare earth magnets fell 12.4% in April from a year earlier to 3,800 tonnes, customs data "
    "showed on Friday. Shipments to the United States dropped by more than half, while sales to Germany rose to "
    "1,020 tonnes. The value of the exports was $51.2 million, and 27 exporters held licences, down from 43.\n"
)
TRADE_NUMBERS = {
    ("12.4%", "figures"),
    ("3,800 tonnes", "figures"),
    ("more than half", "figures"),
    ("1,020 tonnes", "figures"),
    ("$51.2 million", "figures"),
    ("27 exporters", "figures"),
    ("43", "figures"),
}


def _added(root: Path, text: str, published: str = "2025-09-10") -> str:
    """Archive `text` in the package copy at `root`; its source id."""
    (root / "article.txt").write_text(text, encoding="utf-8")
    added = add_source(
        root / "article.txt",
        SourceDetails(title="An article", published=published, publisher="Example Wire"),
        root / "datapackage",
    )
    return added.source_id


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _source_text(root: Path, source_id: str) -> str:
    row = next(row for row in Tables(root).read("sources") if row["source_id"] == source_id)
    return (root / "seeds" / row["file"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("source_id", ["s000", "s003"])
def test_every_proposed_quote_is_the_text_at_its_offsets_on_the_seeds(source, source_id):
    path = propose(source_id, source / "datapackage", source / "out.csv")
    text, rows = _source_text(source, source_id), _rows(path)
    with_quotes = [row for row in rows if row["char_start"]]
    assert len([row for row in rows if row["table"] == "figures"]) >= 10
    for row in with_quotes:
        assert text[int(row["char_start"]) : int(row["char_end"])] == row["quote"], row["proposal_id"]
        if row["as_written"]:
            assert row["as_written"] in row["quote"], row["proposal_id"]
    assert all(row["keep"] == "" for row in rows)  # nothing is reviewed until the curator says so


def test_an_unseen_article_kept_whole_is_accepted_and_the_package_stays_valid(source):
    source_id = _added(source, ARTICLE)
    path = propose(source_id, source / "datapackage", source / "proposals.csv")
    rows = _rows(path)
    _assert_the_article_figures(rows)
    _assert_the_article_other_rows(rows)

    for row in rows:
        row["keep"] = "yes"  # the curator's review: every proposed row is right
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = accept(path, source / "datapackage")
    assert len(result.added["figures"]) == 4 and len(result.added["exclusions"]) == 4
    report = validate(source / "datapackage")
    assert report.errors == []


def _assert_the_article_figures(rows: list[dict]) -> None:
    """ARTICLE's four figures: their quantities, what each is of, and how its credit and period were decided."""
    figures = {row["as_written"]: row for row in rows if row["table"] == "figures"}
    read = {k: (r["value"], r["value_low"], r["value_high"], r["unit"], r["qualifier"]) for k, r in figures.items()}
    assert read == {
        "about 4,200 tonnes": ("4200", "", "", "t", "about"),
        "from $58 to $63 per kilogram": ("", "58", "63", "USD/kg", ""),
        "nearly 2%": ("2", "", "", "percent", "nearly"),
        "1.4 million electric vehicles": ("1400000", "", "", "count", ""),
    }
    price, share, count = (
        figures[k] for k in ("from $58 to $63 per kilogram", "nearly 2%", "1.4 million electric vehicles")
    )
    assert (price["metric"], price["period"], price["attributed_to_id"]) == (
        "average_price",
        "2025-07",
        "benchmark-mineral-intelligence",
    )
    assert (share["metric"], share["subject_id"], share["period"]) == ("share_of_world_mining", "brazil", "2025")
    assert (count["metric"], count["subject_id"], count["period"]) == ("ev_production", "india", "2024")
    # how each credit and period was decided: a credit in the sentence is stated; a date in it gives the period
    # (stated, its words in period_as_written); a present-tense claim takes the publication year; a past one none
    assert (price["attribution_basis"], price["period_basis"], price["period_as_written"]) == (
        "stated",
        "stated",
        "in July",
    )
    assert (share["attribution_basis"], share["period_basis"]) == ("none", "publication")
    assert (count["attribution_basis"], count["period_basis"]) == ("none", "stated")
    output = figures["about 4,200 tonnes"]
    assert (output["period"], output["period_basis"]) == ("", "none")
    for row in (price, share, count, output):
        reasons = {line.split(" ")[0] for line in row["reasons"].splitlines()}
        assert {"attribution_basis", "period_basis"} <= reasons, row["reasons"]


def _assert_the_article_other_rows(rows: list[dict]) -> None:
    """ARTICLE's numbers that are no figures, its event, its statement and the entities it names."""
    exclusions = {row["as_written"]: row["reason"] for row in rows if row["table"] == "exclusions"}
    assert exclusions == {"first": "ordinal", "half": "period_part", "second": "ordinal", "F-35": "product_designation"}
    (event,) = [row for row in rows if row["table"] == "events"]
    assert (event["date_as_written"], event["date"], event["kind"]) == ("August 3", "2025-08-03", "meeting")
    assert (event["date_precision"], event["date_start"], event["date_end"]) == ("day", "2025-08-03", "2025-08-03")
    assert "Year not given; 2025" in event["date_resolution"]
    (statement,) = [row for row in rows if row["table"] == "statements"]
    entities = {row["proposal_id"]: row for row in rows if row["table"] == "entities"}
    assert entities[statement["speaker_id"]]["name"] == "Anna Berg" and statement["speaker_basis"] == "stated"
    company = next(row for row in entities.values() if row["name"] == "Lynwood Mining Ltd")
    assert company["aliases"] == "Lynwood Mining;Lynwood Mining Ltd" and company["type"] == "company"


@pytest.mark.parametrize(("text", "numbers"), [(CENTRAL_BANK, CENTRAL_BANK_NUMBERS), (TRADE, TRADE_NUMBERS)])
def test_every_number_of_an_unseen_paragraph_is_a_figure_or_an_exclusion(source, text, numbers):
    path = propose(_added(source, text, "2025-06-20"), source / "datapackage", source / "out.csv")
    proposed = {(row["as_written"], row["table"]) for row in _rows(path) if row["table"] in ("figures", "exclusions")}
    assert proposed == numbers


def test_values_of_the_unseen_paragraphs_are_read_right(source):
    path = propose(_added(source, TRADE, "2025-06-20"), source / "datapackage", source / "out.csv")
    figures = {row["as_written"]: row for row in _rows(path) if row["table"] == "figures"}
    assert (figures["more than half"]["value_low"], figures["more than half"]["qualifier"]) == ("50", "more than")
    assert (figures["$51.2 million"]["value"], figures["$51.2 million"]["unit"]) == ("51200000", "USD")
    assert (figures["12.4%"]["subject_id"], figures["12.4%"]["period"]) == ("china", "2025-04")


# ---------------------------------------------------------------- hostile inputs


def _one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def test_an_unknown_source_is_refused_with_one_line_and_exit_1(source):
    with pytest.raises(Refused, match="'s999' is not a source of the package"):
        propose("s999", source / "datapackage", source / "out.csv")
    result = cli("propose", "s999", "--package", source / "datapackage", "--out", source / "out.csv")
    assert result.code == 1 and _one_line(result.stderr) and result.stderr.startswith("redata: refused: ")
    assert not (source / "out.csv").exists()


def test_a_missing_or_changed_archived_text_is_refused_with_one_line(source):
    text_path = source / "seeds" / next(r["file"] for r in Tables(source).read("sources") if r["source_id"] == "s000")
    original = text_path.read_bytes()
    text_path.write_bytes(original.replace(b"the", b"teh", 1))
    with pytest.raises(Refused, match="s000: ") as changed:
        propose("s000", source / "datapackage", source / "out.csv")
    assert "sha256" in str(changed.value)
    result = cli("propose", "s000", "--package", source / "datapackage", "--out", source / "out.csv")
    assert result.code == 1 and _one_line(result.stderr)
    text_path.unlink()
    result = cli("propose", "s000", "--package", source / "datapackage", "--out", source / "out.csv")
    assert result.code == 1 and _one_line(result.stderr) and "s000" in result.stderr
    assert not (source / "out.csv").exists()


def test_a_text_past_the_limit_is_refused_before_it_is_read(source):
    from redata.limits import MAX_PROPOSED_TEXT_CHARS

    sentence = "Output rose 5% in 2024. "
    source_id = _added(source, sentence * (MAX_PROPOSED_TEXT_CHARS // len(sentence) + 1))
    with pytest.raises(Refused, match=f"propose reads at most {MAX_PROPOSED_TEXT_CHARS:,}"):
        propose(source_id, source / "datapackage", source / "out.csv")
    assert not (source / "out.csv").exists()


def test_an_out_file_in_a_folder_that_does_not_exist_cannot_be_written_exit_2(source):
    out = source / "no-such-folder" / "out.csv"
    with pytest.raises(CannotRun, match="cannot be written"):
        propose("s003", source / "datapackage", out)
    result = cli("propose", "s003", "--package", source / "datapackage", "--out", out)
    assert result.code == 2 and _one_line(result.stderr) and str(out) in result.stderr
    assert not out.parent.exists()
