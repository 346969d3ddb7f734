"""Seeded defects: each changes one thing in a copy of the real package and says exactly which problems it must
cause, as (layer, table, CSV line, field, rule). Together they trigger every rule of the catalogue (see
`test_rules.py`); `test_validate.py` checks each report is exactly what is expected.

A defect is `Defect(name, mutate, on)`: `mutate(root, tables)` changes the copy at `root` and returns the
expected problems; `on` is "source" (a copy of the source package) or "built" (a copy of the built release).
The two conflicts the package acknowledges are reported in every run; they are left out of the comparison.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import Tables, edit_json


@dataclass(frozen=True)
class Defect:
    name: str
    mutate: Callable[[Path, Tables], set]
    on: str = "source"
    references: str = ""  # "shared": validated against the reference documents; "missing": a folder that is not


def schema_edit(root: Path, table: str, change) -> None:
    edit_json(root / "schemas" / f"{table}.json", change)


def descriptor_edit(root: Path, change) -> None:
    edit_json(root / "datapackage" / "datapackage.json", change)


def field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def figure(tables: Tables, metric: str, source_id: str) -> dict:
    (row,) = [r for r in tables.read("figures") if r["metric"] == metric and r["source_id"] == source_id]
    return row


def refining(tables: Tables) -> dict:
    return figure(tables, "share_of_world_refining", "s000")


def _line_in(tables: Tables, unit: str) -> int:
    """The line of the one figure in that unit."""
    (row,) = [r for r in tables.read("figures") if r["unit"] == unit]
    return tables.line_of("figures", "figure_id", row["figure_id"])


def update_figure(tables: Tables, row: dict, **changes: str) -> int:
    return tables.update("figures", "figure_id", row["figure_id"], **changes)


# The table the defects that leave a table unread choose: nothing refers to the statements and they hold no
# number, so an unread statements table changes nothing else (coverage is skipped, which is no problem).
LEAF = "statements"


# ---------------------------------------------------------------- descriptor


def resources_not_a_list(root, tables):
    descriptor_edit(root, lambda d: d.update(resources={}))
    expected = {
        ("descriptor", None, None, "resources", "resources"),
        ("descriptor", None, None, "resources", "profile:datapackage.json"),
    }
    # with no table read, the number reader has no vocabulary: nothing it reads can be evaluated
    expected.add(("agreement", None, None, None, "agreement-unevaluable"))
    return expected


def resource_not_an_object(root, tables):
    descriptor_edit(root, lambda d: d["resources"].append("units"))
    index = len(json.loads((root / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))["resources"]) - 1
    return {
        ("descriptor", None, None, f"resources[{index}]", "resource"),
        ("descriptor", None, None, f"resources/{index}", "profile:datapackage.json"),
    }


def resource_without_a_name(root, tables):
    index = _index(root, LEAF)
    descriptor_edit(root, lambda d: d["resources"][index].pop("name"))
    return {
        ("descriptor", None, None, f"resources[{index}].name", "resource-name"),
        ("descriptor", None, None, f"resources/{index}", "profile:datapackage.json"),
    }


def _index(root: Path, name: str) -> int:
    descriptor = json.loads((root / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in descriptor["resources"]].index(name)


def resource_named_twice(root, tables):
    descriptor_edit(root, lambda d: d["resources"].append(dict(_resource(d, LEAF))))
    return {("descriptor", LEAF, None, "name", "resource-name-unique")}


def path_outside(root, tables):
    def change(descriptor):
        _resource(descriptor, LEAF).update(path="../CHANGELOG.md")

    descriptor_edit(root, change)
    return {
        ("descriptor", LEAF, None, "path", "path-confined"),
        ("descriptor", None, None, f"resources/{_index(root, LEAF)}/path", "profile:datapackage.json"),
    }


def schema_not_json(root, tables):
    (root / "schemas" / f"{LEAF}.json").write_text("{", encoding="utf-8")
    return {("descriptor", LEAF, None, "schema", "schema-readable")}


def schema_without_fields(root, tables):
    schema_edit(root, LEAF, lambda s: s.update(fields=[]))
    return {("descriptor", LEAF, None, "schema", "schema-fields")}


def package_name(root, tables):
    descriptor_edit(root, lambda d: d.update(name="US China"))
    return {("descriptor", None, None, "name", "package-name")}


def version_not_semver(root, tables):
    descriptor_edit(root, lambda d: d.update(version="1.0"))
    return {("descriptor", None, None, "version", "version-semver")}


def field_name_control_character(root, tables):
    schema_edit(root, LEAF, lambda s: field(s, "note").update(name="note\x01"))
    return {("descriptor", LEAF, None, "note\x01", "field-name")}


def field_declared_twice(root, tables):
    schema_edit(root, LEAF, lambda s: s["fields"].append(dict(field(s, "note"))))
    return {("descriptor", LEAF, None, "note", "field-name-unique"), ("descriptor", None, None, None, "frictionless")}


def missing_values_other_than_empty(root, tables):
    """Read as text by redata, so refused: in the schema, and in a field, where frictionless also refuses a
    value given twice."""
    schema_edit(root, LEAF, lambda s: s.update(missingValues=["", "NA"]))
    schema_edit(root, LEAF, lambda s: field(s, "note").update(missingValues=[{"value": "-"}, {"value": "-"}]))
    return {
        ("descriptor", LEAF, None, None, "missing-values"),
        ("descriptor", LEAF, None, "note", "missing-values"),
        ("descriptor", None, None, None, "frictionless"),
    }


def field_type_unsupported(root, tables):
    schema_edit(root, LEAF, lambda s: field(s, "speaker_id").update(type="geojson"))
    return {("descriptor", LEAF, None, "speaker_id", "field-type")}


def pattern_rust_refuses(root, tables):
    schema_edit(root, LEAF, lambda s: field(s, "statement_id")["constraints"].update(pattern="(?<=a)b"))
    return {("descriptor", LEAF, None, "statement_id", "pattern-valid")}


def enum_of_the_wrong_type(root, tables):
    schema_edit(root, "elements", lambda s: field(s, "atomic_number")["constraints"].update(enum=["twenty-one"]))
    return {("descriptor", "elements", None, "atomic_number", "constraint-valid")} | _elements_unread()


def length_of_a_number(root, tables):
    schema_edit(root, "elements", lambda s: field(s, "atomic_number")["constraints"].update(maxLength=None))
    return {
        ("descriptor", "elements", None, "atomic_number", "constraint-valid"),
        ("descriptor", None, None, None, "frictionless"),  # frictionless refuses the null length too
    } | _elements_unread()


def _elements_unread() -> set:
    """What leaving the elements table unread causes: the groupings' key to it cannot be checked."""
    return {("references", "element_groups", None, "symbol", "foreign-key-unevaluable")}


