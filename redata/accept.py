"""`accept(proposals_file)`: merge the kept rows of a proposals file into the package's tables, or nothing.

The kept rows get their ids (see `schemas/proposals.json`), their references to other proposals are replaced
by those ids, a quote that does not sit at its offsets but occurs exactly once in its text is moved there (and
said so), and the rows are appended to their tables. The whole package is then validated as it would be: any
error but numbers not yet accounted for, or a kept row that repeats a row already there, refuses the lot, and
every table stays as it was.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .curation import (
    MAX_LISTED,
    blocking,
    describe,
    occurrences,
    refuse_if_broken,
    source_package,
    source_texts,
    validated,
    whole_number,
)
from .errors import Refused
from .proposals import Proposal, ProposalFormat, Target, proposal_format, read_proposals
from .transaction import Transaction

ENTITY_KEY = "entity_id"  # an entities row is known by it, made from its name where the proposal leaves it empty


@dataclass
class Row:
    """A kept proposal as the row it becomes: its table and its cells, by field."""

    proposal: Proposal
    target: Target
    cells: dict[str, str]

    @property
    def key(self) -> str | None:
        """The id other rows refer to this one by, if its table has one of a single field."""
        if self.target.assigns:
            return self.cells[self.target.assigns]
        return self.cells.get(ENTITY_KEY) if self.target.table == "entities" else None

    @property
    def label(self) -> str:
        """How the row is named to people: its id, else its primary key's values."""
        key = self.target.schema.get("primaryKey") or []
        key = [key] if isinstance(key, str) else key
        return self.key or "/".join(self.cells.get(name, "") for name in key) or self.proposal.proposal_id


@dataclass
class Accepted:
    added: dict[str, list[str]] = field(default_factory=dict)  # table -> the keys of the rows added, in order
    not_kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # quotes moved, cells ignored, changes finished
    remaining: int = 0  # errors left: numbers of the texts no row accounts for yet

    def lines(self) -> list[str]:
        total = sum(len(keys) for keys in self.added.values())
        lines = [*self.notes, f"accepted {total} row(s):"]
        for table, keys in self.added.items():
            shown = ", ".join(keys[:10]) + (f", … ({len(keys) - 10} more)" if len(keys) > 10 else "")
            lines.append(f"  {table}: {len(keys)} ({shown})")
        if self.not_kept:
            lines.append(f"not kept: {', '.join(self.not_kept)}")
        if self.remaining:
            lines.append(
                f"{self.remaining} error(s) remain: numbers of the texts no row accounts for yet (redata validate)"
            )
        lines.append("next: redata validate; once valid, redata release minor (rows were added), then redata build")
        return lines


def accept(proposals_file: str | Path, package: str | Path = "datapackage") -> Accepted:
    proposals_file = Path(proposals_file)
    where = source_package(package)
    with Transaction(where.root) as change:
        report, context = validated(where.descriptor)
        refuse_if_broken(report, "accepting proposals")
        form = proposal_format(context.package)
        proposals = read_proposals(proposals_file, form)
        kept = [p for p in proposals if p.keep]
        if not kept:
            raise Refused(f"{proposals_file}: no row is marked kept (keep = yes); nothing was accepted")
        result = Accepted(notes=[f"finished an interrupted change: {name}" for name in change.recovered])
        result.not_kept = [p.proposal_id for p in proposals if not p.keep]
        rows = _rows(form, proposals, kept, context, source_texts(context), result.notes, proposals_file)
        lines = _stage(change, context, rows)
        after, staged_context = validated(change.mirror())
        problems = [_located(problem, lines, proposals_file) for problem in blocking(after)]
        problems += _repeated(staged_context, rows, proposals_file)
        if problems:
            raise Refused(
                f"{proposals_file}: the kept rows would leave {len(problems)} error(s); nothing was accepted",
                problems[:MAX_LISTED],
            )
        change.commit()
    for row in rows:
        result.added.setdefault(row.target.table, []).append(row.label)
    result.remaining = len(after.errors)
    return result


