"""Layer `publications`: every reference value is the number its publication prints, on its row, in its
column, with its footnotes; the tables it records are recorded whole; the document read is the copy
whose sha256 is recorded.

The documents are looked for in the references folder: the one `validate(references=...)` (the option
`--references`) names, else the one the environment variable REDATA_REFERENCES names, else `references/`
beside `seeds/` in a source package. The repository holds no document; where a document is absent, the
part of the layer that reads it is skipped, and said to be. What needs no document always runs: each value
is what its `as_printed` says, its estimate flag follows its footnotes, every mark is a footnote of its
publication, and a publication with values names the copy they were checked against.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from ..package import file_hash
from ..report import MAX_ROWS_PER_RULE, Problem
from . import MESSAGE, ROW, Context, Table, row_problems

LAYER = "publications"
ENVIRONMENT = "REDATA_REFERENCES"
FOLDER = "references"  # beside seeds/ in a source package
VALUE_FIELDS = (
    "value_id",
    "publication_id",
    "page",
    "section",
    "row_group",
    "row_label",
    "column_group",
    "column_label",
    "as_printed",
    "value_marks",
    "footnotes",
    "value",
    "value_low",
    "value_high",
    "unit",
    "estimate",
    "metric",
)
# A number as printed: thousands separated by commas, perhaps decimals, perhaps a bound sign before it.
PRINTED_NUMBER = re.compile(r"([<>])?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


@dataclass(frozen=True)
class Footnote:
    mark: str
    kind: str
    meaning: str
    text: str
    row: int


def check(context: Context) -> list[Problem]:
    publications = context.table("reference_publications", "publication_id", "file", "sha256")
    values = context.table("reference_values", *VALUE_FIELDS)
    footnote_table = context.table("reference_footnotes", "publication_id", "mark", "kind", "meaning", "text")
    if values is None:
        return []  # no reference values, nothing to prove
    if publications is None or footnote_table is None:
        message = "reference values cannot be checked without the tables reference_publications and reference_footnotes"
        return [Problem(LAYER, "reference_values", None, None, None, "reference-value-printed-unevaluable", message)]
    footnotes = footnotes_by_publication(footnote_table)
    problems = _recorded_problems(publications, values)
    problems += _as_printed_problems(values, footnotes)
    problems += _footnote_mark_problems(values, footnotes)
    problems += _dimension_problems(context, values)
    problems += _document_problems(context, publications, values, footnote_table, footnotes)
    return problems


def footnotes_by_publication(table: Table) -> dict[str, dict[str, Footnote]]:
    found: dict[str, dict[str, Footnote]] = {}
    columns = [ROW, "publication_id", "mark", "kind", "meaning", "text"]
    for row, publication, mark, kind, meaning, text in table.frame.select(columns).iter_rows():
        if publication is not None and mark is not None:
            found.setdefault(str(publication), {}).setdefault(mark, Footnote(mark, kind, meaning, text, row))
    return found


def marks(text: str | None) -> tuple[str, ...]:
    """The marks of a `;`-separated list, in order."""
    return tuple(mark for mark in (text or "").split(";") if mark)


def failing_rows(failing: list[tuple[int, str, object]]) -> pl.DataFrame:
    """Failing rows given as (row, message, value), as the frame `row_problems` reads."""
    return pl.DataFrame(
        {
            ROW: [row for row, _, _ in failing],
            MESSAGE: [text for _, text, _ in failing],
            "_value": [None if value is None else str(value) for _, _, value in failing],
        },
        schema={ROW: pl.UInt32, MESSAGE: pl.String, "_value": pl.String},
    )


def _failures(table: Table, failing: list[tuple[int, str, object]], *, field: str, rule: str, message: str):
    """Problems for failing rows given as (row, message, value)."""
    return row_problems(
        table, failing_rows(failing), layer=LAYER, field=field, rule=rule, message=message, value="_value"
    )


# ---------------------------------------------------------------- rules that need no document


def _recorded_problems(publications: Table, values: Table) -> list[Problem]:
    """A publication that has values names the file and sha256 of the copy they were checked against."""
    with_values = set(values.frame.get_column("publication_id").cast(pl.String).drop_nulls().unique().to_list())
    failing = []
    for row, publication, file, sha256 in publications.frame.select(
        ROW, pl.col("publication_id").cast(pl.String), "file", "sha256"
    ).iter_rows():
        if (file is None) != (sha256 is None):
            failing.append((row, "file and sha256 go together: the copy checked is named by both", publication))
        elif file is None and publication in with_values:
            failing.append((row, "its values were checked against a copy: name its file and sha256", publication))
    return _failures(
        publications,
        failing,
        field="file",
        rule="reference-document-recorded",
        message="a publication with values names the copy checked",
    )


def expected_values(as_printed: str, symbols: dict[str, Footnote]) -> tuple[float | None, ...] | None:
    """(value, value_low, value_high) that a cell printed as `as_printed` holds; None where it is neither a
    number nor a symbol of the publication's legend."""
    number = PRINTED_NUMBER.fullmatch(as_printed)
    if number is not None:
        sign, whole, decimals = number.groups()
        read = float(whole.replace(",", "") + (decimals or ""))
        return (None, read, None) if sign == ">" else (None, None, read) if sign == "<" else (read, None, None)
    symbol = symbols.get(as_printed)
    if symbol is None or symbol.kind != "symbol":
        return None
    return (0.0, None, None) if symbol.meaning == "zero" else (None, None, None)