def primary_key_unknown_field(root, tables):
    schema_edit(root, LEAF, lambda s: s.update(primaryKey=["statement_code"]))
    return {
        ("descriptor", LEAF, None, "statement_code", "primary-key-field"),
        ("descriptor", None, None, None, "frictionless"),
    }


def foreign_key_unknown_field(root, tables):
    schema_edit(root, LEAF, lambda s: s["foreignKeys"][0]["reference"].update(fields=["source_code"]))
    return {("descriptor", LEAF, None, "source_id", "foreign-key-field")}


def foreign_key_unknown_resource(root, tables):
    schema_edit(root, LEAF, lambda s: s["foreignKeys"][0]["reference"].update(resource="publications"))
    return {("descriptor", LEAF, None, "source_id", "foreign-key-resource")}


def schema_not_table_schema(root, tables):
    schema_edit(root, LEAF, lambda s: s.update(primaryKey=7))
    return {("descriptor", LEAF, None, "primaryKey", "profile:tableschema.json")}


# ---------------------------------------------------------------- descriptor, on a built package


def built_bytes(root, tables):
    descriptor_edit_built(root, lambda d: _resource(d, "units").update(bytes=1))
    return {("descriptor", "units", None, "bytes", "bytes")}


def built_hash(root, tables):
    descriptor_edit_built(root, lambda d: _resource(d, "units").update(hash="sha256:" + "0" * 64))
    return {("descriptor", "units", None, "hash", "hash")}


def descriptor_edit_built(root: Path, change) -> None:
    edit_json(root / "datapackage.json", change)


def _resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def parquet_unreadable(root, tables):
    (root / "units.parquet").write_bytes(b"not parquet")
    _rehash(root, "units", parquet=True)
    return {("structure", "units", None, "parquet", "parquet-readable")}


def parquet_swapped(root, tables):
    """Another table's Parquet file in place of this one's, its hash recorded to match."""
    (root / "units.parquet").write_bytes((root / "metrics.parquet").read_bytes())
    _rehash(root, "units", parquet=True)
    return {("structure", "units", None, "parquet", "parquet-matches-csv")}


def parquet_other_types(root, tables):
    import pyarrow.parquet as pq

    table = pq.read_table(root / "units.parquet")
    table = table.set_column(table.schema.get_field_index("minimum"), "minimum", table["minimum"].cast("string"))
    pq.write_table(table, root / "units.parquet")
    _rehash(root, "units", parquet=True)
    return {("structure", "units", None, "parquet", "parquet-schema")}


def release_file_missing(root, tables):
    (root / "metadata.json").unlink()
    return {("descriptor", None, None, "files.datasette-metadata", "file-present")}


def release_files_not_a_list(root, tables):
    descriptor_edit_built(root, lambda d: d.update(files={"database": "x.sqlite"}))
    return {("descriptor", None, None, "files", "files")}


def release_file_altered(root, tables):
    with (root / "CITATION.cff").open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    return {
        ("descriptor", None, None, "files.citation.bytes", "bytes"),
        ("descriptor", None, None, "files.citation.hash", "hash"),
    }


def _rehash(root: Path, name: str, parquet: bool = False) -> None:
    def change(descriptor):
        entry = _resource(descriptor, name)
        entry = entry["parquet"] if parquet else entry
        data = (root / entry["path"]).read_bytes()
        entry.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())

    descriptor_edit_built(root, change)


# ---------------------------------------------------------------- structure


