"""The `redata` command: a thin shell over the library API (`validate`, `build`, `diff`, `cite`, `site`).

Exit codes: 0 success; 1 the data is invalid or cannot be published as it stands; 2 the command could
not run (usage, missing path, unreadable descriptor). Heavy libraries are imported inside the command
that needs them, so `redata --help` stays fast. Errors are one line on stderr, never a traceback
(set REDATA_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .startup import import_pandera_without_pandas
from .version import __version__

app = typer.Typer(
    add_completion=False,
    # plain help: typer's rich rendering imports rich's Markdown reader, 0.13 s of every `redata --help`
    rich_markup_mode=None,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"redata {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """Build, validate and compare the US–China rare-earth data package, and curate it.

    Example: redata validate && redata build && redata --version
    """


@app.command()
def validate(
    path: Annotated[
        Path,
        typer.Argument(help="A source package folder (default: datapackage/) or a built package's datapackage.json."),
    ] = Path("datapackage"),
    format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json for tools (shape documented in README).")
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    references: Annotated[
        Path | None,
        typer.Option(
            "--references",
            help="Folder of the reference documents (PDFs) whose printed numbers reference_values records; "
            "default: $REDATA_REFERENCES, else references/ beside seeds/.",
        ),
    ] = None,
) -> None:
    """Run every check on a package and report all problems at once.

    Exit 0 if valid (warnings allowed), 1 if invalid, 2 if it could not run.

    Example: redata validate dist/us-china-rare-earths-1.0.0/datapackage.json --format json
    """
    import_pandera_without_pandas()
    from .validation import validate as run_validation

    report = run_validation(path, references)
    _print_report(report, format, strict)
    raise typer.Exit(0 if report.valid(strict) else 1)


@app.command()
def build(
    source: Annotated[Path, typer.Argument(help="The source package folder.")] = Path("datapackage"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the built package.")] = Path("dist"),
) -> None:
    """Validate the source package, then publish it as dist/<name>-<version>/ (CSV, Parquet, SQLite) and a zip.

    The last line printed is the path of the datapackage.json written. An invalid package builds
    nothing and exits 1; a version already built with other content is refused.

    Example: redata build --out dist
    """
    import_pandera_without_pandas()
    from .publish import BuildRefused
    from .publish import build as run_build

    try:
        descriptor = run_build(source, out)
    except BuildRefused as refusal:
        if refusal.report is not None:
            _print_report(refusal.report, Format.text, strict=False, stream=sys.stderr)
        typer.echo(f"redata: build refused: {refusal}", err=True)
        raise typer.Exit(1) from None
    typer.echo(str(descriptor))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier built package (folder or datapackage.json).")],
    new: Annotated[Path, typer.Argument(help="The later built package (folder or datapackage.json).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """Compare two built packages: rows added, removed and changed per table (by primary key), schema
    changes, and the smallest SemVer bump the change requires.

    Example: redata diff dist/us-china-rare-earths-1.0.0 dist/us-china-rare-earths-1.0.1
    """
    from .diff import diff_packages

    result = diff_packages(old, new)
    typer.echo(result.to_json() if format is Format.json else result.to_text())


class CitationFormat(StrEnum):
    text = "text"
    bibtex = "bibtex"
    csl_json = "csl-json"
    cff = "cff"


class Level(StrEnum):
    patch = "patch"
    minor = "minor"
    major = "major"


PACKAGE_OPTION = typer.Option("--package", "-p", help="The source package folder (or its datapackage.json).")


@app.command("add-source")
def add_source(
    file: Annotated[Path, typer.Argument(help="The article's text, UTF-8, copied into seeds/ byte for byte.")],
    title: Annotated[str, typer.Option("--title", help="The headline, as the text gives it.")],
    published: Annotated[
        str, typer.Option("--published", help="Publication date as far as known: YYYY, YYYY-MM or YYYY-MM-DD.")
    ],
    publisher: Annotated[str | None, typer.Option("--publisher", help="The publisher, where known.")] = None,
    published_basis: Annotated[
        str | None, typer.Option("--published-basis", help="How the publication date is known (default: given).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where the article was found (never fetched).")] = None,
    accessed: Annotated[str | None, typer.Option("--accessed", help="The day it was retrieved: YYYY-MM-DD.")] = None,
    language: Annotated[str, typer.Option("--language", help="The text's language, a BCP 47 tag.")] = "en",
    rights: Annotated[str | None, typer.Option("--rights", help="Who holds the rights.")] = None,
    package: Annotated[Path, PACKAGE_OPTION] = Path("datapackage"),
) -> None:
    """Archive an article: copy its text into seeds/ and append its row to the sources table, with its sha256
    and the next source id. A text already archived, or not UTF-8, is refused (exit 1).

    Example: redata add-source article.txt --title "Rare earths in 2025" --published 2025-06 --publisher "A News"
    """
    from .add_source import SourceDetails
    from .add_source import add_source as run_add_source

    details = SourceDetails(title, published, publisher, published_basis, url, accessed, language, rights)
    _curate(lambda: run_add_source(file, details, package))


@app.command()
def accept(
    file: Annotated[Path, typer.Argument(help="A proposals file, reviewed: rows to merge marked keep = yes.")],
    package: Annotated[Path, PACKAGE_OPTION] = Path("datapackage"),
) -> None:
    """Merge the kept rows of a proposals file into the tables, with ids assigned, then validate: on any error
    (but numbers of a text not yet accounted for) nothing changes and the errors are listed (exit 1).

    Example: redata accept s004-proposals.csv
    """
    from .accept import accept as run_accept

    _curate(lambda: run_accept(file, package))


@app.command()
def propose(
    source_id: Annotated[str, typer.Argument(help="The id of an archived source (see datapackage/sources.csv).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The proposals file to write (default: SOURCE_ID-proposals.csv).")
    ] = None,
    package: Annotated[Path, PACKAGE_OPTION] = Path("datapackage"),
) -> None:
    """Read an archived text and write the rows it suggests (figures, exclusions, entities, mentions, events,
    statements) as a proposals file to review: each with a confidence and the reason for each suggested cell,
    keep empty. Written whole or not at all; an unknown source or a changed text is refused (exit 1).

    Example: redata propose s004 --out s004-proposals.csv
    """
    from .propose import propose_command

    _curate(lambda: propose_command(source_id, package, out))


@app.command()
def fix(
    path: Annotated[Path, typer.Argument(help="The source package folder (or its datapackage.json).")] = Path(
        "datapackage"
    ),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the changes without writing them.")] = False,
) -> None:
    """Move each quote that is not at its offsets, but occurs exactly once in its text, back to its offsets, and
    print every change. A quote found twice or nowhere is left, its candidates listed (exit 1).

    Example: redata fix --dry-run
    """
    from .fix import fix as run_fix

    result = _curate(lambda: run_fix(path, dry_run))
    raise typer.Exit(1 if result.left else 0)


@app.command()
def release(
    level: Annotated[Level, typer.Argument(help="patch, minor or major: refused if the changes need more.")],
    package: Annotated[Path, PACKAGE_OPTION] = Path("datapackage"),
    dist: Annotated[Path, typer.Option("--dist", help="Where the built releases are; the newest is the last.")] = Path(
        "dist"
    ),
    date: Annotated[
        str | None, typer.Option("--date", help="The release date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, or today).")
    ] = None,
) -> None:
    """Set the next version in datapackage.json and a dated CHANGELOG.md entry summarising the changes since the
    last release built in dist/; refuse a level smaller than the changes need. Then `redata build` publishes it.

    Example: redata release minor && redata build
    """
    from .release import release as run_release

    _curate(lambda: run_release(level.value, package, dist, date))


def _curate(command):
    """Run a curation command and print what it did; a refusal prints its reasons and exits 1."""
    from .errors import Refused

    try:
        result = command()
    except Refused as refusal:
        for line in refusal.details:
            typer.echo(line, err=True)
        typer.echo(f"redata: refused: {refusal}", err=True)
        raise typer.Exit(1) from None
    for line in result.lines():
        typer.echo(line)
    return result


@app.command()
def cite(
    row_id: Annotated[
        str | None,
        typer.Argument(help="The id of a row (figure, event, statement...); leave it out to cite the package."),
    ] = None,
    package: Annotated[
        Path | None,
        typer.Option(
            "--package",
            "-p",
            help="A release folder or zip, a folder of releases, or the source package datapackage/ "
            "(default: $REDATA_PACKAGE, else the newest release in dist/).",
        ),
    ] = None,
    version: Annotated[str | None, typer.Option("--version", help="The release version to cite.")] = None,
    table: Annotated[str | None, typer.Option("--table", "-t", help="The table the id is in, where ids clash.")] = None,
    format: Annotated[
        CitationFormat, typer.Option("--format", "-f", help="text, bibtex, csl-json, or cff (the package only).")
    ] = CitationFormat.text,
) -> None:
    """Print a ready citation of the package, or of one row: the package and version, the source article
    (title, publisher, date) and the quote.

    Example: redata cite s003-f03 --format bibtex
    """
    from .citation import cite_row, package_facts, render
    from .loader import open_release

    release = open_release(package, version)
    citation = cite_row(release, row_id, table) if row_id else package_facts(release)
    typer.echo(render(citation, format.value), nl=False)


@app.command()
def site(
    package: Annotated[
        Path | None,
        typer.Argument(
            help="A release folder (or zip's folder of releases) or the source package datapackage/ "
            "(default: $REDATA_PACKAGE, else the newest release in dist/)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the site into.")] = Path("site"),
) -> None:
    """Write a static, offline website of the package: an overview, a page per figure, source, entity and
    metric, charts, the data dictionary and the conflicts. The last line printed is the site's index page.

    Example: redata site dist/us-china-rare-earths-1.0.0 --out site
    """
    import_pandera_without_pandas()
    from .site import write_site
    from .site.content import SiteRefused

    try:
        index = write_site(package, out)
    except SiteRefused as refusal:
        _print_report(refusal.report, Format.text, strict=False, stream=sys.stderr)
        typer.echo(f"redata: site refused: {refusal}", err=True)
        raise typer.Exit(1) from None
    typer.echo(str(index))


def _print_report(report, format: Format, strict: bool, stream=None) -> None:
    if format is Format.json:
        print(report.to_json(strict), file=stream or sys.stdout)
        return
    from rich.console import Console

    from .report import render_text

    render_text(report, Console(file=stream or sys.stdout, highlight=False, soft_wrap=True), strict)


def main() -> None:
    """Entry point: run the app, turning "cannot run" into one line and exit code 2."""
    from .entry import INTERRUPTED
    from .errors import CannotRun
    from .startup import prepare_process

    prepare_process()
    signal.signal(signal.SIGINT, _on_interrupt)
    try:
        try:
            code = app(standalone_mode=False, prog_name="redata")  # returns a typer.Exit's code instead of raising it
        finally:
            # the command is done, or stopped: a Ctrl-C from here on has nothing to stop, and what follows is
            # the command's own words
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _restore_stderr()
    except CannotRun as error:
        _fail(f"redata: error: {error}")
    except KeyboardInterrupt:
        _interrupted(INTERRUPTED)
    except typer.Abort:
        _fail("redata: aborted")
    except typer.TyperException as error:  # usage errors: typer prints them as click does
        show = getattr(error, "show", None)
        if show:
            show()
        else:
            print(f"redata: error: {error.format_message()}", file=sys.stderr)
        sys.exit(2)
    except Exception as error:
        _internal_error(error)
    except BaseException as error:  # a panic of native code (pyo3's PanicException) is no Exception
        if isinstance(error, SystemExit):
            raise
        _internal_error(error)
    if code == 130:  # typer's answer to a Ctrl-C while a command runs
        _interrupted(INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


_INTERRUPTS: list[int] = []
_STDERR: list[int] = []  # the command's own stderr, while a Ctrl-C sends fd 2 nowhere
# How long a command has, after a Ctrl-C, to run its `finally` blocks and end; then it ends anyway. The
# KeyboardInterrupt can land in a Python call made by native code (polars calls back for a data type), which
# then panics or gives up (4 of 300 interrupted validations printed a panic or an ignored exception). The
# deadline starts in the handler: a Ctrl-C the main thread never runs is not bounded by it (`tables._waited_for`).
INTERRUPT_GRACE_SECONDS = 20.0


def _on_interrupt(signum: int, frame) -> None:
    """Python's own answer to a Ctrl-C, remembered (native code may catch the KeyboardInterrupt it raises), with
    a deadline for the command to end by. What native code prints as the KeyboardInterrupt unwinds through it (a
    panic's message and backtrace, an exception it could not raise) goes nowhere: the user asked to stop, and
    the command's one line says it stopped."""
    if not _INTERRUPTS:
        _silence_stderr()
        threading.Thread(target=_end_when_stuck, name="redata-interrupted", daemon=True).start()
    _INTERRUPTS.append(signum)
    raise KeyboardInterrupt


def _silence_stderr() -> None:
    try:
        sys.stderr.flush()
        _STDERR.append(os.dup(2))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except (OSError, ValueError):  # no stderr to silence (closed, say): nothing will be printed there anyway
        pass


def _restore_stderr() -> None:
    try:
        saved = _STDERR.pop()  # one pop: the main thread and the deadline may both get here
    except IndexError:
        return
    os.dup2(saved, 2)
    os.close(saved)


def _end_when_stuck() -> None:
    """End the process, interrupted, if the command has not ended within the grace after a Ctrl-C."""
    from .entry import INTERRUPTED

    time.sleep(INTERRUPT_GRACE_SECONDS)
    _interrupted(INTERRUPTED)


def _internal_error(error: BaseException) -> None:
    from .entry import INTERRUPTED

    if _INTERRUPTS:  # a library caught the Ctrl-C where it landed, and failed in its stead
        _interrupted(INTERRUPTED)
    if os.environ.get("REDATA_DEBUG"):
        raise error
    message = str(error).splitlines()[0] if str(error) else ""
    _fail(f"redata: internal error: {type(error).__name__}: {message} (REDATA_DEBUG=1 shows the traceback)")


def _fail(message: str, code: int = 2) -> None:
    print(message.replace("\n", " "), file=sys.stderr)
    sys.exit(code)


def _interrupted(message: str) -> None:
    """Exit 130 once every `finally` of the command has run (staging removed), without the interpreter's
    shutdown: pyarrow aborts the process ("terminate called") when it ends while its reading threads still run.
    The staging folders a skipped `finally` left are removed first (a further Ctrl-C is ignored by then, or
    handled by the main thread while the deadline's thread runs this)."""
    from . import staging

    _restore_stderr()  # wherever the Ctrl-C came, the one line is seen
    staging.remove_all()
    print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
