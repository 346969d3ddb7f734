"""On a built package seeded with defects, `redata validate` finds every defect `frictionless validate`
finds (same table, row and field), and more."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import Tables, run_cli


def seed_defects(package: Path) -> None:
    """One defect of each kind frictionless checks, in rows before any multi-line value (so that
    frictionless's row numbers and CSV line numbers agree)."""
    tables = Tables(package.parent)  # Tables reads <root>/datapackage/<table>.csv
    figures = tables.read("figures")
    figures[0]["char_start"] = "abc"  # type
    figures[1]["figure_id"] = ""  # required (and primary key)
    figures[2]["char_end"] = "-4"  # minimum
    figures[3]["subject_id"] = "atlantis"  # foreign key
    figures[4]["as_written"] = "x" * 400  # maxLength
    tables.write("figures", figures)
    entities = tables.read("entities")
    entities[1]["entity_id"] = entities[0]["entity_id"]  # primary key / unique
    entities[2]["type"] = "planet"  # enum
    entities[3]["entity_id"] = "Not A Slug"  # pattern
    tables.write("entities", entities)


def frictionless_errors(descriptor: Path) -> set[tuple]:
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "--json", descriptor.name],
        cwd=descriptor.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    found = set()
    for task in report["tasks"]:
        for error in task["errors"]:
            found.add((task["name"], error.get("rowNumber"), error.get("fieldName")))
    return found


def test_redata_finds_every_defect_frictionless_finds(built, tmp_path):
    package = tmp_path / "datapackage"  # a built package laid out where Tables can edit it
    shutil.copytree(built, package)
    seed_defects(package)
    theirs = frictionless_errors(package / "datapackage.json")
    result = run_cli("validate", package / "datapackage.json", "--format", "json")
    assert result.code == 1
    ours = {
        (p["table"], p["row"], p["field"]) for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"
    }
    located = {error for error in theirs if error[1] is not None}
    assert len(located) >= 8, theirs  # every seeded defect was seen by frictionless too

    counted = {o[0] for o in ours if o[1] is None}  # tables where a rule listed its first rows and counted the rest

    def found(error) -> bool:
        """Same table and row; the same field too, where frictionless names one (it names none for keys). A
        rule failing on more than MAX_ROWS_PER_RULE rows counts those it does not list."""
        table, row, field = error
        listed = any(o[:2] == (table, row) and (field is None or field in (o[2] or "").split(",")) for o in ours)
        return listed or table in counted

    assert {error for error in located if not found(error)} == set()
    for table, _row, _field in theirs - located:  # whole-table errors (the altered files' hash and size)
        assert any(o[0] == table for o in ours), table
    # and more: redata locates defects frictionless does not see (a mention that no longer quotes an alias of its
    # entity, a published verdict the edited figures no longer give)
    assert {o[:2] for o in ours if o[1] is not None} - {t[:2] for t in located}
