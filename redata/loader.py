"""Loading a release for analysis: `load(table)` and `load_package()` return pandas DataFrames.

A release is found from `path`, else from the environment variable REDATA_PACKAGE, else from `dist/` in
the working directory, else from `dist/` beside the source tree redata runs from. Each may be a release
folder (or its `datapackage.json`), a release zip, or a folder of releases, where `version` picks one and
the newest SemVer release is the default (pre-releases only when `prerelease=True` or asked by version).
Nothing is trusted: each file is checked against the byte count and sha256 the descriptor gives, every path
stays inside the release, and each Table Schema a table is read by must be valid; a release that fails that is
refused in one line. Tables are read from their Parquet files, whose metadata gives pandas the right dtypes;
`labels=True` returns a table's labelled view.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import CannotRun

ENVIRONMENT_VARIABLE = "REDATA_PACKAGE"
DESCRIPTOR_NAME = "datapackage.json"
_TREE = Path(__file__).resolve().parent.parent
# dist/ beside the source tree redata runs from (an editable install or a checkout), not beside site-packages
SOURCE_TREE_DIST = _TREE / "dist" if (_TREE / "pyproject.toml").is_file() else None
# A zip member larger than this is refused before it is read (the 10M-row package's largest file is
# far smaller); it would otherwise be inflated whole into memory.
MAX_MEMBER_BYTES = 4 * 1024**3


@dataclass
class Release:
    """A built package, in a folder or a zip: its descriptor and a way to read its files, checked."""

    location: Path
    descriptor: dict[str, Any]
    read_file: Callable[[str], bytes]
    source_schemas: dict[str, dict[str, Any]] | None = None  # a source package's schemas, read from schemas/
    frames: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        entries = self.descriptor.get("resources")
        return (
            {r["name"]: r for r in entries if isinstance(r, dict) and "name" in r} if isinstance(entries, list) else {}
        )

    def schemas(self) -> dict[str, dict[str, Any]]:
        if self.source_schemas is not None:
            return self.source_schemas
        schemas = {name: resource.get("schema") for name, resource in self.resources.items()}
        inline = {name: schema for name, schema in schemas.items() if isinstance(schema, dict)}
        if len(inline) != len(schemas):
            raise CannotRun(f"{self.location}: not a release (its Table Schemas are not inline; run `redata build`)")
        for name, schema in inline.items():
            _check_schema(self.location, name, schema, inline)
        return inline

    def verified(self, entry: dict[str, Any], what: str) -> bytes:
        """The bytes of the file `entry` describes, refused unless they have its byte count and sha256."""
        data = self.read_file(entry.get("path"))
        declared_hash = str(entry.get("hash", ""))
        if "bytes" in entry and len(data) != entry["bytes"]:
            raise CannotRun(f"{self.location}: {what} has {len(data)} bytes, the descriptor says {entry['bytes']}")
        if declared_hash.startswith("sha256:") and hashlib.sha256(data).hexdigest() != declared_hash[7:]:
            raise CannotRun(f"{self.location}: the sha256 of {what} does not match the descriptor")
        return data

    def table(self, name: str):
        """One table as pandas, read from its Parquet file (read once per release)."""
        import pandas as pd

        if name not in self.resources:
            raise CannotRun(f"{self.location}: no table {name!r}; tables are: {', '.join(self.resources)}")
        if name not in self.frames:
            parquet = self.resources[name].get("parquet")
            if not isinstance(parquet, dict):
                raise CannotRun(f"{self.location}: table {name!r} has no Parquet file (run `redata build`)")
            data = self.verified(parquet, f"the Parquet file of table {name}")
            try:
                frame = pd.read_parquet(io.BytesIO(data))
            except Exception as error:  # pyarrow's errors on a file it cannot read are of many kinds
                raise CannotRun(f"{self.location}: the Parquet file of table {name} cannot be read: {error}") from None
            if list(frame.columns) != [f.get("name") for f in self.schemas()[name].get("fields", [])]:
                raise CannotRun(
                    f"{self.location}: the Parquet file of table {name} holds other columns than its schema"
                )
            self.frames[name] = frame
        return self.frames[name]

    def labelled(self, name: str):
        """The table's labelled view: its codes decoded into the words of the rows they refer to."""
        from .labels import decoded_columns, labelled_pandas

        schemas = self.schemas()
        needed = [name, *dict.fromkeys(d.resource for d in decoded_columns(name, schemas))]
        return labelled_pandas(name, {table: self.table(table) for table in needed}, schemas)


