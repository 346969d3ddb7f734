"""`release(level)`: set the dataset's next version in `datapackage.json` and a dated `CHANGELOG.md` entry that
summarises the changes since the last release; `redata build` then publishes it.

The last release is the newest release (by SemVer precedence; pre-releases aside) built in the output folder,
`dist/` by default: the changes are counted against its tables, as `redata diff` counts them, and a level
smaller than they need is refused. The new version is the last release's, bumped by the level asked for.
A version set by an earlier `release` but not built yet is set afresh (its changelog entry is replaced), so a
release can take in changes accepted after it. The dataset's version lives in the descriptor only: the tool's
version (pyproject.toml) is another thing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .curation import MAX_LISTED, describe, source_package, validated
from .errors import CannotRun, Refused
from .transaction import CHANGELOG_NAME, Transaction

LEVELS = ("patch", "minor", "major")
CHANGELOG_HEADING = re.compile(r"^## ", re.MULTILINE)


@dataclass
class Released:
    previous: str
    version: str
    level: str
    needed: str
    date: str
    diff_text: str
    replaced: str | None = None  # a version set before but never built, which this one replaces
    recovered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"finished an interrupted change: {name}" for name in self.recovered]
        if self.replaced:
            lines.append(f"version {self.replaced} was set but never built: set afresh")
        return lines + [
            f"release {self.version} ({self.level} over {self.previous}; the changes need {self.needed}), "
            f"dated {self.date}",
            f"  datapackage.json: version {self.version}",
            f"  {CHANGELOG_NAME}: entry [{self.version}] - {self.date}",
            *[f"  {line}" for line in self.diff_text.splitlines()],
            "next: redata build",
        ]


def release(
    level: str, package: str | Path = "datapackage", dist: str | Path = "dist", date: str | None = None
) -> Released:
    import semver

    from .diff import BUMPS

    if level not in LEVELS:
        raise CannotRun(f"release level {level!r} is not one of {', '.join(LEVELS)}")
    day = release_date(date)
    where = source_package(package)
    with Transaction(where.root) as change:
        report, context = validated(where.descriptor)
        if not report.valid():
            raise Refused(
                f"the package has {len(report.errors)} error(s); a release is made of a valid package",
                [describe(problem) for problem in report.errors[:MAX_LISTED]],
            )
        name, current = context.package.name, context.package.version
        previous, folder = last_release(Path(dist), name)
        if semver.Version.parse(current) < semver.Version.parse(previous):
            raise Refused(f"datapackage.json holds version {current}, older than the release {previous} in {dist}")
        changes = _changes_since(folder, where.descriptor, context)
        if changes.bump == "none":
            raise Refused(f"nothing changed since {previous}; there is nothing to release")
        version = str(semver.Version.parse(previous).next_version(level))
        changes.new_version = version
        if BUMPS.index(level) < BUMPS.index(changes.bump):
            raise Refused(
                f"the changes since {previous} need a {changes.bump} release, not a {level} one",
                changes.to_text().splitlines(),
            )
        pending = current if current != previous else None
        changelog = where.root / CHANGELOG_NAME
        text = changelog_with(_read_changelog(changelog), pending, version, changelog_entry(version, day, changes))
        change.write(changelog, text.encode("utf-8"))
        change.write(where.descriptor, _descriptor_with(where.descriptor, version))
        change.commit()
    return Released(previous, version, level, changes.bump, day, changes.to_text(), pending, change.recovered)


def _changes_since(release_folder: Path, descriptor: Path, context):
    """The diff from the last release to the package as its build will publish it: with its derived tables,
    which the release has too (without them, a release's derived table would count as removed)."""
    import tempfile

    from .derived import derived_tables
    from .diff import diff_packages

    with tempfile.TemporaryDirectory(prefix="redata-release-") as scratch:
        derived = [table.resource for table in derived_tables(context, Path(scratch))]
        return diff_packages(release_folder, descriptor, derived)


def last_release(dist: Path, name: str) -> tuple[str, Path]:
    """The newest release of the package built in `dist`, and its folder."""
    import semver

    from .publish import built_versions

    releases = [(v, f) for v, f in built_versions(dist, name) if semver.Version.parse(v).prerelease is None]
    if not releases:
        raise CannotRun(
            f"{dist}: holds no built release of {name} to count the changes from; build the last release first "
            "(redata build, at the commit that set its version)"
        )
    return max(releases, key=lambda pair: semver.Version.parse(pair[0]))


def release_date(date: str | None) -> str:
    """The release's date: the one given, else SOURCE_DATE_EPOCH's day (UTC), else today's (UTC)."""
    if date is not None:
        try:
            if len(date) == 10:
                return dt.date.fromisoformat(date).isoformat()
        except ValueError:
            pass
        raise CannotRun(f"--date {date!r} is not a date as YYYY-MM-DD")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise CannotRun(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return dt.datetime.now(dt.UTC).date().isoformat()


def changelog_entry(version: str, day: str, changes) -> str:
    """A changelog entry summarising a diff: per table, its schema changes and the rows added, removed and
    changed (the first keys of each)."""
    lines = [
        f"## [{version}] - {day}",
        "",
        f"The changes since {changes.old_version}, as `redata diff` counts them (a {changes.bump} release):",
        "",
    ]
    for table in changes.tables:
        if table.bump != "none":
            lines.append(f"- `{table.table}`: {'; '.join(_table_changes(table))}")
    return "\n".join(lines) + "\n"


def _table_changes(table) -> list[str]:
    parts = list(table.schema_changes)
    for label, count in (("added", table.added), ("removed", table.removed), ("changed", table.changed)):
        if not count:
            continue
        prefix = f"{label} "
        examples = [example.removeprefix(prefix) for example in table.examples if example.startswith(prefix)]
        keys = [example.split(": ", 1)[0] for example in examples]
        shown = ", ".join(f"`{key}`" for key in keys) + (", …" if count > len(keys) else "")
        parts.append(f"{count} row{'s' * (count != 1)} {label}" + (f" ({shown})" if keys else ""))
    return parts


def changelog_with(text: str, pending: str | None, version: str, entry: str) -> str:
    """The changelog with the entry of the `pending` version (never built) removed and `entry` added above the
    newest entry; an entry for `version` already there is refused."""
    from .publish import CHANGELOG_ENTRY

    if pending is not None:
        text = _without_entry(text, pending, CHANGELOG_ENTRY)
    if any(found == version for found, _ in CHANGELOG_ENTRY.findall(text)):
        raise Refused(f"{CHANGELOG_NAME} has an entry for {version} already; remove it or build that version")
    first = CHANGELOG_HEADING.search(text)
    if first is None:
        return text.rstrip("\n") + "\n\n" + entry
    return text[: first.start()] + entry + "\n" + text[first.start() :]


def _without_entry(text: str, version: str, heading) -> str:
    for match in heading.finditer(text):
        if match.group(1) == version:
            following = CHANGELOG_HEADING.search(text, match.end())
            return text[: match.start()] + (text[following.start() :] if following else "")
    return text


def _read_changelog(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "# Changelog\n"
    except (OSError, UnicodeDecodeError) as error:
        raise CannotRun(f"{path}: cannot be read: {error}") from None


def _descriptor_with(path: Path, version: str) -> bytes:
    from .package import read_json

    try:
        descriptor = read_json(path, "descriptor")
    except ValueError as error:
        raise CannotRun(str(error)) from None
    descriptor["version"] = version
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
