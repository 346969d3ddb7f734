"""What the curation commands share: the repository a source package lives in, the validation they run, and
the rule every change they write meets: it leaves no error but numbers of the texts not yet accounted for.

A source added to the package has numbers no row accounts for until its figures and exclusions are accepted,
so that coverage error, and only that one, does not stop `add-source` or `accept`; `release` and `build` need
a package with no error at all.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import CannotRun, Refused
from .report import Problem

# The coverage rule a source still being curated fails.
UNACCOUNTED = "number-accounted"
# How many problems a refusal lists one by one.
MAX_LISTED = 50


def read_file(path: Path, limit: int, refusal: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; a larger one is refused, ending with `refusal`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe opens without waiting for a writer
    except OSError as error:
        raise CannotRun(f"{path}: cannot be opened: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise CannotRun(f"{path}: not a regular file")
        with open(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise CannotRun(f"{path}: cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise Refused(f"{path}: larger than {limit // (1024 * 1024)} MiB; {refusal}")
    return data


def not_utf8(path: Path, data: bytes, error: UnicodeDecodeError, refusal: str) -> Refused:
    """The refusal of bytes that are not UTF-8, naming the line, the byte and where it is."""
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    return Refused(
        f"{path}:{line}: not UTF-8: byte 0x{data[error.start]:02x} at offset {error.start} (column {column} "
        f"of the line, in bytes); save the text as UTF-8; {refusal}"
    )


@dataclass(frozen=True)
class SourcePackage:
    """A source package's descriptor and the repository folder that holds datapackage/, schemas/ and seeds/."""

    descriptor: Path
    root: Path


def source_package(path: str | Path) -> SourcePackage:
    """The source package PATH names (a folder or its datapackage.json); a built package cannot be curated."""
    from .package import find_descriptor
    from .paths import PackagePaths

    descriptor = find_descriptor(path).resolve()
    paths = PackagePaths.of(descriptor)
    if not paths.is_source or paths.archive is None:
        raise CannotRun(f"{path}: not a source package (datapackage/ beside schemas/ and seeds/)")
    return SourcePackage(descriptor, paths.folder.parent)


def validated(descriptor: Path):
    """The validation report of a package and the typed tables it read (a `redata.checks.Context`)."""
    from .validation import run

    return run(descriptor)


def blocking(report) -> list[Problem]:
    """The errors a curation change may not leave: every error but numbers not yet accounted for."""
    return [problem for problem in report.errors if problem.rule != UNACCOUNTED]


def refuse_if_broken(report, doing: str) -> None:
    """Refuse to start a change on a package that has errors already (other than unaccounted numbers)."""
    errors = blocking(report)
    if errors:
        raise Refused(
            f"the package has {len(errors)} error(s) before {doing}; fix them first (redata validate lists them)",
            [describe(problem) for problem in errors[:MAX_LISTED]],
        )


def describe(problem: Problem) -> str:
    return f"{problem.severity} {problem.layer} {problem.location()}: {problem.message}"


def source_texts(context) -> dict[str, str]:
    """The archived text of each source whose file is present, unaltered and UTF-8, by source id."""
    from .archive import read_texts

    sources = context.table("sources", "source_id", "file", "sha256")
    texts, _ = read_texts(context.package, sources)  # the problems are the validation's to report
    return dict(texts.select("source_id", "text").iter_rows())


def occurrences(text: str, quote: str, limit: int) -> list[int]:
    """The offsets where `quote` starts in `text` (overlapping ones too), at most `limit` of them."""
    found: list[int] = []
    start = text.find(quote) if quote else -1
    while start >= 0 and len(found) < limit:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def whole_number(cell: str | None) -> int | None:
    """A cell's non-negative integer, or None where it holds none (empty, a sign, a fraction, text)."""
    cell = (cell or "").strip()
    return int(cell) if cell.isascii() and cell.isdigit() else None
