"""Layer 1, descriptor: the package descriptor and each Table Schema are well-formed and can be applied.

Checked against the official Data Package 2.0 JSON Schemas (bundled in `redata/profiles/2.0/`), by
frictionless's own metadata validation (offline: the properties that would make it fetch a profile are left
out), and by the rules that neither covers: a SemVer version, keys that name existing fields and resources,
patterns both regex engines accept, constraint values of their field's type, and, in a built package, each
file's byte count and sha256.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources as package_files
from typing import Any, NamedTuple

from .. import schema as table_schema
from ..package import FILES, PARQUET, Package, file_hash
from ..report import Problem
from ..versions import is_semver

LAYER = "descriptor"
PACKAGE_NAME = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*")
# Properties naming a profile by URL, which frictionless would fetch; redata checks the bundled profiles, and
# frictionless is told the package is Data Package 2.0 by the profile's own URL, which it knows without fetching.
PROFILE_PROPERTIES = ("$schema", "profile")
DATA_PACKAGE_2 = "https://datapackage.org/profiles/2.0/datapackage.json"
MAX_MESSAGE = 300
DATA_PACKAGE, TABLE_SCHEMA = "datapackage.json", "tableschema.json"


def check(package: Package) -> tuple[list[Problem], set[str]]:
    """Problems with the descriptor, and the names of the resources whose schema can be applied."""
    problems = list(package.problems)
    problems += _package_properties(package.descriptor)
    schemas = {name: resource.schema for name, resource in package.resources.items()}
    declared = set(package.declared)
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
    problems += profile_problems(package.descriptor, DATA_PACKAGE, None)
    return problems + _frictionless_problems(package), usable


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


# The Table Schema profile defines a field as exactly one (`oneOf`) of 15 definitions, one per field type, each
# naming its `type` (`string` may go unnamed), and the Data Package profile holds the whole Table Schema profile
# as its definition of a resource's `schema`. Checked through the `oneOf`, a field costs seven times what the
# definition of its own type does (the package's 26 schemas: 0.12 s against 0.016 s), and its error says only
# "not valid under any of the given schemas". So both profiles are split there: a field is checked against the
# definition of its type, which accepts it exactly when the `oneOf` does, and an inline schema against the
# Table Schema profile so split.
class _Profiles(NamedTuple):
    package: Any  # the Data Package profile, a resource's schema in it only "a path or an object"
    table_schema: Any  # the Table Schema profile, a field in it only "an object"
    any_field: Any  # a field of any type: the `oneOf`, for a field whose `type` is not a text
    by_type: dict[str, Any]  # a field of each type


@cache
def _profile(profile: str) -> dict[str, Any]:
    """A bundled Data Package 2.0 profile, parsed."""
    text = package_files.files("redata").joinpath("profiles", "2.0", profile).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _profiles() -> _Profiles:
    import jsonschema

    def replaced(schema: dict, path: tuple[str, ...], part: Any) -> dict:
        """`schema` with the part at `path` (a path of keys) replaced."""
        head, *rest = path
        return {**schema, head: replaced(schema[head], tuple(rest), part) if rest else part}

    package, table_schema = _profile(DATA_PACKAGE), _profile(TABLE_SCHEMA)
    schema = ("properties", "resources", "items", "properties", "schema")
    field = table_schema["properties"]["fields"]["items"]
    by_type = {definition["properties"]["type"]["enum"][0]: definition for definition in field["oneOf"]}
    return _Profiles(
        jsonschema.Draft7Validator(replaced(package, schema, {"type": ["string", "object"]})),
        jsonschema.Draft7Validator(replaced(table_schema, ("properties", "fields", "items"), {"type": "object"})),
        jsonschema.Draft7Validator(field),
        {kind: jsonschema.Draft7Validator(definition) for kind, definition in by_type.items()},
    )


def profile_problems(instance: Any, profile: str, table: str | None) -> list[Problem]:
    """Problems of a descriptor (`datapackage.json`) or a Table Schema (`tableschema.json`) against the bundled
    Data Package 2.0 profile of that name."""
    text = json.dumps(instance, sort_keys=True, allow_nan=False)
    return [
        Problem(LAYER, table, None, where, None, f"profile:{profile}", f"not valid {profile}: {message}")
        for where, message in _profile_errors(text, profile)
    ]


@cache
def _profile_errors(instance: str, profile: str) -> tuple[tuple[str | None, str], ...]:
    """(where, message) of each error of a JSON text against a profile. A process that validates many packages
    of the same schemas (the tests) checks each text once."""
    value = json.loads(instance)
    if profile == TABLE_SCHEMA:
        return tuple(_table_schema_errors(value))
    if profile == DATA_PACKAGE:
        return tuple(_package_errors(value))
    return tuple(_errors(_whole_profile(profile), value))


@cache
def _whole_profile(profile: str):
    """Any other bundled profile, checked whole."""
    import jsonschema

    return jsonschema.Draft7Validator(_profile(profile))


def _package_errors(descriptor: Any) -> list[tuple[str | None, str]]:
    errors = _errors(_profiles().package, descriptor)
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        schema = resource.get("schema") if isinstance(resource, dict) else None
        if isinstance(schema, dict):
            text = json.dumps(schema, sort_keys=True)
            errors += [
                ("/".join(part for part in ("resources", str(index), "schema", where) if part), message)
                for where, message in _profile_errors(text, TABLE_SCHEMA)
            ]
    return errors


def _table_schema_errors(schema: Any) -> list[tuple[str | None, str]]:
    profiles = _profiles()
    errors = _errors(profiles.table_schema, schema)
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for index, field in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(field, dict):
            continue  # the rest of the profile says it is not an object
        kind = field.get("type", "string")
        if not isinstance(kind, str):  # a type no definition can name: the profile says why
            errors += _errors(profiles.any_field, field, ("fields", index))
        elif kind in profiles.by_type:
            errors += _errors(profiles.by_type[kind], field, ("fields", index))
        else:
            errors.append((f"fields/{index}/type", f"{kind!r} is not one of {list(profiles.by_type)}"))
    return errors


def _errors(validator, value: Any, prefix: tuple = ()) -> list[tuple[str | None, str]]:
    errors = []
    for error in validator.iter_errors(value):
        where = "/".join(str(part) for part in (*prefix, *error.absolute_path)) or None
        message = error.message if len(error.message) <= MAX_MESSAGE else error.message[: MAX_MESSAGE - 1] + "…"
        errors.append((where, message))
    return errors


def _package_properties(descriptor: dict[str, Any]) -> list[Problem]:
    problems = []
    name = descriptor.get("name")
    if not isinstance(name, str) or not PACKAGE_NAME.fullmatch(name):
        message = "package name must be lower-case letters, digits and . _ - (it names the built folder)"
        problems.append(Problem(LAYER, None, None, "name", name, "package-name", message))
    version = descriptor.get("version")
    if not is_semver(version):
        message = "version must be a SemVer 2.0 version such as 1.2.0"
        problems.append(Problem(LAYER, None, None, "version", version, "version-semver", message))
    return problems


def _integrity(resource: dict[str, Any], path, name: str, prefix: str = "") -> list[Problem]:
    """A resource that declares `bytes` or `hash` must match its file (built packages declare both)."""
    declared_hash, declared_bytes = resource.get("hash"), resource.get("bytes")
    if (declared_hash is None and declared_bytes is None) or not path.is_file():
        return []  # the structure layer reports a missing file
    problems = []
    size = path.stat().st_size
    if declared_bytes is not None and size != declared_bytes:
        message = f"{path.name} has {size} bytes, the descriptor says {declared_bytes}"
        problems.append(Problem(LAYER, name, None, prefix + "bytes", declared_bytes, "bytes", message))
    if declared_hash is not None:
        algorithm, _, expected = str(declared_hash).rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm not in ("sha256", "md5"):
            message = f"hash algorithm {algorithm!r} is not supported (use sha256)"
            problems.append(Problem(LAYER, name, None, prefix + "hash", declared_hash, "hash", message))
        elif file_hash(path, algorithm) != expected:
            message = f"{path.name}'s {algorithm} does not match the descriptor"
            problems.append(Problem(LAYER, name, None, prefix + "hash", declared_hash, "hash", message))
    return problems


def _offline(descriptor: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in descriptor.items() if key not in PROFILE_PROPERTIES}


def _frictionless_problems(package: Package) -> list[Problem]:
    """frictionless's metadata checks, on the descriptor with every schema inlined (it refuses `../`) and
    without the properties that would make it fetch a profile."""
    from frictionless import FrictionlessException
    from frictionless import Package as FrictionlessPackage

    descriptor = {**_offline(package.descriptor), "$schema": DATA_PACKAGE_2}
    descriptor["resources"] = [
        {**_offline(resource.descriptor), "schema": _offline(resource.schema)}
        for resource in package.resources.values()
    ]
    try:
        errors = list(FrictionlessPackage.metadata_validate(descriptor))
    except FrictionlessException as error:
        message = f"frictionless cannot read the descriptor: {error.error.message}"
        return [Problem(LAYER, None, None, None, None, "frictionless", message)]
    except Exception as error:  # frictionless fails on some malformed descriptors instead of reporting them
        message = f"frictionless cannot read the descriptor: {type(error).__name__}: {error}"
        return [Problem(LAYER, None, None, None, None, "frictionless", message)]
    return [
        Problem(LAYER, None, None, None, None, "frictionless", f"{error.type}: {error.message}") for error in errors
    ]
