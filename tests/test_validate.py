"""`redata validate`: the real package is valid, and one targeted defect per layer is reported exactly,
at its table, CSV line and field, with nothing else reported as an error."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys

import polars as pl
import pytest
from conftest import REPO, Tables, edit_json, errors_of, run_cli

from redata import validate
from redata.report import LAYERS, MAX_ROWS_PER_RULE


def test_real_package_is_valid():
    report = validate(REPO / "datapackage")
    assert report.errors == [], [p.message for p in report.errors]
    assert report.skipped == {}


def test_real_package_warns_of_the_two_known_disagreements():
    report = validate(REPO / "datapackage")
    conflicting = {p.value for p in report.warnings if p.rule == "conflicting-values"}
    figures = {row["figure_id"]: row for row in Tables(REPO).read("figures")}
    pairs = {(figures[f]["metric"], figures[f]["subject_id"]) for f in conflicting}
    assert pairs == {("share_of_world_mining", "china"), ("market_value", "global-rare-earth-market")}
    assert all(p.layer == "conflicts" for p in report.warnings)


def test_cli_exit_codes_and_strict(source):
    assert run_cli("validate", REPO / "datapackage").code == 0
    strict = run_cli("validate", REPO / "datapackage", "--strict")
    assert strict.code == 1 and "warning" in strict.stdout
    missing = run_cli("validate", source / "nowhere")
    assert missing.code == 2 and "no datapackage.json" in missing.stderr and "Traceback" not in missing.stderr


def _figure(tables: Tables, metric: str, source_id: str) -> dict:
    rows = [r for r in tables.read("figures") if r["metric"] == metric and r["source_id"] == source_id]
    assert len(rows) == 1
    return rows[0]


# Each case: change one thing in a copy of the real package; expect exactly one error, located.
def defect_percent_150(source, tables):
    figure = _figure(tables, "share_of_world_mining", "s000")
    line = tables.update("figures", "figure_id", figure["figure_id"], value="150")
    # and the value is no longer the one its words give
    return {
        ("domain", "figures", line, "value", "unit-range"),
        ("agreement", "figures", line, "value", "as-written-value"),
    }


def defect_quote_moved(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    line = tables.update(
        "figures",
        "figure_id",
        figure["figure_id"],
        char_start=str(int(figure["char_start"]) + 1),
        char_end=str(int(figure["char_end"]) + 1),
    )
    return {("provenance", "figures", line, "quote", "quote-at-offsets")}


def defect_offsets_reversed(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    line = tables.update("figures", "figure_id", figure["figure_id"], char_end=str(int(figure["char_start"]) - 5))
    return {("provenance", "figures", line, "quote", "quote-at-offsets")}


def defect_dangling_entity(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    line = tables.update("figures", "figure_id", figure["figure_id"], subject_id="atlantis")
    return {("references", "figures", line, "subject_id", "foreign-key")}


def defect_broken_sum(source, tables):
    """A part left out of a sum: the parts no longer add up to the total (every figure still says what its
    words say)."""
    rows = tables.read("check_terms")
    part = [r for r in rows if r["check_id"] == "ev-production-by-maker" and r["role"] == "part"][0]
    tables.write("check_terms", [r for r in rows if r is not part])
    line = tables.line_of("checks", "check_id", "ev-production-by-maker")
    return {("consistency", "checks", line, "check_id", "check-holds")}


def defect_changed_source_byte(source, tables):
    path = source / "seeds" / "000_23634502512134c7.txt"
    data = bytearray(path.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    line = tables.line_of("sources", "source_id", "s000")
    return {("provenance", "sources", line, "sha256", "source-sha256")}


def defect_duplicate_key(source, tables):
    rows = tables.read("figures")
    second = rows[1]["figure_id"]
    rows[1]["figure_id"] = rows[0]["figure_id"]
    tables.write("figures", rows)
    # check_terms may not reference the renamed figure, or a foreign key would break as well
    assert second not in {r["figure_id"] for r in tables.read("check_terms")}
    return {
        ("structure", "figures", 2, "figure_id", "primary-key"),
        ("structure", "figures", 3, "figure_id", "primary-key"),
    }


def defect_unaccounted_number(source, tables):
    exclusion = [r for r in tables.read("exclusions") if r["as_written"] == "F-35"][0]
    tables.delete("exclusions", "exclusion_id", exclusion["exclusion_id"])
    line = tables.line_of("sources", "source_id", exclusion["source_id"])
    return {("coverage", "sources", line, "file", "number-accounted")}


def defect_mention_not_an_alias(source, tables):
    tables.update("entities", "entity_id", "united-states", aliases="United States")
    lines = [line for line, row in enumerate(tables.read("mentions"), start=2) if row["entity_id"] == "united-states"]
    assert lines
    return {("provenance", "mentions", line, "quote", "mention-is-alias") for line in lines}


def defect_descriptor_version(source, tables):
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version="1.0"))
    return {("descriptor", None, None, "version", "version-semver")}


def defect_type(source, tables):
    line = tables.update("units", "unit_id", "t", to_base_factor="1,000")
    # a unit the number reader cannot convert: the figure in it cannot be compared with its words
    figure = tables.line_of("figures", "figure_id", "s003-f17")
    return {
        ("structure", "units", line, "to_base_factor", "type"),
        ("agreement", "figures", figure, "unit", "as-written-unit"),
    }


def defect_enum(source, tables):
    entity = tables.read("entities")[3]
    line = tables.update("entities", "entity_id", entity["entity_id"], type="planet")
    return {("structure", "entities", line, "type", "enum")}


def defect_qualifier_bounds(source, tables):
    figure = [r for r in tables.read("figures") if r["qualifier"] == "over"][0]
    line = tables.update("figures", "figure_id", figure["figure_id"], value=figure["value_low"], value_low="")
    return {
        ("domain", "figures", line, "qualifier", "qualifier-bounds"),
        ("agreement", "figures", line, "value", "as-written-value"),
    }


def defect_metric_dimension(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    line = tables.update("figures", "figure_id", figure["figure_id"], unit="count")
    return {
        ("domain", "figures", line, "unit", "metric-dimension"),
        ("agreement", "figures", line, "unit", "as-written-unit"),
    }


def defect_period_after_publication(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    line = tables.update("figures", "figure_id", figure["figure_id"], period="2031")
    return {("domain", "figures", line, "period", "period-after-publication")}


def defect_as_written(source, tables):
    figure = _figure(tables, "share_of_world_refining", "s000")
    # still a number the quote holds, so coverage is unaffected: only the as-written text is wrong
    line = tables.update("figures", "figure_id", figure["figure_id"], as_written=figure["as_written"] + " of them")
    return {("provenance", "figures", line, "as_written", "as-written-in-quote")}


def defect_source_not_utf8(source, tables):
    path = source / "seeds" / "000_23634502512134c7.txt"
    data = path.read_bytes().replace(b"rare", b"r\xe4re", 1)
    path.write_bytes(data)
    line = tables.update("sources", "source_id", "s000", sha256=hashlib.sha256(data).hexdigest())
    return {("provenance", "sources", line, "file", "source-utf8")}


def defect_text_constraints(source, tables):
    """A period that breaks its pattern and a note longer than its maxLength (both checked on the text)."""
    last, before_last = [row["figure_id"] for row in tables.read("figures")[-1:-3:-1]]  # rows no other defect edits
    period = tables.update("figures", "figure_id", last, period="May 2025")
    note = tables.update("figures", "figure_id", before_last, note="n" * 2001)
    return {
        ("structure", "figures", period, "period", "pattern"),
        ("agreement", "figures", period, "period", "period-as-written"),  # its words say `In 2024`
        ("structure", "figures", note, "note", "maxLength"),
    }


def _value(tables: Tables, figure_id: str) -> str:
    return [r for r in tables.read("figures") if r["figure_id"] == figure_id][0]["value"]


DEFECTS = [
    defect_percent_150,
    defect_quote_moved,
    defect_offsets_reversed,
    defect_dangling_entity,
    defect_broken_sum,
    defect_changed_source_byte,
    defect_duplicate_key,
    defect_unaccounted_number,
    defect_descriptor_version,
    defect_type,
    defect_enum,
    defect_qualifier_bounds,
    defect_metric_dimension,
    defect_period_after_publication,
    defect_mention_not_an_alias,
    defect_source_not_utf8,
    defect_text_constraints,
]


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.__name__.removeprefix("defect_"))
def test_one_defect_is_reported_exactly(source, tables, defect):
    expected = defect(source, tables)
    report = validate(source / "datapackage")
    assert set(errors_of(report)) == expected


@pytest.mark.parametrize(
    "defect", [None, *DEFECTS, defect_as_written], ids=lambda d: d.__name__.removeprefix("defect_") if d else "none"
)
def test_every_text_column_held_as_a_categorical_gives_the_same_report(source, tables, defect, monkeypatch):
    """The reader holds a text column as a categorical where its first rows repeat (in large tables only, as
    set): with every text column of the package's tables so held, every layer reports what it reports on
    strings."""
    from redata import tables as reader
    from redata.validation import run

    if defect is not None:
        defect(source, tables)
    as_strings = validate(source / "datapackage")
    monkeypatch.setattr(reader, "REPEATING_ROWS", 1)
    monkeypatch.setattr(reader, "REPEATS", 1)
    as_categoricals, context = run(source / "datapackage")
    assert context.tables["figures"].frame.schema["quote"] == pl.Categorical
    assert (as_categoricals.problems, as_categoricals.skipped) == (as_strings.problems, as_strings.skipped)


def test_as_written_outside_quote_is_reported(source, tables):
    expected = defect_as_written(source, tables)
    report = validate(source / "datapackage")
    assert expected <= set(errors_of(report))
    assert {e[0] for e in errors_of(report)} <= {"provenance", "coverage"}


def test_cli_reports_defect_as_a_located_line_and_exits_1(source, tables):
    expected = defect_percent_150(source, tables)
    result = run_cli("validate", source / "datapackage")
    assert result.code == 1
    for _layer, table, line, field, rule in expected:
        assert f"{table}:{line}:{field}" in result.stdout and f"rule={rule}" in result.stdout
    assert f"{len(expected)} error(s)" in result.stdout.splitlines()[-1]


def test_known_inconsistency_is_a_warning(source, tables):
    defect_broken_sum(source, tables)
    tables.update("checks", "check_id", "ev-production-by-maker", known_inconsistency="true")
    report = validate(source / "datapackage")
    assert report.errors == []
    assert [p.rule for p in report.warnings if p.layer == "consistency"] == ["known-inconsistency"]


def test_consistency_failure_shows_both_sides(source, tables):
    defect_broken_sum(source, tables)
    (problem,) = validate(source / "datapackage").errors
    assert "sum to" in problem.message and "total" in problem.message
    assert "12400000" in problem.message


def test_all_layers_run_in_one_pass(source, tables):
    expected = set()
    for defect in (defect_percent_150, defect_dangling_entity, defect_unaccounted_number, defect_descriptor_version):
        expected |= defect(source, tables)
    assert set(errors_of(validate(source / "datapackage"))) == expected


def test_json_report_shape(source, tables):
    expected = defect_percent_150(source, tables)
    result = run_cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"format_version", "package", "valid", "errors", "warnings", "skipped", "problems"}
    assert report["valid"] is False and report["errors"] == len(expected) and report["format_version"] == 1
    for problem in report["problems"]:
        assert set(problem) == {"layer", "table", "row", "field", "value", "rule", "message", "severity"}
        assert problem["layer"] in LAYERS and problem["severity"] in ("error", "warning")
    (error,) = [p for p in report["problems"] if p["severity"] == "error" and p["layer"] == "domain"]
    assert (error["table"], error["field"], error["rule"], error["value"]) == ("figures", "value", "unit-range", 150.0)


def test_the_command_reports_what_the_library_reports_without_loading_pandas(source, tables):
    """A command imports pandera as in an install without pandas (see `redata.cli`); with every defect
    above seeded, pandera's checks among them, its report is the library's, whose pandera has pandas."""
    for defect in [*DEFECTS, defect_as_written]:
        defect(source, tables)
    package = source / "datapackage"
    command = (
        "import sys\n"
        f"sys.argv = ['redata', 'validate', {str(package)!r}, '--format', 'json']\n"
        "from redata.cli import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    print(stop.code, 'pandas' in sys.modules, file=sys.stderr)\n"
    )
    library = (  # in a process of its own, whatever this one imported before
        "import sys, pandas, pandera\n"
        "from redata import validate\n"
        f"print(validate({str(package)!r}).to_json())\n"
        "print(hasattr(pandera, 'DataFrameSchema'), file=sys.stderr)\n"  # pandera's pandas API is there
    )
    ran = [
        subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=REPO, timeout=300)
        for code in (command, library)
    ]
    assert ran[0].stderr.strip().splitlines()[-1] == "1 False"  # invalid, and pandas never loaded
    assert ran[1].stderr.strip().splitlines()[-1] == "True"
    assert json.loads(ran[0].stdout) == json.loads(ran[1].stdout)


def test_a_count_of_the_rows_not_listed_follows_them():
    """In a report, a problem of a whole table comes before the table's rows, and a rule's count of the
    rows it did not list comes after the rows it listed, as its message ("like the above") says."""
    from redata.report import Problem, sorted_problems

    rows = [Problem("domain", "figures", line, "value", 1.0, "unit-range", "out of range") for line in (9, 3)]
    count = Problem(
        "domain", "figures", None, "value", None, "unit-range", "out of range: 5 more row(s) like the above"
    )
    whole = Problem("domain", "figures", None, None, None, "table-rule", "about the whole table")
    assert sorted_problems([count, rows[0], whole, rows[1]]) == [whole, rows[1], rows[0], count]


def test_json_report_shape_is_the_one_readme_documents():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### The JSON report", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    documented = json.loads(block)
    result = run_cli("validate", REPO / "datapackage", "--format", "json")
    actual = json.loads(result.stdout)
    assert set(documented) == set(actual)
    assert set(documented["problems"][0]) == set(actual["problems"][0])


def test_source_file_sha_is_real():
    """The sources table records the real digests of the archived files."""
    for row in Tables(REPO).read("sources"):
        digest = hashlib.sha256((REPO / "seeds" / row["file"]).read_bytes()).hexdigest()
        assert digest == row["sha256"]


def test_quote_in_an_ascii_text_is_checked_at_its_byte_offsets(tmp_path, monkeypatch):
    """Quotes in ASCII texts are sliced by bytes, other texts by characters: the synthetic texts are
    ASCII (the real ones are not), so a quote changed there must be caught as one in the articles is."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 300)
    tables = Tables(package)
    figure = next(r for r in tables.read("figures") if r["figure_id"] == "synthetic-f7")
    text = (package / "seeds" / f"{figure['source_id']}.txt").read_bytes()
    assert text.isascii() and " held " in figure["quote"]
    assert validate(package / "datapackage").errors == []
    changed = tables.update("figures", "figure_id", "synthetic-f7", quote=figure["quote"].replace(" held ", " hold "))
    reversed_offsets = tables.update("figures", "figure_id", "synthetic-f9", char_end=figure["char_start"])
    assert set(errors_of(validate(package / "datapackage"))) == {
        ("provenance", "figures", line, "quote", "quote-at-offsets") for line in (changed, reversed_offsets)
    }


