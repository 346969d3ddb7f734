"""The units vocabulary agrees with pint: each unit's pint expression converts to its base unit by exactly
`to_base_factor`, and units of one base share a dimensionality. Each currency is a pint dimension of its
own (no fixed rate converts one into another), so a dimension may have several base units."""

from __future__ import annotations

import math

import pint
from conftest import REPO, Tables

ROWS = Tables(REPO).read("units")


def registry() -> pint.UnitRegistry:
    units = pint.UnitRegistry()
    for row in ROWS:
        if row["dimension"] == "currency":
            units.define(f"{row['pint']} = [currency_{row['pint']}]")
    units.define("REO_ton = [rare_earth_oxide]")  # its own dimension: never converted to plain mass
    if "count" not in units:
        units.define("count = []")
    units.define("basis_point = 0.01 * percent")
    return units


def test_units_convert_to_their_base_as_pint_says():
    units = registry()
    rows = {row["unit_id"]: row for row in ROWS}
    for unit_id, row in rows.items():
        base = rows[row["base_unit_id"]]
        converted = units.Quantity(1, row["pint"]).to(base["pint"]).magnitude
        assert math.isclose(converted, float(row["to_base_factor"]), rel_tol=1e-12), unit_id


def test_units_of_one_base_share_pint_dimensionality():
    units = registry()
    by_base: dict[str, set] = {}
    for row in ROWS:
        by_base.setdefault(row["base_unit_id"], set()).add(units.Quantity(1, row["pint"]).dimensionality)
    assert all(len(found) == 1 for found in by_base.values()), by_base


def test_a_dimensions_several_bases_are_ones_no_factor_converts():
    """Currencies and the temperature scales: where a dimension has more than one base, pint either cannot
    convert one base into another (currencies) or needs an offset to (0 degC is 32 degF)."""
    units = registry()
    bases: dict[str, list[str]] = {}
    for row in ROWS:
        if row["unit_id"] == row["base_unit_id"]:
            bases.setdefault(row["dimension"], []).append(row["pint"])
    pairs = [(a, b) for pints in bases.values() for a in pints for b in pints if a != b]
    assert pairs
    for first, second in pairs:
        zero = units.Quantity(0, first)
        if zero.dimensionality == units.Quantity(1, second).dimensionality:
            assert zero.to(second).magnitude != 0, (first, second)
