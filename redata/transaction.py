"""Changing a source package's files together: one writer at a time, every new file staged beside the package,
then all of them renamed into place under a journal.

A failure before or during the renames leaves every file as it was (the ones already renamed are put back); a
process killed during the renames leaves the journal, and the next curation command finishes the change before
anything else (`recover`). A file that another writer changed while a command worked makes it refuse, changing
nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path, PurePath, PurePosixPath

from . import staging
from .errors import CannotRun, Refused
from .paths import ARCHIVE_FOLDER, SCHEMA_FOLDER, SOURCE_PACKAGE_FOLDER

LOCK_NAME = ".redata.lock"
JOURNAL_NAME = ".redata-journal.json"
STAGING_PREFIX = ".redata-staging-"
BACKUP_FOLDER = ".backup"
# What a curation command may replace: the source package's folders, and the changelog beside them.
PACKAGE_FOLDERS = (SOURCE_PACKAGE_FOLDER, SCHEMA_FOLDER, ARCHIVE_FOLDER)
CHANGELOG_NAME = "CHANGELOG.md"
LOCK_WAIT_SECONDS = 120


class Transaction:
    """The files one command changes in the repository `root` (the folder holding datapackage/, schemas/ and
    seeds/). Used as a context manager: entering takes the lock and finishes an interrupted change; `staged`
    or `write` give each file its new content; `commit` puts them all in place; leaving releases the lock."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.staging = Path()
        self.replacements: dict[Path, Path] = {}  # target -> staged file holding its new content
        self.recovered: list[str] = []  # files an interrupted change had left to rename, renamed on entering
        self._lock = None
        self._before: dict[str, tuple[int, int, int]] = {}

    def __enter__(self) -> Transaction:
        from filelock import FileLock, Timeout

        self._lock = FileLock(str(self.root / LOCK_NAME), timeout=LOCK_WAIT_SECONDS)
        try:
            self._lock.acquire()
        except Timeout:
            raise CannotRun(
                f"{self.root / LOCK_NAME}: another redata command has held the lock for {LOCK_WAIT_SECONDS} s"
            ) from None
        except OSError as error:
            raise CannotRun(f"{self.root / LOCK_NAME}: cannot be locked: {error.strerror or error}") from None
        try:
            self.recovered = recover(self.root)
            self.staging = staging.make(self.root, STAGING_PREFIX)
            self._before = fingerprints(self.root)
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exception) -> None:
        try:
            staging.remove(self.staging)
        finally:
            self._lock.release()

    def staged(self, target: Path) -> Path:
        """The path to write the new content of `target` to (a file of the package, new or not)."""
        target = _inside(self.root, target)
        staged = self.staging / target.relative_to(self.root)
        staged.parent.mkdir(parents=True, exist_ok=True)
        if staged.is_symlink() or staged.exists():
            staged.unlink()  # the link `mirror` made to the old content
        self.replacements[target] = staged
        return staged

    def write(self, target: Path, data: bytes) -> Path:
        staged = self.staged(target)
        staged.write_bytes(data)
        return staged

    def mirror(self) -> Path:
        """Complete the staging folder into a source package of its own (each file not staged is linked in, not
        copied), for the new content to be validated as a whole before it is committed; its descriptor's path."""
        for folder in PACKAGE_FOLDERS:
            original = self.root / folder
            if not original.is_dir():
                continue
            (self.staging / folder).mkdir(exist_ok=True)
            for path in original.iterdir():
                copy = self.staging / folder / path.name
                if not (copy.is_symlink() or copy.exists()):
                    _link(path, copy)
        return self.staging / SOURCE_PACKAGE_FOLDER / "datapackage.json"

    def commit(self) -> None:
        """Rename every staged file into place, unless another writer changed the package meanwhile."""
        changed = _changed(self._before, fingerprints(self.root))
        if changed:
            raise Refused(
                f"{', '.join(changed[:5])} changed while this command ran (another writer?); nothing was written"
            )
        pairs = [(staged, target) for target, staged in self.replacements.items()]
        if not pairs:
            return
        for staged, _ in pairs:
            _sync(staged)
        backups = self._back_up([target for _, target in pairs])
        journal = self.root / JOURNAL_NAME
        entries = [[_relative(self.root, staged), _relative(self.root, target)] for staged, target in pairs]
        write_atomic(journal, json.dumps({"replace": entries}, indent=1).encode("utf-8"))
        done: list[Path] = []
        try:
            for staged, target in pairs:
                os.replace(staged, target)
                done.append(target)
        except BaseException as error:  # an interrupt too: the files renamed so far are put back
            _put_back(done, backups)
            journal.unlink()
            if isinstance(error, OSError):
                reason = error.strerror or error
                raise CannotRun(f"{target}: cannot be replaced: {reason}; nothing was changed") from None
            raise
        for folder in {target.parent for target in done}:
            _sync(folder)
        journal.unlink()
        _sync(self.root)

    def _back_up(self, targets: list[Path]) -> dict[Path, Path]:
        """A link to (or copy of) each existing target, to put back if a later rename fails."""
        backups = {}
        for target in targets:
            if target.is_file():
                backup = self.staging / BACKUP_FOLDER / target.relative_to(self.root)
                backup.parent.mkdir(parents=True, exist_ok=True)
                _link(target, backup)
                backups[target] = backup
        return backups