def csv_missing(root, tables):
    (root / "datapackage" / f"{LEAF}.csv").unlink()
    return {("structure", LEAF, None, None, "csv-readable")}


def csv_blank_row(root, tables):
    path = root / "datapackage" / f"{LEAF}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "\n", *lines[2:]]), encoding="utf-8")
    return {("structure", LEAF, 3, None, "blank-row")}


def delimiter(root, tables):
    _header(root, LEAF, lambda header: header.replace(",", ";"))
    return {("structure", LEAF, 1, None, "delimiter")}


def _header(root: Path, table: str, change) -> None:
    path = root / "datapackage" / f"{table}.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(change(header) + "\n" + rest, encoding="utf-8")


def header_duplicate(root, tables):
    _header(root, LEAF, lambda h: h.replace("note", "quote"))
    return {
        ("structure", LEAF, 1, "quote", "header-duplicate"),
        ("structure", LEAF, 1, "note", "header-missing"),
    }


def header_extra(root, tables):
    _header(root, "units", lambda h: h + ",colour")
    path = root / "datapackage" / "units.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n", ",\n").replace("colour,\n", "colour\n", 1), encoding="utf-8"
    )
    return {("structure", "units", 1, "colour", "header-extra")}


def header_order(root, tables):
    rows = tables.read("acknowledged_conflicts")
    path = root / "datapackage" / "acknowledged_conflicts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["figure_id", "conflict_id", "reason"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {("structure", "acknowledged_conflicts", 1, None, "header-order")}


def cell_of_the_wrong_type(root, tables):
    line = tables.update("units", "unit_id", "t", to_base_factor="1,000")
    expected = {("structure", "units", line, "to_base_factor", "type")}
    # a unit whose factor is no number is no unit the reader knows: its figures' words cannot be compared
    expected.add(
        ("agreement", "figures", tables.line_of("figures", "figure_id", "s003-f17"), "unit", "as-written-unit")
    )
    return expected


def required_missing(root, tables):
    line = tables.update("metrics", "metric_id", "call_duration", description="")
    return {("structure", "metrics", line, "description", "required")}


def enum(root, tables):
    entity = tables.read("entities")[3]
    line = tables.update("entities", "entity_id", entity["entity_id"], type="planet")
    return {("structure", "entities", line, "type", "enum")}


def pattern_and_max_length(root, tables):
    last, before_last = [row["figure_id"] for row in tables.read("figures")[-1:-3:-1]]
    period = tables.update("figures", "figure_id", last, period="May 2025")
    note = tables.update("figures", "figure_id", before_last, note="n" * 2001)
    expected = {
        ("structure", "figures", period, "period", "pattern"),
        ("structure", "figures", note, "note", "maxLength"),
    }
    # its period_as_written, `In 2024`, gives a date the new period neither starts nor ends at
    expected.add(("agreement", "figures", period, "period", "period-as-written"))
    return expected


def minimum_and_maximum(root, tables):
    low = tables.update("elements", "symbol", "Sc", atomic_number="20")
    high = tables.update("elements", "symbol", "Lu", atomic_number="72")
    return {
        ("structure", "elements", low, "atomic_number", "minimum"),
        ("structure", "elements", high, "atomic_number", "maximum"),
    }


def exclusive_bounds(root, tables):
    schema_edit(root, "units", lambda s: field(s, "to_base_factor")["constraints"].update(exclusiveMaximum=1e9))
    zero = tables.update("units", "unit_id", "minute", to_base_factor="0")
    huge = tables.update("units", "unit_id", "year", to_base_factor="1e9")
    expected = {
        ("structure", "units", zero, "to_base_factor", "exclusiveMinimum"),
        ("structure", "units", huge, "to_base_factor", "exclusiveMaximum"),
    }
    # a factor of 0 converts nothing: the minute is no unit the reader knows
    expected.add(("agreement", "figures", _line_in(tables, "minute"), "unit", "as-written-unit"))
    return expected


def min_length(root, tables):
    schema_edit(root, "units", lambda s: field(s, "name")["constraints"].update(minLength=3))
    line = tables.update("units", "unit_id", "s", name="s")
    return {("structure", "units", line, "name", "minLength")}


def unique(root, tables):
    line = tables.update("elements", "symbol", "Y", name="scandium")
    return {
        ("structure", "elements", tables.line_of("elements", "symbol", "Sc"), "name", "unique"),
        ("structure", "elements", line, "name", "unique"),
    }


def primary_key(root, tables):
    rows = tables.read("figures")
    renamed = rows[1]["figure_id"]
    rows[1]["figure_id"] = rows[0]["figure_id"]
    tables.write("figures", rows)
    expected = {
        ("structure", "figures", 2, "figure_id", "primary-key"),
        ("structure", "figures", 3, "figure_id", "primary-key"),
    }
    # the figure renamed is another's related figure: that link now leads nowhere, and its own does not lead back
    for line, row in enumerate(rows, start=2):
        if row["related_figure_id"] == renamed:
            expected.add(("references", "figures", line, "related_figure_id", "foreign-key"))
            expected.add(("domain", "figures", line, "related_figure_id", "related-figure-mutual-unevaluable"))
    if rows[1]["related_figure_id"]:
        expected.add(("domain", "figures", 3, "related_figure_id", "related-figure-mutual"))
    return expected


