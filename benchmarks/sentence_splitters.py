"""Compare the sentence splitters `redata propose` could use, on the seed articles: pysbd (what
`redata.sentences` uses) and syntok. Prints a Markdown table.

    python benchmarks/sentence_splitters.py

Measures, per seed: sentences found; curated figures whose `as_written` a sentence boundary cuts (the number
would be split from its words); boundaries followed by a lower-case letter (a split inside a sentence, e.g.
after an abbreviation); sentences that run across a line break (a caption or byline joined to the next
paragraph: the seeds wrap no lines inside a sentence); seconds taken.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("s000", "s003")


def pysbd_spans(text: str) -> list[tuple[int, int]]:
    from redata.sentences import sentences

    return sentences(text)


def syntok_spans(text: str) -> list[tuple[int, int]]:
    from syntok import segmenter

    spans = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            first, last = sentence[0], sentence[-1]
            spans.append((first.offset, last.offset + len(last.value)))
    return spans


def measure(spans, text: str, figures: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    boundaries = {start for start, _ in spans[1:]}
    cut = sum(any(start < b < end for b in boundaries) for start, end in figures)
    lower = sum(text[b : b + 1].islower() for b in boundaries)
    across_lines = sum("\n" in text[start:end] for start, end in spans)
    return len(spans), cut, lower, across_lines


def _rows(table: str) -> list[dict[str, str]]:
    with (ROOT / "datapackage" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table() -> str:
    lines = []
    sources = {row["source_id"]: row for row in _rows("sources")}
    figures = _rows("figures")
    lines.append(
        "| seed | splitter | sentences | figures cut | boundaries before lower case | across a line break | seconds |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    for seed in SEEDS:
        text = (ROOT / "seeds" / sources[seed]["file"]).read_text(encoding="utf-8")
        written = []
        for row in (r for r in figures if r["source_id"] == seed):
            quote_start = int(row["char_start"])
            offset = text.find(row["as_written"], quote_start, int(row["char_end"]))
            written.append((offset, offset + len(row["as_written"])))
        for name, split in (("pysbd", pysbd_spans), ("syntok", syntok_spans)):
            split("Warm up.")
            began = time.perf_counter()
            spans = split(text)
            seconds = time.perf_counter() - began
            count, cut, lower, across = measure(spans, text, written)
            lines.append(f"| {seed} | {name} | {count} | {cut} | {lower} | {across} | {seconds:.2f} |")
    return "\n".join(lines)


def main() -> None:
    print(table())


if __name__ == "__main__":
    main()