def test_the_vectorised_number_scan_finds_what_pythons_regex_finds():
    """The coverage layer finds numbers with polars' regex engine and counts positions in characters;
    Python's engine on the same pattern is the reference, on both articles and on a text built to be hard."""
    from redata.checks import coverage
    from redata.quantities import Reader

    pattern = Reader.from_package(REPO / "datapackage").token_pattern
    texts = {
        row["source_id"]: (REPO / "seeds" / row["file"]).read_text(encoding="utf-8")
        for row in Tables(REPO).read("sources")
    }
    texts["hard"] = (
        "Über 1,000.5 t — SEVEN‑fold, twice; 3.5% of one-third, ½, the 12th, 2025-04-04, Twenty\u00a0two, oneself 7"
    )
    texts["cut"] = "a text holding the split marker \x00 and 42"
    expected = [
        (code, start, end)
        for code, text in enumerate(texts.values())
        for start, end, _ in coverage.numbers(text, pattern)
    ]
    assert len(expected) > 89
    frame = pl.DataFrame(
        {"code": range(len(texts)), "text": list(texts.values())}, schema={"code": pl.Int64, "text": pl.String}
    )
    assert coverage._tokens(frame, pattern).rows() == expected


def test_texts_scanned_in_batches_leave_the_same_numbers_unaccounted(tmp_path, monkeypatch):
    """Coverage scans the texts in batches and joins each batch with its sources' spans only: one text
    per batch must report exactly what one batch of all texts reports."""
    from redata.checks import coverage

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 500)
    tables = Tables(package)
    removed = [
        r for r in tables.read("figures") if r["figure_id"] in {"synthetic-f3", "synthetic-f250", "synthetic-f499"}
    ]
    for figure in removed:
        tables.delete("figures", "figure_id", figure["figure_id"])

    def unaccounted() -> list[tuple]:
        return [
            (p.value, p.message) for p in validate(package / "datapackage").problems if p.rule == "number-accounted"
        ]

    in_one_batch = unaccounted()
    monkeypatch.setattr(coverage, "BATCH_CHARS", 1)
    assert unaccounted() == in_one_batch
    assert len({figure["source_id"] for figure in removed}) == 3  # three texts, so three batches
    assert all(any(figure["source_id"] in message for _, message in in_one_batch) for figure in removed)