def _as_printed_problems(values: Table, footnotes: dict[str, dict[str, Footnote]]) -> list[Problem]:
    failing = []
    columns = [ROW, pl.col("publication_id").cast(pl.String), "as_printed", "value", "value_low", "value_high"]
    for row, publication, printed, *recorded in values.frame.select(columns).iter_rows():
        if printed is None:
            continue
        expected = expected_values(printed, footnotes.get(publication, {}))
        if expected is None:
            failing.append((row, f"{printed!r} is neither a number nor a symbol of the publication's legend", printed))
        elif tuple(recorded) != expected:
            names = ("value", "value_low", "value_high")
            shown = ", ".join(f"{name} {value}" for name, value in zip(names, expected, strict=True))
            failing.append((row, f"{printed!r} is {shown}; the row records {tuple(recorded)}", printed))
    return _failures(
        values,
        failing,
        field="value",
        rule="reference-value-as-printed",
        message="value, value_low and value_high are what as_printed says",
    )


def _footnote_mark_problems(values: Table, footnotes: dict[str, dict[str, Footnote]]) -> list[Problem]:
    """Every mark is a raised footnote of the publication, the number's own marks are among its footnotes,
    and the estimate flag says whether one of them means an estimate."""
    unknown, flags = [], []
    columns = [ROW, pl.col("publication_id").cast(pl.String), "value_marks", "footnotes", "estimate"]
    for row, publication, value_marks, every, estimate in values.frame.select(columns).iter_rows():
        known = footnotes.get(publication, {})
        own, qualifying = marks(value_marks), marks(every)
        strangers = [m for m in own + qualifying if m not in known or known[m].kind != "superscript"]
        if strangers:
            unknown.append((row, f"marks {', '.join(strangers)} are not footnotes of {publication}", every))
        elif not set(own) <= set(qualifying):
            unknown.append((row, f"the number's own marks {value_marks} must be among its footnotes", every))
        elif estimate is not None and estimate != any(known[m].meaning == "estimate" for m in qualifying):
            said = "is" if estimate else "is not"
            flags.append(
                (row, f"the row says the value {said} an estimate; its footnotes {every!r} say otherwise", every)
            )
    return _failures(
        values, unknown, field="footnotes", rule="reference-footnote-known", message="every mark is a footnote"
    ) + _failures(
        values, flags, field="estimate", rule="reference-estimate", message="the estimate flag follows the footnotes"
    )


def _dimension_problems(context: Context, values: Table) -> list[Problem]:
    units, metrics = context.table("units", "unit_id", "dimension"), context.table("metrics", "metric_id", "dimension")
    if units is None or metrics is None:
        return []
    unit_dimension = dict(units.frame.select(pl.col("unit_id").cast(pl.String), "dimension").iter_rows())
    metric_dimension = dict(metrics.frame.select(pl.col("metric_id").cast(pl.String), "dimension").iter_rows())
    failing = []
    for row, unit, metric in values.frame.select(
        ROW, pl.col("unit").cast(pl.String), pl.col("metric").cast(pl.String)
    ).iter_rows():
        if unit in unit_dimension and metric in metric_dimension and unit_dimension[unit] != metric_dimension[metric]:
            message = (
                f"unit {unit} measures {unit_dimension[unit]}, but metric {metric} is a {metric_dimension[metric]}"
            )
            failing.append((row, message, unit))
    return _failures(
        values, failing, field="unit", rule="reference-unit-dimension", message="the unit's dimension is the metric's"
    )


