"""The validation layers. Each layer is a module with `check(context) -> list[Problem]`.

This module holds what they share: the parsed `Table` (typed polars frame plus the raw strings it came
from), the `Context` passed from layer to layer, and `row_problems`, which turns a frame of failing rows
into problems located at their CSV lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..package import Package, Resource
from ..report import ERROR, MAX_ROWS_PER_RULE, Problem
from ..tables import RawTable

ROW = "_row"  # 0-based row index column added to every typed frame
# The engine for the heavy per-row string work (regex, slicing): it splits a column into morsels and
# works on them on every core, where an eager expression over one column runs on one.
STREAMING = "streaming"


@dataclass
class Table:
    """A table that passed the header check: its typed frame (with `ROW`) and its raw strings."""

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
        """The table of that name if it was read and has these columns: a descriptor may give a name the
        layers know to a table of another shape, and a layer then has nothing to check it against."""
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


def looked_up(rows, on: str, other, columns: list[str]):
    """`rows` (a polars LazyFrame) with `columns` of the row of `other` whose `on` equals theirs, null where
    none does; where `other` repeats a key (which the structure layer reports), its first row's.

    A left join by position: each key is cast to an Enum of `other`'s keys, whose code is the row to take.
    At 10M rows it took the domain rules from 1.8 to 1.05 s, and the memory the quote check adds from
    about 680 to 80 MiB, against joins on the strings."""
    import polars as pl

    clashing = {"_position", *columns} & set(rows.collect_schema().names())
    if clashing:  # a join would have renamed them; here they would be overwritten
        raise ValueError(f"looked_up would overwrite the columns {sorted(clashing)}")
    keys = other.get_column(on).cast(pl.String)
    distinct = keys.is_not_null() & keys.is_first_distinct()
    other, keys = other.filter(distinct), keys.filter(distinct)
    # a categorical casts through its distinct texts, any other type through every row's text
    key = pl.col(on) if rows.collect_schema()[on] == pl.Categorical else pl.col(on).cast(pl.String)
    position = key.cast(pl.Enum(keys), strict=False).to_physical()
    return (
        rows.with_columns(position.alias("_position"))
        .with_columns(pl.lit(other.get_column(column)).gather(pl.col("_position")).alias(column) for column in columns)
        .drop("_position")
    )


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
    severity: str = ERROR,
    total: int | None = None,
) -> list[Problem]:
    """One problem per failing row (up to MAX_ROWS_PER_RULE, then one line counting the rest).

    `failing` is a polars frame with the `ROW` column, optionally a column `value` names (the value
    to show) and a `_message` column (a per-row message that replaces `message`). `total` is the
    number of failing rows when `failing` holds only the first of them.
    """
    count = failing.height if total is None else total
    if count == 0:
        return []
    shown = failing.sort(ROW).head(MAX_ROWS_PER_RULE)
    rows = shown.get_column(ROW).to_list()
    lines = table.lines(rows)
    values = shown.get_column(value).to_list() if value else [None] * len(rows)
    messages = shown.get_column("_message").to_list() if "_message" in shown.columns else [message] * len(rows)
    problems = [
        Problem(layer, table.name, line, field, _plain(v), rule, m, severity)
        for line, v, m in zip(lines, values, messages, strict=True)
    ]
    if count > len(rows):
        problems.append(
            Problem(
                layer,
                table.name,
                None,
                field,
                None,
                rule,
                f"{message}: {count - len(rows)} more row(s) like the above",
                severity,
            )
        )
    return problems


def _plain(value: Any) -> Any:
    """JSON-friendly value for a report."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
