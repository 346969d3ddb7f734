"""Shared fixtures: copies of the real package to mutate, a built package, and ways to run the CLI.

Defective packages are made by copying the real one (datapackage/, schemas/, seeds/, CHANGELOG.md) into a
temporary folder and changing one thing. The CLI runs in this process (`cli`), or as a real process
(`run_cli`) where the process itself is what a test is about (signals, start-up, imports).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import hypothesis  # noqa: F401  imported before `cli`'s start-up, which takes a missing one as missing
import pytest
import semver

# Hypothesis runs derandomized in CI (the same examples every run); HYPOTHESIS_PROFILE=thorough explores anew.
# A dozen examples a test: each validates a whole package.
hypothesis.settings.register_profile("quick", max_examples=12)
hypothesis.settings.register_profile("ci", max_examples=12, derandomize=True, print_blob=True)
hypothesis.settings.register_profile("thorough", max_examples=300)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "quick"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PROFILES = (
    SHARED / "profiles" / "2.0" if (SHARED / "profiles" / "2.0").is_dir() else REPO / "redata" / "profiles" / "2.0"
)
SOURCE_PARTS = ("datapackage", "schemas", "seeds")
# The reference documents whose printed numbers reference_values records, read from the nearest shared/ above
# the repository (CI clones it beside shared/), never copied into it.
REFERENCES = next(
    (folder / "shared" / "references" for folder in REPO.parents if (folder / "shared" / "references").is_dir()),
    SHARED / "references",
)


def _released_package() -> tuple[str, str, str]:
    """The real package's name and version, and the date of that version's CHANGELOG.md entry."""
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    name, version = descriptor["name"], descriptor["version"]
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.search(rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, re.MULTILINE)
    assert heading, f"CHANGELOG.md has no entry for the package's version {version}"
    return name, version, heading[1]


# The versions tests speak of, derived from the release the repository holds, so that a new release leaves the
# tests as they are: the built folder's name, the changelog heading to add an entry above, the versions after it
# (the next patch, minor and major) and pre-releases (of the released version itself, and of the next ones).
PACKAGE_NAME, PACKAGE_VERSION, RELEASE_DATE = _released_package()
BUILT_NAME = f"{PACKAGE_NAME}-{PACKAGE_VERSION}"
CHANGELOG_HEADING = f"## [{PACKAGE_VERSION}]"
_RELEASED = semver.Version.parse(PACKAGE_VERSION)
NEXT_PATCH = str(_RELEASED.bump_patch())
NEXT_MINOR = str(_RELEASED.bump_minor())
NEXT_MAJOR = str(_RELEASED.bump_major())
PRERELEASE = str(_RELEASED.replace(prerelease="rc.1"))
NEXT_PATCH_PRERELEASE = str(_RELEASED.bump_patch().replace(prerelease="rc.1"))
NEXT_MINOR_PRERELEASE = str(_RELEASED.bump_minor().replace(prerelease="rc.1"))
AFTER_NEXT_MINOR_PRERELEASE = str(_RELEASED.bump_minor().bump_minor().replace(prerelease="rc.1"))


def built_name(version: str) -> str:
    """The folder a release of the package with this version is built into."""
    return f"{PACKAGE_NAME}-{version}"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(*args: str) -> Run:
    """Run `redata ARGS` in this process, as the `redata` command does: its exit code and what it printed."""
    from redata.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv, interrupt = sys.argv, signal.getsignal(signal.SIGINT)  # a command ignores Ctrl-C once it is done
    sys.argv = ["redata", *map(str, args)]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
        code = 0
    except SystemExit as done:
        code = done.code
    finally:
        sys.argv = argv
        signal.signal(signal.SIGINT, interrupt)
    return Run(code, out.getvalue(), err.getvalue())


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> Run:
    """Run `redata ARGS` in a real process."""
    completed = subprocess.run(
        [sys.executable, "-m", "redata", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def copy_source(target: Path) -> Path:
    """A copy of the real source package; returns the copy's repository root."""
    for part in SOURCE_PARTS:
        shutil.copytree(REPO / part, target / part)
    shutil.copy(REPO / "CHANGELOG.md", target / "CHANGELOG.md")
    return target