# ---------------------------------------------------------------- rules that read the document


def references_folder(context: Context) -> tuple[Path | None, str]:
    """The folder documents are looked for in, and what named it."""
    if context.reference_folder is not None:
        return Path(context.reference_folder), "--references"
    if os.environ.get(ENVIRONMENT):
        return Path(os.environ[ENVIRONMENT]), ENVIRONMENT
    paths = context.package.paths
    if paths.is_source and (paths.folder.parent / FOLDER).is_dir():
        return paths.folder.parent / FOLDER, f"the {FOLDER}/ folder beside seeds/"
    return None, ""


def _document_problems(context, publications, values, footnote_table, footnotes) -> list[Problem]:
    folder, named_by = references_folder(context)
    if folder is None:
        context.skipped[LAYER] = (
            f"no references folder (give one with --references or {ENVIRONMENT}, or put one beside seeds/): "
            "reference values were checked against their own columns only, not against their documents"
        )
        return []
    if not folder.is_dir():
        message = f"{named_by} names {folder}, which is not a folder"
        return [Problem(LAYER, None, None, None, str(folder), "reference-folder", message)]
    problems: list[Problem] = []
    absent = []
    rows = publications.frame.select(ROW, pl.col("publication_id").cast(pl.String), "file", "sha256")
    for row, publication, file, sha256 in rows.iter_rows():
        if file is None or sha256 is None:
            continue
        path = _document_path(folder, file)
        if path is None or not path.is_file():
            absent.append(file)
            continue
        pages, failure = _pages(path, sha256)
        if failure is not None:
            rule, field, message = failure
            problems += _failures(publications, [(row, message, file)], field=field, rule=rule, message=message)
            continue
        problems += _printed_problems(values, publication, pages)
        problems += _footnote_text_problems(footnote_table, footnotes.get(publication, {}), pages)
    if absent:
        context.skipped[LAYER] = (
            f"{', '.join(absent)} not found in {folder} ({named_by}): "
            "the values of those documents were not checked against them"
        )
    return problems


def _pages(path: Path, sha256: str):
    """The document's pages, or why it cannot be read: (rule, field, message)."""
    from .. import printed

    if path.stat().st_size > printed.MAX_BYTES:  # not even hashed: no copy checked is that large
        return None, ("reference-document-readable", "file", f"{path} is larger than {printed.MAX_BYTES} bytes")
    found = file_hash(path)
    if found != sha256:
        message = f"{path} has sha256 {found}, not the recorded one: its values were not checked against it"
        return None, ("reference-document-sha256", "sha256", message)
    try:
        printed.pdf_library()  # asked each time: pages read before would hide a reader that is gone
        return _read_pages(found, path), None
    except printed.ReaderMissing as error:
        return None, ("reference-value-printed-unevaluable", "file", str(error))
    except printed.DocumentError as error:
        return None, ("reference-document-readable", "file", str(error))


def _document_path(folder: Path, file: str) -> Path | None:
    """The document's path inside the folder, or None for a name that would leave it."""
    if Path(file).name != file or file in (".", ".."):
        return None
    path = (folder / file).resolve()
    return path if path.is_relative_to(folder.resolve()) else None


@lru_cache(maxsize=4)
def _read_pages(sha256: str, path: Path) -> tuple:
    """The pages of the document at `path`, whose bytes have this sha256 (checked by the caller): a process that
    validates several packages against one document (the tests do, dozens of times) reads it once; the USGS
    chapter's two pages take 0.5 s to read."""
    from .. import printed

    return tuple(printed.read_pages(path))


KEY_FIELDS = ("section", "row_group", "row_label", "column_group", "column_label")


