"""Labelled views: what each Table Schema names as its label fields, and the columns decoded from them."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import REPO

import redata
from redata import schema as table_schema
from redata.errors import CannotRun
from redata.labels import decoded_columns, label_fields, labelled_columns, labelled_polars


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    return {
        r["name"]: json.loads((REPO / "datapackage" / r["schema"]).read_text(encoding="utf-8"))
        for r in descriptor["resources"]
    }


def test_every_referenced_table_names_label_fields_of_its_own(schemas):
    problems = []
    for name, schema in schemas.items():
        for key in table_schema.foreign_keys(schema):
            target = key["resource"] or name
            if not label_fields(schemas[target]):
                problems.append(f"{name}.{key['fields']} refers to {target}, which names no labelFields")
        missing = set(label_fields(schema)) - set(table_schema.field_names(schema))
        if missing:
            problems.append(f"{name}: labelFields names {missing}, which are not its fields")
    assert problems == []
    assert all(decoded_columns(name, schemas) is not None for name in schemas)  # every table decodes


def test_the_figures_view_decodes_each_code_beside_it(schemas):
    columns = [column for column, _ in labelled_columns("figures", schemas)]
    assert columns[:3] == ["figure_id", "source_id", "source_title"]
    decoded = {d.column: (d.field, d.resource, d.label) for d in decoded_columns("figures", schemas)}
    assert decoded == {
        "source_title": ("source_id", "sources", "title"),
        "source_publisher": ("source_id", "sources", "publisher"),
        "unit_name": ("unit", "units", "name"),
        "unit_in_words_name": ("unit_in_words", "units", "name"),
        "qualifier_implies": ("qualifier", "qualifiers", "implies"),
        "metric_description": ("metric", "metrics", "description"),
        "subject_name": ("subject_id", "entities", "name"),
        "attributed_to_name": ("attributed_to_id", "entities", "name"),
        "related_figure_as_written": ("related_figure_id", "figures", "as_written"),  # a key into its own table
    }
    assert columns.index("subject_name") == columns.index("subject_id") + 1


def test_schemas_that_cannot_be_decoded_are_refused(schemas):
    broken = copy.deepcopy(schemas)
    broken["entities"]["labelFields"] = ["nickname"]
    with pytest.raises(CannotRun, match="labelFields names 'nickname'"):
        decoded_columns("figures", broken)
    broken = copy.deepcopy(schemas)
    del broken["metrics"]["labelFields"]
    with pytest.raises(CannotRun, match="names no labelFields"):
        decoded_columns("figures", broken)
    broken = copy.deepcopy(schemas)
    broken["figures"]["fields"].append({"name": "subject_name", "type": "string"})
    with pytest.raises(CannotRun, match="would take the name of another"):
        decoded_columns("figures", broken)


def test_polars_and_pandas_views_agree(built):
    """The site's polars view of the source package and the loader's pandas view of the release."""
    from redata.checks import ROW
    from redata.validation import run

    _, context = run(REPO / "datapackage")
    frames = {name: table.frame.drop(ROW) for name, table in context.tables.items()}
    schemas = {name: table.schema for name, table in context.tables.items()}
    for name in ("figures", "relations", "element_groups"):
        polars_rows = labelled_polars(name, frames, schemas).to_dicts()
        pandas_frame = redata.load(name, built, labels=True)
        pandas_rows = pandas_frame.astype(object).where(pandas_frame.notna(), None).to_dict("records")
        assert polars_rows == pandas_rows, name
