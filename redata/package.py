"""Opening a package: its descriptor and the Table Schema of each resource, read once and confined.

`open_package` raises `CannotRun` only when there is no package to speak of (no descriptor, not JSON,
not an object). Everything else wrong with the descriptor becomes a `Problem` of the descriptor layer,
and the resources it concerns are left out of the later layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CannotRun
from .paths import PackagePaths, PathRefused
from .report import Problem

DESCRIPTOR_NAME = "datapackage.json"
# A built package describes each table's Parquet file inside the table's CSV resource, under this
# property (path, format, mediatype, bytes, hash): one resource per table keeps frictionless and other
# Data Package tools on the CSV, while the descriptor still accounts for every file.
PARQUET = "parquet"
# A release lists its other files (database, datasette metadata, citation, README) under this package
# property, each with path, format, mediatype, bytes and hash, so that every file but the descriptor is
# accounted for; a Data Package tool that does not know it reads the tables as usual.
FILES = "files"
# A larger descriptor or schema is refused before it is parsed (a built package with 100,000 sources
# has a descriptor of about 40 MB).
MAX_JSON_BYTES = 256 * 1024 * 1024


@dataclass
class Resource:
    """One tabular resource: where its CSV is and the Table Schema that describes it."""

    name: str
    path: Path
    schema: dict[str, Any]
    descriptor: dict[str, Any]
    parquet: Path | None = None  # the table's Parquet file, in a built package

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]


@dataclass
class Package:
    paths: PackagePaths
    descriptor: dict[str, Any]
    resources: dict[str, Resource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # descriptor-layer problems found while opening
    files: list[tuple[dict[str, Any], Path]] = field(default_factory=list)  # the FILES entries and their paths

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", "package"))

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))


def find_descriptor(path: str | Path) -> Path:
    """The descriptor a command-line PATH names: a `datapackage.json` file or a folder holding one."""
    candidate = Path(path)
    if candidate.is_dir():
        candidate = candidate / DESCRIPTOR_NAME
    if not candidate.is_file():
        raise CannotRun(f"{path}: no {DESCRIPTOR_NAME} found")
    return candidate


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file, turning every failure into a one-line message naming file and line."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ValueError(f"{path}: {what} is larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB")
        text = path.read_bytes().decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: {what} is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}:{error.lineno}: {what} is not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except OSError as error:
        raise ValueError(f"{path}: {what} cannot be read: {error.strerror or error}") from None


def open_package(path: str | Path) -> Package:
    descriptor_path = find_descriptor(path)
    try:
        descriptor = read_json(descriptor_path, "descriptor")
    except ValueError as error:
        raise CannotRun(str(error)) from None
    if not isinstance(descriptor, dict):
        raise CannotRun(f"{descriptor_path}: descriptor must be a JSON object, got {type(descriptor).__name__}")
    package = Package(PackagePaths.of(descriptor_path), descriptor)
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        package.problems.append(
            _problem(None, "resources", resources, "resources", "descriptor has no list of resources")
        )
        return package
    for index, entry in enumerate(resources):
        resource = _open_resource(package, index, entry)
        if resource is not None:
            package.resources[resource.name] = resource
    _open_files(package)
    return package


def _open_files(package: Package) -> None:
    """The FILES a release lists, each path confined to the package folder."""
    entries = package.descriptor.get(FILES)
    if entries is None:
        return
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries
    ):
        package.problems.append(_problem(None, FILES, None, "files", f"{FILES} must be a list of objects with a name"))
        return
    for entry in entries:
        where = f"{FILES}.{entry['name']}"
        try:
            path = package.paths.resolve(entry.get("path"), f"{where} path", roots=(package.paths.folder,))
        except PathRefused as error:
            package.problems.append(_problem(None, where, entry.get("path"), "path-confined", str(error)))
            continue
        package.files.append((entry, path))


def _open_resource(package: Package, index: int, entry: Any) -> Resource | None:
    if not isinstance(entry, dict):
        package.problems.append(_problem(None, f"resources[{index}]", entry, "resource", "resource must be an object"))
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        package.problems.append(
            _problem(None, f"resources[{index}].name", name, "resource-name", "resource has no name")
        )
        return None
    if name in package.resources:
        package.problems.append(
            _problem(name, "name", name, "resource-name-unique", f"resource {name!r} is named twice in the descriptor")
        )
        return None
    paths = package.paths
    try:
        data_path = paths.resolve(entry.get("path"), f"resource {name!r} path", roots=(paths.folder,))
    except PathRefused as error:
        package.problems.append(_problem(name, "path", entry.get("path"), "path-confined", str(error)))
        return None
    schema = _open_schema(package, name, entry.get("schema"))
    if schema is None:
        return None
    parquet = None
    if PARQUET in entry:
        described = entry[PARQUET]
        try:
            parquet = paths.resolve(
                described.get("path") if isinstance(described, dict) else None,
                f"resource {name!r} Parquet path",
                roots=(paths.folder,),
            )
        except PathRefused as error:
            package.problems.append(_problem(name, PARQUET, described, "path-confined", str(error)))
    return Resource(name, data_path, schema, entry, parquet)


def _open_schema(package: Package, name: str, reference: Any) -> dict[str, Any] | None:
    if isinstance(reference, dict):
        schema = reference
    else:
        try:
            schema_path = package.paths.resolve(reference, f"resource {name!r} schema")
            schema = read_json(schema_path, "Table Schema")
        except (PathRefused, ValueError) as error:
            package.problems.append(_problem(name, "schema", reference, "schema-readable", str(error)))
            return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        package.problems.append(
            _problem(
                name, "schema", None, "schema-fields", "Table Schema must be an object with a non-empty list of fields"
            )
        )
        return None
    if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
        package.problems.append(
            _problem(
                name, "schema", None, "schema-fields", "every field of the Table Schema must be an object with a name"
            )
        )
        return None
    return schema


def _problem(table: str | None, field_name: str, value: Any, rule: str, message: str) -> Problem:
    return Problem("descriptor", table, None, field_name, value, rule, message)