class Tables:
    """Read and rewrite the CSV tables of a package copy, row by row, as lists of dicts of strings."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, table: str) -> Path:
        return self.root / "datapackage" / f"{table}.csv"

    def read(self, table: str) -> list[dict[str, str]]:
        with self.path(table).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def write(self, table: str, rows: list[dict[str, str]]) -> None:
        header = next(csv.reader(self.path(table).open(encoding="utf-8", newline="")))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.path(table).write_text(buffer.getvalue(), encoding="utf-8")

    def line_of(self, table: str, key_field: str, key: str) -> int:
        """CSV line number of the row whose key_field is key (the header is line 1)."""
        with self.path(table).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            start = 2
            for row in reader:
                if row[key_field] == key:
                    return start
                start = reader.line_num + 1
        raise KeyError(key)

    def update(self, table: str, key_field: str, key: str, **changes: str) -> int:
        """Change fields of one row; returns its line number."""
        rows = self.read(table)
        matches = [row for row in rows if row[key_field] == key]
        assert len(matches) == 1, f"{table}: no single row with {key_field}={key}"
        matches[0].update(changes)
        self.write(table, rows)
        return self.line_of(table, key_field, key)

    def delete(self, table: str, key_field: str, key: str) -> None:
        rows = self.read(table)
        kept = [row for row in rows if row[key_field] != key]
        assert len(kept) == len(rows) - 1
        self.write(table, kept)


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return copy_source(tmp_path / "repo")


@pytest.fixture
def tables(source: Path) -> Tables:
    return Tables(source)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The real package, built once for the session; returns the built folder."""
    out = tmp_path_factory.mktemp("dist")
    result = cli("build", REPO / "datapackage", "--out", out)
    assert result.code == 0, result.stderr
    descriptor = Path(result.stdout.strip().splitlines()[-1])  # build prints the descriptor's path last
    assert descriptor.name == "datapackage.json" and descriptor.is_file()
    return descriptor.parent


def errors_of(report) -> list[tuple]:
    return [(p.layer, p.table, p.row, p.field, p.rule) for p in report.errors]


def problems_of(report) -> set[tuple]:
    """Every problem but the acknowledged ones (which every run of the real package reports)."""
    return {(p.layer, p.table, p.row, p.field, p.rule) for p in report.problems if not p.acknowledged}


@pytest.fixture(scope="session")
def site(built, tmp_path_factory) -> Path:
    """The site of the built package, written once for the session; returns its folder."""
    from redata.site import write_site

    out = tmp_path_factory.mktemp("site") / "site"
    index = write_site(built, out)
    assert index == out / "index.html" and index.is_file()
    return out


# ---------------------------------------------------------------- curation: the guide's article, added


GUIDE = REPO / "docs" / "curating.md"
GUIDE_BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
GUIDE_DETAILS = {
    "title": "Magnet makers scramble as oxide costs climb",
    "publisher": "Example Wire",
    "published": "2025-06-20",
    "url": "https://news.example.com/magnets",
    "accessed": "2025-06-21",
}


def guide_file(name: str) -> str:
    """A file the curator's guide shows (a code block whose info names it: ```text article.txt)."""
    for block in GUIDE_BLOCK.finditer(GUIDE.read_text(encoding="utf-8")):
        if block["info"].split()[1:] == [name]:
            return block["body"]
    raise KeyError(name)


# A curator's reviewed proposals file for the guide's article, written by hand so that it holds what `accept` takes
# beyond what `propose` writes (a relation, a row not kept, a reference to a new entity from a relation).
REVIEWED_PROPOSALS = REPO / "tests" / "data" / "s004-proposals.csv"


@pytest.fixture(scope="session")
def article_template(tmp_path_factory) -> Path:
    """A copy of the real package with the guide's article added as s004 and a reviewed proposals file beside."""
    from redata.add_source import SourceDetails, add_source

    root = copy_source(tmp_path_factory.mktemp("article") / "repo")
    (root / "article.txt").write_text(guide_file("article.txt"), encoding="utf-8")
    shutil.copyfile(REVIEWED_PROPOSALS, root / "s004-proposals.csv")
    add_source(root / "article.txt", SourceDetails(**GUIDE_DETAILS), root / "datapackage")
    return root


@pytest.fixture
def article_source(tmp_path: Path, article_template: Path) -> Path:
    """A fresh copy of `article_template` to change."""
    return Path(shutil.copytree(article_template, tmp_path / "repo", symlinks=True))


def file_bytes(root: Path) -> dict[str, bytes]:
    """Every file of a package copy (its folders and changelog), by path: what must not change when a change is
    refused."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for part in (*SOURCE_PARTS, "CHANGELOG.md")
        for path in sorted((root / part).rglob("*") if (root / part).is_dir() else [root / part])
        if path.is_file()
    }
