"""The site's charts: each a Vega-Lite specification built from the package's rows, rendered to static SVG.

A chart names the metrics (vocabulary ids) it draws; the rows come from the labelled tables. Each chart
keeps the rows it shows, so that its page can list them, and a text alternative made of the sources' own
words (`as_written`). Rendering runs Vega-Lite in-process (vl-convert) with every external URL refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
VEGA_LITE_VERSION = "5.21"
WIDTH = 560
# A chart draws at most this many rows: more cannot be read as marks (the synthetic package's 5,000 shares
# of 10,000 figures took Vega 150 s to lay out); its page then lists the rows without a drawing.
MAX_DRAWN_ROWS = 200
# The stages of the supply chain a share of world production is stated for, in order, and their short names.
SHARE_STAGES = {
    "share_of_world_mining": "mining",
    "share_of_world_refining": "refining",
    "share_of_world_magnet_production": "magnets",
}
COST_METRICS = ("mining_and_oxide_conversion_cost",)
EV_BREAKDOWN = {"metric": "ev_production_in_china_by_maker_group", "period": "2024"}
# A verdict (from the reference cross-check, where the package has one) gives the reference value here.
VERDICT_REFERENCE_VALUE = "reference_value"


@dataclass
class Chart:
    """One chart: its page name, title, what it shows, the rows it shows, its spec and text alternative."""

    slug: str
    title: str
    description: str
    table: str  # the table its rows come from: `figures` or `events`
    rows: list[dict[str, Any]]
    spec: dict[str, Any]
    text: str
    svg: str = field(default="", repr=False)  # empty where there is nothing, or too much, to draw

    @property
    def drawn(self) -> bool:
        return bool(self.svg)


def charts(rows: dict[str, list[dict[str, Any]]]) -> list[Chart]:
    """Every chart of the site, from the labelled rows of each table (rows["figures"], rows["events"], ...)."""
    made = [shares(rows), costs(rows), ev_breakdown(rows), timeline(rows)]
    for chart in made:
        chart.svg = render(chart.spec) if 0 < len(chart.rows) <= MAX_DRAWN_ROWS else ""
    return made


def render(spec: dict[str, Any]) -> str:
    """The chart as SVG text, made without any network access."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])


def _spec(title: str, description: str, values: list[dict[str, Any]], **chart: Any) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE,
        "title": title,
        "description": description,
        "width": WIDTH,
        "data": {"values": values},
        "config": {"font": "sans-serif", "view": {"stroke": None}},
        **chart,
    }


def _source(row: dict[str, Any]) -> str:
    return f"{row['source_id']} ({row.get('source_publisher') or 'publisher not named'})"


def _period_words(period: str | None) -> str:
    """An ISO 8601 period as a reader says it (`../2023` is `until 2023`)."""
    if not period:
        return "no period stated"
    start, _, end = period.partition("/")
    if not end:
        return period
    if start == "..":
        return f"until {end}"
    return f"since {start}" if end == ".." else f"{start} to {end}"


def _interval(row: dict[str, Any]) -> tuple[float | None, float | None]:
    """The values a figure allows: a point, a range, or a bound open on one side (None)."""
    if row.get("value") is not None:
        return row["value"], row["value"]
    return row.get("value_low"), row.get("value_high")


# ---------------------------------------------------------------- shares of world production by stage


