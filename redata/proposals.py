"""The proposals file: rows proposed for the package's tables, one CSV a curator reviews in a spreadsheet.

Its format is data: the review fields and the target tables are in `schemas/proposals.json`, and every other
column is a field of a target table, taken from that table's Table Schema (see the schema's description).
`write_proposals` writes a file, `read_proposals` reads one back, refusing anything it cannot take as meant.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CannotRun, Refused

SCHEMA_NAME = "proposals.json"
KEEP, PROPOSAL_ID, TABLE, CONFIDENCE, REASONS = "keep", "proposal_id", "table", "confidence", "reasons"
# A proposals file larger than this is refused before it is read (a proposal is a few hundred bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024
# How many problems a refusal lists, one by one.
MAX_LISTED = 50
# One reason: `<field> (<confidence>): <text>`.
REASON_LINE = re.compile(r"^(?P<field>[a-z][a-z0-9_]*) \((?P<confidence>[0-9]+(?:\.[0-9]+)?)\): (?P<text>\S.*)$")


@dataclass(frozen=True)
class Reason:
    """Why a field of a proposed row has its value, and how sure the proposer is (0 to 1)."""

    field: str
    confidence: float
    text: str


@dataclass
class Proposal:
    """One proposed row: the table it is for and its cells, with the curator's verdict and the proposer's
    reasons. `cells` maps field names of the target table to their text ("" for an empty cell)."""

    proposal_id: str
    table: str
    cells: dict[str, str] = field(default_factory=dict)
    keep: bool | None = None  # None: not reviewed (an empty cell), which leaves the row out
    confidence: float | None = None
    reasons: list[Reason] = field(default_factory=list)
    line: int | None = None  # the CSV line the row starts on, in a file read back


@dataclass(frozen=True)
class Target:
    """A table proposals are made for: its Table Schema, and the id field accept assigns (with its prefix)."""

    table: str
    schema: dict[str, Any]
    assigns: str | None = None
    prefix: str | None = None

    @property
    def fields(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]

    def references(self) -> dict[str, str]:
        """Each field that alone is a foreign key, and the table it refers to."""
        found = {}
        for key in self.schema.get("foreignKeys") or []:
            fields = key.get("fields")
            fields = [fields] if isinstance(fields, str) else fields
            if isinstance(fields, list) and len(fields) == 1:
                found[fields[0]] = (key.get("reference") or {}).get("resource") or self.table
        return found


@dataclass(frozen=True)
class ProposalFormat:
    """The proposals file of one package: the review fields (from `schemas/proposals.json`) and the targets."""

    schema: dict[str, Any]
    targets: dict[str, Target]

    @property
    def review_fields(self) -> list[dict[str, Any]]:
        return self.schema["fields"]

    @property
    def columns(self) -> list[str]:
        """The header of a proposals file: the review fields, then each target field once."""
        names = [f["name"] for f in self.review_fields]
        for target in self.targets.values():
            names += [name for name in target.fields if name != target.assigns and name not in names]
        return names

    def review_field(self, name: str) -> dict[str, Any]:
        return next(f for f in self.review_fields if f["name"] == name)


def proposal_format(package) -> ProposalFormat:
    """The proposals format of an opened source package (see `redata.package.open_package`)."""
    from .package import read_json

    if package.paths.schemas is None:
        raise CannotRun(f"{package.paths.descriptor}: proposals are made for a source package, not a built one")
    path = package.paths.schemas / SCHEMA_NAME
    try:
        schema = read_json(path, "proposals schema")
    except ValueError as error:
        raise CannotRun(str(error)) from None
    targets = {}
    for entry in schema.get("targets") or []:
        name = entry.get("resource")
        if name not in package.resources:
            raise CannotRun(f"{path}: target {name!r} is not a table of the package")
        targets[name] = Target(name, package.resources[name].schema, entry.get("assigns"), entry.get("prefix"))
    review = {f["name"] for f in schema.get("fields") or []}
    if review != {KEEP, PROPOSAL_ID, TABLE, CONFIDENCE, REASONS}:
        raise CannotRun(f"{path}: the review fields must be {KEEP}, {PROPOSAL_ID}, {TABLE}, {CONFIDENCE}, {REASONS}")
    for target in targets.values():
        clash = review & set(target.fields)
        if clash:
            raise CannotRun(f"{path}: review field {sorted(clash)[0]!r} is also a field of {target.table}")
    return ProposalFormat(schema, targets)


# ---------------------------------------------------------------- reasons


def format_reasons(reasons: list[Reason]) -> str:
    return "\n".join(f"{reason.field} ({reason.confidence!r}): {reason.text}" for reason in reasons)


def parse_reasons(cell: str) -> list[Reason]:
    """The reasons of a `reasons` cell; a line not of the form `<field> (<confidence>): <text>` is an error."""
    reasons = []
    for line in cell.splitlines():
        match = REASON_LINE.match(line)
        if not match or float(match["confidence"]) > 1:
            raise ValueError(f"reason {line!r} is not `<field> (<confidence from 0 to 1>): <reason>`")
        reasons.append(Reason(match["field"], float(match["confidence"]), match["text"]))
    return reasons


# ---------------------------------------------------------------- writing


def write_proposals(path: Path, proposal_format: ProposalFormat, proposals: list[Proposal]) -> Path:
    """Write a proposals file whole (or not at all). A proposal that does not fit the format is a ValueError."""
    from .transaction import write_atomic

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = proposal_format.columns
    writer.writerow(columns)
    seen: set[str] = set()
    for proposal in proposals:
        writer.writerow([_cell(proposal, name) for name in columns])
        _check_written(proposal_format, proposal, seen)
    write_atomic(Path(path), buffer.getvalue().encode("utf-8"))
    return Path(path)


def _cell(proposal: Proposal, name: str) -> str:
    if name == KEEP:
        return {True: "yes", False: "no", None: ""}[proposal.keep]
    if name == PROPOSAL_ID:
        return proposal.proposal_id
    if name == TABLE:
        return proposal.table
    if name == CONFIDENCE:
        return "" if proposal.confidence is None else repr(float(proposal.confidence))
    if name == REASONS:
        return format_reasons(proposal.reasons)
    return proposal.cells.get(name, "")


def _check_written(proposal_format: ProposalFormat, proposal: Proposal, seen: set[str]) -> None:
    target = proposal_format.targets.get(proposal.table)
    if target is None:
        raise ValueError(f"{proposal.proposal_id}: {proposal.table!r} is not a target table")
    if not re.fullmatch(_pattern(proposal_format, PROPOSAL_ID), proposal.proposal_id) or proposal.proposal_id in seen:
        raise ValueError(f"proposal id {proposal.proposal_id!r} is not of the pattern, or is used twice")
    seen.add(proposal.proposal_id)
    foreign = [name for name in proposal.cells if name not in target.fields or name == target.assigns]
    if foreign:
        raise ValueError(f"{proposal.proposal_id}: {proposal.table} has no field {foreign[0]!r} a proposal fills")


# ---------------------------------------------------------------- reading


def read_proposals(path: Path, proposal_format: ProposalFormat) -> list[Proposal]:
    """Every row of a proposals file, kept or not. A file that cannot be read as the format says, or a row whose
    review fields are wrong, is refused with every problem located at its line and column."""
    text = _read_text(Path(path))
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, [])
        _check_header(path, proposal_format, header)
        proposals, problems, start = [], [], 2
        for cells in rows:
            if any(cell.strip() for cell in cells):
                row = dict(zip(header, cells, strict=False))
                if len(cells) != len(header):
                    problems.append(f"{path}:{start}: row has {len(cells)} cells, the header {len(header)}")
                else:
                    proposals.append(_proposal(proposal_format, row, start, problems, path))
            start = rows.line_num + 1
    except csv.Error as error:
        raise Refused(f"{path}:{rows.line_num}: cannot be parsed as CSV: {error}") from None
    _check_ids(path, proposals, problems)
    if problems:
        listed = problems[:MAX_LISTED] + [f"{len(problems) - MAX_LISTED} more"] * (len(problems) > MAX_LISTED)
        raise Refused(f"{path}: {len(problems)} problem(s) in the proposals; nothing was accepted", listed)
    return proposals


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_FILE_BYTES, UTF-8 (a leading byte-order mark dropped)."""
    from .curation import not_utf8, read_file

    data = read_file(path, MAX_FILE_BYTES, "not a proposals file")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise not_utf8(path, data, error, "not a proposals file") from None


