"""Loading a built package for analysis: `load(table)` and `load_package()` return pandas DataFrames.

A package is found from `path`: a built package's folder or its `datapackage.json`, or a folder of built
packages (`dist/` by default), where `version` picks one and the newest release is the default (a
pre-release only with `prereleases=True`). Nothing is trusted: the descriptor is checked as `validate`
checks it, and each file against its declared bytes and sha256, before a table is read from its Parquet
file, whose metadata gives pandas the right dtypes.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CannotRun

DEFAULT_DIST = Path("dist")


def find_built(path: str | Path | None = None, version: str | None = None, prereleases: bool = False) -> Path:
    """The datapackage.json of the built package `path` and `version` name."""
    from . import versions
    from .package import DESCRIPTOR_NAME, read_json

    root = Path(path) if path is not None else DEFAULT_DIST
    if root.is_file():
        return root
    if (root / DESCRIPTOR_NAME).is_file():
        return root / DESCRIPTOR_NAME
    found: dict[str, Path] = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        descriptor = folder / DESCRIPTOR_NAME
        if folder.is_dir() and not folder.name.startswith(".") and descriptor.is_file():
            try:
                number = read_json(descriptor, "descriptor").get("version")
            except (ValueError, AttributeError):
                continue
            if versions.is_semver(number):
                found[number] = descriptor
    if version is not None:
        if version not in found:
            known = ", ".join(sorted(found, key=versions.parse)) or "none"
            raise CannotRun(f"{root}: no built package of version {version}; the versions built are: {known}")
        return found[version]
    newest = versions.newest(list(found), prereleases)
    if newest is None:
        raise CannotRun(f"{root}: no built release found (run `redata build` first)")
    return found[newest]


def open_built(descriptor: Path):
    """The package, once its descriptor and every file it declares check out; CannotRun otherwise."""
    from .checks import descriptor as descriptor_layer
    from .package import open_package
    from .report import ERROR

    package = open_package(descriptor)
    problems, _ = descriptor_layer.check(package)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise CannotRun(f"{package.paths.descriptor}: cannot be loaded: {errors[0].location()}: {errors[0].message}")
    return package


def load_package(path: str | Path | None = None, version: str | None = None, prereleases: bool = False) -> dict:
    """Every table of a built package, by name, as pandas DataFrames."""
    package = open_built(find_built(path, version, prereleases))
    return {name: _read(package, name) for name in package.resources}


def load(table: str, path: str | Path | None = None, version: str | None = None, prereleases: bool = False):
    """One table of a built package as a pandas DataFrame (the newest release in dist/ by default)."""
    package = open_built(find_built(path, version, prereleases))
    if table not in package.resources:
        names = ", ".join(package.resources)
        raise CannotRun(f"{package.paths.descriptor}: no table {table!r}; tables are: {names}")
    return _read(package, table)


def _read(package, table: str):
    import pandas as pd
    import pyarrow as pa

    from . import schema as table_schema

    resource = package.resources[table]
    path = resource.parquet
    if path is None or not path.is_file():
        raise CannotRun(f"{package.paths.descriptor}: table {table!r} has no Parquet file")
    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError) as error:
        raise CannotRun(f"{path}: cannot be read as Parquet: {str(error).splitlines()[0]}") from None
    if list(frame.columns) != table_schema.field_names(resource.schema):
        raise CannotRun(f"{path}: its columns are not those of table {table!r}")
    return frame
