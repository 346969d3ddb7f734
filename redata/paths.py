"""Where a package may read from: every path a descriptor or table names is resolved here, or refused.

A package is its descriptor's folder. A source package (a descriptor in a folder named `datapackage`
next to `schemas/` and `seeds/`) also owns those two sibling folders. Nothing outside them is read: a
URL, an absolute path, `~`, or a path that climbs out with `..` or through a symlink is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SOURCE_PACKAGE_FOLDER = "datapackage"
SCHEMA_FOLDER = "schemas"
ARCHIVE_FOLDER = "seeds"

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class PathRefused(ValueError):
    """A path that would leave the package, or is not a local path at all."""


@dataclass(frozen=True)
class PackagePaths:
    """The folders a package owns, resolved once."""

    descriptor: Path
    folder: Path
    schemas: Path | None  # only for a source package
    archive: Path | None  # the archived source texts; only for a source package

    @property
    def is_source(self) -> bool:
        return self.schemas is not None

    @property
    def roots(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.folder, self.schemas, self.archive) if p is not None)

    @classmethod
    def of(cls, descriptor: Path) -> PackagePaths:
        folder = descriptor.parent.resolve()
        parent = folder.parent
        if folder.name == SOURCE_PACKAGE_FOLDER and (parent / SCHEMA_FOLDER).is_dir():
            archive = parent / ARCHIVE_FOLDER
            return cls(
                descriptor, folder, (parent / SCHEMA_FOLDER).resolve(), archive.resolve() if archive.is_dir() else None
            )
        return cls(descriptor, folder, None, None)

    def resolve(
        self, relative: object, what: str, roots: tuple[Path, ...] | None = None, base: Path | None = None
    ) -> Path:
        """Resolve `relative` against `base` (the package folder by default) and keep it inside `roots`."""
        if not isinstance(relative, str) or not relative.strip():
            raise PathRefused(f"{what} must be a non-empty string, got {relative!r}")
        if "://" in relative or _URL.match(relative):
            raise PathRefused(f"{what} {relative!r} is a URL; only files inside the package are read")
        if "\\" in relative or "\x00" in relative:
            raise PathRefused(f"{what} {relative!r} is not a POSIX relative path")
        if PurePosixPath(relative).is_absolute() or relative.startswith("~"):
            raise PathRefused(f"{what} {relative!r} is absolute; paths must be relative to the package")
        try:
            candidate = ((base or self.folder) / relative).resolve()
        except RuntimeError:  # Python before 3.13 refuses a loop of symbolic links here
            raise PathRefused(f"{what} {relative!r} is a loop of symbolic links") from None
        allowed = roots if roots is not None else self.roots
        if not any(candidate.is_relative_to(root) for root in allowed):
            raise PathRefused(f"{what} {relative!r} resolves outside the package")
        return candidate
