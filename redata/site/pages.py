"""The site's pages: which pages there are, what each shows, rendered through the Jinja templates.

`render_pages(content, charts)` returns every page as (relative path, HTML). Templates autoescape
everything; the only markup made here is the data dictionary, rendered from Markdown with raw HTML off.
Every link is relative, so the site works from any folder, served or opened from disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import schema as table_schema
from ..citation import RowCitation, as_bibtex, as_text, source_date
from ..labels import decoded_columns
from .charts import MAX_DRAWN_ROWS, Chart
from .content import PAGE_TABLES, Content, page_name

NAVIGATION = (
    ("index.html", "Overview"),
    ("figures/index.html", "Figures"),
    ("sources/index.html", "Sources"),
    ("entities/index.html", "Entities"),
    ("metrics/index.html", "Metrics"),
    ("charts/index.html", "Charts"),
    ("conflicts.html", "Conflicts"),
    ("dictionary.html", "Data dictionary"),
)


@dataclass(frozen=True)
class Item:
    """One field of a row, in words: its label, its value, the words its code stands for, and a link."""

    name: str
    label: str
    value: str
    words: str
    href: str | None
    description: str


def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("redata.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["page"] = page_name
    env.filters["number"] = number
    env.filters["source_date"] = source_date
    return env


def number(value: Any) -> str:
    """A value as a reader reads it: thousands separated, no trailing `.0`, booleans as yes and no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.15g}"
    return str(value)


def label(field: dict[str, Any]) -> str:
    """A field's label: its Table Schema `title`, else its name in words (`attributed_to_id` → Attributed to)."""
    if field.get("title"):
        return str(field["title"])
    words = field["name"].removesuffix("_id").replace("_", " ")
    return words[:1].upper() + words[1:]


def items(content: Content, table: str, row: dict[str, Any], root: str) -> list[Item]:
    """Every field of a row in schema order, labelled, with the words its code is decoded into."""
    decoded = decoded_columns(table, content.schemas)
    result = []
    for field in table_schema.fields(content.schemas[table]):
        name, value = field["name"], row.get(field["name"])
        words = " — ".join(str(row[d.column]) for d in decoded if d.field == name and row.get(d.column) is not None)
        targets = [d.resource for d in decoded if d.field == name]
        href = None
        if value is not None and targets and targets[0] in PAGE_TABLES:
            href = f"{root}{PAGE_TABLES[targets[0]]}/{page_name(str(value))}.html"
        result.append(Item(name, label(field), number(value), words, href, str(field.get("description", ""))))
    return result


def highlighted(quote: str, as_written: str) -> tuple[str, str, str]:
    """The quote cut around the first occurrence of `as_written` (the validator proved it is inside)."""
    start = quote.find(as_written)
    if start < 0:
        raise ValueError(f"{as_written!r} does not occur in its quote")
    return quote[:start], as_written, quote[start + len(as_written) :]


def citation_of(content: Content, table: str, row_id: str, row: dict[str, Any]) -> RowCitation:
    source = content.row("sources", row.get("source_id")) if row.get("source_id") else None
    return RowCitation(content.facts, table, row_id, row.get("quote"), source)


# ---------------------------------------------------------------- the pages


def render_pages(content: Content, charts: list[Chart], downloads: list[dict[str, Any]]) -> list[tuple[str, str]]:
    env = environment()

    def page(path: str, template: str, **values: Any) -> tuple[str, str]:
        root = "../" * path.count("/")
        html = env.get_template(template).render(
            root=root, path=path, navigation=NAVIGATION, facts=content.facts, **values
        )
        return path, html

    pages = [
        page("index.html", "index.html", **overview(content, downloads)),
        page("figures/index.html", "figures.html", figures=content.rows["figures"]),
        page("sources/index.html", "sources.html", sources=content.rows["sources"]),
        page("entities/index.html", "entities.html", entities=content.rows["entities"]),
        page("metrics/index.html", "metrics.html", metrics=content.rows["metrics"], counts=_figure_counts(content)),
        page("charts/index.html", "charts.html", charts=charts),
        page("conflicts.html", "conflicts.html", conflicts=content.conflicts, more=content.more_conflicts),
        page("dictionary.html", "dictionary.html", dictionary=dictionary_html(content)),
    ]
    for figure in content.rows["figures"]:
        path = f"figures/{page_name(figure['figure_id'])}.html"
        pages.append(page(path, "figure.html", **figure_page(content, figure, "../")))
    for source in content.rows["sources"]:
        path = f"sources/{page_name(source['source_id'])}.html"
        pages.append(page(path, "source.html", **source_page(content, source, "../")))
    for entity in content.rows["entities"]:
        path = f"entities/{page_name(entity['entity_id'])}.html"
        pages.append(page(path, "entity.html", **entity_page(content, entity)))
    for metric in content.rows["metrics"]:
        path = f"metrics/{page_name(metric['metric_id'])}.html"
        pages.append(
            page(path, "metric.html", metric=metric, figures=content.where("figures", "metric", metric["metric_id"]))
        )
    for chart in charts:
        pages.append(page(f"charts/{chart.slug}.html", "chart.html", chart=chart, max_drawn=MAX_DRAWN_ROWS))
    return pages