def _rows(form: ProposalFormat, proposals, kept, context, texts, notes, path) -> list[Row]:
    """The kept proposals as rows, with ids, references and quotes settled; every problem refuses them all."""
    problems: list[str] = []
    rows = [_row(form, proposal, texts, notes, problems, path) for proposal in kept]
    _assign_ids(rows, context, problems, path)
    by_id = {p.proposal_id: p for p in proposals}
    keys = {row.proposal.proposal_id: row.key for row in rows}
    for row in rows:
        _resolve_references(row, by_id, keys, problems, path)
    if problems:
        message = f"{path}: {len(problems)} problem(s) in the kept rows; nothing was accepted"
        raise Refused(message, problems[:MAX_LISTED])
    return sorted(rows, key=lambda row: _order(form, row))


def _order(form: ProposalFormat, row: Row) -> tuple:
    """Rows are added table by table, each source's in text order (so in the order of their ids), else in the
    order of the file."""
    start = whole_number(row.cells.get("char_start"))
    table = list(form.targets).index(row.target.table)
    return (table, row.cells.get("source_id", ""), _id_number(row), -1 if start is None else start, row.proposal.line)


def _row(form: ProposalFormat, proposal: Proposal, texts, notes, problems, path) -> Row:
    target = form.targets[proposal.table]
    where = _where(path, proposal)
    cells = {name: proposal.cells.get(name, "") for name in target.fields if name != target.assigns}
    ignored = [name for name, value in proposal.cells.items() if value.strip() and name not in cells]
    if target.assigns and target.assigns in ignored:
        problems.append(f"{where}: {target.assigns} is assigned by accept; leave its cell empty")
        ignored.remove(target.assigns)
    if ignored:
        notes.append(f"{where}: cells of fields {proposal.table} does not have are ignored: {', '.join(ignored)}")
    if target.table == "entities" and not cells.get(ENTITY_KEY, "").strip():
        from slugify import slugify

        cells[ENTITY_KEY] = slugify(cells.get("name", ""))
        if not cells[ENTITY_KEY]:
            problems.append(f"{where}: the entity has neither an entity_id nor a name to make one from")
    _settle_quote(cells, texts, where, notes)
    return Row(proposal, target, cells)


def _settle_quote(cells: dict[str, str], texts: dict[str, str], where: str, notes: list[str]) -> None:
    """Move a quote that is not at its offsets to its one occurrence in its text (the rule of `redata fix`)."""
    text, quote = texts.get(cells.get("source_id", "")), cells.get("quote", "")
    if text is None or not quote or "char_start" not in cells:
        return
    start, end = whole_number(cells["char_start"]), whole_number(cells.get("char_end"))
    if start is not None and end is not None and text[start:end] == quote:
        return
    found = occurrences(text, quote, 2)
    if len(found) == 1:
        was = f"[{cells['char_start']}:{cells.get('char_end', '')}]"
        cells["char_start"], cells["char_end"] = str(found[0]), str(found[0] + len(quote))
        notes.append(f"{where}: quote moved to its only occurrence [{found[0]}:{found[0] + len(quote)}] (was {was})")


