"""The validation layers. Each layer is a module with `check(context) -> list[Problem]`.

This module holds what they share: the typed `Table`, the `Context` passed from layer to layer, and
`row_problems`, which turns a frame of failing rows into problems located at their CSV lines. Columns the
layers add to a table's frame are named with a leading NUL (`ROW`, `MESSAGE`), which no field name has
(the descriptor layer refuses control characters in field names), so they never meet a field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..limits import MAX_ROWS_PER_RULE
from ..package import Package, Resource
from ..report import Problem
from ..rules import BY_NAME
from ..tables import RawTable

ROW = "\x00row"  # 0-based row index column of every typed frame
MESSAGE = "\x00message"  # a failing row's own message, where a rule explains each row
# The engine for heavy per-row work (regex, slicing, joins): it splits a column into morsels and works on them
# on every core, where an eager expression over one column runs on one.
STREAMING = "streaming"


@dataclass
class Table:
    """A table whose header holds every field of its schema: its typed frame, with `ROW`, and how it was read."""

    name: str
    resource: Resource
    raw: RawTable
    frame: Any  # polars.DataFrame

    @property
    def schema(self) -> dict[str, Any]:
        return self.resource.schema

    def has(self, *columns: str) -> bool:
        return all(column in self.frame.columns for column in columns)

    def lines(self, rows) -> list[int]:
        return self.raw.line_numbers(rows)


@dataclass
class Context:
    package: Package
    tables: dict[str, Table] = field(default_factory=dict)
    texts: Any = None  # polars.DataFrame (source_id, text) of the archived texts read (see `redata.archive`)
    skipped: dict[str, str] = field(default_factory=dict)  # layer -> reason it did not run
    reference_folder: Any = None  # where the caller says reference documents are (see `checks.publications`)

    def table(self, name: str, *columns: str) -> Table | None:
        """The table of that name if it was read and has these columns: a descriptor may give a name the layers
        know to a table of another shape, and a layer then has nothing to check it against."""
        table = self.tables.get(name)
        return table if table is not None and table.has(*columns) else None

    def has_texts(self) -> bool:
        return self.texts is not None and self.texts.height > 0

    def text(self, source_id: str) -> str:
        """One archived text as a Python string, for the few problems that quote it."""
        import polars as pl

        return self.texts.filter(pl.col("source_id") == source_id).get_column("text").item()

    def tables_with(self, *columns: str) -> list[Table]:
        """The tables whose schema has all these fields, in descriptor order."""
        return [t for t in self.tables.values() if t.has(*columns)]


def first_rows_by(frame, key: str):
    """The first row of `frame` for each non-null `key`: what a lookup by a key that repeats (which the
    structure layer reports) finds."""
    import polars as pl

    return frame.filter(pl.col(key).is_not_null() & pl.col(key).is_first_distinct())


def position_in(keys, dtype, values):
    """Where each of `keys` (an expression of `dtype`) stands in the distinct `values`, null where it is none:
    the row a lookup by key gathers from, found by casting to an Enum of the values. A categorical casts through
    its few distinct texts; at 1M rows this took a quote's text lookup from 0.4 to 0.1 s, against a join."""
    import polars as pl

    text = keys if dtype == pl.Categorical else keys.cast(pl.String)
    return text.cast(pl.Enum(values.unique(maintain_order=True)), strict=False).to_physical()


def figure_interval():
    """A figure read as the interval of values it allows: a point value is [value, value], a range
    [value_low, value_high], a one-sided bound is open on its other side. (low, high) expressions."""
    import polars as pl

    low = pl.coalesce("value", "value_low").fill_null(float("-inf"))
    high = pl.coalesce("value", "value_high").fill_null(float("inf"))
    return low, high


def row_problems(
    table: Table,
    failing,
    *,
    layer: str,
    field: str | None,
    rule: str,
    message: str,
    value: str | None = None,
    severity: str | None = None,
    total: int | None = None,
    acknowledged: bool = False,
) -> list[Problem]:
    """One problem per failing row (up to MAX_ROWS_PER_RULE, then one line counting the rest).

    `failing` is a polars frame with the `ROW` column, optionally a column `value` names (the value to show)
    and a `MESSAGE` column (a per-row message; where it is empty, `message` stands). `total` is the number
    of failing rows when `failing` holds only the first of them. The severity is the rule's, from the
    catalogue, unless given; `acknowledged` marks findings the package records as data.
    """
    count = failing.height if total is None else total
    if count == 0:
        return []
    severity = severity or BY_NAME[rule].severity
    shown = failing.sort(ROW).head(MAX_ROWS_PER_RULE)
    rows = shown.get_column(ROW).to_list()
    values = shown.get_column(value).to_list() if value else [None] * len(rows)
    messages = shown.get_column(MESSAGE).to_list() if MESSAGE in shown.columns else [None] * len(rows)
    problems = [
        Problem(layer, table.name, line, field, plain(v), rule, m or message, severity, acknowledged)
        for line, v, m in zip(table.lines(rows), values, messages, strict=True)
    ]
    if count > len(rows):
        more = f"{message}: {count - len(rows)} more row(s) like the above"
        problems.append(Problem(layer, table.name, None, field, None, rule, more, severity, acknowledged))
    return problems


def plain(value: Any) -> Any:
    """A JSON-friendly value for a report."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
