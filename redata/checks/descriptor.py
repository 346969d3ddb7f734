"""Layer 1, descriptor: the package descriptor and each Table Schema are well-formed and can be applied.

Checked against the official Data Package 2.0 JSON Schemas (bundled in `redata/profiles/2.0/`), by
frictionless's own metadata validation, and by the rules that neither covers: a SemVer version,
primary and foreign keys that name existing fields and resources, patterns both regex engines accept,
field types redata can parse, and, in a built package, each file's byte count and sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import resources as package_files
from typing import Any

from .. import schema as table_schema
from ..package import FILES, PARQUET, Package
from ..report import WARNING, Problem

LAYER = "descriptor"
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
HASH_CHUNK = 1024 * 1024


def check(package: Package) -> tuple[list[Problem], set[str]]:
    """Problems with the descriptor, and the names of the resources whose schema can be applied. The
    checks that decide nothing for the other layers are in `metadata_problems`."""
    problems = list(package.problems)
    problems += _package_properties(package.descriptor)
    schemas = {name: resource.schema for name, resource in package.resources.items()}
    declared = {r.get("name") for r in package.descriptor.get("resources") or [] if isinstance(r, dict)}
    usable = set()
    for name, resource in package.resources.items():
        errors = table_schema.schema_errors(resource.schema, schemas, declared)
        problems += [Problem(LAYER, name, None, field, None, rule, message) for field, rule, message in errors]
        if not errors:
            usable.add(name)
        problems += _integrity(resource.descriptor, resource.path, name)
        if resource.parquet is not None:
            problems += _integrity(resource.descriptor[PARQUET], resource.parquet, name, PARQUET + ".")
    problems += _files_problems(package)
    return problems, usable


def _files_problems(package: Package) -> list[Problem]:
    """Each of a release's other files (`files`: database, metadata, citation, README) is there, with its
    declared byte count and sha256."""
    problems = []
    for entry, path in package.files:
        where = f"{FILES}.{entry['name']}"
        if not path.is_file():
            message = f"{entry.get('path')}, which the descriptor lists in {FILES}, is missing"
            problems.append(Problem(LAYER, None, None, where, entry.get("path"), "file-present", message))
        else:
            problems += _integrity(entry, path, None, where + ".")
    return problems


def metadata_problems(package: Package) -> list[Problem]:
    """The descriptor and each Table Schema against the Data Package 2.0 profiles, and frictionless's own
    metadata checks. No other layer waits for them, so they can run while the tables are checked."""
    problems = profile_problems(package.descriptor, "datapackage.json", None)
    for name, resource in package.resources.items():
        problems += profile_problems(resource.schema, "tableschema.json", name)
    return problems + _frictionless_problems(package)


@cache
def _validator(profile: str):
    import jsonschema

    text = package_files.files("redata").joinpath("profiles", "2.0", profile).read_text(encoding="utf-8")
    return jsonschema.Draft7Validator(json.loads(text))


def profile_problems(instance: Any, profile: str, table: str | None) -> list[Problem]:
    """Problems of a descriptor (or Table Schema) against one of the bundled Data Package 2.0 profiles."""
    problems = []
    for error in _validator(profile).iter_errors(instance):
        where = "/".join(str(part) for part in error.absolute_path) or None
        message = error.message if len(error.message) <= 300 else error.message[:299] + "…"
        problems.append(
            Problem(
                LAYER,
                table,
                None,
                where,
                None,
                f"profile:{profile}",
                f"not valid against the Data Package 2.0 profile: {message}",
            )
        )
    return problems


def _package_properties(descriptor: dict[str, Any]) -> list[Problem]:
    problems = []
    name = descriptor.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+([._-][a-z0-9]+)*", name):
        problems.append(
            Problem(
                LAYER,
                None,
                None,
                "name",
                name,
                "package-name",
                "package name must be lower-case letters, digits and . _ - (it names the built folder)",
            )
        )
    version = descriptor.get("version")
    if not isinstance(version, str) or not SEMVER.match(version):
        problems.append(
            Problem(
                LAYER,
                None,
                None,
                "version",
                version,
                "version-semver",
                "version must be a SemVer version such as 1.2.0",
            )
        )
    return problems


def _integrity(resource: dict[str, Any], path, name: str, prefix: str = "") -> list[Problem]:
    """A resource that declares `bytes` or `hash` must match its file (built packages declare both)."""
    problems: list[Problem] = []
    declared_hash = resource.get("hash")
    declared_bytes = resource.get("bytes")
    if declared_hash is None and declared_bytes is None:
        return problems
    if not path.is_file():
        return problems  # the structure layer reports the missing file
    if declared_bytes is not None and path.stat().st_size != declared_bytes:
        problems.append(
            Problem(
                LAYER,
                name,
                None,
                prefix + "bytes",
                declared_bytes,
                "bytes",
                f"{path.name} has {path.stat().st_size} bytes, the descriptor says {declared_bytes}",
            )
        )
    if declared_hash is not None:
        algorithm, _, expected = str(declared_hash).rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm not in ("sha256", "md5"):
            problems.append(
                Problem(
                    LAYER,
                    name,
                    None,
                    prefix + "hash",
                    declared_hash,
                    "hash",
                    f"hash algorithm {algorithm!r} is not supported (use sha256)",
                )
            )
        elif file_hash(path, algorithm) != expected:
            problems.append(
                Problem(
                    LAYER,
                    name,
                    None,
                    prefix + "hash",
                    declared_hash,
                    "hash",
                    f"{path.name}'s {algorithm} does not match the descriptor",
                )
            )
    return problems


def file_hash(path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _frictionless_problems(package: Package) -> list[Problem]:
    """frictionless's metadata checks, on the descriptor with every schema inlined (it refuses `../`)."""
    from frictionless import FrictionlessException
    from frictionless import Package as FrictionlessPackage

    descriptor = dict(package.descriptor)
    descriptor["resources"] = [
        {**resource.descriptor, "schema": resource.schema} for resource in package.resources.values()
    ]
    try:
        errors = list(FrictionlessPackage.metadata_validate(descriptor))
    except FrictionlessException as error:
        return [
            Problem(
                LAYER,
                None,
                None,
                None,
                None,
                "frictionless",
                f"frictionless cannot read the descriptor: {error.error.message}",
            )
        ]
    except Exception as error:  # frictionless fails on some malformed descriptors instead of reporting them
        return [
            Problem(
                LAYER,
                None,
                None,
                None,
                None,
                "frictionless",
                f"frictionless cannot read the descriptor: {type(error).__name__}: {error}",
                WARNING,
            )
        ]
    return [Problem(LAYER, None, None, None, None, f"frictionless:{error.type}", error.message) for error in errors]
