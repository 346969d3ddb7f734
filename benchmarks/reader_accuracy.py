"""The number reader against the libraries that claim its job, side by side on the same spans.

Spans: every curated figure's `as_written` (the answer is the row: value or bounds, unit, qualifier), and
news-style spans written for this benchmark, one target quantity each, covering every construct the
reader reads (`SPANS` below: finance, sports, weather, politics, trade). Each library reads each span; its
answer is normalised to this package's units (a value in a unit converts to the unit's base, so `90-minute`
read as 5400 seconds is right) and scored on four questions: the value (spans with a point value), the
bounds (spans with a range or a one-sided bound), the unit, the qualifier; and all four at once.

Libraries (the `bench` extra): quantulum3; spaCy's rule matcher on a blank English pipeline (no model can
be downloaded), given this package's vocabularies as its patterns; number-parser (number words only);
Microsoft Recognizers-Text (`ms-recognizers-text-suite`: number, percentage, currency, dimension,
temperature and date-time recognizers; the Python port has no number-range model).

    python benchmarks/reader_accuracy.py [--out benchmarks/reader_accuracy.md]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from redata.quantities import Reader  # noqa: E402

READER = Reader.from_package(REPO / "datapackage")
UNITS = READER.lexicon.units
D = Decimal

# (span, value, low, high, unit, qualifier): one target quantity per span.
SPANS = [
    ("shares rose 4.2% on Tuesday", D("4.2"), None, None, "percent", None),
    ("adding about $140bn to its value", D(140e9), None, None, "USD", "about"),
    ("a cut of 25 basis points", D(25), None, None, "basis_point", None),
    ("profits of €1.5bn", D("1.5e9"), None, None, "EUR", None),
    ("a £20k salary", D(20000), None, None, "GBP", None),
    ("RMB 5 billion in loans", D(5e9), None, None, "CNY", None),
    ("5 billion yuan of bonds", D(5e9), None, None, "CNY", None),
    ("a price of ¥300", D(300), None, None, "JPY", None),
    ("US$4.16 trillion", D("4.16e12"), None, None, "USD", None),
    ("$7.55 billion", D("7.55e9"), None, None, "USD", None),
    ("inflation fell to 2.3 per cent", D("2.3"), None, None, "percent", None),
    ("a 2 percentage point rise", D(2), None, None, "percentage_point", None),
    ("ran the 42.195 km course", D("42.195"), None, None, "km", None),
    ("more than 30 seconds faster", None, D(30), None, "s", "more than"),
    ("a 90-minute telephone call", D(90), None, None, "minute", None),
    ("a 90-day pause", D(90), None, None, "day", None),
    ("temperatures of 41C", D(41), None, None, "degree_Celsius", None),
    ("minus 5 degrees Celsius", D(-5), None, None, "degree_Celsius", None),
    ("a loss of -3.2%", D("-3.2"), None, None, "percent", None),
    ("218 votes", D(218), None, None, "count", None),
    ("nearly two-thirds of voters", D(2) / D(3), None, None, "fraction", "nearly"),
    ("half a million people", D(500000), None, None, "count", None),
    ("one and a half million people", D(1500000), None, None, "count", None),
    ("a dozen eggs", D(12), None, None, "count", None),
    ("twenty-five years", D(25), None, None, "year", None),
    ("seven types of items", D(7), None, None, "count", None),
    ("3.2 million tonnes of soybeans", D(3200000), None, None, "t", None),
    ("an estimated 45,000 tons", D(45000), None, None, "t", "an estimated"),
    ("between 35 and 40 percent", None, D(35), D(40), "percent", None),
    ("from 6.2 to 16.1 percent", None, D("6.2"), D("16.1"), "percent", None),
    ("3 to 4 million people", None, D(3e6), D(4e6), "count", None),
    ("$1.5bn-$2bn", None, D("1.5e9"), D(2e9), "USD", None),
    ("two to three days", None, D(2), D(3), "day", None),
    ("$35-40/kg", None, D(35), D(40), "USD/kg", None),
    ("at least 40 people", None, D(40), None, "count", "at least"),
    ("50 or more people", None, D(50), None, "count", "or more"),
    ("under 5%", None, None, D(5), "percent", "under"),
    ("up to 40%", None, None, D(40), "percent", "up to"),
    ("less than $1m", None, None, D(1e6), "USD", "less than"),
    ("roughly 1,300 tons", D(1300), None, None, "t", "roughly"),
    ("growth of 10% a year", D(10), None, None, "percent_per_year", None),
    ("almost 3,000 people", D(3000), None, None, "count", "almost"),
]

# How each library names this package's units (lower case), as far as it has them.
UNIT_NAMES = {
    "percentage": "percent", "percent": "percent", "%": "percent", "dollar": "USD", "united states dollar": "USD",
    "euro": "EUR", "pound sterling": "GBP", "british pound": "GBP", "japanese yen": "JPY", "yen": "JPY",
    "chinese yuan": "CNY", "renminbi": "CNY", "yuan": "CNY", "ton": "t", "tonne": "t", "metric ton": "t",
    "gram": "g", "kilogram": "kg", "day": "day", "minute": "minute", "second": "s", "hour": "hour",
    "year": "year", "week": "week", "kilometre": "km", "kilometer": "km", "degree celsius": "degree_Celsius",
    "c": "degree_Celsius", "dimensionless": "count", "dollar per kilogram": "USD/kg",
    "united states dollar per kilogram": "USD/kg", "basis point": "basis_point", "percentage point": "percentage_point",
}  # fmt: skip


def cases() -> list[tuple[str, str, dict]]:
    """(source, span, answer) for every curated figure and every span of SPANS."""
    found = []
    with (REPO / "datapackage" / "figures.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            answer = {
                "value": D(row["value"]) if row["value"] else None,
                "low": D(row["value_low"]) if row["value_low"] else None,
                "high": D(row["value_high"]) if row["value_high"] else None,
                "unit": row["unit_in_words"] or row["unit"],
                "qualifier": row["qualifier"] or None,
            }
            found.append(("curated", row["as_written"], answer))
    for span, value, low, high, unit, qualifier in SPANS:
        found.append(("news", span, {"value": value, "low": low, "high": high, "unit": unit, "qualifier": qualifier}))
    return found


def in_base(number, unit: str | None):
    """A number in its unit's base unit (unchanged where the unit is unknown), for comparing across scales."""
    if number is None:
        return None
    known = UNITS.get(unit or "")
    return D(str(number)) * (known.to_base_factor if known else 1)


