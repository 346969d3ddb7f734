"""The command line: every command answers --help with an example, --version works, usage errors exit 2
without a traceback, a bug is one line (its traceback only when asked), and `redata --help` imports no heavy
library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, cli, run_cli

import redata.validation

HEAVY = ("pandas", "polars", "pyarrow", "pandera", "frictionless", "jsonschema", "duckdb", "numpy")


@pytest.mark.parametrize(
    "command", [[], ["validate"], ["build"], ["diff"], ["add-source"], ["accept"], ["fix"], ["release"]]
)
def test_help_answers_with_an_example(command):
    result = run_cli(*command, "--help")
    assert result.code == 0
    assert "Usage" in result.stdout and "Example" in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.code == 0 and result.stdout.startswith("redata ")


def test_the_installed_command_runs():
    """`redata` as installed beside this Python (the console script pyproject.toml declares)."""
    result = subprocess.run([Path(sys.executable).parent / "redata", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("redata ")


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "sys.argv = ['redata', '--help']\n"
        "from redata.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("args", [["frobnicate"], ["validate", "--format", "xml"], ["diff", "only-one"]])
def test_usage_errors_exit_2_without_traceback(args):
    result = run_cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


class Panic(BaseException):
    """What native code raises when it panics (pyo3's PanicException is no Exception)."""


@pytest.mark.parametrize("error", [RuntimeError("boom\nand more"), Panic("boom\nand more")], ids=["error", "panic"])
def test_a_bug_is_one_line_and_exit_2_and_its_traceback_only_when_asked(monkeypatch, error):
    def fails(*args):
        raise error

    monkeypatch.setattr(redata.validation, "validate", fails)
    monkeypatch.delenv("REDATA_DEBUG", raising=False)
    result = cli("validate")
    name = type(error).__name__
    assert (result.code, result.stderr) == (
        2,
        f"redata: internal error: {name}: boom (REDATA_DEBUG=1 shows the traceback)\n",
    )
    monkeypatch.setenv("REDATA_DEBUG", "1")
    with pytest.raises(type(error)):
        cli("validate")
