"""Reference values are the numbers their publication prints: every value is proved against the PDF, read
by two libraries (pdfplumber with word positions, as the validator reads it; pypdf's plain text, which glues
footnote marks to numbers), and the validator's `publications` layer reports each way a value can depart
from the print, located at its CSV line."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REFERENCES, REPO, Tables, edit_json, errors_of

from redata import printed, validate
from redata.checks.publications import expected_values

T = Tables(REPO)
PUBLICATION = "usgs-mcs2025-rare-earths"
DOCUMENT = REFERENCES / "mcs2025-rare-earths.pdf"
KEY = ("section", "row_group", "row_label", "column_group", "column_label")


@pytest.fixture(scope="module")
def pages() -> list[printed.Page]:
    return printed.read_pages(DOCUMENT)


def _values() -> list[dict[str, str]]:
    return [row for row in T.read("reference_values") if row["publication_id"] == PUBLICATION]


def test_the_document_is_the_copy_recorded():
    (publication,) = [row for row in T.read("reference_publications") if row["publication_id"] == PUBLICATION]
    assert hashlib.sha256(DOCUMENT.read_bytes()).hexdigest() == publication["sha256"]
    assert not list(REPO.rglob("*.pdf")), "the repository holds no reference document"


def test_every_reference_value_is_printed_on_its_row_in_its_column(pages):
    recorded = {tuple(row[name] for name in KEY): row for row in _values()}
    assert len(recorded) == len(_values()) == 149  # 19 rows x 5 years, 18 rows x 3 columns; no cell twice
    cells = {}
    for section in sorted({row["section"] for row in _values()}):
        for cell in printed.table_cells(pages, section):
            cells[cell.key] = cell
    assert set(cells) == set(recorded)  # every printed cell recorded, every recorded cell printed
    for key, row in recorded.items():
        cell = cells[key]
        assert (cell.text, cell.page) == (row["as_printed"], row["page"]), key
        assert cell.value_marks == tuple(filter(None, row["value_marks"].split(";"))), key
        assert set(cell.footnotes) == set(filter(None, row["footnotes"].split(";"))), key


def test_every_value_is_what_its_printed_text_says():
    symbols = {
        row["mark"]: printed_symbol(row)
        for row in T.read("reference_footnotes")
        if row["publication_id"] == PUBLICATION
    }
    for row in _values():
        recorded = tuple(float(row[name]) if row[name] else None for name in ("value", "value_low", "value_high"))
        assert recorded == expected_values(row["as_printed"], symbols), row["value_id"]
        assert (row["estimate"] == "true") == ("e" in row["footnotes"].split(";")), row["value_id"]


def printed_symbol(row):
    from redata.checks.publications import Footnote

    return Footnote(row["mark"], row["kind"], row["meaning"], row["text"], 0)


def test_pypdf_reads_the_same_numbers_with_their_marks_glued_on():
    """A second library, without positions: each recorded row is a line of pypdf's text that starts with the
    row's label and ends with its cells, each as marks + number (China 2024: `14270,000`)."""
    from pypdf import PdfReader

    lines = [" ".join(line.split()) for page in PdfReader(DOCUMENT).pages for line in page.extract_text().splitlines()]
    rows: dict[tuple, list[dict]] = {}
    for row in _values():
        rows.setdefault((row["section"], row["row_group"], row["row_label"]), []).append(row)
    for (_, _, label), cells in rows.items():
        glued = " ".join(cell["value_marks"].replace(";", "") + cell["as_printed"] for cell in cells)
        assert any(line.startswith(label) and line.endswith(glued) for line in lines), (label, glued)
    assert "China 14255,000 14270,000 44,000,000" in lines


def test_chinas_2024_production_is_the_published_number_with_its_footnote_kept_apart(pages):
    (china,) = [row for row in _values() if row["value_id"] == "mcs2025-ree-world-china-2024"]
    assert (china["as_printed"], float(china["value"]), china["value_marks"], china["unit"]) == (
        "270,000",
        270000.0,
        "14",
        "t_reo",
    )
    assert printed.footnote_text(pages, "14") == "Production quota; does not include undocumented production."
    (australia,) = [row for row in _values() if row["value_id"] == "mcs2025-ree-world-australia-reserves"]
    assert (australia["as_printed"], australia["value_marks"], australia["footnotes"]) == ("5,700,000", "13", "11;13")


