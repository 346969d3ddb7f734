"""`redata site`: the pages, charts and downloads of a release or the source package, self-contained,
escaped, and written atomically. (The browser's view of the same site is tested in test_site_browser.)"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import BUILT_NAME, PACKAGE_VERSION, RELEASE_DATE, REPO, cli

from redata.errors import CannotRun
from redata.site import write_site
from redata.site.content import SiteRefused, page_name


class Links(HTMLParser):
    """Every URL an HTML page refers to (href, src), and the text of each <mark>."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.marks: list[str] = []
        self.scripts = 0
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self._in_mark = self._in_mark or tag == "mark"
        if tag == "mark":
            self.marks.append("")
        self.urls += [value for name, value in attrs if name in ("href", "src") and value is not None]

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1] += data


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def csv_rows(table: str) -> list[dict[str, str]]:
    with (REPO / "datapackage" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_page_for_every_figure_source_entity_and_metric(site):
    for table, folder, key in (
        ("figures", "figures", "figure_id"),
        ("sources", "sources", "source_id"),
        ("entities", "entities", "entity_id"),
        ("metrics", "metrics", "metric_id"),
    ):
        expected = {f"{page_name(row[key])}.html" for row in csv_rows(table)} | {"index.html"}
        assert {p.name for p in (site / folder).glob("*.html")} == expected, table
    for name in ("index.html", "conflicts.html", "dictionary.html", "charts/index.html", "style.css"):
        assert (site / name).is_file(), name


def test_every_link_stays_inside_the_site_and_finds_its_file(site):
    """Every href and src of every page is relative and names a file of the site: nothing is loaded from
    elsewhere, and no link is broken. The style sheet refers to nothing."""
    root = site.resolve()
    checked = 0
    for page in site.rglob("*.html"):
        links = parsed(page)
        assert links.scripts == 0, page
        for url in links.urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, (page, url)
            if not parts.path:
                continue  # an anchor on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_relative_to(root) and target.is_file(), (page, url)
            if parts.fragment and target.suffix == ".html":
                assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), (page, url)
            checked += 1
    assert checked > 1000
    assert "url(" not in (site / "style.css").read_text(encoding="utf-8")


def test_a_figure_page_marks_as_written_inside_the_quote(site):
    for figure in csv_rows("figures"):
        page = site / "figures" / f"{page_name(figure['figure_id'])}.html"
        links = parsed(page)
        assert links.marks == [figure["as_written"]], figure["figure_id"]
        text = page.read_text(encoding="utf-8")
        for word in ("Subject", "Metric", "Unit", "Qualifier", "Period", "Attributed to", "How the date was inferred"):
            assert f"<dt>{word}</dt>" in text, (figure["figure_id"], word)


def test_a_figure_page_shows_its_words_source_and_conflicts(site):
    text = (site / "figures" / "s003-f23.html").read_text(encoding="utf-8")
    assert "Research and Markets" in text  # the credit, decoded from attributed_to_id
    assert "TRT World" in text and "June 2025" in text  # the source's publisher and date at its precision
    assert 'href="s003-f24.html"' in text  # the figure it disagrees with
    assert "US dollar" in text and "Value of the subject market in the period." in text
    assert f"@misc{{{BUILT_NAME}:s003-f23" in text  # its citation
    unconflicted = (site / "figures" / "s003-f12.html").read_text(encoding="utf-8")
    assert "No other figure on the same metric, subject and period disagrees" in unconflicted


def test_conflicts_page_lists_the_validators_conflicts(site):
    text = (site / "conflicts.html").read_text(encoding="utf-8")
    for figure_id in ("s003-f23", "s003-f24"):
        assert f'href="figures/{figure_id}.html"' in text
    sections = re.findall(r'<section id="conflict-[^"]+">', text)
    assert len(sections) == 2  # the two 2024 market values, and China's two 2025 shares of world mining
    assert "share_of_world_mining" in text and "s000-f04" in text and "s003-f03" in text


