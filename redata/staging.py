"""Staging folders: a command writes its output into a folder of its own beside the target, then renames it into
place once complete. This module makes them, and lists those this process has not removed yet, for the entry
point to remove when a Ctrl-C ends the command.

Each writer removes its staging folder in a `finally`; the list is for when that block is skipped. A Ctrl-C that
comes while native code runs (SQLite, Arrow, polars) is raised by Python only at its next check; if the native
call fails meanwhile, its error unwinds first and the Ctrl-C is raised as the `finally` calls its first function,
before that function's own `try` begins.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

_NOT_REMOVED: set[Path] = set()


def make(folder: Path, prefix: str) -> Path:
    """A new, empty folder in `folder` (mode 0700), its name starting with `prefix`."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    _NOT_REMOVED.add(path)
    return path


def remove(path: Path) -> None:
    """Remove a staging folder and all it holds; never a link, nor what one points to."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    _NOT_REMOVED.discard(path)


def remove_all() -> None:
    """Remove every staging folder this process made and has not removed."""
    for path in list(_NOT_REMOVED):
        remove(path)