def load(
    table: str,
    path: str | Path | None = None,
    version: str | None = None,
    *,
    labels: bool = False,
    prerelease: bool = False,
):
    """One table of a release as a pandas DataFrame (its labelled view with `labels=True`)."""
    release = open_release(path, version, prerelease=prerelease)
    return release.labelled(table) if labels else release.table(table)


def load_package(
    path: str | Path | None = None, version: str | None = None, *, labels: bool = False, prerelease: bool = False
) -> dict:
    """Every table of a release, by name, as pandas DataFrames (labelled views with `labels=True`)."""
    release = open_release(path, version, prerelease=prerelease)
    return {name: release.labelled(name) if labels else release.table(name) for name in release.resources}


def open_release(path: str | Path | None = None, version: str | None = None, *, prerelease: bool = False) -> Release:
    """The release `path` (or REDATA_PACKAGE, or dist/) and `version` name, opened for reading."""
    location = find_release(path, version, prerelease=prerelease)
    if location.suffix == ".zip":
        return _zip_release(location)
    return _folder_release(location)


# ---------------------------------------------------------------- finding a release


def search_root(path: str | Path | None = None) -> Path:
    """Where to look: `path`, else REDATA_PACKAGE, else ./dist, else dist/ beside the source tree."""
    if path is not None:
        root = Path(path)
        if not root.exists():
            raise CannotRun(f"{root}: no such file or folder")
        return root
    variable = os.environ.get(ENVIRONMENT_VARIABLE)
    if variable:
        root = Path(variable)
        if not root.exists():
            raise CannotRun(f"{ENVIRONMENT_VARIABLE}={variable}: no such file or folder")
        return root
    candidates = [Path("dist")] + ([SOURCE_TREE_DIST] if SOURCE_TREE_DIST else [])
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise CannotRun(
        f"no release found: pass a path, set {ENVIRONMENT_VARIABLE}, or run `redata build` "
        f"(looked in {' and '.join(map(str, candidates))})"
    )


def find_release(path: str | Path | None = None, version: str | None = None, *, prerelease: bool = False) -> Path:
    """A release folder (holding datapackage.json) or release zip, chosen as the module docstring says."""
    root = search_root(path)
    if root.is_file():
        if root.name == DESCRIPTOR_NAME:
            return root.parent
        if root.suffix == ".zip":
            return root
        raise CannotRun(f"{root}: neither a datapackage.json nor a release zip")
    if (root / DESCRIPTOR_NAME).is_file():
        return root
    return _pick(root, releases(root), version, prerelease)


def _pick(root: Path, found: dict[str, Path], version: str | None, prerelease: bool) -> Path:
    """The release of `version`, else the newest (a pre-release only if `prerelease`), among those found."""
    from . import versions

    listed = ", ".join(sorted(found, key=versions.parse))
    if version is not None:
        if version not in found:
            raise CannotRun(f"{root}: no release of version {version}; versions there: {listed or 'none'}")
        return found[version]
    newest = versions.newest(list(found), prereleases=prerelease)
    if newest is not None:
        return found[newest]
    if found:
        raise CannotRun(f"{root}: only pre-releases there ({listed}); ask for one by version or prerelease=True")
    raise CannotRun(f"{root}: no release found (run `redata build` first)")