def test_coverage_lists_the_first_unaccounted_numbers_and_counts_the_rest(tmp_path, monkeypatch):
    """As for every rule, coverage lists the first MAX_ROWS_PER_RULE unaccounted numbers, in text order,
    then one line counting the rest: unlimited and in one batch, it lists the same numbers first, in text
    order, and exactly that many more."""
    from redata.checks import coverage
    from redata.report import MAX_ROWS_PER_RULE

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 500)
    tables = Tables(package)
    figures = tables.read("figures")
    removed = [r for r in figures if r["figure_id"].startswith("synthetic-")][:100]
    tables.write("figures", [r for r in figures if r not in removed])

    def unaccounted() -> list[tuple]:
        return [
            (p.row, p.value, p.message)
            for p in validate(package / "datapackage").problems
            if p.rule == "number-accounted"
        ]

    monkeypatch.setattr(coverage, "MAX_ROWS_PER_RULE", 10**9)
    every = unaccounted()
    monkeypatch.setattr(coverage, "MAX_ROWS_PER_RULE", MAX_ROWS_PER_RULE)
    monkeypatch.setattr(coverage, "BATCH_CHARS", 1)  # a batch per text: the order must hold across batches
    shown = unaccounted()
    assert len(every) > 2 * MAX_ROWS_PER_RULE
    assert shown[:-1] == every[:MAX_ROWS_PER_RULE]
    positions = [(row, int(re.search(r" at \[(\d+):", message).group(1))) for row, _, message in every]
    assert positions == sorted(positions)  # source by source, in the order of the sources table, then by offset
    row, value, message = shown[-1]
    assert (row, value) == (None, None) and message.endswith(
        f": {len(every) - MAX_ROWS_PER_RULE} more number(s) like the above"
    )


