"""`redata propose` on each seed article, scored against the curated rows as the answer key.

    python benchmarks/propose_accuracy.py [--write benchmarks/PROPOSE.md]

Figure recall: curated figures whose `as_written` span overlaps a proposed figure's. Exact: recalled figures
whose value, bounds, unit and qualifier are the curated ones (and, apart, the same quantity once converted
through the units vocabulary). Precision: proposed figures whose span overlaps a curated figure's or a curated
exclusion's. Then how often the suggested metric, subject, period and attribution, and how each period and
credit was decided (`period_basis`, `attribution_basis`), are the curated ones, and how the proposed
exclusions and events meet the curated ones.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from redata.proposals import proposal_format, read_proposals  # noqa: E402
from redata.propose import propose  # noqa: E402

VALUES = ("value", "value_low", "value_high", "unit", "qualifier")
SUGGESTED = ("metric", "subject_id", "period", "period_basis", "attributed_to_id", "attribution_basis")


def rows(name: str) -> list[dict[str, str]]:
    with (REPO / "datapackage" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def span(row: dict[str, str], field: str = "as_written") -> tuple[int, int]:
    """Where the row's words sit in the text: their first occurrence inside its quote."""
    at = row["quote"].find(row[field])
    start = int(row["char_start"]) + max(at, 0)
    return start, start + len(row[field])


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def same_number(a: str, b: str) -> bool:
    try:
        return (a or "") == (b or "") or (bool(a) and bool(b) and float(a) == float(b))
    except ValueError:  # a unit or a qualifier: compared as written
        return False


def converted(row: dict[str, str], units: dict[str, dict[str, str]]) -> tuple:
    unit = units.get(row["unit"]) or {"base_unit_id": row["unit"], "to_base_factor": "1"}
    factor = float(unit["to_base_factor"])
    numbers = tuple(round(float(row[f]) * factor, 9) if row[f] else None for f in ("value", "value_low", "value_high"))
    return (*numbers, unit["base_unit_id"], row["qualifier"])


def score(source_id: str, folder: Path) -> dict:
    from redata.package import open_package

    out = folder / f"{source_id}.csv"
    started = time.perf_counter()
    propose(source_id, REPO / "datapackage", out)
    seconds = time.perf_counter() - started
    proposed = read_proposals(out, proposal_format(open_package(REPO / "datapackage")))
    excluded = [r for r in rows("exclusions") if r["source_id"] == source_id]
    return (
        {"source": source_id, "seconds": seconds}
        | _figures(proposed, source_id, excluded)
        | _exclusions(proposed, excluded)
        | _events(proposed, source_id)
    )


def _figures(proposed, source_id: str, excluded: list[dict[str, str]]) -> dict:
    figures = [p.cells for p in proposed if p.table == "figures"]
    curated = [r for r in rows("figures") if r["source_id"] == source_id]
    units = {r["unit_id"]: r for r in rows("units")}
    pairs = [(c, next((p for p in figures if overlaps(span(p), span(c))), None)) for c in curated]
    recalled = [(c, p) for c, p in pairs if p is not None]
    return {
        "curated": len(curated),
        "proposed": len(figures),
        "recalled": len(recalled),
        "exact": sum(_same_values(c, p) for c, p in recalled),
        "same_quantity": sum(converted(c, units) == converted(p, units) for c, p in recalled),
        "precise": sum(any(overlaps(span(p), span(k)) for k in curated + excluded) for p in figures),
        "missed": [c["as_written"] for c, p in pairs if p is None],
        "wrong": _differing(recalled, units),
    } | {name: sum(c[name] == p[name] for c, p in recalled) for name in SUGGESTED}


def _differing(recalled: list[tuple[dict, dict]], units: dict[str, dict[str, str]]) -> list:
    """The recalled figures whose quantity or qualifier is not the curated one, with the fields that differ."""
    return [
        (c["as_written"], [(f, c[f], p[f]) for f in VALUES if not same_number(c[f], p[f])])
        for c, p in recalled
        if converted(c, units) != converted(p, units) or c["qualifier"] != p["qualifier"]
    ]