def test_every_footnote_is_printed_after_its_mark(pages):
    footnotes = [row for row in T.read("reference_footnotes") if row["publication_id"] == PUBLICATION]
    assert {row["mark"] for row in footnotes if row["kind"] == "superscript"} == {"e", *map(str, range(1, 15))}
    for row in footnotes:
        if row["kind"] == "superscript" and row["mark"] != "e":
            assert printed.footnote_text(pages, row["mark"]) == row["text"], row["mark"]
    # the legend line holds the estimate mark and the three symbols
    assert printed.footnote_text(pages, "e") == "Estimated. E Net exporter. NA Not available. — Zero."


def test_the_real_package_is_proved_against_the_document():
    report = validate(REPO / "datapackage", REFERENCES)
    assert [p for p in report.problems if p.layer == "publications"] == []
    assert "publications" not in report.skipped


def test_without_the_document_the_layer_says_it_is_skipped(tmp_path):
    report = validate(REPO / "datapackage")
    assert "no references folder" in report.skipped["publications"]
    empty = tmp_path / "empty"
    empty.mkdir()
    report = validate(REPO / "datapackage", empty)
    assert "mcs2025-rare-earths.pdf not found" in report.skipped["publications"] and report.errors == []


def test_the_folder_may_be_named_by_the_environment_or_lie_beside_seeds(source, monkeypatch):
    monkeypatch.setenv("REDATA_REFERENCES", str(REFERENCES))
    assert "publications" not in validate(source / "datapackage").skipped
    monkeypatch.delenv("REDATA_REFERENCES")
    assert "publications" in validate(source / "datapackage").skipped
    shutil.copytree(REFERENCES, source / "references")
    report = validate(source / "datapackage")
    assert "publications" not in report.skipped and report.errors == []


def test_a_folder_named_that_does_not_exist_is_an_error(tmp_path):
    report = validate(REPO / "datapackage", tmp_path / "nowhere")
    assert [(p.layer, p.rule) for p in report.errors] == [("publications", "reference-folder")]


def _one_error(source: Path) -> tuple:
    (error,) = errors_of(validate(source / "datapackage", REFERENCES))
    return error