@pytest.mark.parametrize("packed_limit", [(1 << 63) - 1, 0])
def test_a_span_outside_its_text_accounts_for_no_number_of_another(tmp_path, monkeypatch, packed_limit):
    """Coverage packs a position with its text's code (code * pack + offset) and sorts the spans as one
    integer where that fits (else as pairs): a figure whose offsets point before its text, or past its
    end, must account for no number of the text before or after it. Such figures leave the same numbers
    unaccounted as no figures at all."""
    from redata.checks import coverage

    monkeypatch.setattr(coverage, "PACKED_LIMIT", packed_limit)
    monkeypatch.setattr(coverage, "BATCH_CHARS", 1 << 30)  # one batch: every source's spans are joined
    pack, longest = 1 << 16, coverage._pack
    monkeypatch.setattr(
        coverage,
        "_pack",
        lambda texts: pack if longest(texts) <= pack else pytest.fail("a text is longer than the test's pack"),
    )
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 500)
    tables = Tables(package)
    figures = {row["figure_id"]: row for row in tables.read("figures")}
    last, before_last, first_of_next = figures.pop("synthetic-f99"), figures["synthetic-f98"], figures["synthetic-f100"]
    assert (
        last["source_id"] == before_last["source_id"] == "synthetic-0" and first_of_next["source_id"] == "synthetic-1"
    )

    def unaccounted(rows) -> list[tuple]:
        tables.write("figures", list(rows))
        return [
            (p.row, p.value, p.message)
            for p in validate(package / "datapackage").problems
            if p.rule == "number-accounted"
        ]

    without = unaccounted(row for key, row in figures.items() if key not in {"synthetic-f98", "synthetic-f100"})

    def first_unaccounted(source: str) -> tuple[int, int]:
        return next(
            tuple(map(int, re.search(rf" at \[(\d+):(\d+)\] of {source} ", m).groups()))
            for _, _, m in without
            if f" of {source} " in m
        )

    start, end = first_unaccounted("synthetic-0")
    _, next_end = first_unaccounted("synthetic-1")

    def moved(figure: dict, span_start: int) -> dict:
        """The figure with offsets that put its as-written text at span_start of its source."""
        char_start = span_start - figure["quote"].index(figure["as_written"])
        return figure | {"char_start": str(char_start), "char_end": str(char_start + len(figure["quote"]))}

    # packed without being cut, each span would hold that number
    assert len(first_of_next["as_written"]) >= end - start and len(before_last["as_written"]) - 3 >= next_end
    figures["synthetic-f100"] = moved(
        first_of_next, start - pack
    )  # packed, it would land on that number of synthetic-0
    figures["synthetic-f98"] = moved(before_last, pack - 3)  # packed, it would reach into the start of synthetic-1
    assert unaccounted(figures.values()) == without


