"""The archived source texts of a source package: found inside `seeds/`, checked against their sha256, decoded.

Offsets in the package are Python string indices into the UTF-8-decoded text exactly as stored, so a
text is decoded strictly and never normalised (line breaks, no-break spaces and all stay as they are).
"""

from __future__ import annotations

import hashlib

from .checks import ROW, Table, row_problems
from .package import Package
from .paths import PathRefused
from .report import Problem

LAYER = "provenance"


def read_texts(package: Package, sources: Table | None) -> tuple[dict[str, str], list[Problem]]:
    """The text of every source whose file is inside the archive, present, unaltered and UTF-8."""
    import polars as pl

    texts: dict[str, str] = {}
    problems: list[Problem] = []
    archive = package.paths.archive
    if sources is None or archive is None:
        return texts, problems
    rows = sources.frame.select(ROW, "source_id", "file", "sha256").drop_nulls(["source_id", "file"])
    for row, source_id, file_name, expected in rows.iter_rows():
        def fail(field: str, value, rule: str, message: str) -> None:
            failing = pl.DataFrame({ROW: [row], "_value": [value]}, schema={ROW: pl.UInt32, "_value": pl.String})
            problems.extend(row_problems(sources, failing, layer=LAYER, field=field, rule=rule, message=message, value="_value"))

        try:
            path = package.paths.resolve(file_name, "source file", roots=(archive,), base=archive)
        except PathRefused as error:
            fail("file", file_name, "source-file-confined", str(error))
            continue
        if not path.is_file():
            fail("file", file_name, "source-file-exists", f"archived source {file_name!r} is not in {archive.name}/")
            continue
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if expected is not None and actual != expected:
            fail("sha256", expected, "source-sha256", f"archived {file_name} has sha256 {actual}, not the recorded one: the file was altered or the record is wrong")
            continue
        try:
            texts[source_id] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            fail("file", file_name, "source-utf8", f"archived {file_name} is not UTF-8 (byte {error.start})")
    return texts, problems