def _check_header(path: Path, proposal_format: ProposalFormat, header: list[str]) -> None:
    expected = proposal_format.columns
    twice = sorted({name for name in header if header.count(name) > 1})
    unknown = [name for name in header if name not in expected]
    missing = [name for name in expected if name not in header]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise Refused(f"{path}:1: the header is not comma-separated; save the file as CSV with commas")
    for names, what in ((twice, "twice"), (unknown, "unknown"), (missing, "missing")):
        if names:
            raise Refused(f"{path}:1: column(s) {', '.join(names)} {what}; the header must be {', '.join(expected)}")


def _proposal(proposal_format: ProposalFormat, row: dict[str, str], line: int, problems: list[str], path) -> Proposal:
    where = f"{path}:{line}"
    proposal = Proposal(row[PROPOSAL_ID].strip(), row[TABLE].strip(), line=line)
    proposal.cells = {name: row[name] for name in row if name not in {f["name"] for f in proposal_format.review_fields}}
    keep = proposal_format.review_field(KEEP)
    cell = row[KEEP].strip()
    if cell in keep["trueValues"]:
        proposal.keep = True
    elif cell in keep["falseValues"]:
        proposal.keep = False if cell else None
    else:
        problems.append(f"{where}:{KEEP}: {cell!r} is neither yes nor no ({', '.join(v for v in keep['trueValues'])})")
    if proposal.table not in proposal_format.targets:
        names = ", ".join(proposal_format.targets)
        problems.append(f"{where}:{TABLE}: {proposal.table!r} is not a table proposals are made for ({names})")
    if not re.fullmatch(_pattern(proposal_format, PROPOSAL_ID), proposal.proposal_id):
        pattern = _pattern(proposal_format, PROPOSAL_ID)
        problems.append(f"{where}:{PROPOSAL_ID}: {proposal.proposal_id!r} does not match {pattern}")
    proposal.confidence = _confidence(proposal_format, row[CONFIDENCE], f"{where}:{CONFIDENCE}", problems)
    try:
        proposal.reasons = parse_reasons(row[REASONS])
    except ValueError:
        proposal.reasons = []  # reasons are read by people: free text the curator wrote there is theirs
    return proposal


def _confidence(proposal_format: ProposalFormat, cell: str, where: str, problems: list[str]) -> float | None:
    if not cell.strip():
        return None
    limits = proposal_format.review_field(CONFIDENCE).get("constraints", {})
    try:
        value = float(cell)
    except ValueError:
        value = float("nan")
    if not limits.get("minimum", 0) <= value <= limits.get("maximum", 1):
        problems.append(f"{where}: {cell!r} is not a number from {limits.get('minimum')} to {limits.get('maximum')}")
        return None
    return value


def _check_ids(path, proposals: list[Proposal], problems: list[str]) -> None:
    first: dict[str, int | None] = {}
    for proposal in proposals:
        if proposal.proposal_id in first:
            problems.append(
                f"{path}:{proposal.line}:{PROPOSAL_ID}: {proposal.proposal_id} is used already on line "
                f"{first[proposal.proposal_id]}"
            )
        first.setdefault(proposal.proposal_id, proposal.line)


def _pattern(proposal_format: ProposalFormat, name: str) -> str:
    return proposal_format.review_field(name).get("constraints", {}).get("pattern", ".*")