def _figure_counts(content: Content) -> dict[str, int]:
    counts: dict[str, int] = {}
    for figure in content.rows["figures"]:
        counts[figure["metric"]] = counts.get(figure["metric"], 0) + 1
    return counts


def overview(content: Content, downloads: list[dict[str, Any]]) -> dict[str, Any]:
    report = content.report
    counts: dict[tuple[str, str], int] = {}
    for problem in report.problems:
        counts[(problem.layer, problem.rule)] = counts.get((problem.layer, problem.rule), 0) + 1
    return {
        "descriptor": content.descriptor,
        "is_release": content.is_release,
        "citation_text": as_text(content.facts),
        "citation_bibtex": as_bibtex(content.facts),
        "downloads": downloads,
        "summary": report.summary(),
        "valid": report.valid(),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "skipped": report.skipped,
        "problem_counts": sorted(counts.items()),
        "tables": [(name, len(rows)) for name, rows in content.rows.items()],
    }


def figure_page(content: Content, figure: dict[str, Any], root: str) -> dict[str, Any]:
    figure_id = figure["figure_id"]
    citation = citation_of(content, "figures", figure_id, figure)
    verdicts = [items(content, "verdicts", v, root) for v in content.where("verdicts", "figure_id", figure_id)]
    terms = content.where("check_terms", "figure_id", figure_id)
    return {
        "figure": figure,
        "quote": highlighted(figure["quote"], figure["as_written"]),
        "fields": items(content, "figures", figure, root),
        "source": content.row("sources", figure["source_id"]),
        "conflicts": [c for c in content.conflicts if any(f["figure_id"] == figure_id for f in c.figures)],
        "checks": [(term, content.row("checks", term["check_id"])) for term in terms],
        "verdicts": verdicts,
        "has_verdicts": "verdicts" in content.rows,
        "citation_text": as_text(citation),
        "citation_bibtex": as_bibtex(citation),
    }


def source_page(content: Content, source: dict[str, Any], root: str) -> dict[str, Any]:
    source_id = source["source_id"]
    return {
        "source": source,
        "fields": items(content, "sources", source, root),
        "figures": content.where("figures", "source_id", source_id),
        "events": content.where("events", "source_id", source_id),
        "statements": content.where("statements", "source_id", source_id),
    }


def entity_page(content: Content, entity: dict[str, Any]) -> dict[str, Any]:
    entity_id = entity["entity_id"]
    participations = content.where("event_participants", "entity_id", entity_id)
    events = [(p, content.row("events", p["event_id"])) for p in participations]
    return {
        "entity": entity,
        "about": content.where("figures", "subject_id", entity_id),
        "credited": content.where("figures", "attributed_to_id", entity_id),
        "statements": content.where("statements", "speaker_id", entity_id),
        "events": events,
        "relations": content.where("relations", "subject_id", entity_id)
        + content.where("relations", "object_id", entity_id),
        "mentions": content.where("mentions", "entity_id", entity_id),
    }


def dictionary_html(content: Content) -> str:
    """The data dictionary (the same Markdown as the release's README), as HTML with raw HTML disabled; each
    table's heading gets the table's name as its id, so that pages can link to it."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    markdown = MarkdownIt("js-default")
    tokens = markdown.parse(table_schema.data_dictionary(list(content.schemas.items())))
    for token, inline in zip(tokens, tokens[1:], strict=False):
        if token.type == "heading_open" and token.tag == "h2":
            names = [child.content for child in inline.children or [] if child.type == "code_inline"]
            if names:
                token.attrSet("id", page_name(names[0]))
    return Markup(markdown.renderer.render(tokens, markdown.options, {}))  # noqa: S704  js-default escapes raw HTML