def formula(root, tables):
    line = tables.update("entities", "entity_id", "china", note='=HYPERLINK("http://example.com")')
    return {("structure", "entities", line, "note", "formula-injection")}


# ---------------------------------------------------------------- domain


def unit_range(root, tables):
    line = update_figure(tables, figure(tables, "share_of_world_mining", "s000"), value="150")
    expected = {("domain", "figures", line, "value", "unit-range")}
    expected.add(("agreement", "figures", line, "value", "as-written-value"))  # 150 is not the words' 60
    return expected


def unit_unknown(root, tables):
    """A unit no vocabulary row has: the key fails, and every rule that reads the unit cannot be evaluated."""
    line = update_figure(tables, refining(tables), unit="furlong")
    expected = {
        ("references", "figures", line, "unit", "foreign-key"),
        ("domain", "figures", line, "value", "unit-range-unevaluable"),
        ("domain", "figures", line, "value", "unit-whole-number-unevaluable"),
        ("domain", "figures", line, "unit", "metric-dimension-unevaluable"),
    }
    expected.add(("agreement", "figures", line, "unit", "as-written-unit"))
    return expected


def whole_number(root, tables):
    line = update_figure(tables, figure(tables, "export_documents_required", "s003"), value="6.5")
    expected = {("domain", "figures", line, "value", "unit-whole-number")}
    expected.add(("agreement", "figures", line, "value", "as-written-value"))
    return expected


def bounds_out_of_order(root, tables):
    (row,) = [
        r
        for r in tables.read("figures")
        if r["metric"] == "mining_and_oxide_conversion_cost" and r["subject_id"] == "china"
    ]
    line = update_figure(tables, row, value_low=row["value_high"], value_high=row["value_low"])
    expected = {("domain", "figures", line, "value", "value-within-bounds")}
    expected.add(("agreement", "figures", line, "value_low", "as-written-value"))
    return expected


def qualifier_bounds(root, tables):
    row = [r for r in tables.read("figures") if r["qualifier"] == "over"][0]
    line = update_figure(tables, row, value=row["value_low"], value_low="")
    expected = {("domain", "figures", line, "qualifier", "qualifier-bounds")}
    expected.add(("agreement", "figures", line, "value", "as-written-value"))  # `over half` is a lower bound
    return expected


def qualifier_unknown(root, tables):
    line = update_figure(tables, refining(tables), qualifier="ish")
    expected = {
        ("references", "figures", line, "qualifier", "foreign-key"),
        ("domain", "figures", line, "qualifier", "qualifier-bounds-unevaluable"),
    }
    expected.add(("agreement", "figures", line, "qualifier", "as-written-qualifier"))
    return expected


def metric_dimension(root, tables):
    line = update_figure(tables, refining(tables), unit="count")
    expected = {("domain", "figures", line, "unit", "metric-dimension")}
    expected.add(("agreement", "figures", line, "unit", "as-written-unit"))  # a percentage is no count
    return expected


def period_after_publication(root, tables):
    line = update_figure(tables, refining(tables), period="2031")
    return {
        ("domain", "figures", line, "period", "period-after-publication"),
        ("domain", "figures", line, "period_basis", "period-basis"),  # nor is 2031 the publication year
    }


def period_no_calendar_date(root, tables):
    line = update_figure(tables, refining(tables), period="2025-02-30")
    return {
        ("domain", "figures", line, "period", "period-after-publication-unevaluable"),
        ("domain", "figures", line, "period_basis", "period-basis"),  # nor is it the publication year
    }


def date_after_publication(root, tables):
    line = tables.update("events", "event_id", "s000-e04", date="2025-07-16")
    expected = {("domain", "events", line, "date", "date-after-publication")}
    expected.add(("agreement", "events", line, "date", "date-as-written"))  # `April 16` is no July date
    expected.add(("domain", "events", line, "date_start", "date-interval"))  # its interval is still April 16
    return expected


def date_of_an_unknown_source(root, tables):
    line = tables.update("events", "event_id", "s000-e07", source_id="s999")
    return {
        ("references", "events", line, "source_id", "foreign-key"),
        ("domain", "events", line, "date", "date-after-publication-unevaluable"),
        ("provenance", "events", line, "quote", "quote-at-offsets-unevaluable"),
        # the event's date_as_written, `April 22`, lies in no text it could be found in
        ("coverage", "sources", tables.line_of("sources", "source_id", "s000"), "file", "number-accounted"),
    }


def _first_figure(tables: Tables, **fields: str) -> dict:
    return next(r for r in tables.read("figures") if all(r[k] == v for k, v in fields.items()))


def attribution_basis_without_credit(root, tables):
    """A credited figure says it has no credit."""
    line = update_figure(tables, _first_figure(tables, attribution_basis="carried"), attribution_basis="none")
    return {("domain", "figures", line, "attribution_basis", "attribution-basis")}


def period_basis_disagrees(root, tables):
    """A figure with no period says its period is the publication year."""
    line = update_figure(tables, _first_figure(tables, period_basis="none"), period_basis="publication")
    return {("domain", "figures", line, "period_basis", "period-basis")}