def test_a_table_read_a_few_blocks_at_a_time_is_the_table_read_at_once(source, tables, monkeypatch):
    """Tables are parsed in blocks and converted a group of blocks at a time (`redata.tables`): with blocks
    of 4 KB, a group per block, a cell of the wrong type in the last block and a row longer than a block,
    the report, the typed tables and the strings kept are unchanged."""
    from redata import tables as reader
    from redata.validation import run

    last = tables.read("figures")[-1]["figure_id"]
    tables.update("figures", "figure_id", last, char_end="twelve")  # its strings are kept for the report
    tables.update("events", "event_id", tables.read("events")[0]["event_id"], description="x" * 5000)

    def read() -> tuple:
        report, context = run(source / "datapackage")
        return report.to_json(), {name: (table.frame, table.raw.frame) for name, table in context.tables.items()}

    whole_report, whole = read()
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(reader, "GROUP_BYTES", 1)
    grouped_report, grouped = read()
    assert grouped["figures"][0].get_column("figure_id").n_chunks() > 2  # read in several groups
    assert "char_end" in grouped["figures"][1].columns and '"rule": "type"' in grouped_report
    assert grouped_report == whole_report
    assert grouped.keys() == whole.keys()
    for name, (frame, strings) in whole.items():
        assert grouped[name][0].equals(frame) and grouped[name][1].equals(strings), name