def _same_values(curated: dict[str, str], proposed: dict[str, str]) -> bool:
    """Value, bounds, unit and qualifier as curated: numbers compared as numbers, the rest as written."""
    return all(
        same_number(curated[f], proposed[f]) if f.startswith("value") else curated[f] == proposed[f] for f in VALUES
    )


def _exclusions(proposed, excluded) -> dict:
    mine = [p.cells for p in proposed if p.table == "exclusions"]
    found = [(k, next((p for p in mine if overlaps(span(p), span(k))), None)) for k in excluded]
    return {
        "exclusions_curated": len(excluded),
        "exclusions_proposed": len(mine),
        "exclusions_recalled": sum(p is not None for _, p in found),
        "exclusions_same_reason": sum(p is not None and p["reason"] == k["reason"] for k, p in found),
    }


def _events(proposed, source_id: str) -> dict:
    mine = [p.cells for p in proposed if p.table == "events"]
    curated = [r for r in rows("events") if r["source_id"] == source_id]
    found = [
        (e, next((p for p in mine if overlaps(span(p, "date_as_written"), span(e, "date_as_written"))), None))
        for e in curated
    ]
    return {
        "events_curated": len(curated),
        "events_proposed": len(mine),
        "events_recalled": sum(p is not None for _, p in found),
        "events_same_date": sum(p is not None and p["date"] == e["date"] for e, p in found),
        "events_same_kind": sum(p is not None and p["kind"] == e["kind"] for e, p in found),
    }


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def report(results: list[dict]) -> str:
    total = {key: sum(r[key] for r in results) for key in results[0] if isinstance(results[0][key], int)}
    lines = [
        "| measure | " + " | ".join(r["source"] for r in results) + " | both | target |",
        "|---|" + "---|" * (len(results) + 2),
    ]

    def row(label, part, whole, target=""):
        cells = [percent(r[part], r[whole]) for r in results] + [percent(total[part], total[whole])]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row("figure recall", "recalled", "curated", "≥ 95%")
    row("exact value/bounds/unit/qualifier, of recalled", "exact", "recalled", "≥ 95%")
    row("same quantity once converted (units), of recalled", "same_quantity", "recalled")
    row("precision (figure or exclusion)", "precise", "proposed", "≥ 80%")
    for name in SUGGESTED:
        row(f"`{name}` as curated, of recalled", name, "recalled")
    row("exclusions recalled", "exclusions_recalled", "exclusions_curated")
    row("exclusions with the curated reason", "exclusions_same_reason", "exclusions_curated")
    row("events recalled (date words overlap)", "events_recalled", "events_curated")
    row("events with the curated date", "events_same_date", "events_curated")
    row("events with the curated kind", "events_same_kind", "events_curated")
    lines.append("")
    for r in results:
        lines.append(
            f"- {r['source']}: {r['seconds']:.2f} s; missed {r['missed'] or 'none'}; differing {r['wrong'] or 'none'}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write the table into this Markdown file")
    arguments = parser.parse_args()
    sources = [r["source_id"] for r in rows("sources")]
    with tempfile.TemporaryDirectory() as folder:
        results = [score(source_id, Path(folder)) for source_id in sources]
    table = report(results)
    print(table)
    if arguments.write:
        from sentence_splitters import table as splitters

        arguments.write.write_text(HEADER + table + "\n" + SPLITTERS + splitters() + "\n", encoding="utf-8")


HEADER = """# `redata propose` against the curated rows of the seed articles

Measured with `python benchmarks/propose_accuracy.py --write benchmarks/PROPOSE.md` (the curated figures,
exclusions and events of each seed are the answer key; see the script's docstring for each measure).

"""

SPLITTERS = """
## Sentence splitters

A figure's quote is its sentence, so the splitter decides what a curator reads. pysbd and syntok compared on
the seeds (`python benchmarks/sentence_splitters.py`, also run by the command above; see its docstring for
the measures). Neither cuts a curated number; syntok joins a caption or byline line to the paragraph after
it (the sentences "across a line break"), which would make a figure's quote begin with a photo credit. pysbd
keeps them apart (with `redata.sentences` joining back only a line that ends without punctuation and is
followed by a lower-case one) and is used; both are fast enough (under 0.1 s an article).

"""

if __name__ == "__main__":
    main()
