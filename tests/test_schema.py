"""Table Schemas are the single source of truth: editing one changes what validate checks and what the
Parquet says, with no code change; every schema is valid Table Schema 2.0."""

from __future__ import annotations

import json

import jsonschema
import pyarrow.parquet as pq
from conftest import BUILT_NAME, PROFILES, REPO, Tables, cli, edit_json, errors_of
from hypothesis import given, settings
from hypothesis import strategies as st

from redata import schema as table_schema
from redata import validate
from redata.checks.descriptor import profile_problems

SCHEMAS = sorted((REPO / "schemas").glob("*.json"))


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["name"] == name)


def test_every_schema_is_table_schema_2():
    profile = json.loads((PROFILES / "tableschema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(profile)
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert list(validator.iter_errors(schema)) == [], path.name
        assert table_schema.schema_errors(schema, {p.stem: json.loads(p.read_text()) for p in SCHEMAS}) == [], path.name


FIELDS = [field for path in SCHEMAS for field in json.loads(path.read_text(encoding="utf-8"))["fields"]]
FIELD_KEYS = ["type", "name", "format", "constraints", "title", "bareNumber", "trueValues", "categories", "rdfType"]
TYPES = ["string", "number", "integer", "date", "year", "boolean", "any", "list", "String", ""]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
ANY_JSON = st.recursive(
    SCALARS | st.text(max_size=6) | st.sampled_from(TYPES),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=6,
)


# cheap: many more examples than the profile's dozen, since it stands for the whole profile's verdict
@settings(max_examples=300)
@given(field=st.sampled_from(FIELDS), key=st.sampled_from(FIELD_KEYS), value=ANY_JSON, drop=st.booleans())
def test_a_field_checked_by_its_type_has_the_verdict_of_the_whole_profile(field, key, value, drop):
    field = {k: v for k, v in field.items() if k != key} if drop else {**field, key: value}
    schema = {"fields": [{"name": "id"}, field]}
    descriptor = {"name": "p", "resources": [{"name": "t", "path": "t.csv", "schema": schema}]}
    for profile, instance in (("tableschema.json", schema), ("datapackage.json", descriptor)):
        whole = jsonschema.Draft7Validator(json.loads((PROFILES / profile).read_text(encoding="utf-8")))
        assert (profile_problems(instance, profile, "t") == []) == whole.is_valid(instance), profile


def test_a_field_error_names_the_property_at_fault():
    fields = [{"name": "share", "type": "number", "bareNumber": "no"}, {"name": "code", "format": 3}]
    problems = profile_problems({"fields": fields}, "tableschema.json", "t")
    assert [(p.field, p.message.removeprefix("not valid tableschema.json: ")) for p in problems] == [
        ("fields/0/bareNumber", "'no' is not of type 'boolean'"),
        ("fields/1/format", "3 is not one of ['default', 'email', 'uri', 'binary', 'uuid']"),
    ]
    descriptor = {"name": "p", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": fields}}]}
    assert [p.field for p in profile_problems(descriptor, "datapackage.json", None)] == [
        "resources/0/schema/fields/0/bareNumber",
        "resources/0/schema/fields/1/format",
    ]
    [problem] = profile_problems({"fields": [{"name": "n", "type": "float"}]}, "tableschema.json", "t")
    assert problem.field == "fields/0/type"
    assert "'float' is not one of ['string', 'number', 'integer'" in problem.message


def test_every_table_has_a_schema_and_a_csv():
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    # proposals.json describes the proposals file `redata accept` reads, not a table of the package
    assert sorted(names) == sorted(p.stem for p in SCHEMAS if p.stem != "proposals")
    for name in names:
        assert (REPO / "datapackage" / f"{name}.csv").is_file()


def test_a_range_edited_in_the_schema_changes_what_validate_checks(source):
    tables = Tables(source)
    rows = [r for r in tables.read("figures")]
    limit = 1000
    expected = {
        ("structure", "figures", tables.line_of("figures", "figure_id", r["figure_id"]), "char_start", "maximum")
        for r in rows
        if int(r["char_start"]) > limit
    }
    assert expected, "the edit must bite on the real data"
    edit_json(
        source / "schemas" / "figures.json", lambda s: _field(s, "char_start")["constraints"].update(maximum=limit)
    )
    assert set(errors_of(validate(source / "datapackage"))) == expected


def test_a_type_edited_in_the_schema_changes_pandera_and_parquet(source, tmp_path):
    path = source / "schemas" / "figures.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    assert str(table_schema.pandera_schema(before).columns["char_end"].dtype) == "Int64"
    edit_json(path, lambda s: _field(s, "char_end").update(type="number"))
    after = json.loads(path.read_text(encoding="utf-8"))
    assert str(table_schema.pandera_schema(after).columns["char_end"].dtype) == "Float64"
    assert str(table_schema.arrow_schema(after).field("char_end").type) == "double"

    result = cli("build", source / "datapackage", "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    built = tmp_path / "out" / BUILT_NAME / "figures.parquet"
    assert str(pq.read_schema(built).field("char_end").type) == "double"


def test_a_type_narrowed_in_the_schema_is_enforced(source):
    """number -> integer: every fractional value becomes a type error, located."""
    tables = Tables(source)
    fractional = [r for r in tables.read("figures") if r["value"] and float(r["value"]) != int(float(r["value"]))]
    assert fractional
    edit_json(source / "schemas" / "figures.json", lambda s: _field(s, "value").update(type="integer"))
    errors = {e for e in errors_of(validate(source / "datapackage")) if e[0] == "structure"}
    expected = {
        ("structure", "figures", tables.line_of("figures", "figure_id", r["figure_id"]), "value", "type")
        for r in fractional
    }
    assert errors == expected


def test_data_dictionary_lists_every_field_with_its_description():
    schemas = [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in SCHEMAS]
    text = table_schema.data_dictionary(schemas)
    for name, schema in schemas:
        assert f"## `{name}`" in text
        for field in schema["fields"]:
            assert f"| `{field['name']}` |" in text
            assert field["description"].replace("|", "\\|") in text


def test_arrow_schema_follows_the_table_schema():
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        arrow = table_schema.arrow_schema(schema)
        assert arrow.names == [f["name"] for f in schema["fields"]]
        for field in schema["fields"]:
            arrow_field = arrow.field(field["name"])
            assert arrow_field.metadata[b"description"].decode() == field["description"]
            assert str(arrow_field.type).startswith("dictionary") == ("enum" in field.get("constraints", {}))
            assert arrow_field.nullable == (field["name"] not in table_schema.required_fields(schema))