def period_basis_of_an_unknown_source(root, tables):
    """A publication year cannot be looked up for a source the package lacks."""
    compared = {r["metric"] for r in tables.read("reference_comparisons")}  # left out: no verdict is at stake
    rows = [r for r in tables.read("figures") if r["period_basis"] == "publication" and r["metric"] not in compared]
    line = update_figure(tables, rows[0], source_id="s999")
    return {
        ("references", "figures", line, "source_id", "foreign-key"),
        ("domain", "figures", line, "period_basis", "period-basis-unevaluable"),
        ("domain", "figures", line, "period", "period-after-publication-unevaluable"),
        ("provenance", "figures", line, "quote", "quote-at-offsets-unevaluable"),
        # the figure's number now lies in no row of its own text
        (
            "coverage",
            "sources",
            tables.line_of("sources", "source_id", rows[0]["source_id"]),
            "file",
            "number-accounted",
        ),
    }


def related_figure_not_named_back(root, tables):
    """One of two related figures forgets the other: the other's link no longer leads back."""
    row = next(r for r in tables.read("figures") if r["related_figure_id"])
    update_figure(tables, _first_figure(tables, figure_id=row["related_figure_id"]), related_figure_id="")
    line = tables.line_of("figures", "figure_id", row["figure_id"])
    return {("domain", "figures", line, "related_figure_id", "related-figure-mutual")}


def related_figure_unknown(root, tables):
    row = next(r for r in tables.read("figures") if r["related_figure_id"])
    line = update_figure(tables, row, related_figure_id="s999-f01")
    other = tables.line_of("figures", "figure_id", row["related_figure_id"])
    return {
        ("references", "figures", line, "related_figure_id", "foreign-key"),
        ("domain", "figures", line, "related_figure_id", "related-figure-mutual-unevaluable"),
        ("domain", "figures", other, "related_figure_id", "related-figure-mutual"),
    }


def _month_row(tables: Tables, table: str, precision: str) -> dict:
    return next(r for r in tables.read(table) if r[precision] == "month")


def event_interval_of_one_day(root, tables):
    """May 2025 stored as the interval of May 1 alone: the interval a filter by date would mistake."""
    row = _month_row(tables, "events", "date_precision")
    line = tables.update("events", "event_id", row["event_id"], date_end=row["date_start"])
    return {("domain", "events", line, "date_start", "date-interval")}


def publication_interval_of_one_day(root, tables):
    row = _month_row(tables, "sources", "published_precision")
    line = tables.update("sources", "source_id", row["source_id"], published_end=row["published_start"])
    return {("domain", "sources", line, "published_start", "date-interval")}


def interval_precision_unknown(root, tables):
    row = _month_row(tables, "events", "date_precision")
    line = tables.update("events", "event_id", row["event_id"], date_precision="week")
    return {
        ("structure", "events", line, "date_precision", "enum"),
        ("domain", "events", line, "date_start", "date-interval-unevaluable"),
        ("agreement", "events", line, "date_precision", "date-as-written"),  # its words give a month
    }


def metric_dimension_unknown(root, tables):
    line = tables.update("metrics", "metric_id", "call_duration", dimension="loudness")
    figures = [i for i, r in enumerate(tables.read("figures"), start=2) if r["metric"] == "call_duration"]
    return {("domain", "metrics", line, "dimension", "metric-dimension-known")} | {
        ("domain", "figures", f, "unit", "metric-dimension") for f in figures
    }


def unit_base(root, tables):
    line = tables.update("units", "unit_id", "minute", base_unit_id="kg")
    return {("domain", "units", line, "base_unit_id", "unit-base")}


def unit_base_unknown(root, tables):
    line = tables.update("units", "unit_id", "minute", base_unit_id="fortnight")
    return {
        ("references", "units", line, "base_unit_id", "foreign-key"),
        ("domain", "units", line, "base_unit_id", "unit-base-unevaluable"),
    }


def unit_range_order(root, tables):
    line = tables.update("units", "unit_id", "percent", minimum="100", maximum="0")
    shares = [r for r in tables.read("figures") if r["unit"] == "percent"]
    return {("domain", "units", line, "minimum", "unit-range-order")} | {
        ("domain", "figures", tables.line_of("figures", "figure_id", r["figure_id"]), column, "unit-range")
        for r in shares
        for column in ("value", "value_low", "value_high")
        if r[column]
    }


# ---------------------------------------------------------------- provenance


def source_file_outside(root, tables):
    line = tables.update("sources", "source_id", "s000", file="../CHANGELOG.md")
    return {
        ("structure", "sources", line, "file", "pattern"),
        ("provenance", "sources", line, "file", "source-file-confined"),
        *_unread_quotes(tables, "s000"),
    }


def source_file_missing(root, tables):
    (root / "seeds" / "000_23634502512134c7.txt").unlink()
    line = tables.line_of("sources", "source_id", "s000")
    return {("provenance", "sources", line, "file", "source-file-exists"), *_unread_quotes(tables, "s000")}


