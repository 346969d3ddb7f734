"""Problems as data, and the validation report that collects and renders them.

A check returns a list of `Problem`; the report gathers them from every layer and is rendered once, at
the edge, as terminal text or as the JSON documented in README (`REPORT_FORMAT_VERSION`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

# The validation layers, in the order they run and are reported.
LAYERS = (
    "descriptor",
    "structure",
    "domain",
    "provenance",
    "agreement",
    "references",
    "consistency",
    "coverage",
    "conflicts",
)

REPORT_FORMAT_VERSION = 1
ERROR = "error"
WARNING = "warning"

# A check that fails on many rows reports this many of them one by one, then one line with the rest.
MAX_ROWS_PER_RULE = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package, located as precisely as the layer can."""

    layer: str
    table: str | None
    row: int | None  # the CSV line number (header is line 1); None for table- or package-level problems
    field: str | None
    value: Any
    rule: str
    message: str
    severity: str = ERROR

    def location(self) -> str:
        parts = [self.table or "package"]
        if self.row is not None:
            parts.append(str(self.row))
        if self.field:
            parts.append(self.field)
        return ":".join(parts)


@dataclass
class Report:
    """Every problem found in one run over a package, plus the layers that could not apply."""

    package: str
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # layer -> why it did not run

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def valid(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "package": self.package,
            "valid": self.valid(strict),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "skipped": [{"layer": k, "reason": v} for k, v in self.skipped.items()],
            "problems": [asdict(p) for p in sorted_problems(self.problems)],
        }

    def to_json(self, strict: bool = False) -> str:
        return json.dumps(self.to_dict(strict), ensure_ascii=False, indent=2, default=str)

    def summary(self, strict: bool = False) -> str:
        verdict = "valid" if self.valid(strict) else "INVALID"
        line = f"{self.package}: {verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        if self.skipped:
            line += f"; skipped: {', '.join(self.skipped)}"
        return line


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """By layer, table, row and field. A problem of a whole table comes before its rows, except the one
    that counts the rows a rule did not list (no row, in a rule that has rows): it follows them."""
    with_rows = {(p.layer, p.table, p.rule) for p in problems if p.row is not None}

    def key(p: Problem):
        row = p.row if p.row is not None else math.inf if (p.layer, p.table, p.rule) in with_rows else -1
        return (LAYERS.index(p.layer), p.table or "", row, p.field or "", p.rule)

    return sorted(problems, key=key)


def render_text(report: Report, console, strict: bool = False) -> None:
    """Print one line per problem, grouped by layer, then the one-line summary."""
    from rich.markup import escape

    by_layer: dict[str, list[Problem]] = {}
    for problem in sorted_problems(report.problems):
        by_layer.setdefault(problem.layer, []).append(problem)
    for layer in LAYERS:
        if layer in report.skipped:
            console.print(f"[dim]{layer}: skipped ({escape(report.skipped[layer])})[/dim]")
        for problem in by_layer.get(layer, []):
            colour = "red" if problem.severity == ERROR else "yellow"
            detail = f"value={_short(problem.value)}, rule={problem.rule}"
            console.print(
                f"[{colour}]{problem.severity}[/{colour}] [bold]{layer}[/bold] "
                f"{escape(problem.location())}: {escape(problem.message)} ({escape(detail)})",
                soft_wrap=True,
            )
    colour = "green" if report.valid(strict) else "red"
    console.print(f"[{colour}]{escape(report.summary(strict))}[/{colour}]", soft_wrap=True)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