def test_the_first_group_read_decides_which_text_columns_are_held_as_categoricals(tmp_path, monkeypatch):
    """A text column is held as a categorical when the first group read holds one distinct value (null
    counted as one) per REPEATS rows or fewer; every later group holds it so too, whatever it holds."""
    from redata import tables as reader

    monkeypatch.setattr(reader, "REPEATING_ROWS", 16)
    frame = pl.DataFrame(
        {"four": list("abcd") * 4, "five": list("abcde") * 3 + ["a"], "none": [None] * 16},
        schema_overrides={"none": pl.String},
    )
    assert reader._repeating(frame, ["four", "five", "none"]) == {"four", "none"}  # 4 * 4 <= 16 < 5 * 4
    assert reader._repeating(frame.head(15), ["four", "none"]) == set()  # fewer rows than REPEATING_ROWS

    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(reader, "GROUP_BYTES", 1)
    path = tmp_path / "table.csv"
    rows = [(("a" if i < 1000 else f"x{i}"), (str(i) if i < 1000 else "b"), str(i)) for i in range(3000)]
    path.write_text("first,later,number\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows), encoding="utf-8")
    raw = reader.read_table(
        path, ["first", "later", "number"], {"number": pl.col("number").cast(pl.Int64, strict=False)}
    )
    assert raw.typed.get_column("first").n_chunks() > 2  # read in several groups
    assert dict(raw.typed.schema) == {"first": pl.Categorical, "later": pl.String, "number": pl.Int64}
    assert raw.typed.rows() == [(a, b, int(c)) for a, b, c in rows]


def test_a_trailing_comma_on_every_line_is_an_empty_extra_column(source):
    """A header that ends in a comma names an empty column: reported as a column the schema does not
    have, and the table's rows still read, never a crash."""
    path = source / "datapackage" / "units.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(line + ",\n" for line in lines), encoding="utf-8")
    assert set(errors_of(validate(source / "datapackage"))) == {("structure", "units", 1, "", "header-extra")}


def test_a_header_that_repeats_a_name_reads_each_column_under_a_name_of_its_own(tmp_path):
    """`a,a,a#2`: the repeated `a` is numbered past the `a#2` the header already has, never onto it."""
    from redata import tables as reader

    path = tmp_path / "t.csv"
    path.write_text("a,a,a#2\n1,2,3\n", encoding="utf-8")
    raw = reader.read_table(path, reader.read_header(path))
    assert raw.typed.rows(named=True) == [{"a": "1", "a#3": "2", "a#2": "3"}]


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_file_that_holds_its_header_only_is_a_table_without_rows(tmp_path, ending):
    """With or without a final line break: no rows, every column typed as its parser says."""
    from redata import tables as reader

    path = tmp_path / "t.csv"
    path.write_bytes(f"name,count{ending}".encode())
    result = reader.read_file(path, {"count": pl.col("count").cast(pl.Int64, strict=False)})
    assert result.error is None, result.error.message
    assert result.raw.typed.schema == pl.Schema({"name": pl.String, "count": pl.Int64}) and result.raw.typed.height == 0
    assert result.raw.frame.columns == ["name"]


def test_domain_rules_checked_in_batches_of_rows_report_what_one_batch_reports(tmp_path, monkeypatch):
    """The domain layer joins the figures with their vocabularies a batch of rows at a time: batches of 7
    rows must report exactly what one batch reports, the rows shown and the count of the rest alike."""
    from redata.checks import domain
    from redata.report import MAX_ROWS_PER_RULE

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 500)
    tables = Tables(package)
    figures = tables.read("figures")
    broken = [row for row in figures if row["figure_id"].startswith("synthetic-")][::9]
    for row in broken:  # bounds that exclude the value: more failing rows than a rule shows
        row.update(value_low="1000", value_high="1")
    tables.write("figures", figures)

    def domain_problems() -> list:
        return [p for p in validate(package / "datapackage").problems if p.layer == "domain"]

    in_one_batch = domain_problems()
    monkeypatch.setattr(domain, "BATCH_ROWS", 7)
    assert domain_problems() == in_one_batch
    within = [p for p in in_one_batch if p.rule == "value-within-bounds"]
    assert len(broken) > MAX_ROWS_PER_RULE and len(within) == MAX_ROWS_PER_RULE + 1
    assert within[-1].message.endswith(f"{len(broken) - MAX_ROWS_PER_RULE} more row(s) like the above")


def test_a_table_may_have_a_column_named_like_one_the_domain_rules_look_up(source, tables):
    """The units rules look up each base unit's dimension and factor; a units table of the package's own
    with a `base_factor` column is read, not overwritten nor refused."""
    edit_json(
        source / "schemas" / "units.json",
        lambda schema: schema["fields"].append({"name": "base_factor", "type": "number"}),
    )
    lines = tables.path("units").read_text(encoding="utf-8").splitlines()
    tables.path("units").write_text(
        "\n".join([lines[0] + ",base_factor", *(line + "," for line in lines[1:])]) + "\n", encoding="utf-8"
    )
    assert validate(source / "datapackage").errors == []