def recover(root: Path) -> list[str]:
    """Finish the change a killed command left half made (its journal lists the renames still to do), then
    remove the staging folders of commands that stopped before committing. Returns the files renamed."""
    root = Path(root).resolve()
    journal = root / JOURNAL_NAME
    finished = []
    if journal.is_file():
        for staged, target in _read_journal(root, journal):
            if staged.is_file():
                os.replace(staged, target)
                finished.append(_relative(root, target))
        journal.unlink()
        _sync(root)
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        staging.remove(stale)
    return finished


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, synced, then renamed over it."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fingerprints(root: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, size, modification time) of every file a command may read or replace: a file rewritten in place
    or replaced by a rename shows a new one."""
    found = {}
    paths = [root / CHANGELOG_NAME]
    for folder in PACKAGE_FOLDERS:
        if (root / folder).is_dir():
            paths += list((root / folder).iterdir())
    for path in paths:
        try:
            status = path.lstat()
        except FileNotFoundError:
            continue
        found[_relative(root, path)] = (status.st_ino, status.st_size, status.st_mtime_ns)
    return found


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _read_journal(root: Path, journal: Path) -> list[tuple[Path, Path]]:
    """The renames a journal lists, each checked to be one this tool makes: from a staging folder of `root` to a
    file of the package."""
    refused = CannotRun(f"{journal}: not a journal this tool wrote; check the package, then remove the file")
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["replace"]
    except (OSError, ValueError, KeyError, TypeError):
        raise refused from None
    pairs = []
    for entry in entries if isinstance(entries, list) else [None]:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)):
            raise refused
        staged, target = (PurePosixPath(part) for part in entry)
        plain = all(not path.is_absolute() and ".." not in path.parts for path in (staged, target))
        in_staging = len(staged.parts) > 1 and staged.parts[0].startswith(STAGING_PREFIX)
        if not (plain and in_staging and _in_package(target)):
            raise refused
        pairs.append((root / staged, root / target))
    return pairs


def _inside(root: Path, target: Path) -> Path:
    """`target` as a path under `root`, refused unless it lies in a package folder (or is the changelog)."""
    target = Path(target)
    parent = target.parent.resolve()
    path = parent / target.name
    relative = path.relative_to(root) if path.is_relative_to(root) else None
    if relative is None or not _in_package(relative):
        raise CannotRun(f"{target}: not a file of the package in {root}")
    return path


def _in_package(relative: PurePath) -> bool:
    """Whether a path relative to the repository names a file a curation command may replace."""
    return (len(relative.parts) == 2 and relative.parts[0] in PACKAGE_FOLDERS) or relative.as_posix() == CHANGELOG_NAME


def _link(path: Path, copy: Path) -> None:
    """`copy` as `path` is, without copying a file's bytes where the file system can link them."""
    if path.is_symlink():
        os.symlink(os.readlink(path), copy)
    elif path.is_dir():
        copy.mkdir()
    else:
        try:
            os.link(path, copy, follow_symlinks=False)
        except OSError:
            shutil.copyfile(path, copy)


def _put_back(done: list[Path], backups: dict[Path, Path]) -> None:
    for target in reversed(done):
        if target in backups:
            os.replace(backups[target], target)
        else:
            target.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk, so a rename survives a crash."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _relative(root: Path, path: Path) -> str:
    return Path(path).relative_to(root).as_posix()