def source_file_too_large(root, tables):
    with (root / "seeds" / "000_23634502512134c7.txt").open("r+b") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: a hostile size costs no disk
    line = tables.line_of("sources", "source_id", "s000")
    return {("provenance", "sources", line, "file", "source-file-readable"), *_unread_quotes(tables, "s000")}


def source_altered(root, tables):
    path = root / "seeds" / "000_23634502512134c7.txt"
    data = bytearray(path.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    line = tables.line_of("sources", "source_id", "s000")
    return {("provenance", "sources", line, "sha256", "source-sha256"), *_unread_quotes(tables, "s000")}


def source_not_utf8(root, tables):
    path = root / "seeds" / "000_23634502512134c7.txt"
    data = path.read_bytes().replace(b"rare", b"r\xe4re", 1)
    path.write_bytes(data)
    line = tables.update("sources", "source_id", "s000", sha256=hashlib.sha256(data).hexdigest())
    return {("provenance", "sources", line, "file", "source-utf8"), *_unread_quotes(tables, "s000")}


QUOTING_TABLES = ("figures", "events", "exclusions", "mentions", "statements", "relations", "element_groups")


def _unread_quotes(tables: Tables, source_id: str) -> set:
    """A text that was not read: each quote of it cannot be checked (beyond 50 in a table, one line counts them),
    and its numbers, which coverage scans from the texts read, are not scanned."""
    expected = set()
    for table in QUOTING_TABLES:
        lines = _lines(tables, table, source_id)
        expected |= {("provenance", table, line, "quote", "quote-at-offsets-unevaluable") for line in lines[:50]}
        if len(lines) > 50:
            expected.add(("provenance", table, None, "quote", "quote-at-offsets-unevaluable"))
    return expected


def _lines(tables: Tables, table: str, source_id: str) -> list[int]:
    return [line for line, row in enumerate(tables.read(table), start=2) if row.get("source_id") == source_id]


def quote_moved(root, tables):
    row = refining(tables)
    line = update_figure(
        tables, row, char_start=str(int(row["char_start"]) + 1), char_end=str(int(row["char_end"]) + 1)
    )
    return {("provenance", "figures", line, "quote", "quote-at-offsets")}


def as_written_outside_quote(root, tables):
    row = refining(tables)
    line = update_figure(tables, row, as_written=row["as_written"] + " of them")
    return {
        ("provenance", "figures", line, "as_written", "as-written-in-quote"),
        # the number it held is then in no as-written text found in its source
        ("coverage", "sources", tables.line_of("sources", "source_id", "s000"), "file", "number-accounted"),
    }


def mention_not_an_alias(root, tables):
    tables.update("entities", "entity_id", "united-states", aliases="United States")
    lines = [line for line, row in enumerate(tables.read("mentions"), start=2) if row["entity_id"] == "united-states"]
    return {("provenance", "mentions", line, "quote", "mention-is-alias") for line in lines}


# ---------------------------------------------------------------- references, consistency, coverage, conflicts


def dangling_entity(root, tables):
    line = update_figure(tables, refining(tables), subject_id="atlantis")
    return {("references", "figures", line, "subject_id", "foreign-key")}


def _ev_part(tables: Tables) -> dict:
    terms = tables.read("check_terms")
    (part, *_) = [t for t in terms if t["check_id"] == "ev-production-by-maker" and t["role"] == "part"]
    return next(r for r in tables.read("figures") if r["figure_id"] == part["figure_id"])


def broken_sum(root, tables):
    part = _ev_part(tables)
    update_figure(tables, part, value=str(float(part["value"]) * 10))
    expected = {
        (
            "consistency",
            "checks",
            tables.line_of("checks", "check_id", "ev-production-by-maker"),
            "check_id",
            "check-holds",
        )
    }
    expected.add(
        ("agreement", "figures", tables.line_of("figures", "figure_id", part["figure_id"]), "value", "as-written-value")
    )
    return expected


def known_inconsistency(root, tables):
    part = _ev_part(tables)
    update_figure(tables, part, value=str(float(part["value"]) * 10))
    line = tables.update("checks", "check_id", "ev-production-by-maker", known_inconsistency="true")
    expected = {("consistency", "checks", line, "check_id", "known-inconsistency")}
    expected.add(
        ("agreement", "figures", tables.line_of("figures", "figure_id", part["figure_id"]), "value", "as-written-value")
    )
    return expected


def check_terms_misfit(root, tables):
    line = tables.update("checks", "check_id", "ev-production-by-maker", kind="growth")
    return {("consistency", "checks", line, "check_id", "check-terms")}


def overflowing_conversion(root, tables):
    """A unit whose factor takes its values past a double: the sum cannot be done (infinity equals infinity)."""
    tables.update("units", "unit_id", "count", to_base_factor="1e308")
    line = tables.line_of("checks", "check_id", "ev-production-by-maker")
    at_most = tables.line_of("checks", "check_id", "usgs-rare-earths-within-critical-minerals")
    eu = tables.line_of("checks", "check_id", "eu-ev-production-below-china")
    base = tables.line_of("units", "unit_id", "count")
    return {
        ("domain", "units", base, "base_unit_id", "unit-base"),
        *{("consistency", "checks", at, "check_id", "check-holds-unevaluable") for at in (line, at_most, eu)},
    }


def unaccounted_number(root, tables):
    exclusion = [r for r in tables.read("exclusions") if r["as_written"] == "F-35"][0]
    tables.delete("exclusions", "exclusion_id", exclusion["exclusion_id"])
    return {
        (
            "coverage",
            "sources",
            tables.line_of("sources", "source_id", exclusion["source_id"]),
            "file",
            "number-accounted",
        )
    }


def new_conflict(root, tables):
    """The refining share of s003 changed to disagree with s000's: a conflict nobody acknowledged."""
    (row,) = [
        r
        for r in tables.read("figures")
        if r["metric"] == "share_of_world_refining" and r["source_id"] == "s003" and r["period"] == "2025"
    ]
    update_figure(tables, row, value="50", qualifier="")
    first = tables.line_of("figures", "figure_id", refining(tables)["figure_id"])
    expected = {("conflicts", "figures", first, "value", "conflicting-values")}
    changed = tables.line_of("figures", "figure_id", row["figure_id"])
    expected |= {("agreement", "figures", changed, "value", "as-written-value")}
    expected |= {("agreement", "figures", changed, "qualifier", "as-written-qualifier")}
    return expected


# ---------------------------------------------------------------- agreement: figures and events against their words


def as_written_without_a_number(root, tables):
    line = update_figure(tables, refining(tables), as_written="nearly")
    return {
        ("agreement", "figures", line, "as_written", "as-written-value-unevaluable"),
        # the `90` it held is then in no as-written text
        ("coverage", "sources", tables.line_of("sources", "source_id", "s000"), "file", "number-accounted"),
    }


def date_as_written_without_a_date(root, tables):
    line = tables.update("events", "event_id", "s000-e07", date_as_written="during")
    return {
        ("agreement", "events", line, "date_as_written", "date-as-written-unevaluable"),
        ("coverage", "sources", tables.line_of("sources", "source_id", "s000"), "file", "number-accounted"),
    }


def period_as_written_without_a_date(root, tables):
    (row,) = [r for r in tables.read("figures") if r["period_as_written"] == "In January 2025"]
    line = update_figure(tables, row, period_as_written="its first dysprosium oxide sample")  # an ordinal, no date
    return {("agreement", "figures", line, "period_as_written", "period-as-written-unevaluable")}


def date_resolution_missing(root, tables):
    line = tables.update("events", "event_id", "s000-e04", date_resolution="")
    return {("agreement", "events", line, "date_resolution", "date-resolved")}


def number_words_missing(root, tables):
    descriptor_edit(root, lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "number_words"]))
    return {
        ("agreement", None, None, None, "agreement-unevaluable"),
        ("coverage", None, None, None, "number-accounted-unevaluable"),
    }


