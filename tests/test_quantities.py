"""The number reader on news-style sentences: every construct it reads (numerals, number words, scale words,
currencies, percentages, ranges, bounds, units, counted nouns, dates) and the numbers it classifies as no
quantity (years, dates, ordinals, codes, footnote marks), with the spellings of real news, the two seed
articles' sentences and others written for these tests (finance, sports, weather, politics)."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl
import pytest
from conftest import REPO, Tables
from hypothesis import given, settings
from hypothesis import strategies as st

from redata.lexicon import Lexicon, LexiconError
from redata.quantities import DateParts, Reader
from redata.shapes import cut, shape_codes, shape_text
from redata.tokens import SHAPES, numeral_shape, tokens

READER = Reader.from_package(REPO / "datapackage")
D = Decimal


def read(text: str) -> list[dict]:
    """Each reading as a dict of its filled fields, offsets and `numbers` left out."""
    found = []
    for reading in READER.read(text):
        fields = {
            k: v
            for k, v in reading.__dict__.items()
            if v not in (None, ()) and k not in ("char_start", "char_end", "numbers")
        }
        assert text[reading.char_start : reading.char_end] == reading.text  # offsets are Python string indices
        found.append(fields)
    return found


def one(text: str) -> dict:
    (found,) = read(text)
    return found


def quantity(text: str, **expected) -> None:
    found = one(text)
    assert found["kind"] == "quantity", found
    for key, value in expected.items():
        assert found.get(key) == value, (text, key, found)
    for key in ("value", "low", "high", "qualifier"):
        if key not in expected:
            assert key not in found, (text, key, found)


# ---------------------------------------------------------------------- numerals, words, scale, exactness


@pytest.mark.parametrize(
    "text, value",
    [
        ("12.4", D("12.4")),
        ("200,000", D("200000")),
        ("1,300", D("1300")),
        ("1,234,567.89", D("1234567.89")),
        ("seven", D(7)),
        ("eleven", D(11)),
        ("ninety", D(90)),
        ("twenty-five", D(25)),
        ("Forty two", D(42)),
        ("a dozen", D(12)),
        ("two dozen", D(24)),
        ("one hundred and twenty", D(120)),
        ("a hundred and fifty", D(150)),
        ("seven hundred thousand", D(700000)),
        ("two million three hundred thousand", D(2300000)),
        ("a million", D(1000000)),
        ("one and a half million", D(1500000)),
        ("half a million", D(500000)),
        ("12.4 million", D(12400000)),
        ("7.55 billion", D(7550000000)),
        ("4.16 trillion", D(4160000000000)),
        ("900 thousand", D(900000)),
        ("1.5bn", D(1500000000)),
        ("3 bn", D(3000000000)),
        ("40mn", D(40000000)),
        ("2 lakh", D(200000)),
        ("5 crore", D(50000000)),
    ],
)
def test_numerals_and_number_words_with_their_scale_applied_exactly(text, value):
    found = one(text)
    assert found["value"] == value and isinstance(found["value"], Decimal)


def test_scale_arithmetic_is_decimal_not_float():
    assert 1.005 * 1e9 != 1005000000  # in floats: 1004999999.9999999
    assert one("$1.005 billion")["value"] == D("1005000000")
    assert str(one("0.1 billion")["value"]) == "100000000"
    assert one("1,000,000,000,000,000,000,001 people")["value"] == D("1000000000000000000001")


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("half", D("0.5"), "fraction"),
        ("a third", D(1) / D(3), "fraction"),
        ("two-thirds", D(2) / D(3), "fraction"),
        ("three quarters", D("0.75"), "fraction"),
        ("a quarter", D("0.25"), "fraction"),
        ("one-fifth", D("0.2"), "fraction"),
    ],
)
def test_fractions_alone_are_parts_of_a_whole(text, value, unit):
    found = one(text)
    assert found["unit"] == unit and abs(found["value"] - value) < D("1e-25")


# ---------------------------------------------------------------------- currencies, percentages, units


@pytest.mark.parametrize(
    "text, value, unit, currency",
    [
        ("$439 million", D(439000000), "USD", "USD"),
        ("US$4.16 trillion", D(4160000000000), "USD", "USD"),
        ("USD 250,000", D(250000), "USD", "USD"),
        ("250,000 US dollars", D(250000), "USD", None),
        ("€1.5bn", D(1500000000), "EUR", "EUR"),
        ("£20k", D(20000), "GBP", "GBP"),
        ("¥300", D(300), "JPY", "JPY"),
        ("RMB 5 billion", D(5000000000), "CNY", "CNY"),
        ("5 billion yuan", D(5000000000), "CNY", None),
        ("$5m", D(5000000), "USD", "USD"),
    ],
)
def test_currencies_before_and_after_the_number(text, value, unit, currency):
    found = one(text)
    assert (found["value"], found["unit"], found.get("currency")) == (value, unit, currency)


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("115%", D(115), "percent"),
        ("29 percent", D(29), "percent"),
        ("3.5 per cent", D("3.5"), "percent"),
        ("a 2 percentage point rise", D(2), "percentage_point"),
        ("25 basis points", D(25), "basis_point"),
        ("200,000 tons", D(200000), "t"),
        ("45,000 tonnes", D(45000), "t"),
        ("3 metric tons", D(3), "t"),
        ("7t", D(7), "t"),
        ("550 grams", D(550), "g"),
        ("300g", D(300), "g"),
        ("2.5 kg", D("2.5"), "kg"),
        ("two days", D(2), "day"),
        ("12 hours", D(12), "hour"),
        ("90 minutes", D(90), "minute"),
        ("18 years", D(18), "year"),
        ("90-day", D(90), "day"),
        ("90-minute", D(90), "minute"),
        ("a five-year plan", D(5), "year"),
        ("41C", D(41), "degree_Celsius"),
        ("26 miles", D(26), "mile"),
        ("42.195 km", D("42.195"), "km"),
    ],
)
def test_units_and_their_spellings(text, value, unit):
    found = one(text)
    assert (found["value"], found["unit"]) == (value, unit)


@pytest.mark.parametrize(
    "text, unit, low, high",
    [
        ("$11-$15 per kilogram", "USD/kg", D(11), D(15)),
        ("$35-40/kg", "USD/kg", D(35), D(40)),
        ("10% a year", "percent_per_year", None, None),
        ("3 percent per annum", "percent_per_year", None, None),
    ],
)
def test_per_units_are_looked_up_by_their_parts(text, unit, low, high):
    found = one(text)
    assert found["unit"] == unit and found.get("low") == low and found.get("high") == high


def test_a_per_unit_the_vocabulary_lacks_is_a_problem_not_a_guess():
    found = one("$3.10 per gallon")
    assert found["unit"] == "USD" and "gallon" in found["problem"]


@pytest.mark.parametrize(
    "text, value, counted",
    [
        ("12.4 million EVs", D(12400000), "EVs"),
        ("six documents, including", D(6), "documents"),
        ("11 arrows", D(11), "arrows"),
        ("17 rare earth elements", D(17), "rare earth elements"),
        ("seven types of heavy rare earth-related items", D(7), "types"),
        ("2.4 million vehicles were produced", D(2400000), "vehicles"),
        ("1,000 people", D(1000), "people"),
        ("an 11-member panel", D(11), "member"),
        ("10.2 million, followed by", D(10200000), None),
        ("900 thousand manufactured by US-based companies", D(900000), None),
    ],
)
def test_counted_nouns(text, value, counted):
    found = [r for r in read(text) if r["kind"] == "quantity"][0]
    assert (found["value"], found["unit"], found.get("counted")) == (value, "count", counted)


# ---------------------------------------------------------------------- ranges, and pairs that are no range


@pytest.mark.parametrize(
    "text, low, high, unit",
    [
        ("$11-$15", D(11), D(15), "USD"),
        ("11–15", D(11), D(15), "count"),
        ("35 to 40 percent", D(35), D(40), "percent"),
        ("between 35 and 40 percent", D(35), D(40), "percent"),
        ("from 6.2 to 16.1 percent", D("6.2"), D("16.1"), "percent"),
        ("3 to 4 million people", D(3000000), D(4000000), "count"),
        ("500,000 to 1 million people", D(500000), D(1000000), "count"),
        ("$1.5bn-$2bn", D(1500000000), D(2000000000), "USD"),
        ("two to three days", D(2), D(3), "day"),
        ("-5C to 12C", D(-5), D(12), "degree_Celsius"),
    ],
)
def test_ranges(text, low, high, unit):
    found = one(text)
    assert (found["low"], found["high"], found["unit"]) == (low, high, unit) and "value" not in found


@pytest.mark.parametrize(
    "text, texts",
    [
        # a change, from where it started to where it ended: two figures
        ("Revenue rose from $5bn to $7bn.", ["$5bn", "$7bn"]),
        ("The market grew 10% to $16.1 billion.", ["10%", "$16.1 billion"]),
        ("Unemployment fell from 4.1 percent to 3.9 percent.", ["4.1 percent", "3.9 percent"]),
        # two figures side by side
        ("$7.55 billion by Research and Markets and $6.2 billion by Future", ["$7.55 billion", "$6.2 billion"]),
        # a year, then a quantity
        ("In 2024, 12.4 million EVs were made.", ["2024", "12.4 million EVs"]),
        # two units: not one range
        ("inflation of 5% to $16bn", ["5%", "$16bn"]),
    ],
)
def test_two_numbers_that_are_not_a_range(text, texts):
    assert [r["text"] for r in read(text)] == texts


def test_a_pair_from_high_to_low_is_flagged_not_read_as_a_range():
    """A score or a tally (`3-1`, `52 to 48`) reads as a pair whose ends are out of order: a problem."""
    for text in ("Arsenal beat Chelsea 3-1 on Saturday.", "The Senate voted 52 to 48."):
        (found,) = [r for r in read(text) if r["kind"] == "quantity"]
        assert "not a range" in found["problem"]


# ---------------------------------------------------------------------- qualifiers and the bounds they imply


@pytest.mark.parametrize(
    "text, fields",
    [
        ("about 60%", {"value": D(60), "qualifier": "about"}),
        ("approximately 70 percent", {"value": D(70), "qualifier": "approximately"}),
        ("around 90 percent", {"value": D(90), "qualifier": "around"}),
        ("roughly $2bn", {"value": D(2000000000), "qualifier": "roughly"}),
        ("nearly 90%", {"value": D(90), "qualifier": "nearly"}),
        ("almost 3,000 people", {"value": D(3000), "qualifier": "almost"}),
        ("close to 99 percent", {"value": D(99), "qualifier": "close to"}),
        ("an estimated 45,000 tons", {"value": D(45000), "qualifier": "an estimated"}),
        ("an average of 18 years", {"value": D(18), "qualifier": "average"}),
        ("only 11 percent", {"value": D(11), "qualifier": "only"}),
        ("over 70 percent", {"low": D(70), "qualifier": "over"}),
        ("more than 14 million tons", {"low": D(14000000), "qualifier": "more than"}),
        ("just over 10 percent", {"low": D(10), "qualifier": "just over"}),
        ("at least 40 people", {"low": D(40), "qualifier": "at least"}),
        ("over half", {"low": D("0.5"), "qualifier": "over"}),
        ("50 or more", {"low": D(50), "qualifier": "or more"}),
        ("50-plus", {"low": D(50), "qualifier": "plus"}),
        ("50+ people", {"low": D(50), "qualifier": "plus"}),
        ("under 5%", {"high": D(5), "qualifier": "under"}),
        ("less than $1m", {"high": D(1000000), "qualifier": "less than"}),
        ("up to 40%", {"high": D(40), "qualifier": "up to"}),
        ("within 90 days", {"high": D(90), "qualifier": "within"}),
        ("approximately $11-$15 per kilogram", {"low": D(11), "high": D(15), "qualifier": "approximately"}),
        ("~5%", {"value": D(5), "qualifier": "approximately"}),
    ],
)
def test_qualifiers_and_the_bounds_they_imply(text, fields):
    quantity(text, **fields)


def test_a_capitalised_qualifier_at_the_start_of_a_sentence():
    quantity("About 60% of the world's rare earths", value=D(60), qualifier="about", unit="percent")
    quantity("More than 2,000 people attended.", low=D(2000), qualifier="more than", unit="count", counted="people")


def test_negative_numbers():
    assert one("-3.2%")["value"] == D("-3.2")
    assert one("minus 5 degrees Celsius")["value"] == D(-5)
    assert one("−40F")["value"] == D(-40)


# ---------------------------------------------------------------------- numbers that are not quantities


@pytest.mark.parametrize(
    "text, date",
    [
        ("May 12", DateParts(None, 5, 12)),
        ("on May 12th", DateParts(None, 5, 12)),
        ("April 2, 2025", DateParts(2025, 4, 2)),
        ("12 May 2025", DateParts(2025, 5, 12)),
        ("the 12th of May", DateParts(None, 5, 12)),
        ("on the 12th, agreeing", DateParts(None, None, 12)),
        ("January 2025", DateParts(2025, 1, None)),
        ("Sept. 11, 2001", DateParts(2001, 9, 11)),
        ("in April", DateParts(None, 4, None)),
        ("May", DateParts(None, 5, None)),
        ("2025-05-12", DateParts(2025, 5, 12)),
    ],
)
def test_dates(text, date):
    found = one(text)
    assert found["kind"] == "date" and found["date"] == date


def test_date_modifiers_and_the_verb_may():
    assert one("in late March 2025")["modifier"] == "late"
    assert one("mid-2024") == {"text": "mid-2024", "kind": "year", "value": D(2024), "modifier": "mid"}
    assert read("Prices may rise.") == []
    assert read("The index may 12 times") != [] and all(r["kind"] != "date" for r in read("The index may 12 times"))


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("in 2024", "year", D(2024)),
        ("Since 2020, the Pentagon", "year", D(2020)),
        ("until 2023", "year", D(2023)),
        ("by 2034", "year", D(2034)),
        ("the 2024 elections", "year", D(2024)),
        ("the 12th", "date", None),
        ("the first interaction", "ordinal", D(1)),
        ("his second term", "ordinal", D(2)),
        ("third countries", "ordinal", D(3)),
        ("the 21st century", "ordinal", D(21)),
        ("finished 3rd", "ordinal", D(3)),
        ("the twenty-first century", "ordinal", D(21)),
        ("twice", "multiple", D(2)),
        ("three times as many", "multiple", D(3)),
        ("12 hours ago", "relative_time", D(12)),
        ("at 9:30 a.m.", "time", None),
    ],
)
def test_years_dates_ordinals_and_multiples(text, kind, value):
    found = one(text)
    assert found["kind"] == kind and found.get("value") == value


def test_years_and_counts_of_four_digits():
    """Four digits are a year unless something makes them an amount: a unit, a currency, a qualifier, or a
    plural noun after them with no word of time before (`2015 vehicles`)."""
    assert one("2015 vehicles")["kind"] == "quantity"
    assert one("1999 vehicles")["unit"] == "count"
    assert one("in 2015 vehicles")["kind"] == "year"
    assert one("about 2000 people")["kind"] == "quantity"
    assert one("$2024")["kind"] == "quantity"
    assert one("2,024 people")["kind"] == "quantity"
    assert one("the 1990s") == {"text": "1990s", "kind": "year", "low": D(1990), "high": D(1999)}
    assert one("2020-2024")["low"] == D(2020) and one("2020-2024")["high"] == D(2024)
    assert one("between 2020 and 2024")["kind"] == "year"
    assert "two digits" in one("fiscal 2024-25")["problem"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("F-35 fighter jets", "F-35"),
        ("COVID-19", "COVID-19"),
        ("the Defence Production Act (DPA 1950)", "DPA 1950"),
        ("an Airbus A320", "A320"),
        ("the G7 summit", "G7"),
        ("a Boeing 737 Max", "Boeing 737"),
        ("a Category 5 hurricane", "Category 5"),
        ("5G networks", "5G"),
        ("Section 232", "Section 232"),
    ],
)
def test_codes_and_names(text, code):
    (found,) = [r for r in read(text) if r["kind"] == "code"]
    assert found["text"] == code


def test_footnote_marks_glued_to_numbers_in_extracted_tables():
    """Text taken from a PDF table (the USGS chapter) glues footnote marks to words and numbers."""
    found = read("Mineral concentrates2 39,000 42,400")
    assert [(r["kind"], r["text"]) for r in found] == [
        ("footnote", "2"),
        ("quantity", "39,000"),
        ("quantity", "42,400"),
    ]
    assert [r["kind"] for r in read("China 14255,000 14270,000 44,000,000")] == ["footnote", "footnote", "quantity"]
    assert read("China,9 70%; Malaysia, 13%")[0] == {"text": "9", "kind": "footnote"}
    assert read("1Data include lanthanides")[0]["kind"] == "footnote"
    assert read("Net import reliance7 as a percentage")[0]["kind"] == "footnote"


# ---------------------------------------------------------------------- news of other kinds


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (  # finance
            "Shares of Nvidia rose 4.2% to $135.58 on Tuesday, adding about $140bn to its market value.",
            [("4.2%", D("4.2"), "percent", None), ("$135.58", D("135.58"), "USD", None),
             ("about $140bn", D(140000000000), "USD", "about")],
        ),
        (  # finance: central bank
            "The Bank of England cut rates by 25 basis points to 4.75%, its second cut this year.",
            [("25 basis points", D(25), "basis_point", None), ("4.75%", D("4.75"), "percent", None)],
        ),
        (  # sports
            "Kipchoge ran the 42.195 km in 2:01:09, more than 30 seconds faster than anyone before him.",
            [("42.195 km", D("42.195"), "km", None), ("more than 30 seconds", None, "s", "more than")],
        ),
        (  # weather
            "Temperatures reached 41C in Seville, and up to 150mm of rain fell in two days.",
            [("41C", D(41), "degree_Celsius", None), ("two days", D(2), "day", None)],
        ),
        (  # politics
            "The bill passed with 218 votes, and nearly two-thirds of voters backed it in a poll of 1,500 adults.",
            [("218 votes", D(218), "count", None), ("nearly two-thirds", D(2) / D(3), "fraction", "nearly"),
             ("1,500 adults", D(1500), "count", None)],
        ),
        (  # trade
            "Exports to China slumped 12 percent year on year to 3.2 million tonnes in May.",
            [("12 percent", D(12), "percent", None), ("3.2 million tonnes", D(3200000), "t", None)],
        ),
    ],
)  # fmt: skip
def test_news_sentences_of_other_kinds(sentence, expected):
    quantities = [r for r in read(sentence) if r["kind"] == "quantity"]
    for text, value, unit, qualifier in expected:
        (found,) = [r for r in quantities if r["text"] == text]
        if value is not None:
            assert abs(found.get("value", found.get("low", found.get("high"))) - value) < D("1e-20"), found
        assert (found["unit"], found.get("qualifier")) == (unit, qualifier), found


def test_the_seed_articles_read_as_their_curated_figures():
    """Every curated figure's as_written reads as its value or bounds, unit and qualifier."""
    units = {row["unit_id"]: row for row in Tables(REPO).read("units")}
    for row in Tables(REPO).read("figures"):
        (found,) = [r for r in read(row["as_written"]) if r["kind"] == "quantity"]
        unit = row["unit_in_words"] or row["unit"]
        factor = D(units[found["unit"]]["to_base_factor"]) / D(units[unit]["to_base_factor"])
        for field, name in (("value", "value"), ("value_low", "low"), ("value_high", "high")):
            read_value = found.get(name)
            recorded = D(row[field]) if row[field] else None
            assert (read_value * factor if read_value is not None else None) == recorded, (row["figure_id"], field)
        assert found.get("qualifier", "") == row["qualifier"], row["figure_id"]