def test_a_row_looked_up_by_its_key_gets_the_first_row_with_that_key():
    """The domain and provenance layers look rows up by position (`looked_up`): it must give what a left join
    on the key gives, null where no row has the key or the key is missing, and the first row where a key
    repeats; a key of another type than text is compared as text."""
    from redata.checks import looked_up

    rows = pl.LazyFrame({"key": ["a", None, "z", "b"], "n": [1, 2, 3, 4]})
    other = pl.DataFrame({"key": ["b", "a", "b", None], "value": [10, 20, 30, 40], "label": ["b1", "a", "b2", "none"]})
    found = looked_up(rows, "key", other, ["value", "label"]).collect()
    assert found.columns == ["key", "n", "value", "label"]
    assert found.rows() == [("a", 1, 20, "a"), (None, 2, None, None), ("z", 3, None, None), ("b", 4, 10, "b1")]
    nothing = looked_up(rows, "key", other.clear(), ["value"]).collect()
    assert nothing.get_column("value").to_list() == [None] * 4
    numbers = looked_up(
        pl.LazyFrame({"key": [1, 2]}), "key", pl.DataFrame({"key": [2], "value": [5]}), ["value"]
    ).collect()
    assert numbers.get_column("value").to_list() == [None, 5]


@pytest.mark.parametrize("text", [pl.String, pl.Categorical])
@pytest.mark.parametrize("packed_limit", [(1 << 63) - 1, 0])
def test_conflicts_group_a_key_column_of_any_type(monkeypatch, packed_limit, text):
    """A package's schema may type a key column otherwise than as text, and a foreign key is held as a
    categorical: figures on subject 7 in 2020 disagree, those on subject 7 in 2021 and subject 8 in 2020 or in
    no stated period do not (on one packed key or on three)."""
    from redata.checks import ROW, conflicts

    monkeypatch.setattr(conflicts, "PACKED_LIMIT", packed_limit)

    figures = pl.DataFrame(
        {
            "metric": ["m"] * 6,
            "subject_id": [7, 7, 8, 7, 7, 8],
            "period": ["2020", "2020", "2020", "2021", "2021", None],
            "value": [1.0, 2.0, 3.0, 4.0, 4.0, 5.0],
            "value_low": [None] * 6,
            "value_high": [None] * 6,
        },
        schema_overrides={"value_low": pl.Float64, "value_high": pl.Float64, "metric": text, "period": text},
    ).with_row_index(ROW)
    assert conflicts._disagreeing_groups(figures).rows() == [(2, 0)]


@pytest.mark.parametrize("packed_limit", [(1 << 63) - 1, 0])
def test_conflicts_show_the_first_disagreeing_rows_and_count_them_all(tmp_path, monkeypatch, packed_limit):
    """Conflicts group the figures on codes of their key, packed into one integer where every combination
    fits (else on the three codes), and gather only the groups that start first; what they report must be
    what grouping every row by hand gives, either way, with a period missing from some figures: the first
    disagreeing rows, in file order, and the number of the rest."""
    from redata.checks import conflicts
    from redata.report import MAX_ROWS_PER_RULE

    monkeypatch.setattr(conflicts, "PACKED_LIMIT", packed_limit)

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate

    package = generate(tmp_path / "synthetic", 2000)
    # some figures state no period: a missing key part groups like any other value
    figures = [
        dict(row, period="") if number % 7 == 0 else row for number, row in enumerate(Tables(package).read("figures"))
    ]
    Tables(package).write("figures", figures)

    def number(cell: str, missing: float) -> float:
        return float(cell) if cell else missing

    groups: dict[tuple, list[dict]] = {}
    for row in figures:
        groups.setdefault((row["metric"], row["subject_id"], row["period"]), []).append(row)
    disagreeing = set()
    for rows in groups.values():
        low = max(number(r["value"] or r["value_low"], float("-inf")) for r in rows)
        high = min(number(r["value"] or r["value_high"], float("inf")) for r in rows)
        if len(rows) > 1 and low > high:
            disagreeing |= {r["figure_id"] for r in rows}
    expected = [r["figure_id"] for r in figures if r["figure_id"] in disagreeing]

    reported = [p for p in validate(package / "datapackage").warnings if p.rule == "conflicting-values"]
    assert len(expected) > MAX_ROWS_PER_RULE
    assert [p.value for p in reported[:-1]] == expected[:MAX_ROWS_PER_RULE]
    assert reported[-1].message.endswith(f"{len(expected) - MAX_ROWS_PER_RULE} more row(s) like the above")