# ---------------------------------------------------------------- reference publications and the cross-check

CHINA_2024 = "mcs2025-ree-world-china-2024"
PUBLICATION = "usgs-mcs2025-rare-earths"


def reference_value_as_printed(root, tables):
    line = tables.update("reference_values", "value_id", CHINA_2024, value="14270000")
    return {("publications", "reference_values", line, "value", "reference-value-as-printed")}


def reference_value_not_printed(root, tables):
    line = tables.update("reference_values", "value_id", CHINA_2024, as_printed="275,000", value="275000")
    # 275,000 of the world's 390,000 moves the Chinese share to 70.5%: s000's "about 60%" stays inconsistent
    return {("publications", "reference_values", line, "as_printed", "reference-value-printed")}


def reference_cell_left_out(root, tables):
    tables.delete("reference_values", "value_id", "mcs2025-ree-us-employment-2024")
    return {("publications", "reference_values", None, None, "reference-table-complete")}


def reference_marks_not_printed(root, tables):
    line = tables.update("reference_values", "value_id", CHINA_2024, value_marks="", footnotes="e")
    return {("publications", "reference_values", line, "footnotes", "reference-footnotes-printed")}


def reference_mark_unknown(root, tables):
    line = tables.update("reference_values", "value_id", CHINA_2024, footnotes="e;14;99")
    return {
        ("publications", "reference_values", line, "footnotes", "reference-footnote-known"),
        ("publications", "reference_values", line, "footnotes", "reference-footnotes-printed"),
    }


