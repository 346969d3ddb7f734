"""Opening a package: its descriptor and the Table Schema of each resource, read once, bounded and confined.

`open_package` raises `CannotRun` only when there is no package to speak of (no descriptor, not JSON, not an
object). Everything else wrong with the descriptor becomes a `Problem` of the descriptor layer, and the
resources it concerns are left out of the later layers. JSON is read strictly (RFC 8259): no `NaN` or
`Infinity`, no number a double cannot hold, no nesting deeper than `MAX_JSON_DEPTH`, no file larger than
`MAX_JSON_BYTES`, checked before it is parsed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CannotRun
from .limits import MAX_JSON_BYTES, MAX_JSON_DEPTH, MEBIBYTE
from .paths import PackagePaths, PathRefused
from .report import Problem

DESCRIPTOR_NAME = "datapackage.json"
# A built package describes each table's Parquet file inside the table's CSV resource, under this property
# (path, format, mediatype, bytes, hash): one resource per table keeps frictionless and other Data Package
# tools on the CSV, while the descriptor still accounts for every file.
PARQUET = "parquet"
# A release lists its other files (database, datasette metadata, citation, README) under this package
# property, each with path, format, mediatype, bytes and hash, so that every file but the descriptor is
# accounted for; a Data Package tool that does not know it reads the tables as usual.
FILES = "files"


@dataclass
class Resource:
    """One tabular resource: where its CSV is and the Table Schema that describes it."""

    name: str
    path: Path
    schema: dict[str, Any]
    descriptor: dict[str, Any]
    parquet: Path | None = None  # the table's Parquet file, in a built package


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

    @property
    def declared(self) -> list[str]:
        """The name of every resource the descriptor declares, whether or not it could be opened."""
        entries = self.descriptor.get("resources")
        entries = entries if isinstance(entries, list) else []
        return [str(entry["name"]) for entry in entries if isinstance(entry, dict) and "name" in entry]


def find_descriptor(path: str | Path) -> Path:
    """The descriptor a command-line PATH names: a `datapackage.json` file or a folder holding one."""
    candidate = Path(path)
    if candidate.is_dir():
        candidate = candidate / DESCRIPTOR_NAME
    if not candidate.is_file():
        raise CannotRun(f"{path}: no {DESCRIPTOR_NAME} found")
    return candidate


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file strictly, turning every failure into a ValueError of one line naming file and line."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ValueError(f"{path}: {what} is larger than {MAX_JSON_BYTES // MEBIBYTE} MiB")
        text = path.read_bytes().decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: {what} is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}:{error.lineno}: {what} is not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except RecursionError:
        raise ValueError(f"{path}: {what} is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except _NotJson as error:
        raise ValueError(f"{path}: {what} is not valid JSON: {error}") from None
    except OSError as error:
        raise ValueError(f"{path}: {what} cannot be read: {error.strerror or error}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"{path}: {what} is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotJson(f"{name} is not a JSON number (RFC 8259)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(f"the number {text[:40]} is too large for a double")
    if value == 0 and any(digit in text.split("e")[0].split("E")[0] for digit in "123456789"):
        raise _NotJson(f"the number {text[:40]} is too small for a double")
    return value


def _depth(value: Any) -> int:
    """How deeply JSON is nested, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


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
        package.problems.append(_problem(None, "resources", "resources", "descriptor has no list of resources"))
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
        package.problems.append(_problem(None, FILES, "files", f"{FILES} must be a list of objects with a name"))
        return
    for entry in entries:
        where = f"{FILES}.{entry['name']}"
        try:
            path = package.paths.resolve(entry.get("path"), f"{where} path", roots=(package.paths.folder,))
        except PathRefused as error:
            package.problems.append(_problem(None, where, "path-confined", str(error)))
            continue
        package.files.append((entry, path))


def _open_resource(package: Package, index: int, entry: Any) -> Resource | None:
    if not isinstance(entry, dict):
        package.problems.append(_problem(None, f"resources[{index}]", "resource", "resource must be an object"))
        return None
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        package.problems.append(_problem(None, f"resources[{index}].name", "resource-name", "resource has no name"))
        return None
    if name in package.resources:
        message = f"resource {name!r} is named twice in the descriptor"
        package.problems.append(_problem(name, "name", "resource-name-unique", message))
        return None
    paths = package.paths
    try:
        data_path = paths.resolve(entry.get("path"), f"resource {name!r} path", roots=(paths.folder,))
        parquet = _parquet_path(paths, name, entry)
    except PathRefused as error:
        package.problems.append(_problem(name, "path", "path-confined", str(error)))
        return None
    schema = _open_schema(package, name, entry.get("schema"))
    return Resource(name, data_path, schema, entry, parquet) if schema is not None else None


def _parquet_path(paths: PackagePaths, name: str, entry: dict) -> Path | None:
    if PARQUET not in entry:
        return None
    described = entry[PARQUET]
    relative = described.get("path") if isinstance(described, dict) else None
    return paths.resolve(relative, f"resource {name!r} Parquet path", roots=(paths.folder,))


def _open_schema(package: Package, name: str, reference: Any) -> dict[str, Any] | None:
    """The resource's Table Schema, inline or read from its file, if it is valid Table Schema 2.0."""
    from .checks.descriptor import profile_problems

    if isinstance(reference, dict):
        schema = reference
    else:
        try:
            schema = read_json(package.paths.resolve(reference, f"resource {name!r} schema"), "Table Schema")
        except (PathRefused, ValueError) as error:
            package.problems.append(_problem(name, "schema", "schema-readable", str(error)))
            return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        message = "Table Schema must be an object with a non-empty list of fields"
        package.problems.append(_problem(name, "schema", "schema-fields", message))
        return None
    problems = profile_problems(schema, "tableschema.json", name)
    package.problems += problems
    return None if problems else schema


def _problem(table: str | None, field_name: str, rule: str, message: str) -> Problem:
    return Problem("descriptor", table, None, field_name, None, rule, message)