def test_overview_shows_version_licence_citation_downloads_and_validation(site, built):
    text = (site / "index.html").read_text(encoding="utf-8")
    assert PACKAGE_VERSION in text and RELEASE_DATE in text and "CC-BY-4.0" in text
    assert f"redata contributors ({RELEASE_DATE[:4]})" in text
    assert "valid: 0 error(s)" in text and "conflicting-values" in text
    downloads = site / "downloads"
    for name in (f"{BUILT_NAME}.sqlite", f"{BUILT_NAME}.zip", "datapackage.json", "figures.parquet", "CITATION.cff"):
        data = (downloads / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() in text, name
        assert f'href="downloads/{name}"' in text
    assert (downloads / "figures.csv").read_bytes() == (built / "figures.csv").read_bytes()


def test_every_chart_has_its_svg_text_alternative_and_rows(site):
    pages = {p.stem: p for p in (site / "charts").glob("*.html") if p.stem != "index"}
    assert set(pages) == {"shares", "costs", "ev-output-2024", "timeline"}
    for name, page in pages.items():
        svg = (site / "charts" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and svg.count("<path") + svg.count("<line") > 10, name
        assert "http://" not in svg.replace("http://www.w3.org/", ""), name
        text = page.read_text(encoding="utf-8")
        assert f'src="{name}.svg"' in text and 'alt="' in text
    shares = (pages["shares"]).read_text(encoding="utf-8")
    for figure in csv_rows("figures"):
        if figure["metric"] in ("share_of_world_mining", "share_of_world_refining", "share_of_world_magnet_production"):
            assert figure["as_written"] in shares  # in the text alternative
            assert f'href="../figures/{figure["figure_id"]}.html"' in shares  # in the rows it shows
    timeline = pages["timeline"].read_text(encoding="utf-8")
    assert all(event["event_id"] in timeline for event in csv_rows("events"))


def test_the_data_dictionary_is_generated_from_the_schemas(site):
    text = (site / "dictionary.html").read_text(encoding="utf-8")
    assert "<table>" in text and "<code>figure_id</code>" in text
    assert "Verbatim excerpt of the source, a clause or sentence, containing the number." in text


@pytest.fixture(scope="module")
def source_site(tmp_path_factory) -> Path:
    """The site of the source package, written once for the module."""
    out = tmp_path_factory.mktemp("source-site") / "site"
    write_site(REPO / "datapackage", out)
    return out


def test_the_site_of_the_source_package_offers_its_csv_tables(source_site):
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    tables = [resource["path"] for resource in descriptor["resources"]]
    assert sorted(p.name for p in (source_site / "downloads").iterdir()) == sorted(tables)


def test_text_from_the_data_is_escaped(source, tables, tmp_path):
    tables.update("entities", "entity_id", "china", name='China <script>alert("x")</script>')
    out = tmp_path / "site"
    write_site(source / "datapackage", out)
    page = (out / "entities" / "china.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert parsed(out / "figures" / "s000-f04.html").scripts == 0


def test_an_invalid_package_gets_no_site_and_the_old_one_stays(source, tables, tmp_path, site):
    out = tmp_path / "site"
    shutil.copytree(site, out)  # the earlier site
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    figure = tables.read("figures")[3]
    tables.update("figures", "figure_id", figure["figure_id"], value="150")
    with pytest.raises(SiteRefused, match="validation error"):
        write_site(source / "datapackage", out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    refused = cli("site", source / "datapackage", "--out", out)
    assert refused.code == 1 and "unit-range" in refused.stderr and "site refused" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CannotRun, match="not a site"):
        write_site(REPO / "datapackage", out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("renames_done", [0, 1, 2])
def test_a_ctrl_c_as_a_site_replaces_another_leaves_one_whole_site(tmp_path, monkeypatch, source_site, renames_done):
    """The Ctrl-C lands after this many of the two renames (the earlier site aside, the new one in its place): the
    site is the earlier one or the new one, whole, and both are the same package's."""
    import os

    out = tmp_path / "site"
    shutil.copytree(source_site, out)  # the earlier site
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    rename, renamed, interrupts = os.rename, [], []

    def interrupted_rename(source, target):
        if len(renamed) == renames_done and not interrupts:
            interrupts.append(target)
            raise KeyboardInterrupt
        rename(source, target)
        renamed.append(target)
        if len(renamed) == renames_done == 2:
            interrupts.append(target)
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "rename", interrupted_rename)
    with pytest.raises(KeyboardInterrupt):
        write_site(REPO / "datapackage", out)
    monkeypatch.undo()
    assert len(interrupts) == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_package_too_large_to_browse_page_by_page_is_refused(tmp_path, monkeypatch):
    from redata.site import writer

    monkeypatch.setattr(writer, "MAX_FIGURE_PAGES", 39)  # the real package has 40 figures
    with pytest.raises(CannotRun, match="40 figures; the site writes a page per figure and stops at 39"):
        write_site(REPO / "datapackage", tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_a_chart_with_more_rows_than_it_can_draw_lists_them(tmp_path, monkeypatch):
    from redata.site import charts

    monkeypatch.setattr(charts, "MAX_DRAWN_ROWS", 10)  # the timeline has 16 events, the shares chart 7 figures
    write_site(REPO / "datapackage", tmp_path / "site")
    timeline = (tmp_path / "site" / "charts" / "timeline.html").read_text(encoding="utf-8")
    assert "16 rows for this chart: too many to draw legibly" in timeline and "<img" not in timeline
    assert not (tmp_path / "site" / "charts" / "timeline.svg").exists()
    assert (tmp_path / "site" / "charts" / "shares.svg").is_file()


def test_the_cli_writes_the_site_and_prints_its_index(built, tmp_path):
    result = cli("site", built, "--out", tmp_path / "site")
    assert result.code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "site" / "index.html")
    again = cli("site", built, "--out", tmp_path / "site")  # a site it wrote is replaced
    assert again.code == 0, again.stderr


def test_figure_pages_show_their_reference_verdicts(site, built):
    """Only where the package has a verdicts table (the reference cross-check derives one)."""
    if not (built / "verdicts.csv").is_file():
        pytest.skip("the package has no verdicts table")
    with (built / "verdicts.csv").open(encoding="utf-8", newline="") as handle:
        verdicts = list(csv.DictReader(handle))
    assert verdicts
    for verdict in verdicts:
        text = (site / "figures" / f"{page_name(verdict['figure_id'])}.html").read_text(encoding="utf-8")
        assert 'id="verdicts"' in text and 'class="verdict"' in text
        for field, value in verdict.items():
            if value:
                assert f'data-field="{field}"' in text
