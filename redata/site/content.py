"""What the site shows, read once from a package: its labelled rows, its validation report and conflicts.

The package (a release folder or the source package) is validated as `redata validate` would; an invalid
package gets no site. Every table is read as its labelled view (`redata.labels`), so pages show words,
not codes. Conflicts are the figures the validator's conflicts layer names, grouped by what they measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..citation import PackageFacts
from ..errors import CannotRun
from ..report import Report

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
CONFLICT_RULE = "conflicting-values"
CONFLICT_KEY = ("metric", "subject_id", "period")
# Tables that have a page per row, and the folder those pages are in.
PAGE_TABLES = {"figures": "figures", "sources": "sources", "entities": "entities", "metrics": "metrics"}


class SiteRefused(Exception):
    """The package is not valid: no site is written from it (exit code 1)."""

    def __init__(self, message: str, report: Report):
        super().__init__(message)
        self.report = report


@dataclass
class Conflict:
    """Figures on one metric, subject and period that the conflicts layer found to disagree."""

    metric: str
    subject: str
    period: str | None
    figures: list[dict[str, Any]]

    @property
    def anchor(self) -> str:
        return "conflict-" + "-".join(
            page_name(str(part or "none")) for part in (self.metric, self.subject, self.period)
        )


@dataclass
class Content:
    descriptor_path: Path
    is_release: bool
    descriptor: dict[str, Any]
    facts: PackageFacts
    schemas: dict[str, dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]
    report: Report
    conflicts: list[Conflict] = field(default_factory=list)
    more_conflicts: bool = False  # the validator counted more disagreeing rows than it listed
    indexes: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict, repr=False)
    groups: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = field(default_factory=dict, repr=False)

    def row(self, table: str, key: Any) -> dict[str, Any] | None:
        return self.index(table).get(key)

    def index(self, table: str) -> dict[Any, dict[str, Any]]:
        """The rows of a table with a single-field primary key, by key."""
        if table not in self.indexes:
            key = self.schemas.get(table, {}).get("primaryKey")
            key = key[0] if isinstance(key, list) and len(key) == 1 else key
            self.indexes[table] = {r[key]: r for r in self.rows.get(table, [])} if isinstance(key, str) else {}
        return self.indexes[table]

    def where(self, table: str, column: str, value: Any) -> list[dict[str, Any]]:
        """The rows of `table` whose `column` is `value`, in table order (grouped once per column)."""
        if (table, column) not in self.groups:
            grouped: dict[Any, list[dict[str, Any]]] = {}
            for row in self.rows.get(table, []):
                grouped.setdefault(row.get(column), []).append(row)
            self.groups[(table, column)] = grouped
        return self.groups[(table, column)].get(value, [])


def page_name(key: str) -> str:
    """A file name for a row's page: the key itself where it is a plain name, else a digest of it."""
    if SAFE_NAME.fullmatch(key) and not key.endswith("."):
        return key
    import hashlib

    return "_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def read_content(path: str | Path) -> Content:
    """Validate the package at `path` and read what the site shows from it."""
    from ..checks import ROW
    from ..labels import labelled_polars
    from ..validation import run

    report, context = run(path)
    if not report.valid():
        raise SiteRefused(f"{len(report.errors)} validation error(s); no site was written", report)
    package = context.package
    missing = [name for name in PAGE_TABLES if name not in context.tables]
    if missing:
        raise CannotRun(f"{package.paths.descriptor}: the site needs the tables {', '.join(missing)}")
    frames = {name: table.frame.drop(ROW) for name, table in context.tables.items()}
    schemas = {name: table.schema for name, table in context.tables.items()}
    rows = {name: labelled_polars(name, frames, schemas).to_dicts() for name in frames}
    content = Content(
        descriptor_path=package.paths.descriptor,
        is_release=not package.paths.is_source,
        descriptor=package.descriptor,
        facts=_facts(package),
        schemas=schemas,
        rows=rows,
        report=report,
    )
    content.conflicts, content.more_conflicts = _conflicts(content)
    return content


def _facts(package) -> PackageFacts:
    created = package.descriptor.get("created")
    if created:
        return PackageFacts.of(package.descriptor, str(created)[:10])
    from ..publish import CHANGELOG, created_timestamp

    date = created_timestamp(package.paths.folder.parent / CHANGELOG, package.version)[:10]
    return PackageFacts.of(package.descriptor, date)


def _conflicts(content: Content) -> tuple[list[Conflict], bool]:
    """The conflicts layer's disagreeing figures, grouped by metric, subject and period, and whether it
    counted more than it listed."""
    problems = [p for p in content.report.problems if p.rule == CONFLICT_RULE]
    # a conflict is one problem whose value names its figures, "s003-f23, s003-f24"
    listed = {figure for p in problems if p.row is not None for figure in str(p.value).split(", ")}
    unlisted = any(p.row is None for p in problems)
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for figure in content.rows["figures"]:
        if figure["figure_id"] in listed:
            groups.setdefault(tuple(figure.get(k) for k in CONFLICT_KEY), []).append(figure)
    conflicts = [Conflict(*key, figures=figures) for key, figures in groups.items()]
    return conflicts, unlisted
