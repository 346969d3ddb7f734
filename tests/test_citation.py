"""Citations: the repository's and the release's CITATION.cff, and `redata cite` for any row, read back by
the tools that consume them (a JSON Schema validator, pybtex, citeproc-py)."""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from conftest import BUILT_NAME, PACKAGE_VERSION, RELEASE_DATE, REPO, cli

from redata.citation import as_bibtex, as_csl_json, as_text, cff_errors, cite_row, package_facts, render
from redata.errors import CannotRun
from redata.loader import open_release


def test_the_repository_citation_is_valid_cff_and_current(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert cff_errors(text) == []
    citation = yaml.safe_load(text)
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    assert citation["version"] == descriptor["version"]
    assert citation["license"] == descriptor["licenses"][0]["name"]
    assert f"## [{citation['version']}] - {citation['date-released']}" in (REPO / "CHANGELOG.md").read_text()
    assert citation["type"] == "dataset"
    tool = citation["references"][0]
    assert (tool["type"], tool["title"], tool["license"]) == ("software", "redata", "MIT")
    generated = render(package_facts(open_release(REPO / "datapackage")), "cff")
    assert text == generated, "CITATION.cff is out of date: redata cite -p datapackage -f cff > CITATION.cff"


def test_the_release_carries_a_valid_citation(built):
    text = (built / "CITATION.cff").read_text(encoding="utf-8")
    assert cff_errors(text) == []
    assert yaml.safe_load(text)["date-released"] == RELEASE_DATE


def test_an_invalid_citation_is_found():
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert any("license" in error for error in cff_errors(text.replace("license: CC-BY-4.0", "license: CC-BY-99")))
    assert cff_errors("cff-version: 1.2.0\n") != []


@pytest.mark.parametrize("location", [None, f"{BUILT_NAME}.zip"])
def test_a_figure_cited_in_text(built, location):
    release = open_release(built if location is None else built.parent / location)
    text = as_text(cite_row(release, "s003-f03"))
    assert "US–China rare-earth trade" in text and f"version {PACKAGE_VERSION}" in text and "row s003-f03" in text
    with (built / "figures.csv").open(encoding="utf-8", newline="") as handle:
        quote = next(row["quote"] for row in csv.DictReader(handle) if row["figure_id"] == "s003-f03")
    assert f"Quote: “{quote}”" in text
    assert "“US wakes up from REM sleep but China’s rare earth grip tightens” (TRT World), June 2025" in text
    assert "Licence: CC-BY-4.0" in text


def test_events_and_statements_are_cited_too(built):
    release = open_release(built)
    event = cite_row(release, "s000-e06")
    assert (event.table, event.source["source_id"]) == ("events", "s000")
    assert "publisher not named in the text), May 2025" in as_text(event)
    statement = cite_row(release, "s000-q02")
    assert statement.table == "statements" and statement.quote
    entity = cite_row(release, "china")  # a row that quotes nothing cites the package and the row
    assert entity.quote is None and entity.source is None and "row china" in as_text(entity)


def test_bibtex_reads_back_with_pybtex(built):
    from pybtex.database import parse_string

    citation = cite_row(open_release(built), "s000-f04")
    entries = parse_string(as_bibtex(citation), "bibtex").entries
    entry = entries[f"{BUILT_NAME}:s000-f04"]
    assert entry.type == "misc"
    assert entry.fields["year"] == RELEASE_DATE[:4] and entry.fields["version"] == PACKAGE_VERSION
    assert r"about 60\% of the world’s rare earths are mined in China" in entry.fields["note"]
    assert [str(person) for person in entry.persons["author"]] == ["{redata contributors}"]


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")  # CSL 1.0.2's license
def test_csl_json_renders_with_citeproc(built):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    citation = cite_row(open_release(built), "s003-f21")
    items = json.loads(as_csl_json(citation))
    assert items[0]["type"] == "dataset" and items[0]["original-publisher"] == "TRT World"
    assert items[0]["original-date"] == {"date-parts": [[2025, 6]]}
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    rendered = str(bibliography.bibliography()[0])
    assert "redata contributors" in rendered and RELEASE_DATE[:4] in rendered and "row s003-f21" in rendered


def test_unknown_and_ambiguous_ids_are_refused(built, source, tables):
    with pytest.raises(CannotRun, match="no row with id 'nothing-here'"):
        cite_row(open_release(built), "nothing-here")
    rows = tables.read("entities")
    rows.append({**rows[0], "entity_id": "s000-f04"})
    tables.write("entities", rows)
    with pytest.raises(CannotRun, match=r"several tables \(entities, figures\); pass --table"):
        cite_row(open_release(source / "datapackage"), "s000-f04")
    assert cite_row(open_release(source / "datapackage"), "s000-f04", table="figures").table == "figures"


def test_an_unvalidated_source_date_is_cited_as_it_stands(source, tables):
    tables.update("sources", "source_id", "s003", published="early summer")
    citation = cite_row(open_release(source / "datapackage"), "s003-f03")
    assert "(TRT World), early summer." in as_text(citation)
    assert "original-date" not in json.loads(as_csl_json(citation))[0]


def test_the_cli_prints_each_format(built):
    bibtex = cli("cite", "s003-f16", "--package", built, "--format", "bibtex")
    assert bibtex.code == 0, bibtex.stderr
    assert bibtex.stdout.startswith(f"@misc{{{BUILT_NAME}:s003-f16,")
    csl = cli("cite", "s003-f16", "-p", built, "-f", "csl-json")
    assert json.loads(csl.stdout)[0]["id"] == f"{BUILT_NAME}:s003-f16"
    missing = cli("cite", "s999-f99", "-p", built)
    assert missing.code == 2 and "no row with id 's999-f99'" in missing.stderr and "Traceback" not in missing.stderr
    row_cff = cli("cite", "s003-f16", "-p", built, "-f", "cff")
    assert row_cff.code == 2 and "cites the whole package" in row_cff.stderr
