"""The files of a release besides its tables: the SQLite database, its datasette metadata, the citation.

`write_release_files` writes them into the release folder being built and returns the descriptor's `files`
list: each of them, and the release's README, with its path, format, media type, byte count and sha256,
so that `redata validate` checks every file of a release but the descriptor itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import CannotRun

DATASETTE_METADATA = "metadata.json"
CITATION = "CITATION.cff"
README = "README.md"


def write_release_files(tables: list, folder: Path, descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """Write the derived files of the release `descriptor` describes (its tables given as validated
    `redata.checks.Table`s, in descriptor order) into `folder`; return their `files` entries."""
    from .citation import PackageFacts, cff_errors, cff_text
    from .database import MEDIATYPE, write_database, write_datasette_metadata

    database = folder / f"{descriptor['name']}-{descriptor['version']}.sqlite"
    write_database(tables, database)
    schemas = {table.name: table.schema for table in tables}
    write_datasette_metadata(descriptor, database, schemas, folder / DATASETTE_METADATA)
    facts = PackageFacts.of(descriptor, str(descriptor["created"])[:10])
    citation = cff_text(facts)
    errors = cff_errors(citation)
    if errors:
        raise CannotRun(f"the {CITATION} written for the release is not valid Citation File Format: {errors[0]}")
    (folder / CITATION).write_text(citation, encoding="utf-8")
    return [
        _entry("database", folder, database.name, "sqlite", MEDIATYPE),
        _entry("datasette-metadata", folder, DATASETTE_METADATA, "json", "application/json"),
        _entry("citation", folder, CITATION, "cff", "application/yaml"),
        _entry("readme", folder, README, "md", "text/markdown"),
    ]


def _entry(name: str, folder: Path, path: str, format: str, mediatype: str) -> dict[str, Any]:
    from .package import file_hash

    file = folder / path
    return {
        "name": name,
        "path": path,
        "format": format,
        "mediatype": mediatype,
        "bytes": file.stat().st_size,
        "hash": f"sha256:{file_hash(file)}",
    }
