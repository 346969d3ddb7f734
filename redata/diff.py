"""`diff_packages(old, new) -> Diff`: what changed between two packages, and the SemVer bump it needs.

Nothing is trusted: each package is opened as `validate` opens it (paths confined, schemas checked, every file
against its declared bytes and sha256), and a package that fails that is refused with one line. Rows are
matched by primary key; where a key repeats, its rows are paired in file order (the first with the first),
so a repeated key costs no more than a unique one. The bump rules: major when a table or field is removed (a rename is a
removal plus an addition), a field's type narrows (it accepts fewer values than before, e.g. number to
integer, or string to anything else), or rows are removed; minor when tables, fields or rows are added
or a type widens; patch when values or descriptions change; none when nothing does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import schema as table_schema
from .errors import CannotRun
from .types import TYPES, field_type
from .versions import BUMPS

OCCURRENCE = "\x00occurrence"  # which row of a repeated key a row is, in file order
# (old type, new type) pairs where every value of the old type is also a value of the new one.
WIDENINGS = {("integer", "number")} | {(kind, "string") for kind in TYPES}
EXAMPLES = 5


@dataclass
class TableDiff:
    table: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    examples: list[str] = field(default_factory=list)
    schema_changes: list[str] = field(default_factory=list)
    bump: str = "none"

    def raise_to(self, bump: str) -> None:
        if BUMPS.index(bump) > BUMPS.index(self.bump):
            self.bump = bump


@dataclass
class Diff:
    old_version: str
    new_version: str
    tables: list[TableDiff]

    @property
    def bump(self) -> str:
        return max((t.bump for t in self.tables), key=BUMPS.index, default="none")

    def to_text(self) -> str:
        lines = []
        for table in self.tables:
            if table.bump == "none":
                continue
            lines.append(
                f"{table.table}: {table.added} added, {table.removed} removed, {table.changed} changed ({table.bump})"
            )
            lines += [f"  {change}" for change in table.schema_changes]
            lines += [f"  {example}" for example in table.examples]
        lines.append(f"required bump: {self.bump} ({self.old_version} -> {self.new_version})")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "old_version": self.old_version,
                "new_version": self.new_version,
                "bump": self.bump,
                "tables": [asdict(t) for t in self.tables],
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )


def diff_packages(old: str | Path, new: str | Path, derived: Iterable = ()) -> Diff:
    """The changes from `old` to `new`, releases or source packages. `derived` are the resources of the tables
    `new` will carry once built (a source package's derived tables, which only `build` writes): they are
    compared like the others, so a source package is compared with a release as its own release will be.
    Without them, a source package has no derived tables, and beside one they are not compared."""
    from .derived import DERIVED_TABLES

    derived = list(derived)
    old_package, old_tables = _read(old)
    new_package, new_tables = _read(new)
    new_tables.update(_read_resources(derived))
    compared = [*old_tables, *new_tables]
    if not derived and (old_package.paths.is_source or new_package.paths.is_source):
        compared = [name for name in compared if name not in DERIVED_TABLES]
    tables = []
    for name in dict.fromkeys(compared):
        if name not in new_tables:
            tables.append(
                TableDiff(name, removed=old_tables[name].frame.height, schema_changes=["table removed"], bump="major")
            )
        elif name not in old_tables:
            tables.append(
                TableDiff(name, added=new_tables[name].frame.height, schema_changes=["table added"], bump="minor")
            )
        else:
            tables.append(_table_diff(old_tables[name], new_tables[name]))
    return Diff(old_package.version, new_package.version, tables)


def _read(path: str | Path):
    """A package's tables, typed by their own schemas, once its descriptor, schemas and files check out."""
    from .checks import descriptor
    from .package import open_package
    from .report import ERROR

    package = open_package(path)
    problems, usable = descriptor.check(package)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise CannotRun(f"{package.paths.descriptor}: cannot be compared: {errors[0].location()}: {errors[0].message}")
    return package, _read_resources(package.resources.values())


def _read_resources(resources: Iterable) -> dict:
    """Each resource's table, by name, typed by its schema."""
    from .checks.structure import read

    tables = {}
    for resource in resources:
        table, problems = read(resource)
        if table is None:
            reason = problems[0].message if problems else "unreadable"
            raise CannotRun(f"{resource.path}: cannot be read for comparison: {reason}")
        tables[resource.name] = table
    return tables


def _table_diff(old, new) -> TableDiff:
    result = TableDiff(new.name)
    common = _schema_changes(result, old.schema, new.schema)
    key = table_schema.primary_key(new.schema)
    if not key or any(k not in common for k in key):
        key = common
    _row_changes(result, old.frame, new.frame, common, key)
    return result


def _schema_changes(result: TableDiff, old_schema: dict, new_schema: dict) -> list[str]:
    """Record the fields removed, added, retyped or redescribed; return the fields both schemas have."""
    old_fields = {f["name"]: f for f in table_schema.fields(old_schema)}
    new_fields = {f["name"]: f for f in table_schema.fields(new_schema)}
    for name in old_fields.keys() - new_fields.keys():
        result.schema_changes.append(f"field {name} removed")
        result.raise_to("major")
    for name in new_fields.keys() - old_fields.keys():
        result.schema_changes.append(f"field {name} added")
        result.raise_to("minor")
    common = [n for n in new_fields if n in old_fields]
    for name in common:
        before, after = field_type(old_fields[name]).name, field_type(new_fields[name]).name
        if before != after:
            widened = (before, after) in WIDENINGS
            result.schema_changes.append(
                f"field {name} type {before} -> {after} ({'widened' if widened else 'narrowed'})"
            )
            result.raise_to("minor" if widened else "major")
        elif old_fields[name] != new_fields[name]:
            result.schema_changes.append(f"field {name} description or constraints changed")
            result.raise_to("patch")
    return common


def _row_changes(result: TableDiff, old, new, common: list[str], key: list[str]) -> None:
    """Record the rows added, removed and changed, matched by `key` and, where it repeats, by occurrence."""
    import polars as pl

    compared = [n for n in common if n not in key]
    occurrence = pl.int_range(pl.len()).over(key).alias(OCCURRENCE)
    left = old.select(*[table_schema.column(n).cast(pl.String) for n in common]).with_columns(occurrence)
    right = new.select(*[table_schema.column(n).cast(pl.String) for n in common]).with_columns(occurrence)
    joined = left.join(right, on=[*key, OCCURRENCE], how="full", suffix="_new", nulls_equal=True, coalesce=False)
    in_old, in_new = pl.col(OCCURRENCE).is_not_null(), pl.col(f"{OCCURRENCE}_new").is_not_null()
    differs = pl.any_horizontal([pl.col(n).ne_missing(pl.col(f"{n}_new")) for n in compared] or [pl.lit(False)])
    removed, added = joined.filter(in_old & ~in_new), joined.filter(~in_old & in_new)
    changed = joined.filter(in_old & in_new & differs)
    result.added, result.removed, result.changed = added.height, removed.height, changed.height
    for frame, bump in ((removed, "major"), (added, "minor"), (changed, "patch")):
        if frame.height:
            result.raise_to(bump)
    for row in changed.head(EXAMPLES).iter_rows(named=True):
        what = ", ".join(f"{n}: {row[n]!r} -> {row[n + '_new']!r}" for n in compared if row[n] != row[n + "_new"])
        result.examples.append(f"changed {', '.join(str(row[k]) for k in key)}: {what}")
    for label, frame, suffix in (("added", added, "_new"), ("removed", removed, "")):
        for row in frame.head(EXAMPLES).iter_rows(named=True):
            result.examples.append(f"{label} {', '.join(str(row[k + suffix]) for k in key)}")