def test_a_value_that_is_not_its_printed_text_is_reported(source, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-world-china-2024", value="14270000")
    error = _one_error(source)
    assert error == ("publications", "reference_values", line, "value", "reference-value-as-printed")


def test_a_number_not_printed_at_its_place_is_reported(source, tables):
    line = tables.update(
        "reference_values", "value_id", "mcs2025-ree-world-china-2024", as_printed="275,000", value="275000"
    )
    assert _one_error(source) == ("publications", "reference_values", line, "as_printed", "reference-value-printed")
    (problem,) = validate(source / "datapackage", REFERENCES).errors
    assert "prints '270,000'" in problem.message and "not '275,000'" in problem.message


def test_a_value_recorded_in_the_wrong_column_is_reported(source, tables):
    tables.update("reference_values", "value_id", "mcs2025-ree-world-china-2023", column_label="2022")
    report = validate(source / "datapackage", REFERENCES)
    line = tables.line_of("reference_values", "value_id", "mcs2025-ree-world-china-2023")
    assert {(p.table, p.row, p.rule) for p in report.errors} == {
        ("reference_values", line, "reference-value-printed"),  # nothing is printed in a column 2022
        ("reference_values", None, "reference-table-complete"),  # and China's 2023 cell is no longer recorded
    }


def test_a_printed_cell_left_out_is_reported(source, tables):
    tables.delete("reference_values", "value_id", "mcs2025-ree-us-employment-2024")
    (error,) = validate(source / "datapackage", REFERENCES).errors
    assert (error.rule, error.value) == ("reference-table-complete", "570")
    assert "Employment, mine and mill, annual average, number" in error.message and "'2024'" in error.message


def test_marks_other_than_the_printed_ones_are_reported(source, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-world-china-2024", value_marks="", footnotes="e")
    assert _one_error(source) == ("publications", "reference_values", line, "footnotes", "reference-footnotes-printed")


def test_a_mark_the_publication_does_not_define_is_reported(source, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-world-china-2024", footnotes="e;14;99")
    report = validate(source / "datapackage", REFERENCES)
    assert ("publications", "reference_values", line, "footnotes", "reference-footnote-known") in errors_of(report)


def test_an_estimate_flag_against_the_footnotes_is_reported(source, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-us-employment-2020", estimate="true")
    assert _one_error(source) == ("publications", "reference_values", line, "estimate", "reference-estimate")


def test_a_footnote_text_not_printed_is_reported(source, tables):
    rows = tables.read("reference_footnotes")
    for row in rows:
        if row["mark"] == "14":
            row["text"] = "Production quota."
    tables.write("reference_footnotes", rows)
    error = _one_error(source)
    assert error[:2] == ("publications", "reference_footnotes") and error[3:] == ("text", "reference-footnote-printed")


def test_another_copy_of_the_document_is_refused_by_its_sha256(source, tables):
    line = tables.update("reference_publications", "publication_id", PUBLICATION, sha256="0" * 64)
    assert _one_error(source) == ("publications", "reference_publications", line, "sha256", "reference-document-sha256")


def test_a_document_that_is_not_a_pdf_is_an_error_not_a_crash(source, tables, tmp_path):
    folder = tmp_path / "references"
    folder.mkdir()
    fake = folder / "mcs2025-rare-earths.pdf"
    fake.write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    line = tables.update(
        "reference_publications", "publication_id", PUBLICATION, sha256=hashlib.sha256(fake.read_bytes()).hexdigest()
    )
    (error,) = errors_of(validate(source / "datapackage", folder))
    assert error == ("publications", "reference_publications", line, "file", "reference-document-readable")


def test_a_publication_with_values_must_name_its_copy(source, tables):
    line = tables.update("reference_publications", "publication_id", PUBLICATION, file="", sha256="")
    report = validate(source / "datapackage", REFERENCES)
    assert errors_of(report) == [
        ("publications", "reference_publications", line, "file", "reference-document-recorded")
    ]


def test_a_file_name_that_climbs_out_of_the_folder_is_not_read(source, tables):
    tables.update("reference_publications", "publication_id", PUBLICATION, file="../references/mcs2025-rare-earths.pdf")
    report = validate(source / "datapackage", REFERENCES)
    assert {(p.layer, p.rule) for p in report.errors} == {("structure", "pattern")}
    assert "not found" in report.skipped["publications"]


# ---------------------------------------------------------------- the reader's rules, on words laid out by hand


def _word(text, x0, top, size=10.0, bold=False):
    return printed.Word(text, x0, x0 + 6 * len(text) * size / 10, top, top + size, size, bold)


def test_a_raised_mark_before_a_number_is_the_numbers_and_one_after_a_label_is_the_labels():
    line = printed.lines_of(
        [
            _word("China", 0, 100),
            _word("14", 90, 99, size=6.5),  # ends at 97.8, where the number starts
            _word("270,000", 97.8, 100),
            _word("Reserves", 200, 100),
            _word("11", 248, 99, size=6.5),  # starts where "Reserves" ends
        ]
    )[0]
    assert [(w.text, w.marks_before, w.marks_after) for w in line.words] == [
        ("China", (), ()),
        ("270,000", ("14",), ()),
        ("Reserves", (), ("11",)),
    ]


def test_marks_printed_as_one_group_are_split():
    line = printed.lines_of([_word("Imports:", 0, 100), _word("e,", 48, 99, size=6.5), _word("4", 55, 99, size=6.5)])[0]
    assert [(w.text, w.marks_after) for w in line.words] == [("Imports:", ("e", "4"))]


def test_values_without_the_tables_that_prove_them_are_an_error(source):
    edit_json(
        source / "datapackage" / "datapackage.json",
        lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "reference_footnotes"]),
    )
    report = validate(source / "datapackage", REFERENCES)
    assert [(p.layer, p.table, p.rule) for p in report.errors] == [
        ("publications", "reference_values", "reference-value-printed-unevaluable"),
        ("crosscheck", "reference_comparisons", "crosscheck-unevaluable"),  # the verdicts read the footnotes too
    ]


def test_without_the_pdf_library_the_proof_is_an_error_not_a_pass(monkeypatch):
    monkeypatch.setitem(sys.modules, "pdfplumber", None)  # `import pdfplumber` raises ImportError
    report = validate(REPO / "datapackage", REFERENCES)
    assert [(p.layer, p.table, p.rule) for p in report.errors] == [
        ("publications", "reference_publications", "reference-value-printed-unevaluable")
    ]
    assert "pdfplumber is not installed" in report.errors[0].message
