"""Hostile input and faults: every bad package gets a one-line error and an exit code, never a traceback;
nothing outside the package is read; an interrupted or concurrent build loses nothing."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, Tables, copy_source, edit_json, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BUILT_NAME = "us-china-rare-earths-1.0.0"


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
        ["sources:2:published", "not a date"],
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
        ["figures", "unit_id", "does not have"],
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
        ["sources:3:sha256", "altered"],
    ),
    "formula in a text cell": (
        set_cell("entities", 0, "note", '=HYPERLINK("http://example.com")'),
        1,
        ["entities:2:note", "formula"],
    ),
    "schema pattern the regex engine refuses": (
        edit_schema("units", lambda s: s["fields"][0]["constraints"].update(pattern="(?<=a)b")),
        1,
        ["units", "not a valid regular expression"],
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_one_clear_line_and_an_exit_code(source, name):
    mutate, code, words = BAD_INPUTS[name]
    mutate(source)
    result = run_cli("validate", source / "datapackage")
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
    result = run_cli("validate", source / "datapackage")
    assert result.code == 0, result.stdout[-2000:]


def test_a_number_like_text_is_not_a_formula(source):
    set_cell("entities", 0, "note", "-5 degrees, said no one")(source)
    assert "formula" in run_cli("validate", source / "datapackage").stdout
    set_cell("entities", 0, "note", "-5")(source)
    assert run_cli("validate", source / "datapackage").code == 0


# ---------------------------------------------------------------- nothing outside the package is read


@pytest.fixture
def trap(tmp_path: Path) -> Path:
    """A named pipe outside the package: opening it for reading blocks, so any read of it hangs the run."""
    path = tmp_path / "outside" / "trap.csv"
    path.parent.mkdir()
    os.mkfifo(path)
    return path


def _hostile_paths(trap: Path):
    """(name, mutation) pairs, each pointing one path of a package copy at the trap outside it."""

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
    os.mkfifo(seed)
    result = run_cli(
        "validate", source / "datapackage", timeout=30
    )  # a read of the pipe would block until this times out
    assert result.code == 1, result.stdout[-1500:] + result.stderr[-500:]
    assert "archived source '000_23634502512134c7.txt' is not in seeds/" in result.stdout


def test_an_archived_text_linked_to_a_file_outside_is_refused_though_its_bytes_are_right(source, tmp_path):
    """A link is not followed even to a regular file that holds the very bytes the sources table records."""
    seed = source / "seeds" / "000_23634502512134c7.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(outside)
    result = run_cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["table"], p["field"], p["rule"]) for p in problems if p["severity"] == "error"] == [
        ("sources", "file", "source-file-confined")
    ]


@pytest.mark.parametrize("replace", ["folder", "link to itself"])
def test_an_archived_text_that_is_no_file_is_one_located_problem(source, replace):
    seed = source / "seeds" / "000_23634502512134c7.txt"
    seed.unlink()
    if replace == "folder":
        seed.mkdir()
    else:
        seed.symlink_to(seed.name)
    result = run_cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1 and "internal error" not in result.stderr, result.stderr
    errors = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    # a loop is refused where Python's path resolution notices it (before 3.13), else found to be no file
    assert [(p["table"], p["field"], p["value"]) for p in errors] == [("sources", "file", seed.name)]
    assert errors[0]["rule"] in {"source-file-exists", "source-file-confined", "source-file-readable"}


def test_an_archived_text_that_cannot_be_read_is_reported_not_a_crash(source, tables):
    """The system refuses a name longer than 255 bytes, as it refuses a file the user may not read: either
    is one located problem."""
    name = "a" * 300 + ".txt"
    line = tables.update("sources", "source_id", "s000", file=name)
    result = run_cli("validate", source / "datapackage", "--format", "json")
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr
    unreadable = [p for p in json.loads(result.stdout)["problems"] if p["rule"] == "source-file-readable"]
    assert [(p["table"], p["row"], p["field"], p["value"]) for p in unreadable] == [("sources", line, "file", name)]
    assert "cannot be read: File name too long" in unreadable[0]["message"]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_hostile_descriptor_cannot_make_redata_read_outside_the_package(tmp_path, trap, command):
    for name, mutate in _hostile_paths(trap):
        root = copy_source(tmp_path / name.replace(" ", "-"))
        mutate(root)
        args = (
            ["validate", root / "datapackage"]
            if command == "validate"
            else ["build", root / "datapackage", "--out", root / "dist"]
        )
        result = run_cli(*args, timeout=120)  # a read of the trap would block until this times out
        output = result.stdout + result.stderr
        assert result.code == 1, (name, output[-1500:])
        assert "outside the package" in output or "absolute" in output or "does not match the pattern" in output, (
            name,
            output[-1500:],
        )
        assert not (root / "dist" / BUILT_NAME).exists()


def test_a_url_is_never_fetched(source):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connections = []

    def listen(stop: threading.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                connections.append(server.accept())

    stop = threading.Event()
    thread = threading.Thread(target=listen, args=(stop,))
    thread.start()
    try:
        edit_descriptor(lambda d: d["resources"][1].update(path=f"http://127.0.0.1:{port}/units.csv"))(source)
        edit_descriptor(lambda d: d["resources"][2].update(schema=f"http://127.0.0.1:{port}/metrics.json"))(source)
        result = run_cli("validate", source / "datapackage")
    finally:
        stop.set()
        thread.join()
        server.close()
    assert result.code == 1 and "is a URL" in result.stdout
    assert connections == []


# ---------------------------------------------------------------- nothing is lost


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _start_build(source: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "redata", "build", str(source / "datapackage"), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_build_killed_at_any_moment_loses_nothing(source, tables, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", source / "datapackage", "--out", out).code == 0
    released = _snapshot(out / BUILT_NAME)
    released_zip = (out / f"{BUILT_NAME}.zip").read_bytes()

    figure = tables.read("figures")[0]
    tables.update("figures", "figure_id", figure["figure_id"], note="A corrected note.")
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version="1.0.1"))
    changelog = source / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("## [1.0.0]", "## [1.0.1] - 2026-12-01\n\n- Note.\n\n## [1.0.0]")
    )
    new = out / "us-china-rare-earths-1.0.1"

    moments = 0
    for delay in (0.1, 0.5, 1.0, 1.5, None, None, None):
        process = _start_build(source, out)
        if delay is None:  # kill the moment the staging folder appears: mid-write
            deadline = time.monotonic() + 60
            while not list(out.glob(".staging-*")) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
        else:
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        moments += 1
        assert _snapshot(out / BUILT_NAME) == released
        assert (out / f"{BUILT_NAME}.zip").read_bytes() == released_zip
        if new.exists():  # only ever complete: it was renamed into place whole
            assert run_cli("validate", new / "datapackage.json").code == 0
            shutil.rmtree(new)
            (out / "us-china-rare-earths-1.0.1.zip").unlink(missing_ok=True)
    assert moments == 7
    finished = run_cli("build", source / "datapackage", "--out", out)
    assert finished.code == 0, finished.stderr
    assert not list(out.glob(".staging-*")) and not list(out.glob(".*.partial"))
    with zipfile.ZipFile(out / "us-china-rare-earths-1.0.1.zip") as archive:
        assert archive.testzip() is None


def test_two_builds_started_at_once_do_not_corrupt_each_other(source, tmp_path, built):
    out = tmp_path / "out"
    first, second = _start_build(source, out), _start_build(source, out)
    results = [process.communicate(timeout=300) + (process.returncode,) for process in (first, second)]
    assert [code for *_, code in results] == [0, 0], results
    assert _snapshot(out / BUILT_NAME) == _snapshot(built)
    assert (out / f"{BUILT_NAME}.zip").read_bytes() == (built.parent / f"{BUILT_NAME}.zip").read_bytes()


# ---------------------------------------------------------------- any bytes at all


FILES = [
    "datapackage/datapackage.json",
    "schemas/figures.json",
    "datapackage/figures.csv",
    "datapackage/sources.csv",
    "seeds/003_ad337d1af4783e68.txt",
    "datapackage/check_terms.csv",
]


def _run_in_process(*args: str) -> tuple[int, str]:
    from redata.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["redata", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
        code = 0
    except SystemExit as done:
        code = done.code
    finally:
        sys.argv = argv
    return code, out.getvalue() + err.getvalue()


@st.composite
def byte_mutations(draw):
    name = draw(st.sampled_from(FILES))
    data = (REPO / name).read_bytes()
    kind = draw(st.sampled_from(["insert", "delete", "truncate", "overwrite"]))
    at = draw(st.integers(0, len(data)))
    if kind == "insert":
        data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    elif kind == "delete":
        data = data[:at] + data[at + draw(st.integers(1, 256)) :]
    elif kind == "truncate":
        data = data[:at]
    else:
        junk = draw(st.binary(min_size=1, max_size=64))
        data = data[:at] + junk + data[at + len(junk) :]
    return name, data


@settings(max_examples=60, deadline=30_000, suppress_health_check=[HealthCheck.too_slow])
@given(byte_mutations())
def test_any_mutated_byte_gives_an_exit_code_never_a_traceback(mutation):
    name, data = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = copy_source(Path(folder))
        (root / name).write_bytes(data)
        code, output = _run_in_process("validate", str(root / "datapackage"))
    assert code in (0, 1, 2), output[-2000:]
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