def _assign_ids(rows: list[Row], context, problems: list[str], path) -> None:
    """Each row of a table with assigned ids gets `<source_id>-<prefix><n>`, counting on from the source's
    highest, in the order of the rows' char_start (then of the file)."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.target.assigns:
            source = row.cells.get("source_id", "").strip()
            if not source:
                problems.append(f"{_where(path, row.proposal)}: source_id is empty; the row's id is made from it")
                continue
            groups[(row.target.table, source)].append(row)
    for (table, source), members in groups.items():
        target = members[0].target
        pattern = re.compile(rf"^{re.escape(source)}-{re.escape(target.prefix or '')}([0-9]+)$")
        taken = [int(m.group(1)) for m in map(pattern.match, _existing_keys(context, table, target.assigns)) if m]
        number = max(taken, default=0)
        for row in sorted(members, key=lambda r: (whole_number(r.cells.get("char_start")) or 0, r.proposal.line or 0)):
            number += 1
            row.cells[target.assigns] = f"{source}-{target.prefix}{number:02d}"


def _existing_keys(context, table: str, name: str) -> list[str]:
    import polars as pl

    known = context.table(table, name)
    return [] if known is None else known.frame.get_column(name).cast(pl.String).drop_nulls().to_list()


def _resolve_references(row: Row, by_id: dict[str, Proposal], keys: dict, problems: list[str], path) -> None:
    """A cell holding another proposal's id, in a foreign-key field, becomes that proposal's key."""
    where = _where(path, row.proposal)
    for name, table in row.target.references().items():
        value = row.cells.get(name, "").strip()
        other = by_id.get(value)
        if other is None:
            if re.fullmatch(r"P[0-9]+", value):
                problems.append(f"{where}: {name} refers to {value}, which the file does not hold")
            continue
        if not other.keep:
            problems.append(f"{where}: {name} refers to {value}, which is not kept")
        elif other.table != table:
            problems.append(f"{where}: {name} refers to {value}, a row of {other.table}, not of {table}")
        elif keys.get(value) is None:
            problems.append(f"{where}: {name} refers to {value}, which has no id to refer to")
        else:
            row.cells[name] = keys[value]


def _stage(change: Transaction, context, rows: list[Row]) -> dict[tuple[str, int], Row]:
    """Append each table's new rows to its staged file; the row each (table, CSV line) now holds."""
    from .tablefile import append, header

    lines = {}
    for table in dict.fromkeys(row.target.table for row in rows):
        resource = context.package.resources[table]
        members = [row for row in rows if row.target.table == table]
        names = header(resource.path)
        cells = [[row.cells.get(name, "") for name in names] for row in members]
        starts = append(resource.path, change.staged(resource.path), cells)
        lines.update({(table, start): row for start, row in zip(starts, members, strict=True)})
    return lines


def _located(problem, lines: dict[tuple[str, int], Row], path) -> str:
    """A validation problem, said of the proposal it concerns where it concerns one."""
    row = lines.get((problem.table, problem.row))
    if row is None:
        return describe(problem)
    field_name = f" {problem.field}:" if problem.field else ""
    return f"{_where(path, row.proposal)}:{field_name} {problem.message} ({problem.layer}, rule {problem.rule})"


def _repeated(context, rows: list[Row], path) -> list[str]:
    """A kept row identical to one already there (or to another kept row) in all but its assigned id."""
    import polars as pl

    from .checks import ROW

    problems = []
    for table in dict.fromkeys(row.target.table for row in rows if row.target.assigns):
        target = next(row.target for row in rows if row.target.table == table)
        known = context.table(table, target.assigns)
        if known is None:
            continue
        others = [name for name in known.frame.columns if name not in (ROW, target.assigns)]
        frame = known.frame.select(pl.col(target.assigns).cast(pl.String), *[pl.col(n).cast(pl.String) for n in others])
        repeated = frame.filter(pl.struct(others).is_duplicated())
        groups = defaultdict(list)
        for key, *values in repeated.iter_rows():
            groups[tuple(values)].append(key)
        new = {row.key: row for row in rows if row.target.table == table}
        for keys in groups.values():
            for key in keys:
                if key in new:
                    same = ", ".join(k for k in keys if k != key)
                    where = _where(path, new[key].proposal)
                    problems.append(f"{where}: repeats {same} in every field but {target.assigns}")
    return problems


def _id_number(row: Row) -> int:
    key = row.cells.get(row.target.assigns or "", "")
    match = re.search(r"([0-9]+)$", key)
    return int(match.group(1)) if match else 0


def _where(path, proposal: Proposal) -> str:
    return f"{path}:{proposal.line} ({proposal.proposal_id}, {proposal.table})"