def releases(root: Path) -> dict[str, Path]:
    """Every release under `root` by version: folders holding a datapackage.json, and zips (a folder wins)."""
    found: dict[str, Path] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir() and (entry / DESCRIPTOR_NAME).is_file():
                found[_folder_release(entry).version] = entry
            elif entry.suffix == ".zip" and entry.is_file():
                found.setdefault(_zip_release(entry).version, entry)
        except CannotRun:
            continue  # not a release: something else that lives in the folder
    from . import versions

    return {v: p for v, p in found.items() if versions.is_semver(v)}


def _check_schema(location: Path, name: str, schema: dict, schemas: dict) -> None:
    """A Table Schema a table is read by must be valid Table Schema 2.0 that redata can apply."""
    from .checks.descriptor import profile_problems
    from .schema import schema_errors

    problems = [p.message for p in profile_problems(schema, "tableschema.json", name)]
    problems += [message for _, _, message in schema_errors(schema, schemas)] if not problems else []
    if problems:
        raise CannotRun(f"{location}: the Table Schema of {name} cannot be used: {problems[0]}")


# ---------------------------------------------------------------- reading a folder or a zip


def _folder_release(folder: Path) -> Release:
    from .package import read_json
    from .paths import PackagePaths, PathRefused

    descriptor_path = folder / DESCRIPTOR_NAME
    try:
        descriptor = read_json(descriptor_path, "descriptor")
    except ValueError as error:
        raise CannotRun(str(error)) from None
    if not isinstance(descriptor, dict):
        raise CannotRun(f"{descriptor_path}: descriptor must be a JSON object")
    paths = PackagePaths(descriptor_path, folder.resolve(), None, None)

    def read_file(relative: object) -> bytes:
        try:
            return paths.resolve(relative, "file path", roots=(paths.folder,)).read_bytes()
        except PathRefused as error:
            raise CannotRun(f"{folder}: {error}") from None
        except OSError as error:
            raise CannotRun(f"{folder}: {relative} cannot be read: {error.strerror or error}") from None

    release = Release(folder, descriptor, read_file)
    if PackagePaths.of(descriptor_path).is_source:
        from .package import open_package

        release.source_schemas = {name: r.schema for name, r in open_package(descriptor_path).resources.items()}
    return release


def _zip_release(path: Path) -> Release:
    import json

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise CannotRun(f"{path}: not a readable zip ({error})") from None
    tops = {name.split("/", 1)[0] for name in archive.namelist()}
    if len(tops) != 1:
        raise CannotRun(f"{path}: a release zip holds one folder, this one holds {len(tops)} entries at its top")
    read_file = functools.partial(_zip_member, archive, path, tops.pop())
    try:
        descriptor = json.loads(read_file(DESCRIPTOR_NAME).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CannotRun(f"{path}: its {DESCRIPTOR_NAME} is not JSON ({error})") from None
    if not isinstance(descriptor, dict):
        raise CannotRun(f"{path}: its {DESCRIPTOR_NAME} must be a JSON object")
    return Release(path, descriptor, read_file)


def _zip_member(archive: zipfile.ZipFile, path: Path, top: str, relative: object) -> bytes:
    """The bytes of the release file `relative` inside the zip's one folder `top`, refused if it would leave
    that folder or inflate beyond MAX_MEMBER_BYTES."""
    if not isinstance(relative, str) or not _plain_relative(relative):
        raise CannotRun(f"{path}: file path {relative!r} is not a plain relative path inside the release")
    try:
        info = archive.getinfo(f"{top}/{relative}")
    except KeyError:
        raise CannotRun(f"{path}: {top}/{relative} is not in the zip") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise CannotRun(f"{path}: {info.filename} would inflate to {info.file_size} bytes; refused")
    try:
        return archive.read(info)
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise CannotRun(f"{path}: {info.filename} cannot be read ({error})") from None


def _plain_relative(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return bool(parts) and not PurePosixPath(relative).is_absolute() and ".." not in parts and "\\" not in relative