def test_a_whole_article_is_read_with_offsets_into_it():
    source = Tables(REPO).read("sources")[1]
    text = (REPO / "seeds" / source["file"]).read_text(encoding="utf-8")
    readings = READER.read(text)
    assert all(text[r.char_start : r.char_end] == r.text for r in readings)
    assert [r.text for r in readings if r.kind == "quantity" and r.unit == "USD/kg"] == [
        "approximately $11-$15 per kilogram",
        "around $35-$40 per kilogram",
    ]
    start = text.index("Benchmark Mineral")
    spanned = READER.read(text, start, start + 200)
    assert spanned[0].text == "approximately $11-$15 per kilogram" and spanned[0].char_start > start


# ---------------------------------------------------------------------- words are data


def _vocabularies() -> dict[str, list[dict]]:
    return {name: Tables(REPO).read(name) for name in ("units", "qualifiers", "number_words", "change_words")}


def test_a_unit_or_a_spelling_is_a_row_not_code():
    tables = _vocabularies()
    assert "gallon" in one("$3.10 per gallon")["problem"]
    base = dict.fromkeys(tables["units"][0], "")
    gallon = {**base, "unit_id": "gal", "name": "US gallon", "pint": "gallon", "dimension": "volume"}
    gallon |= {"base_unit_id": "gal", "to_base_factor": "1", "whole_number": "false", "written_after": "gallon;gallons"}
    per_gallon = {**gallon, "unit_id": "USD/gal", "pint": "USD / gallon", "base_unit_id": "USD/gal"}
    per_gallon["written_after"] = ""
    tables["units"] += [gallon, per_gallon]
    tables["qualifiers"].append(
        {
            "qualifier": "in the region of",
            "implies": "approximate",
            "written_as": "in the region of",
            "position": "before",
        }
    )
    tables["number_words"].append(
        {"word": "gazillion", "kind": "scale", "value": "1e18", "standalone": "true", "glued": "false"}
    )
    reader = Reader(Lexicon.from_rows(tables))
    (found,) = reader.read("in the region of $3.10 per gallon")
    assert (found.value, found.unit, found.qualifier, found.problem) == (D("3.1"), "USD/gal", "in the region of", None)
    assert reader.read("two gazillion")[0].value == D(2) * D(10) ** 18
    assert re.search(reader.token_pattern, "a gazillion", re.IGNORECASE)


