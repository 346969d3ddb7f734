"""Any input at all: a package mutated at random, by bytes or by structure, gives exit 0, 1 or 2, never a
traceback or an internal error; and a mutation an independent oracle knows to be invalid never gives exit 0.

Hypothesis runs derandomized where the environment variable CI is set (see conftest.py), a dozen examples a
test; HYPOTHESIS_PROFILE=thorough explores 300 new examples a test.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from conftest import REPO, Tables, cli, copy_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FILES = [
    "datapackage/datapackage.json",
    "schemas/figures.json",
    "datapackage/figures.csv",
    "datapackage/sources.csv",
    "seeds/003_ad337d1af4783e68.txt",
    "datapackage/check_terms.csv",
]


def outcome(root: Path) -> tuple[int, str]:
    result = cli("validate", root / "datapackage")
    output = result.stdout + result.stderr
    assert result.code in (0, 1, 2), output[-2000:]
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    return result.code, output


@st.composite
def byte_mutations(draw):
    name = draw(st.sampled_from(FILES))
    data = (REPO / name).read_bytes()
    kind = draw(st.sampled_from(["insert", "delete", "truncate", "overwrite"]))
    at = draw(st.integers(0, len(data)))
    if kind == "insert":
        data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    elif kind == "delete":
        data = data[:at] + data[at + draw(st.integers(1, 256)) :]
    elif kind == "truncate":
        data = data[:at]
    else:
        junk = draw(st.binary(min_size=1, max_size=64))
        data = data[:at] + junk + data[at + len(junk) :]
    return name, data


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_mutations())
def test_any_mutated_byte_gives_an_exit_code_never_a_traceback(mutation):
    name, data = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = copy_source(Path(folder))
        (root / name).write_bytes(data)
        outcome(root)


# ---------------------------------------------------------------- structure: cells, schemas, descriptors, headers

# (cell value, which field types it is surely invalid for): the oracle's knowledge, written from the Table
# Schema spec and the package's rules, not from redata's code.
EDGE_VALUES = [
    ("0000-01-01", {"date", "integer", "number", "boolean"}),
    ("9999-12-31", {"integer", "number", "boolean"}),
    ("2025-02-30", {"date", "integer", "number", "boolean"}),
    ("1e400", {"date", "integer", "number", "boolean"}),
    ("1e-400", {"date", "integer", "number", "boolean"}),
    ("-0", {"date", "boolean"}),
    ("9223372036854775808", {"date", "integer", "boolean"}),
    ("NaN", {"date", "integer", "number", "boolean"}),
    (" ", {"date", "integer", "number", "boolean"}),
    ("\u00a0", {"date", "integer", "number", "boolean"}),
    ("с", {"date", "integer", "number", "boolean"}),  # a Cyrillic es, like a Latin c
    ("١٢", {"date", "integer", "number", "boolean"}),  # Arabic-Indic digits
    ("=1+1", {"date", "integer", "number", "boolean", "string"}),  # a formula
    ("", set()),
]


def schema_types(table: str) -> dict[str, dict]:
    schema = json.loads((REPO / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
    return {field["name"]: field for field in schema["fields"]}


TABLES = ["figures", "units", "sources", "events", "elements", "checks"]


@st.composite
def cell_mutations(draw):
    table = draw(st.sampled_from(TABLES))
    fields = schema_types(table)
    name = draw(st.sampled_from(sorted(fields)))
    value, invalid_for = draw(st.sampled_from(EDGE_VALUES))
    rows = Tables(REPO).read(table)
    row = draw(st.integers(0, len(rows) - 1))
    field = fields[name]
    kind = field.get("type", "string")
    surely_invalid = kind in invalid_for or (value == "" and field.get("constraints", {}).get("required"))
    return table, row, name, value, surely_invalid


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell_mutations())
def test_an_edge_value_in_any_cell_is_reported_never_crashes(mutation):
    table, row, name, value, surely_invalid = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = copy_source(Path(folder))
        tables = Tables(root)
        rows = tables.read(table)
        rows[row][name] = value
        tables.write(table, rows)
        code, output = outcome(root)
    if surely_invalid:
        assert code != 0, (table, row, name, value)


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.recursive(st.lists(st.none(), max_size=1), lambda inner: st.lists(inner, max_size=1), max_leaves=80),
)
# Keys whose value a package must have as written: any other value (the oracle knows) makes it invalid.
SCHEMA_KEYS = ["fields", "primaryKey", "foreignKeys", "missingValues"]
DESCRIPTOR_KEYS = ["name", "version", "resources", "licenses", "created", "keywords"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(["schema", "descriptor", "field", "constraint"]),
    key_index=st.integers(0, 5),
    value=JSON_VALUES,
)
def test_any_json_in_a_schema_or_descriptor_is_reported_never_crashes(where, key_index, value):
    with tempfile.TemporaryDirectory() as folder:
        root = copy_source(Path(folder))
        if where == "descriptor":
            path, keys = root / "datapackage" / "datapackage.json", DESCRIPTOR_KEYS
        else:
            path, keys = root / "schemas" / "units.json", SCHEMA_KEYS
        document = json.loads(path.read_text(encoding="utf-8"))
        original = json.dumps(document, sort_keys=True)
        if where == "field":
            target, key = document["fields"][5], ["type", "name", "constraints", "format"][key_index % 4]
        elif where == "constraint":
            target = document["fields"][5].setdefault("constraints", {})
            key = ["minimum", "maximum", "enum", "pattern", "required", "maxLength"][key_index]
        else:
            target, key = document, keys[key_index % len(keys)]
        target[key] = value
        path.write_text(json.dumps(document), encoding="utf-8")
        code, _ = outcome(root)
    changed = json.dumps(document, sort_keys=True) != original
    must_fail = where in ("schema", "descriptor") and key in ("fields", "resources", "name", "version") and changed
    if must_fail:
        assert code != 0, (where, key, value)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labels=st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=12))
def test_any_header_is_reported_never_crashes(labels):
    with tempfile.TemporaryDirectory() as folder:
        root = copy_source(Path(folder))
        path = root / "datapackage" / "units.csv"
        expected = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(labels)
        header = buffer.getvalue()
        path.write_text(header + path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
        code, _ = outcome(root)
    if labels != expected:
        assert code != 0, labels