def base_unit(unit: str | None) -> str | None:
    known = UNITS.get(unit or "")
    return known.base_unit_id if known else unit


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= D("1e-9") * max(abs(a), abs(b), D(1))


def score(answer: dict, guess: dict | None) -> dict[str, bool | None]:
    guess = guess or {"value": None, "low": None, "high": None, "unit": None, "qualifier": None}
    point = answer["value"] is not None
    same = {
        name: close(in_base(answer[name], answer["unit"]), in_base(guess.get(name), guess.get("unit")))
        for name in ("value", "low", "high")
    }
    return {
        "value": same["value"] if point else None,
        "bounds": (same["low"] and same["high"] and guess.get("value") is None) if not point else None,
        "unit": base_unit(answer["unit"]) == base_unit(guess.get("unit")),
        "qualifier": answer["qualifier"] == guess.get("qualifier"),
    }


# ---------------------------------------------------------------------- the readers compared


def redata_reader(span: str) -> dict | None:
    found = [r for r in READER.read(span) if r.kind == "quantity"]
    if not found:
        return None
    q = found[0]
    return {"value": q.value, "low": q.low, "high": q.high, "unit": q.unit, "qualifier": q.qualifier}


def quantulum_reader():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser

    def read(span: str) -> dict | None:
        found = parser.parse(span)
        if not found:
            return None
        q = max(found, key=lambda q: len(q.surface))
        unit = UNIT_NAMES.get(q.unit.name.lower(), q.unit.name.lower())
        if q.uncertainty:
            low, high = D(str(q.value - q.uncertainty)), D(str(q.value + q.uncertainty))
            return {"value": None, "low": low, "high": high, "unit": unit, "qualifier": None}
        return {"value": D(str(q.value)), "low": None, "high": None, "unit": unit, "qualifier": None}

    return read


