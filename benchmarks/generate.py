"""Synthetic packages shaped like the real one, at any number of figure rows, for benchmarks.

The real package is copied whole (schemas, vocabularies, both articles and every table), then grown:
synthetic archived texts are written to seeds/ (one sentence per figure, 100 sentences per text), and
the figures, entities, mentions and sources tables gain one row per sentence, entity and text. Every
synthetic quote is found at its offsets, every number in the synthetic texts is covered, every foreign
key resolves: `redata validate` passes on the result, so benchmarks time the full path.

    python benchmarks/generate.py 1000000 benchmarks/out/1000000
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parent.parent
SENTENCES_PER_TEXT = 100
ROWS_PER_ENTITY = 50
# Syllables for entity names: no digits and no number words, so names add nothing the coverage scan counts.
SYLLABLES = ["ka", "lo", "mir", "zan", "tor", "vel", "dru", "pem", "sil", "qua", "rho", "bex"]
TEMPLATES = [  # (sentence before the name, after the name, as-written suffix, unit, metric)
    ("In {year}, ", " held {value} percent of world mining.", "{value} percent", "percent", "share_of_world_mining"),
    ("In {year}, ", " made {value} vehicles in total.", "{value} vehicles", "count", "ev_production"),
]


def entity_name(index: int) -> str:
    parts = []
    for _ in range(3):
        parts.append(SYLLABLES[index % len(SYLLABLES)])
        index //= len(SYLLABLES)
    return f"{parts[0].title()}{parts[1]} {parts[2].title()}var"


def generate(out: Path, rows: int, seed: int = 0) -> Path:
    """Write a valid package with the real tables plus `rows` synthetic figures under `out`."""
    if out.exists():
        shutil.rmtree(out)
    for part in ("datapackage", "schemas", "seeds"):
        shutil.copytree(REPO / part, out / part)
    shutil.copy(REPO / "CHANGELOG.md", out / "CHANGELOG.md")
    names = [entity_name(i) for i in range(max(1, rows // ROWS_PER_ENTITY))]
    frame = _sentences(np.random.default_rng(seed), rows, names)
    mentions = _mentions(frame)
    entities = (
        pl.DataFrame({"entity_id": [f"synthetic-{i}" for i in range(len(names))], "name": names})
        .with_columns(type=pl.lit("company"), aliases=pl.col("name"), note=pl.lit(None, pl.String))
        .join(mentions.select("entity_id").unique(), on="entity_id", how="semi", maintain_order="left")
    )
    for table, extra in (
        ("sources", _write_texts(frame, out / "seeds")),
        ("entities", entities),
        ("mentions", mentions),
        ("figures", _figures(frame)),
    ):
        _append(out / "datapackage" / f"{table}.csv", extra)
    return out


def _sentences(rng: np.random.Generator, rows: int, names: list[str]) -> pl.DataFrame:
    """One synthetic sentence a row, from a random template, with its text and its place in that text."""
    entities = len(names)
    template = rng.integers(0, len(TEMPLATES), rows)
    frame = pl.DataFrame(
        {
            "row": np.arange(rows),
            "template": template,
            "entity": rng.integers(0, entities, rows),
            "year": rng.integers(2000, 2025, rows),
            "share": np.round(rng.uniform(0, 100, rows), 1),
            "count": rng.integers(0, 10_000_000, rows),
        }
    ).with_columns(
        source_id=pl.format("synthetic-{}", pl.col("row") // SENTENCES_PER_TEXT),
        name=pl.col("entity").replace_strict(range(entities), names, return_dtype=pl.String),
        value=pl.when(pl.col("template") == 0)
        .then(pl.col("share").cast(pl.String))
        .otherwise(pl.col("count").cast(pl.String)),
    )
    frame = frame.with_columns(_by_template()).with_columns(
        quote=pl.concat_str("prefix", "name", "suffix"),
        period_as_written=pl.format("In {}", "year"),
    )
    return (
        frame.with_columns(sentence=pl.col("quote") + " ")
        .with_columns(
            char_start=(pl.col("sentence").str.len_chars().cum_sum() - pl.col("sentence").str.len_chars()).over(
                "source_id"
            )
        )
        .with_columns(char_end=pl.col("char_start") + pl.col("quote").str.len_chars())
    )


def _by_template() -> list[pl.Expr]:
    """The columns each template fills in its own way: the words around the name, the figure's words, unit
    and metric."""
    parts = {}
    for index, (before, after, written, unit, metric) in enumerate(TEMPLATES):
        chosen = pl.col("template") == index
        parts.setdefault("prefix", []).append((chosen, pl.format(before.replace("{year}", "{}"), "year")))
        parts.setdefault("suffix", []).append((chosen, pl.format(after.replace("{value}", "{}"), "value")))
        parts.setdefault("as_written", []).append((chosen, pl.format(written.replace("{value}", "{}"), "value")))
        parts.setdefault("unit", []).append((chosen, pl.lit(unit)))
        parts.setdefault("metric", []).append((chosen, pl.lit(metric)))

    def pick(column: str) -> pl.Expr:
        (first_when, first_then), *rest = parts[column]
        expression = pl.when(first_when).then(first_then)
        for when, then in rest:
            expression = expression.when(when).then(then)
        return expression.alias(column)

    return [pick(c) for c in parts]


def _write_texts(frame: pl.DataFrame, seeds: Path) -> pl.DataFrame:
    """Each synthetic text written into `seeds`, its sentences joined; the sources rows that describe them."""
    texts_frame = frame.group_by("source_id", maintain_order=True).agg(pl.col("sentence").str.join(""))
    source_rows = []
    for source_id, text in texts_frame.iter_rows():
        data = text.encode("utf-8")
        file_name = f"{source_id}.txt"
        (seeds / file_name).write_bytes(data)
        source_rows.append((source_id, file_name, hashlib.sha256(data).hexdigest()))
    return pl.DataFrame(source_rows, schema=["source_id", "file", "sha256"], orient="row").with_columns(
        title=pl.format("Synthetic text {}", "source_id"),
        publisher=pl.lit(None, pl.String),
        published=pl.lit("2025-06-01"),
        published_precision=pl.lit("month"),
        published_start=pl.lit("2025-06-01"),
        published_end=pl.lit("2025-06-30"),
        published_basis=pl.lit("Synthetic benchmark text."),
        url=pl.lit(None, pl.String),
        accessed=pl.lit(None, pl.String),
        language=pl.lit("en"),
        rights=pl.lit("Generated for benchmarks; no rights reserved."),
    )


def _figures(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        figure_id=pl.format("synthetic-f{}", "row"),
        source_id="source_id",
        quote="quote",
        char_start="char_start",
        char_end="char_end",
        as_written="as_written",
        value="value",
        value_low=pl.lit(None, pl.String),
        value_high=pl.lit(None, pl.String),
        unit="unit",
        unit_in_words=pl.lit(None, pl.String),
        qualifier=pl.lit(None, pl.String),
        metric="metric",
        subject_id=pl.format("synthetic-{}", "entity"),
        period=pl.col("year").cast(pl.String),
        period_as_written="period_as_written",
        period_basis=pl.lit("stated"),  # "In <year>" is in the quote
        forecast=pl.lit("false"),
        attributed_to_id=pl.lit(None, pl.String),
        attribution_basis=pl.lit("none"),
        related_figure_id=pl.lit(None, pl.String),
        note=pl.lit(None, pl.String),
    )


def _mentions(frame: pl.DataFrame) -> pl.DataFrame:
    """The first mention of each entity in each text: its name, where the sentence puts it."""
    first_mentions = frame.group_by("source_id", "entity", maintain_order=True).agg(
        pl.col("char_start").first(), pl.col("prefix").first(), pl.col("name").first()
    )
    return first_mentions.select(
        entity_id=pl.format("synthetic-{}", "entity"),
        source_id="source_id",
        quote="name",
        char_start=pl.col("char_start") + pl.col("prefix").str.len_chars(),
    ).with_columns(char_end=pl.col("char_start") + pl.col("quote").str.len_chars())


def _append(path: Path, rows: pl.DataFrame) -> None:
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    with path.open("ab") as handle:
        rows.select(header).cast(pl.String).write_csv(handle, include_header=False, quote_style="necessary")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/generate.py ROWS OUT_FOLDER")
    print(generate(Path(sys.argv[2]), int(sys.argv[1])))