def test_a_vocabulary_row_the_reader_cannot_use_is_refused_or_left_out():
    tables = _vocabularies()
    tables["number_words"].append(
        {"word": "lots", "kind": "scale", "value": "many", "standalone": "true", "glued": "false"}
    )
    with pytest.raises(LexiconError, match="number_words: value 'many' is not a number"):
        Lexicon.from_rows(tables)
    assert "lots" not in Lexicon.from_rows(tables, skip_invalid=True).standalone_words
    with pytest.raises(LexiconError, match="change_words"):
        Lexicon.from_rows({name: rows for name, rows in tables.items() if name != "change_words"})


# ---------------------------------------------------------------------- one definition of a number: the token pattern


NUMBERISH = st.lists(
    st.sampled_from(list("0123456789.,- %$€aAeEinotwhrsfu\u00a0\u2013K\u212a\n") + ["one", "Seven", "half", "bn"]),
    max_size=40,
).map("".join)


def _python_tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(READER.token_pattern, text, re.IGNORECASE)]


def _polars_tokens(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Token spans as the coverage layer finds them, with polars' (Rust) regex engine, in characters."""
    from redata.checks import coverage

    frame = pl.DataFrame({"code": range(len(texts)), "text": texts}, schema={"code": pl.Int64, "text": pl.String})
    found = coverage._tokens(frame, READER.token_pattern)
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    for position, end in found.iter_rows():  # places: a text's code × PLACE + an offset in it
        spans[position // coverage.PLACE].append((position % coverage.PLACE, end % coverage.PLACE))
    return spans


@settings(max_examples=300, deadline=None)
@given(st.lists(NUMBERISH, min_size=1, max_size=20))
def test_python_and_polars_find_the_same_number_tokens(texts):
    assert _polars_tokens(texts) == [_python_tokens(text) for text in texts]


def test_python_and_polars_find_the_same_number_tokens_in_both_articles():
    texts = [(REPO / "seeds" / row["file"]).read_text(encoding="utf-8") for row in Tables(REPO).read("sources")]
    python = [_python_tokens(text) for text in texts]
    assert _polars_tokens(texts) == python and sum(map(len, python)) > 80


# ---------------------------------------------------------------------- shapes: the bulk reading is the plain one

NUMERALS = st.from_regex(
    r"[0-9]{1,8}|[0-9]{1,3}(,[0-9]{3}){1,3}(\.[0-9]{1,3})?|[0-9]{1,6}(\.[0-9]{1,4}){1,2}|[0-9]{4,6},[0-9]{3}|[0-9]{31,40}",
    fullmatch=True,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(NUMERALS, min_size=1, max_size=30))
def test_a_numerals_shape_is_the_same_in_python_and_polars(numerals):
    codes = shape_codes(pl.Series(numerals, dtype=pl.String)).to_list()
    assert [SHAPES[code] for code in codes] == [numeral_shape(n) for n in numerals]


SENTENCES = st.lists(
    st.sampled_from(
        ["about", "$", "US$", "over", "between", "and", "to", "-", "–", "per", "kilogram", "percent", "%", "million",
         "bn", "tons", "in", "May", "the", "th", "people", "EVs", "F-", "rose", "from", "half", "a", "third", ",",
         "12", "4", "2024", "1,300", "12.4", "14270,000", "7", "31", "1.2.3", "seven", "twenty", "days", "-day"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(SENTENCES, min_size=1, max_size=10))
def test_reading_a_texts_shape_gives_the_reading_of_the_text(texts):
    """The bulk path reads the shape (numerals replaced by placeholders) once and applies the numerals'
    values; it must give what reading the text itself gives."""
    cuts = cut(pl.Series(texts, dtype=pl.String)).with_columns(pl.Series("text", texts))
    for row in cuts.iter_rows(named=True):
        text = row["text"]
        values = [token.numeral.value for token in tokens(text) if token.is_numeral]
        assert row["_numerals"] == min(len(values), 5)
        if len(values) > 4:
            continue
        floats = [row[f"_n{slot}"] for slot in range(len(values))]
        assert floats == [None if value is None else float(value) for value in values]
        assert row["_cut"] is not None  # the bulk path reads it, not the plain one
        shape = shape_text(row["_cut"], row["_key"])
        from_shape = [r.resolve(values) for r in READER.read_shape(shape)]
        plain = READER.read(text)
        assert [_without_offsets(r) for r in from_shape] == [_without_offsets(r) for r in plain], text


def _without_offsets(reading):
    """A shape's offsets are in the shape, not the text; everything else must be equal."""
    return {k: v for k, v in reading.__dict__.items() if k not in ("char_start", "char_end", "text", "numbers")}
