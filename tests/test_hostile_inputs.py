"""Hostile input: every malformed table, descriptor, schema or archive gets one clear line naming file, line and
field, and an exit code (1 for a package that is invalid, 2 for a command that cannot run); never a traceback,
never a read outside the package."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import pytest
from conftest import BUILT_NAME, REPO, Tables, cli, copy_source, edit_json


def rewrite(path: Path, change) -> None:
    path.write_bytes(change(path.read_bytes()))


def set_cell(table: str, row: int, column: str, value: str):
    def change(root: Path) -> None:
        tables = Tables(root)
        rows = tables.read(table)
        rows[row][column] = value
        tables.write(table, rows)

    return change


def edit_descriptor(change):
    return lambda root: edit_json(root / "datapackage" / "datapackage.json", change)


def edit_schema(table: str, change):
    return lambda root: edit_json(root / "schemas" / f"{table}.json", change)


def units_csv(root: Path) -> Path:
    return root / "datapackage" / "units.csv"


def first_line_change(data: bytes, change) -> bytes:
    header, rest = data.split(b"\n", 1)
    return change(header) + b"\n" + rest


# name -> (mutation of a package copy, expected exit code, words the one-line message must hold)
BAD_INPUTS = {
    "missing csv": (lambda r: units_csv(r).unlink(), 1, ["units.csv", "not found"]),
    "empty csv": (lambda r: units_csv(r).write_bytes(b""), 1, ["units.csv", "empty"]),
    "header missing a column": (
        lambda r: rewrite(units_csv(r), lambda d: first_line_change(d, lambda h: h.replace(b",whole_number", b""))),
        1,
        ["units:1", "whole_number", "missing"],
    ),
    "header with an extra column": (
        lambda r: rewrite(units_csv(r), lambda d: first_line_change(d, lambda h: h + b",colour")),
        1,
        ["units:1", "colour", "not a field"],
    ),
    "header with a duplicated column": (
        lambda r: rewrite(units_csv(r), lambda d: first_line_change(d, lambda h: h.replace(b"maximum", b"minimum"))),
        1,
        ["units:1", "minimum", "2 times"],
    ),
    "header with a renamed column": (
        lambda r: rewrite(
            units_csv(r), lambda d: first_line_change(d, lambda h: h.replace(b"pint", b"pint_expression"))
        ),
        1,
        ["units:1", "pint_expression"],
    ),
    "unterminated quote": (
        lambda r: rewrite(units_csv(r), lambda d: d + b'kWh,"kilowatt hour,1\n'),
        1,
        [f"units.csv:{len(Tables(REPO).read('units')) + 2}", "never closed"],  # the line after the last row
    ),
    "wrong delimiter": (lambda r: rewrite(units_csv(r), lambda d: d.replace(b",", b";")), 1, ["units.csv", "commas"]),
    "utf-8 byte-order mark": (
        lambda r: rewrite(units_csv(r), lambda d: b"\xef\xbb\xbf" + d),
        1,
        ["units.csv:1", "byte-order mark"],
    ),
    "bytes that are not utf-8": (
        lambda r: rewrite(units_csv(r), lambda d: d.replace(b"metric ton", b"metric \xff\xfeton")),
        1,
        ["units.csv:9", "not UTF-8"],
    ),
    "a field of several megabytes": (
        set_cell("entities", 3, "note", "x" * 5_000_000),
        1,
        ["entities:5:note", "longer than 2000"],
    ),
    "number with a thousands separator": (
        set_cell("units", 7, "to_base_factor", "1,000"),
        1,
        ["units:9:to_base_factor", "not a finite number"],
    ),
    "number 1e400": (
        set_cell("units", 7, "to_base_factor", "1e400"),
        1,
        ["units:9:to_base_factor", "not a finite number"],
    ),
    "number NaN": (set_cell("units", 7, "to_base_factor", "NaN"), 1, ["units:9:to_base_factor", "not a finite number"]),
    "number inf": (set_cell("units", 7, "to_base_factor", "inf"), 1, ["units:9:to_base_factor", "not a finite number"]),
    "date in the wrong format": (
        set_cell("sources", 0, "published", "05/01/2025"),
        1,
        ["sources:2:published", "not a calendar date"],
    ),
    "descriptor that is not json": (
        lambda r: (r / "datapackage" / "datapackage.json").write_text('{"name": '),
        2,
        ["datapackage.json:1", "not valid JSON"],
    ),
    "descriptor that is not an object": (
        lambda r: (r / "datapackage" / "datapackage.json").write_text("[1, 2]"),
        2,
        ["datapackage.json", "must be a JSON object"],
    ),
    "descriptor naming a resource twice": (
        edit_descriptor(lambda d: d["resources"].append(dict(d["resources"][1]))),
        1,
        ["units", "named twice"],
    ),
    "a table's name given to another table": (
        edit_descriptor(
            lambda d: d["resources"][1].update(name="units", path="qualifiers.csv", schema="../schemas/qualifiers.json")
        ),
        1,
        ["figures", "unit_id", "lacks"],
    ),
    "schema naming a field that does not exist": (
        edit_schema("units", lambda s: s.update(primaryKey=["unit_code"])),
        1,
        ["units:unit_code", "does not have"],
    ),
    "foreign key to a missing table": (
        edit_schema("figures", lambda s: s["foreignKeys"][0]["reference"].update(resource="publications")),
        1,
        ["figures", "publications", "does not have"],
    ),
    "source file missing": (
        lambda r: (r / "seeds" / "003_ad337d1af4783e68.txt").unlink(),
        1,
        ["sources:3:file", "003_ad337d1af4783e68.txt", "not in seeds/"],
    ),
    "source file altered": (
        lambda r: rewrite(r / "seeds" / "003_ad337d1af4783e68.txt", lambda d: d.replace(b"REM", b"REE", 1)),
        1,
        ["sources:3:sha256", "changed"],
    ),
    "formula in a text cell": (
        set_cell("entities", 0, "note", '=HYPERLINK("http://example.com")'),
        1,
        ["entities:2:note", "formula"],
    ),
    "schema pattern the regex engine refuses": (
        edit_schema("units", lambda s: s["fields"][0]["constraints"].update(pattern="(?<=a)b")),
        1,
        ["units", "pattern", "is not valid"],
    ),
}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def write_descriptor(text: str):
    return lambda r: (r / "datapackage" / "datapackage.json").write_text(text, encoding="utf-8")


def replace_in_descriptor(old: str, new: str):
    def change(root: Path) -> None:
        path = root / "datapackage" / "datapackage.json"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return change


def replace_in_schema(table: str, old: str, new: str):
    def change(root: Path) -> None:
        path = root / "schemas" / f"{table}.json"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def sparse(path_of, size: int):
    def change(root: Path) -> None:
        with path_of(root).open("r+b") as handle:
            handle.truncate(size)

    return change


def header_labels(labels: str):
    return lambda r: rewrite(units_csv(r), lambda d: first_line_change(d, lambda h: labels.encode()))


# Malformed descriptors and schemas: each is reported where it is (exit 1), or, for the descriptor itself,
# said in one line (exit 2); a label or field name is data, never a pattern.
BAD_INPUTS |= {
    "enum of numbers for a text field": (
        edit_schema("entities", lambda s: s["fields"][2]["constraints"].update(enum=[1, 2])),
        1,
        ["entities", "profile"],
    ),
    "enum of texts for an integer field": (
        edit_schema("elements", lambda s: s["fields"][2]["constraints"].update(enum=["twenty-one"])),
        1,
        ["elements:atomic_number", "enum", "not a integer"],
    ),
    "enum that is not a list": (
        edit_schema("entities", lambda s: s["fields"][2]["constraints"].update(enum="company")),
        1,
        ["entities", "profile"],
    ),
    "integer bound beyond 64 bits": (
        edit_schema("elements", lambda s: s["fields"][2]["constraints"].update(maximum=2**70)),
        1,
        ["elements:atomic_number", "64-bit"],
    ),
    "primary key that is a number": (edit_schema("units", lambda s: s.update(primaryKey=7)), 1, ["units", "profile"]),
    "primary key of numbers": (edit_schema("units", lambda s: s.update(primaryKey=[1])), 1, ["units", "profile"]),
    "primary key that is an object": (
        edit_schema("units", lambda s: s.update(primaryKey={"a": 1})),
        1,
        ["units", "profile"],
    ),
    "foreign keys that are a text": (edit_schema("figures", lambda s: s.update(foreignKeys="x")), 1, ["figures"]),
    "foreign key whose fields are a number": (
        edit_schema("figures", lambda s: s["foreignKeys"][0].update(fields=3)),
        1,
        ["figures", "profile"],
    ),
    "foreign key whose reference is a text": (
        edit_schema("figures", lambda s: s["foreignKeys"][0].update(reference="sources")),
        1,
        ["figures", "profile"],
    ),
    "descriptor nested 100,000 levels": (write_descriptor(nested(100_000)), 2, ["datapackage.json", "nested"]),
    "descriptor nested 100 levels": (
        replace_in_descriptor('"keywords": [', '"keywords": [' + nested(100) + ","),
        2,
        ["datapackage.json", "nested deeper than 64"],
    ),
    "schema nested 10,000 levels": (
        replace_in_schema("units", '"fields": [', '"extra": ' + nested(10_000) + ', "fields": ['),
        1,
        ["units:schema", "nested"],
    ),
    "descriptor with NaN": (
        replace_in_descriptor('"name": "us-china-rare-earths"', '"name": "us-china-rare-earths", "x": NaN'),
        2,
        ["datapackage.json", "NaN is not a JSON number"],
    ),
    "descriptor with Infinity": (
        replace_in_descriptor('"name": "us-china-rare-earths"', '"name": "us-china-rare-earths", "x": -Infinity'),
        2,
        ["datapackage.json", "-Infinity is not a JSON number"],
    ),
    "descriptor with a number too large for a double": (
        replace_in_descriptor('"name": "us-china-rare-earths"', '"name": "us-china-rare-earths", "x": 1e400'),
        2,
        ["datapackage.json", "too large"],
    ),
    "schema with a number too small for a double": (
        replace_in_schema("units", '"exclusiveMinimum": 0', '"exclusiveMinimum": 1e-400'),
        1,
        ["units:schema", "too small"],
    ),
    "schema with NaN": (
        replace_in_schema("units", '"exclusiveMinimum": 0', '"exclusiveMinimum": NaN'),
        1,
        ["units:schema", "NaN"],
    ),
    "descriptor of 65 MiB": (
        sparse(lambda r: r / "datapackage" / "datapackage.json", 65 << 20),
        2,
        ["larger than 64 MiB"],
    ),
    "header label that reads as a pattern": (
        header_labels("unit_id,name,pint,dimension,base_unit_id,to_base_factor,minimum,maximum,^.*$"),
        1,
        ["units:1", "^.*$", "not a field"],
    ),
    "header label that reads as a wildcard": (
        header_labels("unit_id,name,pint,dimension,base_unit_id,to_base_factor,minimum,maximum,*"),
        1,
        ["units:1", "'*'", "not a field"],
    ),
    "header label named like an internal column": (
        header_labels("unit_id,name,pint,dimension,base_unit_id,to_base_factor,minimum,maximum,_row"),
        1,
        ["units:1", "_row", "not a field"],
    ),
    "header of 100,000 columns": (header_labels(",".join(["x"] * 100_000)), 1, ["units.csv:1", "100000 columns"]),
    "a blank row": (
        lambda r: rewrite(units_csv(r), lambda d: d.replace(b"\ng,", b"\n\ng,", 1)),
        1,
        ["units:7", "no value"],
    ),
    "a row of only commas": (
        lambda r: rewrite(
            units_csv(r), lambda d: d.replace(b"\ng,", b"\n" + b"," * d.split(b"\n")[0].count(b",") + b"\ng,", 1)
        ),
        1,
        ["units:7", "no value"],
    ),
    "a date before the calendar": (
        set_cell("sources", 0, "published", "0000-01-01"),
        1,
        ["sources:2:published", "not a calendar date"],
    ),
    "a date that is not a day": (
        set_cell("sources", 0, "published", "2025-02-30"),
        1,
        ["sources:2:published", "not a calendar date"],
    ),
    "a number too small for a double": (
        set_cell("units", 7, "to_base_factor", "1e-400"),
        1,
        ["units:9:to_base_factor", "not a finite number"],
    ),
    "a month that is not a month": (
        set_cell("figures", 0, "period", "2025-13"),
        1,
        ["figures:2:period", "names no calendar date"],
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_one_clear_line_and_an_exit_code(source, name):
    """Each is reported, with its exit code, on a line naming where; nothing crashes."""
    mutate, code, words = BAD_INPUTS[name]
    mutate(source)
    result = cli("validate", source / "datapackage")
    output = result.stdout + result.stderr
    assert result.code == code, output[-2000:]
    assert "Traceback" not in output and "internal error" not in output
    errors = [line for line in output.splitlines() if line.startswith(("error", "redata: error"))]
    assert any(all(word in line for word in words) for line in errors), errors


def test_crlf_line_endings_are_accepted(source):
    """Rows may end in CRLF; a line break inside a quoted value is data and must stay as the source has it."""
    import csv

    for path in (source / "datapackage").glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    assert b"\r\n" in (source / "datapackage" / "figures.csv").read_bytes()
    result = cli("validate", source / "datapackage")
    assert result.code == 0, result.stdout[-2000:]


def test_a_number_like_text_is_not_a_formula(source):
    set_cell("entities", 0, "note", "-5 degrees, said no one")(source)
    assert "formula" in cli("validate", source / "datapackage").stdout
    set_cell("entities", 0, "note", "-5")(source)
    assert cli("validate", source / "datapackage").code == 0


# ---------------------------------------------------------------- nothing outside the package is read


class Trap:
    """A named pipe outside the package that tells whether anything opened it to read: a thread holds its
    writing end open, which returns only once a reader opens the other end; then the reader gets nothing and
    ends, so a read of it is recorded, never waited on."""

    def __init__(self, path: Path):
        self.path = path
        os.mkfifo(path)
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._wait)
        self.thread.start()

    def _wait(self) -> None:
        with open(self.path, "wb"):  # blocks until a reader opens the pipe
            self.opened.set()

    def close(self) -> bool:
        """Whether anything opened the pipe to read (the thread is released either way)."""
        read = self.opened.is_set()
        if not read:
            with open(self.path, "rb"):
                pass
        self.thread.join()
        return read


@pytest.fixture
def trap(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    opened = Trap(outside / "trap.csv")
    yield opened
    assert not opened.close(), "something read the file outside the package"


def _hostile_paths(trap: Path):
    """(name, mutation) pairs, each pointing one path of a package copy at the file outside it."""

    def relative(root: Path) -> str:
        return os.path.relpath(trap, root / "datapackage")

    def symlinked_resource(root: Path) -> None:
        (root / "datapackage" / "link.csv").symlink_to(trap)
        edit_descriptor(lambda d: d["resources"][1].update(path="link.csv"))(root)

    def symlinked_seed(root: Path) -> None:
        seed = root / "seeds" / "000_23634502512134c7.txt"
        seed.unlink()
        seed.symlink_to(trap)

    yield "absolute resource path", edit_descriptor(lambda d: d["resources"][1].update(path=str(trap)))
    yield (
        "climbing resource path",
        lambda root: edit_descriptor(lambda d: d["resources"][1].update(path=relative(root)))(root),
    )
    yield "symlinked resource path", symlinked_resource
    yield (
        "schema path outside",
        lambda root: edit_descriptor(lambda d: d["resources"][1].update(schema=relative(root)))(root),
    )
    yield "source file outside", lambda root: set_cell("sources", 0, "file", relative(root))(root)
    yield "symlinked source file", symlinked_seed


def test_a_pipe_in_place_of_an_archived_text_is_reported_not_waited_on(source):
    seed = source / "seeds" / "000_23634502512134c7.txt"
    seed.unlink()
    pipe = Trap(seed)
    result = cli("validate", source / "datapackage")
    assert not pipe.close(), "the pipe was opened to be read"
    assert result.code == 1, result.stdout[-1500:] + result.stderr[-500:]
    assert "archived source '000_23634502512134c7.txt' is not in seeds/" in result.stdout


def test_an_archived_text_linked_to_a_file_outside_is_refused_though_its_bytes_are_right(source, tmp_path):
    """A link is not followed even to a regular file that holds the very bytes the sources table records."""
    seed = source / "seeds" / "000_23634502512134c7.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(outside)
    result = cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1
    assert source_errors(result) == [("sources", "file", "source-file-confined")]


def source_errors(result) -> list[tuple]:
    """The errors of a report but those a text that could not be read causes in every table quoting it."""
    problems = json.loads(result.stdout)["problems"]
    unread = {p["table"] for p in problems if p["rule"] == "quote-at-offsets-unevaluable"}
    assert unread, "the quotes of a text not read cannot be checked"
    return [
        (p["table"], p["field"], p["rule"])
        for p in problems
        if p["severity"] == "error" and p["rule"] != "quote-at-offsets-unevaluable"
    ]


@pytest.mark.parametrize("replace", ["folder", "link to itself"])
def test_an_archived_text_that_is_no_file_is_one_located_problem(source, replace):
    seed = source / "seeds" / "000_23634502512134c7.txt"
    seed.unlink()
    if replace == "folder":
        seed.mkdir()
    else:
        seed.symlink_to(seed.name)
    result = cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1 and "internal error" not in result.stderr, result.stderr
    # a loop is refused where Python's path resolution notices it (before 3.13), else found to be no file
    ((table, field, rule),) = source_errors(result)
    assert (table, field) == ("sources", "file")
    assert rule in {"source-file-exists", "source-file-confined", "source-file-readable"}


def test_an_archived_text_that_cannot_be_read_is_reported_not_a_crash(source, tables):
    """The system refuses a name longer than 255 bytes, as it refuses a file the user may not read: either
    is one located problem."""
    name = "a" * 300 + ".txt"
    line = tables.update("sources", "source_id", "s000", file=name)
    result = cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr
    unreadable = [p for p in json.loads(result.stdout)["problems"] if p["rule"] == "source-file-readable"]
    assert [(p["table"], p["row"], p["field"], p["value"]) for p in unreadable] == [("sources", line, "file", name)]
    assert "cannot be read: File name too long" in unreadable[0]["message"]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_hostile_descriptor_cannot_make_redata_read_outside_the_package(tmp_path, trap, command):
    for name, mutate in _hostile_paths(trap.path):
        root = copy_source(tmp_path / name.replace(" ", "-"))
        mutate(root)
        args = (
            ["validate", root / "datapackage"]
            if command == "validate"
            else ["build", root / "datapackage", "--out", root / "dist"]
        )
        result = cli(*args)
        output = result.stdout + result.stderr
        assert result.code == 1, (name, output[-1500:])
        assert "outside the package" in output or "absolute" in output or "does not match the pattern" in output, (
            name,
            output[-1500:],
        )
        assert not (root / "dist" / BUILT_NAME).exists()
