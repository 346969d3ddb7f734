"""The units vocabulary agrees with pint: each unit's pint expression has its dimension's dimensionality
and converts to its base unit by exactly `to_base_factor`."""

from __future__ import annotations

import math

import pint
from conftest import REPO, Tables


def registry() -> pint.UnitRegistry:
    units = pint.UnitRegistry()
    units.define("USD = [currency]")
    units.define("REO_ton = [rare_earth_oxide]")  # its own dimension: never converted to plain mass
    if "count" not in units:
        units.define("count = []")
    return units


def test_units_convert_to_their_base_as_pint_says():
    units = registry()
    rows = {row["unit_id"]: row for row in Tables(REPO).read("units")}
    for unit_id, row in rows.items():
        base = rows[row["base_unit_id"]]
        converted = units.Quantity(1, row["pint"]).to(base["pint"]).magnitude
        assert math.isclose(converted, float(row["to_base_factor"]), rel_tol=1e-12), unit_id


def test_units_of_one_dimension_share_pint_dimensionality():
    units = registry()
    by_dimension: dict[str, set] = {}
    for row in Tables(REPO).read("units"):
        by_dimension.setdefault(row["dimension"], set()).add(units.Quantity(1, row["pint"]).dimensionality)
    assert all(len(found) == 1 for found in by_dimension.values()), by_dimension