def test_a_foreign_key_held_as_a_categorical_is_checked_as_its_text(source, tables):
    """The figures' foreign keys are held as categoricals: a dangling key, a formula and a line break in one
    are found at their lines, and the lines of the rows after the break still count it."""
    from redata.validation import run

    figures = tables.read("figures")
    first, second, later = (
        figures[2]["figure_id"],
        figures[3]["figure_id"],
        _figure(tables, "share_of_world_refining", "s000")["figure_id"],
    )
    assert figures.index(next(r for r in figures if r["figure_id"] == later)) > 3
    broken = tables.update("figures", "figure_id", first, subject_id="atlantis\nnorth")
    formula = tables.update("figures", "figure_id", second, attributed_to_id="=HYPERLINK(1)")
    out_of_range = tables.update("figures", "figure_id", later, value="150")
    report, context = run(source / "datapackage")
    assert context.tables["figures"].frame.schema["subject_id"] == pl.Categorical
    errors = set(errors_of(report))
    assert ("references", "figures", broken, "subject_id", "foreign-key") in errors
    assert ("structure", "figures", formula, "attributed_to_id", "formula-injection") in errors
    assert ("references", "figures", formula, "attributed_to_id", "foreign-key") in errors
    assert ("domain", "figures", out_of_range, "value", "unit-range") in errors
    assert [p.value for p in report.errors if p.rule == "foreign-key" and p.field == "subject_id"] == [
        "atlantis\nnorth"
    ]


def test_a_foreign_key_compares_a_categorical_with_a_key_of_another_type(source, tables):
    """A schema may point a key held as a categorical at a number, and a number at a categorical: the keys
    are compared as text, and every row without a match is reported."""
    schemas = source / "schemas"
    edit_json(
        schemas / "mentions.json",
        lambda s: s["foreignKeys"].append(
            {
                "fields": ["entity_id", "source_id"],
                "reference": {"resource": "figures", "fields": ["char_start", "char_end"]},
            }
        ),
    )
    edit_json(
        schemas / "figures.json",
        lambda s: s["foreignKeys"].append(
            {"fields": ["char_start"], "reference": {"resource": "figures", "fields": ["subject_id"]}}
        ),
    )
    report = validate(source / "datapackage")
    failing = {
        field: sum(1 for p in report.errors if p.rule == "foreign-key" and p.field == field)
        for field in ("entity_id,source_id", "char_start")
    }
    listed = (
        min(len(tables.read("mentions")), MAX_ROWS_PER_RULE + 1),
        min(len(tables.read("figures")), MAX_ROWS_PER_RULE + 1),
    )
    assert (failing["entity_id,source_id"], failing["char_start"]) == listed


def test_texts_the_layers_read_may_be_foreign_keys_held_as_categoricals(source, tables):
    """Made foreign keys into vocabularies, without the constraints that keep them text, `period` and
    `period_as_written` are held as categoricals, and the layers that read them as text (the domain rules,
    consistency, provenance, coverage) give the report they give on text."""
    from redata.validation import run

    before = validate(source / "datapackage")
    figures = tables.read("figures")
    for field in ("period", "period_as_written"):
        values = sorted({row[field] for row in figures if row[field]})
        with (source / "datapackage" / f"{field}s.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([[field], *[[v] for v in values]])
        (source / "schemas" / f"{field}s.json").write_text(
            json.dumps(
                {
                    "fields": [
                        {
                            "name": field,
                            "type": "string",
                            "description": "What figures refer to.",
                            "constraints": {"required": True, "unique": True},
                        }
                    ],
                    "primaryKey": [field],
                }
            ),
            encoding="utf-8",
        )
        edit_json(
            source / "datapackage" / "datapackage.json",
            lambda d, f=field: d["resources"].append(
                {"name": f"{f}s", "path": f"{f}s.csv", "schema": f"../schemas/{f}s.json"}
            ),
        )

        def a_key(schema, field=field):
            next(f for f in schema["fields"] if f["name"] == field).pop("constraints", None)
            schema["foreignKeys"].append({"fields": [field], "reference": {"resource": f"{field}s", "fields": [field]}})

        edit_json(source / "schemas" / "figures.json", a_key)
    report, context = run(source / "datapackage")
    assert all(context.tables["figures"].frame.schema[f] == pl.Categorical for f in ("period", "period_as_written"))
    assert [(p.layer, p.table, p.row, p.field, p.rule, p.message) for p in report.problems] == [
        (p.layer, p.table, p.row, p.field, p.rule, p.message) for p in before.problems
    ]


def test_lines_stay_right_after_a_line_break_in_a_number_cell(source, tables):
    """The strings of a typed field are dropped once it is parsed; a cell with a line break does not parse,
    so its column keeps them, and the lines of the rows after it still count that break."""
    figures = tables.read("figures")
    first, later = figures[2]["figure_id"], _figure(tables, "share_of_world_refining", "s000")["figure_id"]
    assert figures.index(next(r for r in figures if r["figure_id"] == later)) > 2
    broken = tables.update("figures", "figure_id", first, char_end="5\n9")
    out_of_range = tables.update("figures", "figure_id", later, value="150")
    errors = set(errors_of(validate(source / "datapackage")))
    assert ("structure", "figures", broken, "char_end", "type") in errors
    assert ("domain", "figures", out_of_range, "value", "unit-range") in errors
