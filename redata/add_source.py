"""`add_source(file, ...)`: archive an article's text in seeds/, byte for byte, and record it in `sources`.

The rules the row follows: the id is `s` and the number after the highest in use (three digits at least); the
file is `<number>_<first 16 hex digits of its sha256>.txt`; `--published` as YYYY, YYYY-MM or YYYY-MM-DD gives
`published` (the first day of the year or month where only those are known), `published_precision` (year,
month or day) and the interval of days it stands for (`published_start`, `published_end`); `published_basis`
is the curator's own words (`--published-basis`), else it says the date was given by the curator, not inferred
from the text; `rights` is the curator's words, else the package's standing terms (the article belongs to its
publisher; the package republishes only short quotes, metadata and sha256); `url` and `accessed` are recorded
as given, or left empty: nothing is invented.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .curation import (
    MAX_LISTED,
    blocking,
    describe,
    not_utf8,
    read_file,
    refuse_if_broken,
    source_package,
    validated,
)
from .errors import CannotRun, Refused
from .transaction import Transaction

# A text larger than this is refused (the validator reads archived texts up to this size).
MAX_SOURCE_BYTES = 64 * 1024 * 1024
SOURCE_ID = re.compile(r"^s([0-9]+)$")
PUBLISHED = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RIGHTS = (
    "The article belongs to its publisher{publisher}. This package republishes only short quoted excerpts, "
    "the source's metadata and its sha256, not the full text."
)
BASIS = (
    "Given by the curator as {published} when the source was archived ({precision} precision); "
    "not inferred from the text."
)


@dataclass(frozen=True)
class SourceDetails:
    """What a curator says of a source: the options of `redata add-source`."""

    title: str
    published: str
    publisher: str | None = None
    published_basis: str | None = None
    url: str | None = None
    accessed: str | None = None
    language: str = "en"
    rights: str | None = None


@dataclass
class Added:
    source_id: str
    file: Path
    sha256: str
    size: int
    line: int
    recovered: list[str]

    def lines(self) -> list[str]:
        lines = [f"finished an interrupted change: {name}" for name in self.recovered]
        return lines + [
            f"added {self.source_id}: {self.file.parent.name}/{self.file.name} ({self.size} bytes, "
            f"sha256 {self.sha256}), line {self.line} of datapackage/sources.csv",
            f"next: redata propose {self.source_id} --out {self.source_id}-proposals.csv, keep the right rows, "
            f"then redata accept {self.source_id}-proposals.csv",
        ]


def add_source(file: str | Path, details: SourceDetails, package: str | Path = "datapackage") -> Added:
    fields = _row_fields(details)
    where = source_package(package)
    data = read_article(Path(file))
    digest = hashlib.sha256(data).hexdigest()
    with Transaction(where.root) as change:
        report, context = validated(where.descriptor)
        refuse_if_broken(report, "adding a source")
        source_id, name = _new_source(context, digest, Path(file))
        archive = context.package.paths.archive
        if (archive / name).exists() and (archive / name).read_bytes() != data:
            raise Refused(f"{archive / name} exists with other bytes; nothing was added")
        change.write(archive / name, data)
        sources = context.package.resources["sources"]
        row = {**fields, "source_id": source_id, "file": name, "sha256": digest}
        from .tablefile import append, header

        names = header(sources.path)
        (line,) = append(sources.path, change.staged(sources.path), [[row.get(n, "") for n in names]])
        after, _ = validated(change.mirror())
        errors = blocking(after)
        if errors:
            raise Refused(
                f"the new source would leave {len(errors)} error(s); nothing was added",
                [describe(problem) for problem in errors[:MAX_LISTED]],
            )
        change.commit()
        return Added(source_id, archive / name, digest, len(data), line, change.recovered)


def read_article(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_SOURCE_BYTES that is UTF-8 and not empty."""
    data = read_file(path, MAX_SOURCE_BYTES, "nothing was added")
    if not data.strip():
        raise Refused(f"{path}: holds no text; nothing was added")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(path, data, error, "nothing was added") from None
    return data


def published_date(text: str) -> tuple[dt.date, str]:
    """The date and precision a YYYY, YYYY-MM or YYYY-MM-DD publication date gives."""
    match = PUBLISHED.match(text)
    try:
        if match is None:
            raise ValueError
        year, month, day = match.groups()
        date = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise CannotRun(f"--published {text!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD") from None
    return date, "day" if day else "month" if month else "year"


def date_interval(date: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date stored at a precision (day, month or year) stands for."""
    if precision == "day":
        return date, date
    if precision == "month":
        return date.replace(day=1), date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date.replace(month=1, day=1), date.replace(month=12, day=31)


def _row_fields(details: SourceDetails) -> dict[str, str]:
    """The sources row's fields the options give, each checked as far as it can be before anything is read."""
    for option, value in vars(details).items():
        if value is not None and CONTROL.search(value):
            raise CannotRun(f"--{option.replace('_', '-')}: holds a line break or another control character")
    published, precision = published_date(details.published)
    today = dt.date.today()
    if published > today:
        raise CannotRun(f"--published {details.published} is after today")
    if details.accessed is not None:
        try:
            accessed = dt.date.fromisoformat(details.accessed) if len(details.accessed) == 10 else None
        except ValueError:
            accessed = None
        if accessed is None:
            raise CannotRun(f"--accessed {details.accessed!r} is not a date as YYYY-MM-DD")
        if not published <= accessed <= today:
            raise CannotRun(
                f"--accessed {details.accessed} is before the publication ({details.published}) or after today"
            )
    publisher = f", {details.publisher}" if details.publisher else ", whom the curator did not name"
    start, end = date_interval(published, precision)
    return {
        "title": details.title,
        "publisher": details.publisher or "",
        "published": published.isoformat(),
        "published_precision": precision,
        "published_start": start.isoformat(),
        "published_end": end.isoformat(),
        "published_basis": details.published_basis or BASIS.format(published=details.published, precision=precision),
        "language": details.language,
        "rights": details.rights or RIGHTS.format(publisher=publisher),
        "url": details.url or "",
        "accessed": details.accessed or "",
    }


def _new_source(context, digest: str, file: Path) -> tuple[str, str]:
    """The next source id and the archive file name; a text already archived is refused."""
    import polars as pl

    sources = context.table("sources", "source_id", "sha256")
    if sources is None:
        raise CannotRun("the package has no readable sources table")
    frame = sources.frame.select(pl.col("source_id").cast(pl.String), pl.col("sha256").cast(pl.String))
    same = frame.filter(pl.col("sha256") == digest)
    if same.height:
        raise Refused(f"{file}: already archived as {same.item(0, 'source_id')} (same sha256); nothing was added")
    numbers = [int(m.group(1)) for m in map(SOURCE_ID.match, frame.get_column("source_id").drop_nulls()) if m]
    number = max(numbers, default=-1) + 1
    return f"s{number:03d}", f"{number:03d}_{digest[:16]}.txt"
