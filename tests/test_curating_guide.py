"""The curator's guide runs as written: in a copy of the package, each file the guide shows is written and each
command it shows is run, in order, and prints what the guide says it prints (a `...` line stands for any
lines). A guide that drifts from the tool fails here. The `redata` commands run in this process, as the
command's `main` runs them (its own process is tested in test_cli); any other command runs in bash."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import BUILT_NAME, GUIDE, GUIDE_BLOCK, NEXT_MINOR, Run, built_name, cli

from redata.diff import diff_packages

RELEASE_DAY = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
ANY_LINES = "..."


def guide_steps(text: str):
    """("file", name, content) for each block naming a file, ("run", command, expected lines) for each command."""
    for block in GUIDE_BLOCK.finditer(text):
        info, body = block["info"].split(), block["body"]
        if info[:1] == ["console"]:
            command, expected = None, []
            for line in body.splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        yield "run", command, expected
                    command, expected = line[2:], []
                else:
                    expected.append(line)
            if command is not None:
                yield "run", command, expected
        elif len(info) == 2:
            yield "file", info[1], body


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the lines are the expected ones, a `...` line standing for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == ANY_LINES:
        return any(matches(expected[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and actual[0].rstrip() == expected[0].rstrip() and matches(expected[1:], actual[1:])


# what only a shell reads in a command line: a line holding any of these runs in bash
SHELL_SYNTAX = set("|&;<>()$`*?~")


def run(command: str, folder: Path) -> Run:
    """A command line of the guide, run in `folder`."""
    if command.startswith("redata ") and not SHELL_SYNTAX & set(command):
        return cli(*shlex.split(command)[1:])
    done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=600)
    return Run(done.returncode, done.stdout, done.stderr)


def test_the_guide_runs_as_written(source, monkeypatch):
    monkeypatch.chdir(source)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(RELEASE_DAY.timestamp())))
    monkeypatch.setenv("COLUMNS", "200")
    ran = []
    for kind, name, content in guide_steps(GUIDE.read_text(encoding="utf-8")):
        if kind == "file":
            (source / name).write_text(content, encoding="utf-8")
            continue
        done = run(name, source)
        output = (done.stdout + done.stderr).splitlines()
        refused = any(line.startswith("redata: refused:") for line in content)
        assert done.code == (1 if refused else 0), (name, done.stdout[-3000:], done.stderr[-3000:])
        assert matches(content, output), (name, "\n".join(output))
        ran.append(" ".join(name.split()[:2]))
        if name.startswith("redata propose"):
            _review(source / name.split("--out")[1].split()[0])
    commands = ["build", "add-source", "propose", "accept", "accept", "fix", "validate", "release", "build", "diff"]
    assert ran == [f"redata {command}" for command in commands[:5]] + ["sed -i"] + [f"redata {c}" for c in commands[5:]]
    _the_release_adds_exactly_the_accepted_rows(source / "dist")


def _review(path: Path) -> None:
    """The curator's review, as in a spreadsheet: every row `propose` wrote is read and, here, kept."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "keep" and all(row[0] == "" for row in rows[1:]), "propose leaves keep empty"
    for row in rows[1:]:
        row[0] = "yes"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _the_release_adds_exactly_the_accepted_rows(dist: Path) -> None:
    changes = diff_packages(dist / BUILT_NAME, dist / built_name(NEXT_MINOR))
    added = {table.table: table.added for table in changes.tables if table.bump != "none"}
    assert added == {
        "sources": 1,
        "entities": 2,
        "mentions": 7,
        "figures": 3,
        "events": 1,
        "statements": 1,
        "verdicts": 1,  # derived: the cross-check's verdict on the new figure s004-f02
    }
    assert all(table.removed == table.changed == 0 and not table.schema_changes for table in changes.tables)
    assert changes.bump == "minor"


def test_matching_allows_any_lines_only_where_the_guide_says_so():
    assert matches(["a", ANY_LINES, "z"], ["a", "b", "c", "z"])
    assert matches(["a", ANY_LINES, "z"], ["a", "z"])
    assert not matches(["a", "z"], ["a", "b", "z"])
    assert not matches(["a", ANY_LINES], ["b", "a"])
    assert not matches(["a"], ["a", "extra"])