def reference_estimate(root, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-us-employment-2020", estimate="true")
    return {("publications", "reference_values", line, "estimate", "reference-estimate")}


def reference_unit_dimension(root, tables):
    line = tables.update("reference_values", "value_id", "mcs2025-ree-us-employment-2020", unit="t")
    return {("publications", "reference_values", line, "unit", "reference-unit-dimension")}


def reference_footnote_not_printed(root, tables):
    rows = tables.read("reference_footnotes")
    (quota,) = [i for i, row in enumerate(rows) if row["mark"] == "14"]
    rows[quota]["text"] = "Production quota."
    tables.write("reference_footnotes", rows)
    line = tables.line_of("reference_footnotes", "text", "Production quota.")
    return {("publications", "reference_footnotes", line, "text", "reference-footnote-printed")}


def reference_other_copy(root, tables):
    line = tables.update("reference_publications", "publication_id", PUBLICATION, sha256="0" * 64)
    return {("publications", "reference_publications", line, "sha256", "reference-document-sha256")}


def reference_copy_not_named(root, tables):
    line = tables.update("reference_publications", "publication_id", PUBLICATION, file="", sha256="")
    return {("publications", "reference_publications", line, "file", "reference-document-recorded")}


def reference_not_a_pdf(root, tables):
    """The references folder beside seeds/ holds a file of the recorded name and sha256 that is no PDF."""
    folder = root / "references"
    folder.mkdir()
    fake = folder / "mcs2025-rare-earths.pdf"
    fake.write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    sha256 = hashlib.sha256(fake.read_bytes()).hexdigest()
    line = tables.update("reference_publications", "publication_id", PUBLICATION, sha256=sha256)
    return {("publications", "reference_publications", line, "file", "reference-document-readable")}


def reference_tables_missing(root, tables):
    descriptor_edit(
        root, lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "reference_footnotes"])
    )
    return {
        ("publications", "reference_values", None, None, "reference-value-printed-unevaluable"),
        ("crosscheck", "reference_comparisons", None, None, "crosscheck-unevaluable"),
    }


def comparison_rule_incomplete(root, tables):
    line = tables.update("reference_comparisons", "metric", "share_of_world_mining", total_subject_id="")
    return {("crosscheck", "reference_comparisons", line, "comparison", "comparison-rule")}


def verdict_edited_by_hand(root, tables):
    path = root / "verdicts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("s000-f04,inconsistent", "s000-f04,consistent"))
    _rehash(root, "verdicts")
    line = 1 + next(i for i, row in enumerate(path.read_text().splitlines()) if row.startswith("s000-f04,"))
    return {
        ("crosscheck", "verdicts", line, "verdict", "verdicts-current"),
        ("structure", "verdicts", None, "parquet", "parquet-matches-csv"),  # its Parquet file says otherwise
    }


def reference_folder_missing(root, tables):
    """Validated with a references folder that does not exist (see `Defect.references`)."""
    return {("publications", None, None, None, "reference-folder")}


DEFECTS = (
    [
        Defect(f.__name__, f)
        for f in (
            resources_not_a_list,
            resource_not_an_object,
            resource_without_a_name,
            resource_named_twice,
            path_outside,
            schema_not_json,
            schema_without_fields,
            package_name,
            version_not_semver,
            field_name_control_character,
            field_declared_twice,
            missing_values_other_than_empty,
            field_type_unsupported,
            pattern_rust_refuses,
            enum_of_the_wrong_type,
            length_of_a_number,
            primary_key_unknown_field,
            foreign_key_unknown_field,
            foreign_key_unknown_resource,
            schema_not_table_schema,
            csv_missing,
            csv_blank_row,
            delimiter,
            header_duplicate,
            header_extra,
            header_order,
            cell_of_the_wrong_type,
            required_missing,
            enum,
            pattern_and_max_length,
            minimum_and_maximum,
            exclusive_bounds,
            min_length,
            unique,
            primary_key,
            formula,
            unit_range,
            unit_unknown,
            whole_number,
            bounds_out_of_order,
            qualifier_bounds,
            qualifier_unknown,
            metric_dimension,
            period_after_publication,
            period_no_calendar_date,
            date_after_publication,
            date_of_an_unknown_source,
            attribution_basis_without_credit,
            period_basis_disagrees,
            period_basis_of_an_unknown_source,
            related_figure_not_named_back,
            related_figure_unknown,
            event_interval_of_one_day,
            publication_interval_of_one_day,
            interval_precision_unknown,
            metric_dimension_unknown,
            unit_base,
            unit_base_unknown,
            unit_range_order,
            source_file_outside,
            source_file_missing,
            source_file_too_large,
            source_altered,
            source_not_utf8,
            quote_moved,
            as_written_outside_quote,
            mention_not_an_alias,
            dangling_entity,
            broken_sum,
            known_inconsistency,
            check_terms_misfit,
            overflowing_conversion,
            unaccounted_number,
            new_conflict,
            as_written_without_a_number,
            date_as_written_without_a_date,
            period_as_written_without_a_date,
            date_resolution_missing,
            number_words_missing,
        )
    ]
    + [
        Defect(f.__name__, f, on="built")
        for f in (
            built_bytes,
            built_hash,
            parquet_unreadable,
            parquet_swapped,
            parquet_other_types,
            verdict_edited_by_hand,
            release_file_missing,
            release_files_not_a_list,
            release_file_altered,
        )
    ]
    + [
        Defect(f.__name__, f, references="shared")
        for f in (
            reference_value_as_printed,
            reference_value_not_printed,
            reference_cell_left_out,
            reference_marks_not_printed,
            reference_mark_unknown,
            reference_estimate,
            reference_unit_dimension,
            reference_footnote_not_printed,
            reference_other_copy,
            reference_copy_not_named,
            reference_tables_missing,
            comparison_rule_incomplete,
        )
    ]
    + [
        Defect(reference_not_a_pdf.__name__, reference_not_a_pdf),
        Defect(reference_folder_missing.__name__, reference_folder_missing, references="missing"),
    ]
)
