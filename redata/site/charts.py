"""The site's charts: each a Vega-Lite specification built from the package's rows, rendered to static SVG.

A chart names the metrics (vocabulary ids) it draws; the rows come from the labelled tables. Each chart
keeps the rows it shows, so that its page can list them, and a text alternative made of the sources' own
words (`as_written`). Rendering runs Vega-Lite in-process (vl-convert) with every external URL refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
VEGA_LITE_VERSION = "5.21"
WIDTH = 560
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
    svg: str = field(default="", repr=False)


def charts(rows: dict[str, list[dict[str, Any]]]) -> list[Chart]:
    """Every chart of the site, from the labelled rows of each table (rows["figures"], rows["events"], ...)."""
    made = [shares(rows), costs(rows), ev_breakdown(rows), timeline(rows)]
    for chart in made:
        chart.svg = render(chart.spec) if chart.rows else ""
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
    figures = [f for f in rows.get("figures", []) if f["metric"] in SHARE_STAGES]
    references = _reference_values(rows, figures)
    values = []
    for figure in figures:
        low, high = _interval(figure)
        values.append(
            {
                "stage": SHARE_STAGES[figure["metric"]],
                "source": f"{_source(figure)}, {_period_words(figure.get('period'))}",
                "subject": figure["subject_name"],
                "low": low if low is not None else 0,
                "high": high if high is not None else 100,
                "point": figure.get("value"),
                "label": figure["as_written"],
                "reference": references.get(figure["figure_id"]),
            }
        )
    description = "; ".join(
        f"{f['subject_name']}, {SHARE_STAGES[f['metric']]}: {f['as_written']} "
        f"({_source(f)}, {_period_words(f.get('period'))})"
        + (f", reference value {references[f['figure_id']]}" if f["figure_id"] in references else "")
        for f in figures
    )
    title = "Shares of world rare-earth production by stage, as each source states them"
    encoding_y = {"field": "source", "type": "nominal", "title": None}
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
        layers.append(
            {
                "mark": {"type": "tick", "color": "black", "thickness": 2},
                "encoding": {"x": {"field": "reference", **x}},
            }
        )
    spec = _spec(
        title,
        description,
        values,
        facet={"row": {"field": "stage", "type": "nominal", "sort": list(SHARE_STAGES.values()), "title": None}},
        spec={
            "width": WIDTH,
            "encoding": {"y": encoding_y, "color": {"field": "subject", "type": "nominal", "title": "subject"}},
            "layer": layers,
        },
        resolve={"scale": {"y": "independent"}},
    )
    del spec["width"]
    text = f"{title}. {description}." if figures else ""
    return Chart(
        "shares",
        title,
        "China's and other countries' shares of world mining, refining and magnet "
        "production, one line per figure and source; a range or bound is drawn as a line.",
        "figures",
        figures,
        spec,
        text,
    )


def _reference_values(rows: dict[str, list[dict[str, Any]]], figures: list[dict[str, Any]]) -> dict[str, float]:
    """Each figure's reference value, from the verdicts table where the package has one."""
    wanted = {f["figure_id"] for f in figures}
    found = {}
    for verdict in rows.get("verdicts", []):
        value = verdict.get(VERDICT_REFERENCE_VALUE)
        if verdict.get("figure_id") in wanted and isinstance(value, (int, float)):
            found.setdefault(verdict["figure_id"], value)
    return found


# ---------------------------------------------------------------- extraction cost ranges by country


def costs(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    figures = [f for f in rows.get("figures", []) if f["metric"] in COST_METRICS]
    values = []
    for figure in figures:
        low, high = _interval(figure)
        values.append(
            {
                "country": figure["subject_name"],
                "low": low,
                "high": high,
                "label": figure["as_written"],
                "source": _source(figure),
            }
        )
    unit = figures[0]["unit_name"] if figures else ""
    title = "Cost of mining rare-earth ore and converting it into oxide, by country"
    description = "; ".join(
        f"{f['subject_name']}: {f['as_written']} ({_source(f)}, credited to {f.get('attributed_to_name') or 'no one'})"
        for f in figures
    )
    x = {"type": "quantitative", "title": unit, "scale": {"zero": True}}
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
    text = f"{title}. {description}." if figures else ""
    return Chart(
        "costs",
        title,
        "The range of the cost per kilogram each source gives for each country.",
        "figures",
        figures,
        spec,
        text,
    )


# ---------------------------------------------------------------- the 2024 EV output breakdown


def ev_breakdown(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """The parts (EVs made in China by each group of makers in 2024) stacked beside the total that the
    package's `sum` checks add them up to."""
    figures = rows.get("figures", [])
    parts = [f for f in figures if f["metric"] == EV_BREAKDOWN["metric"] and f.get("period") == EV_BREAKDOWN["period"]]
    part_ids = {f["figure_id"] for f in parts}
    sum_checks = {c["check_id"] for c in rows.get("checks", []) if c.get("kind") == "sum"}
    terms = [t for t in rows.get("check_terms", []) if t["check_id"] in sum_checks]
    checks_of_parts = {t["check_id"] for t in terms if t["figure_id"] in part_ids}
    total_ids = {t["figure_id"] for t in terms if t["check_id"] in checks_of_parts and t["role"] == "total"}
    totals = [f for f in figures if f["figure_id"] in total_ids]
    values = [
        {"bar": "by group of makers", "segment": f["subject_name"], "value": f["value"], "label": f["as_written"]}
        for f in parts
    ] + [
        {
            "bar": "stated total",
            "segment": f"total ({f['subject_name']})",
            "value": f["value"],
            "label": f["as_written"],
        }
        for f in totals
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
            "x": {
                "field": "value",
                "type": "quantitative",
                "aggregate": "sum",
                "title": "vehicles",
                "axis": {"format": "~s"},
            },
            "color": {"field": "segment", "type": "nominal", "title": None, "legend": {"labelLimit": 320}},
            "order": {"field": "segment"},
        },
    )
    chosen = parts + totals
    text = f"{title}. {description}." if chosen else ""
    return Chart(
        "ev-output-2024",
        title,
        "Each group of makers' EV output in China in 2024, stacked, and the total the parts are checked against.",
        "figures",
        chosen,
        spec,
        text,
    )


# ---------------------------------------------------------------- a timeline of the dated events


def timeline(rows: dict[str, list[dict[str, Any]]]) -> Chart:
    """Every dated event: a day as a point, a month or year as a bar over the time it stands for."""
    events = sorted(rows.get("events", []), key=lambda e: (str(e["date"]), e["event_id"]))
    values = []
    for event in events:
        start = dt.date.fromisoformat(str(event["date"]))
        values.append(
            {
                "event": event["event_id"],
                "kind": str(event["kind"]).replace("_", " "),
                "start": start.isoformat(),
                "end": _period_end(start, event["date_precision"]).isoformat(),
                "precision": event["date_precision"],
                "source": event["source_id"],
            }
        )
    title = "Dated events the sources report"
    description = "; ".join(
        f"{e['date_as_written']} ({e['date']}, {e['date_precision']} precision): {e['description']} ({e['source_id']})"
        for e in events
    )
    x = {"type": "temporal", "title": None, "axis": {"format": "%d %b %Y", "labelAngle": -30}}
    spec = _spec(
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
    text = f"{title}. {description}." if events else ""
    return Chart(
        "timeline",
        title,
        "Each event at its date; a date known only to the month or year is drawn over the whole month or year.",
        "events",
        events,
        spec,
        text,
    )


def _period_end(start: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return start
