"""The consistency layer judges a check only when its terms have the shape its kind needs: any other shape is one
`check-terms` error at the check's row, saying what the kind needs, never a verdict on the wrong terms."""

from __future__ import annotations

import pytest
from conftest import problems_of

from redata import validate


def _role(check: str, figure: str, role: str):
    return lambda rows: [{**r, "role": role} if (r["check_id"], r["figure_id"]) == (check, figure) else r for r in rows]


def _without(check: str, figure: str | None = None):
    return lambda rows: [r for r in rows if r["check_id"] != check or figure not in (None, r["figure_id"])]


SHAPES = [
    ("ev-production-by-maker", _role("ev-production-by-maker", "s003-f08", "part"), "exactly one total"),
    (
        "usgs-rare-earths-within-critical-minerals",
        _without("usgs-rare-earths-within-critical-minerals", "s000-f06"),
        "either one whole or a limit",
    ),
    (
        "rem-market-growth-2024-2034",
        _without("rem-market-growth-2024-2034", "s003-f26"),
        "one start, one end and one rate",
    ),
    ("magnet-rare-earths-within-vehicle", _without("magnet-rare-earths-within-vehicle"), "has no terms"),
    (
        "china-us-world-mining-shares",
        _role("china-us-world-mining-shares", "s003-f03", "total"),
        "takes the roles part, whole only",
    ),
]


@pytest.mark.parametrize(("check", "edit", "says"), SHAPES, ids=[check for check, _, _ in SHAPES])
def test_terms_of_the_wrong_shape_are_one_error_saying_what_the_kind_needs(source, tables, check, edit, says):
    tables.write("check_terms", edit(tables.read("check_terms")))
    report = validate(source / "datapackage")
    line = tables.line_of("checks", "check_id", check)
    assert problems_of(report) == {("consistency", "checks", line, "check_id", "check-terms")}
    [problem] = [p for p in report.problems if p.rule == "check-terms"]
    assert says in problem.message, problem.message