def _printed_problems(values: Table, publication: str, pages) -> list[Problem]:
    """Each value of the publication is the cell printed at its row and column, on its page, with its marks;
    every cell of the tables it records is recorded once."""
    from .. import printed

    text_fields = ("value_id", *KEY_FIELDS, "as_printed", "value_marks", "footnotes")
    mine = values.frame.filter(pl.col("publication_id").cast(pl.String) == publication).select(
        ROW, "page", *(pl.col(name).cast(pl.String) for name in text_fields)
    )
    cells: dict[tuple, object] = {}
    unprinted_sections = set()
    for section in mine.get_column("section").drop_nulls().unique().sort().to_list():
        found = printed.table_cells(pages, section)
        if found is None:
            unprinted_sections.add(section)
        for cell in found or []:
            cells.setdefault(cell.key, cell)
    wrong, marked = [], []
    recorded: dict[tuple, str] = {}
    for row in mine.iter_rows(named=True):
        key = tuple(row[name] or "" for name in KEY_FIELDS)
        where = f"row {' > '.join(filter(None, key[1:3]))!r}, column {' > '.join(filter(None, key[3:]))!r}"
        cell = cells.get(key)
        if key in recorded:
            wrong.append((row[ROW], f"{recorded[key]} records the same printed cell ({where})", row["as_printed"]))
        elif key[0] in unprinted_sections:
            wrong.append((row[ROW], f"no page prints a table headed {key[0] + ':'!r}", row["as_printed"]))
        elif cell is None:
            wrong.append((row[ROW], f"{key[0]!r} prints no number at {where}", row["as_printed"]))
        elif cell.text != row["as_printed"] or cell.page != str(row["page"]):
            message = (
                f"page {cell.page} prints {cell.text!r} at {where}, not {row['as_printed']!r} on page {row['page']}"
            )
            wrong.append((row[ROW], message, row["as_printed"]))
        elif cell.value_marks != marks(row["value_marks"]) or set(cell.footnotes) != set(marks(row["footnotes"])):
            message = (
                f"as printed, the number carries the marks {';'.join(cell.value_marks) or '(none)'} and is qualified "
                f"by {';'.join(cell.footnotes) or '(none)'}; the row says {row['value_marks'] or '(none)'} and "
                f"{row['footnotes'] or '(none)'}"
            )
            marked.append((row[ROW], message, row["footnotes"]))
        recorded.setdefault(key, row["value_id"])
    problems = _failures(
        values, wrong, field="as_printed", rule="reference-value-printed", message="the value is printed at its place"
    )
    problems += _failures(
        values, marked, field="footnotes", rule="reference-footnotes-printed", message="the marks are the printed ones"
    )
    return problems + _unrecorded_problems(publication, cells, recorded)


def _unrecorded_problems(publication: str, cells: dict, recorded: dict) -> list[Problem]:
    unrecorded = [cell for key, cell in cells.items() if key not in recorded]
    problems = [
        Problem(
            LAYER,
            "reference_values",
            None,
            None,
            cell.text,
            "reference-table-complete",
            f"{publication} prints {cell.text!r} in {cell.section!r} at row "
            f"{' > '.join(filter(None, (cell.row_group, cell.row_label)))!r}, column "
            f"{' > '.join(filter(None, (cell.column_group, cell.column_label)))!r}; no row records it",
        )
        for cell in unrecorded[:MAX_ROWS_PER_RULE]
    ]
    if len(unrecorded) > MAX_ROWS_PER_RULE:
        rest = len(unrecorded) - MAX_ROWS_PER_RULE
        message = f"{publication}: {rest} more printed cell(s) like the above are not recorded"
        problems.append(Problem(LAYER, "reference_values", None, None, None, "reference-table-complete", message))
    return problems


def _footnote_text_problems(table: Table, known: dict[str, Footnote], pages) -> list[Problem]:
    """Each raised footnote's text is printed after its mark (the legend's symbols taken out of it), and each
    symbol's definition is printed in a footnote."""
    from .. import printed

    symbols = [footnote for footnote in known.values() if footnote.kind == "symbol"]
    texts: list[str] = []
    failing = []
    for footnote in known.values():
        if footnote.kind != "superscript":
            continue
        text = printed.footnote_text(pages, footnote.mark)
        if text is None:
            failing.append((footnote.row, f"no footnote led by the mark {footnote.mark!r} is printed", footnote.mark))
            continue
        texts.append(text)
        own = text
        for symbol in symbols:
            own = _without(own, f"{symbol.mark} {symbol.text}")
        if own != footnote.text:
            failing.append((footnote.row, f"the footnote printed after {footnote.mark!r} reads {own!r}", footnote.mark))
    for symbol in symbols:
        definition = f"{symbol.mark} {symbol.text}"
        if not any(_without(text, definition) != text for text in texts):
            failing.append((symbol.row, f"no footnote defines {definition!r}", symbol.mark))
    return _failures(
        table, failing, field="text", rule="reference-footnote-printed", message="the footnote's text is printed"
    )


def _without(text: str, definition: str) -> str:
    """The text with each occurrence of `definition` standing as words of its own taken out."""
    pattern = r"(?:^|(?<=\s))" + re.escape(definition) + r"(?=\s|$)"
    return " ".join(re.sub(pattern, " ", text).split())
