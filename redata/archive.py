"""The archived source texts of a source package: found inside `seeds/`, checked against their sha256, decoded.

Offsets in the package are Python string indices into the UTF-8-decoded text exactly as stored, so a
text is decoded strictly and never normalised (line breaks, no-break spaces and all stay as they are).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat

from .checks import ROW, Table, row_problems
from .package import Package
from .paths import PathRefused
from .report import Problem

LAYER = "provenance"
SOURCE_FIELDS = ("source_id", "file", "sha256")  # what a sources table must have for its texts to be read
# A name with no directory part that is not a link stays inside the archive without resolving it.
BARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# Texts are moved into polars in groups of about this many bytes, so that a text is held twice (as Python
# bytes and in polars) only a group at a time: the texts of a 10M-row package are 786 MB.
GROUP_BYTES = 1 << 24


def read_texts(package: Package, sources: Table | None):
    """The texts of the sources whose file is inside the archive, present, unaltered and UTF-8, as one polars
    frame (`source_id`, `text`) in the order of the sources table (a repeated source_id at its first row
    only); and the problems found."""
    import polars as pl

    schema = {"source_id": pl.String, "text": pl.Binary}
    groups, ids, contents, size = [pl.DataFrame(schema=schema)], [], [], 0
    problems: list[Problem] = []
    archive = package.paths.archive
    rows = []
    if sources is not None and archive is not None and sources.has(*SOURCE_FIELDS):
        rows = (
            sources.frame.select(ROW, *SOURCE_FIELDS)
            .drop_nulls(["source_id", "file"])
            .unique("source_id", keep="first", maintain_order=True)
            .rows()
        )
    for row, source_id, file_name, expected in rows:
        data, failure = _read_one(package, archive, file_name, expected)
        if failure is None:
            ids.append(source_id)
            contents.append(data)
            size += len(data)
            if size >= GROUP_BYTES:
                groups.append(pl.DataFrame({"source_id": ids, "text": contents}, schema=schema))
                ids, contents, size = [], [], 0
            continue
        field_name, value, rule, message = failure
        failing = pl.DataFrame({ROW: [row], "_value": [value]}, schema={ROW: pl.UInt32, "_value": pl.String})
        problems += row_problems(
            sources, failing, layer=LAYER, field=field_name, rule=rule, message=message, value="_value"
        )
    groups.append(pl.DataFrame({"source_id": ids, "text": contents}, schema=schema))
    # Every text was decoded as UTF-8 once on reading, so the cast cannot fail. One chunk, which copies no
    # text: a join gathering from a text column of many chunks copied the texts (5 GB more at 1M rows).
    return pl.concat(groups).with_columns(pl.col("text").cast(pl.String)).rechunk(), problems


def _read_one(package: Package, archive, file_name: str, expected: str | None):
    """(bytes, None) for a good archived file, else (None, (field, value, rule, message))."""
    data = _read_plain(archive, file_name) if BARE_NAME.match(file_name) else None
    if data is None:  # anything but a regular file under a plain name (a link, a folder, a path) is resolved in full
        try:
            path = package.paths.resolve(file_name, "source file", roots=(archive,), base=archive)
        except PathRefused as error:
            return None, ("file", file_name, "source-file-confined", str(error))
        missing = ("file", file_name, "source-file-exists", f"archived source {file_name!r} is not in {archive.name}/")
        try:
            if not stat.S_ISREG(path.stat().st_mode):
                return None, missing
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None, missing
        except OSError as error:
            return None, (
                "file",
                file_name,
                "source-file-readable",
                f"archived {file_name} cannot be read: {error.strerror or error}",
            )
    actual = hashlib.sha256(data).hexdigest()
    if expected is not None and actual != expected:
        return None, (
            "sha256",
            expected,
            "source-sha256",
            f"archived {file_name} has sha256 {actual}, not the recorded one: "
            "the file was altered or the record is wrong",
        )
    if not data.isascii():  # ASCII is UTF-8; only other texts are decoded to check
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            return None, ("file", file_name, "source-utf8", f"archived {file_name} is not UTF-8 (byte {error.start})")
    return data, None


def _read_plain(archive, file_name: str) -> bytes | None:
    """The bytes of the regular file of that name in the archive folder, if it is one and not a link. One
    open and one stat per text, with no path objects: 100,000 texts read in 1.8-2.0 s, against 2.4-2.6 s."""
    try:
        # a link is not followed; a pipe opens without waiting for a writer; a folder opens too
        descriptor = os.open(os.path.join(archive, file_name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # missing, a link, too long a name or unreadable: resolving it in full says which
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None  # a pipe, a folder: resolving it in full says what it is
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None  # resolving it in full reads it again, and reports the error
    finally:
        os.close(descriptor)
