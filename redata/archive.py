"""The archived source texts of a source package: found inside `seeds/`, checked against their sha256, decoded.

Offsets in the package are Python string indices into the UTF-8-decoded text exactly as stored, so a
text is decoded strictly and never normalised (line breaks, no-break spaces and all stay as they are).
"""

from __future__ import annotations

import hashlib
import re

from .checks import ROW, Table, row_problems
from .package import Package
from .paths import PathRefused
from .report import Problem

LAYER = "provenance"
SOURCE_FIELDS = ("source_id", "file", "sha256")  # what a sources table must have for its texts to be read
# A name with no directory part that is not a link stays inside the archive without resolving it.
BARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def read_texts(package: Package, sources: Table | None) -> tuple[dict[str, str], list[Problem]]:
    """The text of every source whose file is inside the archive, present, unaltered and UTF-8."""
    import polars as pl

    texts: dict[str, str] = {}
    problems: list[Problem] = []
    archive = package.paths.archive
    if sources is None or archive is None or not sources.has(*SOURCE_FIELDS):
        return texts, problems
    rows = sources.frame.select(ROW, *SOURCE_FIELDS).drop_nulls(["source_id", "file"]).rows()
    for row, source_id, file_name, expected in rows:
        text, failure = _read_one(package, archive, file_name, expected)
        if text is not None:
            texts[source_id] = text
            continue
        field_name, value, rule, message = failure
        failing = pl.DataFrame({ROW: [row], "_value": [value]}, schema={ROW: pl.UInt32, "_value": pl.String})
        problems += row_problems(sources, failing, layer=LAYER, field=field_name, rule=rule, message=message, value="_value")
    return texts, problems


def _read_one(package: Package, archive, file_name: str, expected: str | None):
    """(text, None) for a good archived file, else (None, (field, value, rule, message))."""
    path = archive / file_name
    if not (BARE_NAME.match(file_name) and not path.is_symlink()):  # anything but a plain file name is resolved in full
        try:
            path = package.paths.resolve(file_name, "source file", roots=(archive,), base=archive)
        except PathRefused as error:
            return None, ("file", file_name, "source-file-confined", str(error))
    if not path.is_file():
        return None, ("file", file_name, "source-file-exists", f"archived source {file_name!r} is not in {archive.name}/")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if expected is not None and actual != expected:
        return None, ("sha256", expected, "source-sha256", f"archived {file_name} has sha256 {actual}, not the recorded one: the file was altered or the record is wrong")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, ("file", file_name, "source-utf8", f"archived {file_name} is not UTF-8 (byte {error.start})")