def recognizers_reader():
    import ms_recognizers_suite as recognizers

    culture = recognizers.Culture.English
    models = [
        recognizers.recognize_currency,
        recognizers.recognize_percentage,
        recognizers.recognize_dimension,
        recognizers.recognize_temperature,
        recognizers.recognize_number,
    ]

    def read(span: str) -> dict | None:
        found = [(r.text, r.resolution or {}) for model in models for r in model(span, culture)]
        durations = [
            (r.text, value) for r in recognizers.recognize_datetime(span, culture)
            for value in (r.resolution or {}).get("values", []) if value.get("type") == "duration"
        ]  # fmt: skip
        found += [(text, {"value": value["value"], "unit": "second"}) for text, value in durations]
        found = [(text, resolution) for text, resolution in found if resolution.get("value") not in (None, "")]
        if not found:
            return None
        text, resolution = max(found, key=lambda item: len(item[0]))
        value = str(resolution["value"]).rstrip("%")
        unit = (
            resolution.get("isoCurrency")
            or resolution.get("unit")
            or ("%" if "%" in str(resolution["value"]) else None)
        )
        unit = UNIT_NAMES.get(str(unit).lower(), unit) if unit else "count"
        unit = {"USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "CNY": "CNY"}.get(str(unit), unit)
        try:
            number = D(value)
        except ArithmeticError:
            return None
        return {"value": number, "low": None, "high": None, "unit": unit, "qualifier": None}

    return read


def number_parser_reader():
    from number_parser import parse

    def read(span: str) -> dict | None:
        numbers = [D(n.replace(",", "")) for n in re.findall(r"-?[0-9][0-9.,]*[0-9]|[0-9]", parse(span))]
        if not numbers:
            return None
        value = (
            numbers[0] * numbers[1] if len(numbers) > 1 and numbers[1] in (1000, 10**6, 10**9, 10**12) else numbers[0]
        )
        return {"value": value, "low": None, "high": None, "unit": "count", "qualifier": None}

    return read


def spacy_reader():
    """spaCy's Matcher on a blank English pipeline, its patterns made of this package's vocabularies: a
    qualifier word, a currency symbol, a number (LIKE_NUM), a scale word and a unit word. What the match means
    (the value, the unit) is then worked out by hand, as the matcher gives spans, not quantities."""
    import spacy
    from spacy.matcher import Matcher

    lexicon = READER.lexicon
    nlp = spacy.blank("en")
    qualifiers = sorted({word for words, _ in lexicon.qualifiers_before.entries() for word in words})
    number_words = lexicon.number_words.entries()
    scales = {words[0]: meaning[0].value for words, meaning in number_words if meaning[0].kind == "scale"}
    cardinals = {words[0]: meaning[0].value for words, meaning in number_words if meaning[0].kind == "cardinal"}
    before = {words[-1]: unit for words, unit in lexicon.units_before.entries()}
    after = {words[0]: unit for words, unit in lexicon.units_after.entries() if len(words) == 1}
    matcher = Matcher(nlp.vocab)
    matcher.add(
        "QUANTITY",
        [
            [
                {"LOWER": {"IN": qualifiers}, "OP": "*"},
                {"LOWER": {"IN": list(before)}, "OP": "?"},
                {"LIKE_NUM": True},
                {"LOWER": {"IN": list(scales)}, "OP": "?"},
                {"LOWER": {"IN": list(after)}, "OP": "?"},
            ]
        ],  # fmt: skip
        greedy="LONGEST",
    )

    def read(span: str) -> dict | None:
        doc = nlp(span)
        matches = matcher(doc)
        if not matches:
            return None
        _, start, end = max(matches, key=lambda m: m[2] - m[1])
        return _spacy_quantity(doc[start:end], scales, cardinals, before, after)

    return read


def _spacy_quantity(tokens, scales: dict, cardinals: dict, before: dict, after: dict) -> dict | None:
    """What the matched tokens say, read word by word: the first number, the scale words after it, a unit word
    before or after it, and the words before it as the qualifier."""
    value, unit, qualifier, scale = None, None, [], D(1)
    for token in tokens:
        word = token.lower_
        if token.like_num and value is None:
            text = word.replace(",", "")
            value = D(text) if re.fullmatch(r"-?[0-9.]+", text) else cardinals.get(word)
        elif word in scales and value is not None:
            scale *= scales[word]
        elif word in before:
            unit = before[word].unit_id
        elif word in after:
            unit = after[word].unit_id
        elif value is None:
            qualifier.append(word)
    if value is None:
        return None
    known = " ".join(qualifier) or None
    return {"value": value * scale, "low": None, "high": None, "unit": unit or "count", "qualifier": known}


READERS = {
    "redata": lambda: redata_reader,
    "quantulum3": quantulum_reader,
    "spaCy Matcher (blank en)": spacy_reader,
    "number-parser": number_parser_reader,
    "Recognizers-Text": recognizers_reader,
}


def evaluate() -> tuple[list[list], list[tuple]]:
    rows, misses = [], []
    every = cases()
    for name, make in READERS.items():
        started = time.perf_counter()
        read = make()
        loaded = time.perf_counter() - started
        tallies: dict[str, list[bool]] = {
            "value": [], "bounds": [], "unit": [], "qualifier": [], "all": [], "curated": [], "news": []
        }  # fmt: skip
        started = time.perf_counter()
        for source, span, answer in every:
            try:
                guess = read(span)
            except Exception as error:  # a library failing on a span scores nothing on it
                guess = {"error": repr(error)}
            marks = score(answer, guess if guess and "error" not in guess else None)
            for key, mark in marks.items():
                if mark is not None:
                    tallies[key].append(bool(mark))
            tallies["all"].append(all(mark for mark in marks.values() if mark is not None))
            tallies[source].append(tallies["all"][-1])
            if name == "redata" and not tallies["all"][-1]:
                misses.append((span, answer, guess))
        elapsed = time.perf_counter() - started
        rows.append([name, *(_share(tallies[key]) for key in tallies), f"{loaded:.2f} s", f"{elapsed:.2f} s"])
    return rows, misses


def _share(marks: list[bool]) -> str:
    return f"{sum(marks)}/{len(marks)} ({100 * sum(marks) / len(marks):.0f}%)" if marks else "–"


def render(rows: list[list], misses: list[tuple]) -> str:
    curated = sum(1 for source, _, _ in cases() if source == "curated")
    header = ["reader", "value", "bounds", "unit", "qualifier", "all four", "curated: all four", "news: all four"]
    header += ["load", f"{len(cases())} spans"]
    lines = [
        "# The number reader against the libraries",
        "",
        f"Made by `python benchmarks/reader_accuracy.py`: {curated} curated `as_written` spans of the package and "
        f"{len(SPANS)} news-style spans of other news, one target quantity each. `value` is scored on the spans "
        "whose answer is a point value, `bounds` on those whose answer is a range or a one-sided bound. A "
        "library that reads no qualifier scores on `qualifier` the spans that have none. `load` is the time to "
        "import and set up the library, the last column the time to read every span.",
        "",
        "The news spans were written while the reader was built, so they show that it covers each construct, "
        "not how it does on text it has never seen; the curated spans are the package's own, which the agreement "
        "layer holds the reader to.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(map(str, row)) + " |" for row in rows),
        "",
        "redata's misses: " + ("none." if not misses else "; ".join(f"{span!r}: {guess}" for span, _, guess in misses)),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--out", type=Path, default=None)
    options = arguments.parse_args()
    text = render(*evaluate())
    print(text)
    if options.out:
        options.out.write_text(text, encoding="utf-8")