def shares(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """Each source's share of world production for each stage, a line for a range or bound, and the
    reference value where the verdicts give one."""
    figures = [f for f in rows.get("figures", []) if f["metric"] in SHARE_STAGES]
    references = _reference_values(rows, figures)
    values = [
        {
            "stage": SHARE_STAGES[f["metric"]],
            "source": f"{_source(f)}, {_period_words(f.get('period'))}",
            "subject": f["subject_name"],
            "low": _or(_interval(f)[0], 0),
            "high": _or(_interval(f)[1], 100),
            "point": f.get("value"),
            "label": f["as_written"],
            "reference": references.get(f["figure_id"]),
        }
        for f in figures
    ]
    description = "; ".join(
        f"{f['subject_name']}, {SHARE_STAGES[f['metric']]}: {f['as_written']} "
        f"({_source(f)}, {_period_words(f.get('period'))})"
        + (f", reference value {references[f['figure_id']]}" if f["figure_id"] in references else "")
        for f in figures
    )
    title = "Shares of world rare-earth production by stage, as each source states them"
    return Chart(
        slug="shares",
        title=title,
        description="China's and other countries' shares of world mining, refining and magnet production, one "
        "line per figure and source; a range or bound is drawn as a line.",
        table="figures",
        rows=figures,
        spec=_shares_spec(title, description, values, bool(references)),
        text=f"{title}. {description}." if figures else "",
    )


def _shares_spec(title: str, description: str, values: list[dict[str, Any]], references: bool) -> dict[str, Any]:
    x = {"type": "quantitative", "scale": {"domain": [0, 100]}, "title": "percent of world production"}
    layers = [
        {"mark": {"type": "rule", "strokeWidth": 3}, "encoding": {"x": {"field": "low", **x}, "x2": {"field": "high"}}},
        {"mark": {"type": "point", "filled": True, "size": 90}, "encoding": {"x": {"field": "point", **x}}},
        {
            "mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 11},
            "encoding": {"x": {"field": "high", **x}, "text": {"field": "label"}, "color": {"value": "#333"}},
        },
    ]
    if references:
        reference = {"mark": {"type": "tick", "color": "black", "thickness": 2}}
        layers.append({**reference, "encoding": {"x": {"field": "reference", **x}}})
    spec = _spec(
        title,
        description,
        values,
        facet={"row": {"field": "stage", "type": "nominal", "sort": list(SHARE_STAGES.values()), "title": None}},
        spec={
            "width": WIDTH,
            "encoding": {
                "y": {"field": "source", "type": "nominal", "title": None},
                "color": {"field": "subject", "type": "nominal", "title": "subject"},
            },
            "layer": layers,
        },
        resolve={"scale": {"y": "independent"}},
    )
    del spec["width"]  # a faceted chart sizes each facet instead
    return spec


def _reference_values(rows: dict[str, list[dict[str, Any]]], figures: list[dict[str, Any]]) -> dict[str, float]:
    """Each figure's reference value, from the verdicts table where the package has one."""
    wanted = {f["figure_id"] for f in figures}
    found = {}
    for verdict in rows.get("verdicts", []):
        value = verdict.get(VERDICT_REFERENCE_VALUE)
        if verdict.get("figure_id") in wanted and isinstance(value, (int, float)):
            found.setdefault(verdict["figure_id"], value)
    return found


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


# ---------------------------------------------------------------- extraction cost ranges by country


def costs(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """Each country's cost range as a bar from its low to its high end."""
    figures = [f for f in rows.get("figures", []) if f["metric"] in COST_METRICS]
    values = [
        {"country": f["subject_name"], "low": _interval(f)[0], "high": _interval(f)[1], "label": f["as_written"]}
        for f in figures
    ]
    title = "Cost of mining rare-earth ore and converting it into oxide, by country"
    description = "; ".join(
        f"{f['subject_name']}: {f['as_written']} ({_source(f)}, credited to {f.get('attributed_to_name') or 'no one'})"
        for f in figures
    )
    x = {"type": "quantitative", "title": figures[0]["unit_name"] if figures else "", "scale": {"zero": True}}
    spec = _spec(
        title,
        description,
        values,
        encoding={"y": {"field": "country", "type": "nominal", "title": None}},
        layer=[
            {"mark": {"type": "bar", "height": 18}, "encoding": {"x": {"field": "low", **x}, "x2": {"field": "high"}}},
            {
                "mark": {"type": "text", "align": "left", "dx": 6},
                "encoding": {"x": {"field": "high", **x}, "text": {"field": "label"}},
            },
        ],
    )
    return Chart(
        slug="costs",
        title=title,
        description="The range of the cost per kilogram each source gives for each country.",
        table="figures",
        rows=figures,
        spec=spec,
        text=f"{title}. {description}." if figures else "",
    )


# ---------------------------------------------------------------- the 2024 EV output breakdown


def ev_breakdown(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """The parts (EVs made in China by each group of makers in 2024) stacked, beside the total that the
    package's `sum` checks add them up to."""
    figures = rows.get("figures", [])
    parts = [f for f in figures if f["metric"] == EV_BREAKDOWN["metric"] and f.get("period") == EV_BREAKDOWN["period"]]
    totals = _totals_of(rows, {f["figure_id"] for f in parts})
    values = [{"bar": "by group of makers", "segment": f["subject_name"], "value": f["value"]} for f in parts] + [
        {"bar": "stated total", "segment": f"total ({f['subject_name']})", "value": f["value"]} for f in totals
    ]
    title = "Electric vehicles made in China in 2024, by group of makers, beside the stated total"
    description = "; ".join(f"{f['subject_name']}: {f['as_written']} ({_source(f)})" for f in parts + totals)
    spec = _spec(
        title,
        description,
        values,
        mark={"type": "bar", "height": 28},
        encoding={
            "y": {"field": "bar", "type": "nominal", "title": None, "sort": ["by group of makers", "stated total"]},
            "x": {"field": "value", "type": "quantitative", "aggregate": "sum", "title": "vehicles",
                  "axis": {"format": "~s"}},
            "color": {"field": "segment", "type": "nominal", "title": None, "legend": {"labelLimit": 320}},
            "order": {"field": "segment"},
        },
    )  # fmt: skip
    return Chart(
        slug="ev-output-2024",
        title=title,
        description="Each group of makers' EV output in China in 2024, stacked, and the total the parts are "
        "checked against.",
        table="figures",
        rows=parts + totals,
        spec=spec,
        text=f"{title}. {description}." if parts + totals else "",
    )


def _totals_of(rows: dict[str, list[dict[str, Any]]], part_ids: set[str]) -> list[dict[str, Any]]:
    """The figures that are the `total` of a `sum` check some of these parts take part in."""
    sum_checks = {c["check_id"] for c in rows.get("checks", []) if c.get("kind") == "sum"}
    terms = [t for t in rows.get("check_terms", []) if t["check_id"] in sum_checks]
    checks = {t["check_id"] for t in terms if t["figure_id"] in part_ids}
    total_ids = {t["figure_id"] for t in terms if t["check_id"] in checks and t["role"] == "total"}
    return [f for f in rows.get("figures", []) if f["figure_id"] in total_ids]


# ---------------------------------------------------------------- a timeline of the dated events


def timeline(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """Every dated event: a day as a point, a month or year as a bar over the time it stands for."""
    events = sorted(rows.get("events", []), key=lambda e: (str(e["date"]), e["event_id"]))
    values = [
        {
            "event": e["event_id"],
            "kind": str(e["kind"]).replace("_", " "),
            "start": str(e["date"]),
            # the interval the events table stores (a release before 1.1 has none: its events are drawn at their date)
            "end": str(e.get("date_end") or e["date"]),
            "precision": e["date_precision"],
            "source": e["source_id"],
        }
        for e in events
    ]
    title = "Dated events the sources report"
    description = "; ".join(
        f"{e['date_as_written']} ({e['date']}, {e['date_precision']} precision): {e['description']} ({e['source_id']})"
        for e in events
    )
    return Chart(
        slug="timeline",
        title=title,
        description="Each event at its date; a date known only to the month or year is drawn over the whole "
        "month or year.",
        table="events",
        rows=events,
        spec=_timeline_spec(title, description, values),
        text=f"{title}. {description}." if events else "",
    )


def _timeline_spec(title: str, description: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    x = {"type": "temporal", "title": None, "axis": {"format": "%d %b %Y", "labelAngle": -30}}
    return _spec(
        title,
        description,
        values,
        height={"step": 22},
        encoding={
            "y": {"field": "kind", "type": "nominal", "title": None},
            "color": {"field": "source", "type": "nominal", "title": "source"},
        },
        layer=[
            {
                "transform": [{"filter": "datum.precision != 'day'"}],
                "mark": {"type": "bar", "height": 10, "opacity": 0.5},
                "encoding": {"x": {"field": "start", **x}, "x2": {"field": "end"}},
            },
            {
                "transform": [{"filter": "datum.precision == 'day'"}],
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {"x": {"field": "start", **x}},
            },
        ],
    )
