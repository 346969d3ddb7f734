"""Loading a built package for analysis: `load(table)` and `load_package()` return pandas DataFrames.

A package is found from `path`: a built package's folder or its `datapackage.json`, or a folder of built
packages (`dist/` by default), where `version` picks one and the newest SemVer version is the default.
Tables are read from their Parquet files, whose metadata gives pandas the right dtypes.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CannotRun

DEFAULT_DIST = Path("dist")


def find_built(path: str | Path | None = None, version: str | None = None) -> Path:
    """The datapackage.json of the built package `path` and `version` name."""
    from .diff import parse_version
    from .package import DESCRIPTOR_NAME, read_json

    root = Path(path) if path is not None else DEFAULT_DIST
    if root.is_file():
        return root
    if (root / DESCRIPTOR_NAME).is_file():
        return root / DESCRIPTOR_NAME
    candidates = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        descriptor = folder / DESCRIPTOR_NAME
        if folder.is_dir() and not folder.name.startswith(".") and descriptor.is_file():
            try:
                found = str(read_json(descriptor, "descriptor").get("version", ""))
                candidates.append((parse_version(found), found, descriptor))
            except (ValueError, CannotRun, AttributeError):
                continue
    if version is not None:
        candidates = [c for c in candidates if c[1] == version]
    if not candidates:
        wanted = f"version {version} " if version else ""
        raise CannotRun(f"{root}: no built package {wanted}found (run `redata build` first)")
    return max(candidates)[2]


def load_package(path: str | Path | None = None, version: str | None = None) -> dict:
    """Every table of a built package, by name, as pandas DataFrames."""
    from .package import open_package

    package = open_package(find_built(path, version))
    return {name: _read(package, name) for name in package.resources}


def load(table: str, path: str | Path | None = None, version: str | None = None):
    """One table of a built package as a pandas DataFrame (newest version in dist/ by default)."""
    from .package import open_package

    package = open_package(find_built(path, version))
    if table not in package.resources:
        names = ", ".join(package.resources)
        raise CannotRun(f"{package.paths.descriptor}: no table {table!r}; tables are: {names}")
    return _read(package, table)


def _read(package, table: str):
    import pandas as pd

    path = package.resources[table].parquet
    if path is None or not path.is_file():
        raise CannotRun(f"{package.paths.descriptor}: table {table!r} has no Parquet file")
    return pd.read_parquet(path)
