"""The dataset itself, read independently of the validator: every quote is the text at its offsets, every
number in both articles is accounted for, and the tables answer the questions an analyst asks."""

from __future__ import annotations

import re

from conftest import REPO, Tables

T = Tables(REPO)
TEXTS = {row["source_id"]: (REPO / "seeds" / row["file"]).read_text(encoding="utf-8") for row in T.read("sources")}
QUOTING = ["figures", "events", "statements", "relations", "exclusions", "mentions", "element_groups"]
ACCOUNTING = {
    "figures": ["as_written", "period_as_written"],
    "events": ["date_as_written"],
    "exclusions": ["as_written"],
}
WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "dozen",
    "half",
    "quarter",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "once",
    "twice",
]


def test_the_archived_texts_are_the_shared_seeds_byte_for_byte():
    shared = REPO.parent / "shared" / "seeds"
    for row in T.read("sources"):
        if (shared / row["file"]).is_file():
            assert (shared / row["file"]).read_bytes() == (REPO / "seeds" / row["file"]).read_bytes()
    assert "\u00a0" in TEXTS["s003"]  # the no-break spaces survive


def test_every_quote_is_the_text_at_its_offsets():
    checked = 0
    for table in QUOTING:
        for row in T.read(table):
            if not row["quote"]:
                continue
            text = TEXTS[row["source_id"]]
            assert text[int(row["char_start"]) : int(row["char_end"])] == row["quote"], (table, row)
            checked += 1
    assert checked >= len(T.read("figures")) + len(T.read("events")) + len(T.read("mentions"))


def test_every_number_in_both_texts_is_accounted_for():
    """Scan the texts for digits and number words; each must fall inside some row's as-written span."""
    spans = {source: [] for source in TEXTS}
    for table, columns in ACCOUNTING.items():
        for row in T.read(table):
            for column in columns:
                written = row[column]
                if written:
                    offset = row["quote"].index(written)
                    start = int(row["char_start"]) + offset
                    spans[row["source_id"]].append((start, start + len(written)))
    pattern = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(WORDS) + r")\b", re.IGNORECASE)
    tokens = [(source, m.start(), m.end(), m.group()) for source, text in TEXTS.items() for m in pattern.finditer(text)]
    assert len(tokens) == 89  # 31 in s000, 58 in s003
    uncovered = [t for t in tokens if not any(a <= t[1] and t[2] <= b for a, b in spans[t[0]])]
    assert uncovered == []


def _entity(name: str) -> str:
    return next(r["entity_id"] for r in T.read("entities") if r["name"] == name)


def test_china_shares_per_article_and_on_whose_authority():
    shares = {
        (r["source_id"], r["metric"]): (r["value"] or r["value_low"], r["qualifier"], r["attributed_to_id"])
        for r in T.read("figures")
        if r["subject_id"] == "china" and r["metric"].startswith("share_of_world_") and r["period"] == "2025"
    }
    assert shares[("s000", "share_of_world_mining")] == ("60", "about", "")
    assert shares[("s000", "share_of_world_refining")] == ("90", "nearly", "")
    assert shares[("s003", "share_of_world_mining")] == ("70", "approximately", "")
    assert shares[("s003", "share_of_world_refining")] == ("90", "nearly", "")
    assert shares[("s003", "share_of_world_magnet_production")] == ("90", "around", "")
    ev = [r for r in T.read("figures") if r["metric"] == "share_of_world_ev_production"]
    assert [(r["value_low"], r["qualifier"], r["attributed_to_id"]) for r in ev] == [("70", "over", "iea")]


def test_which_seven_elements_came_under_export_control_and_when():
    events = [e for e in T.read("events") if e["kind"] == "export_control"]
    assert [(e["date"], e["date_precision"]) for e in events] == [("2025-04-04", "day")]
    controlled = {
        p["entity_id"]
        for p in T.read("event_participants")
        if p["event_id"] == events[0]["event_id"] and p["role"] == "controlled_item"
    }
    symbols = {e["symbol"] for e in T.read("elements") if e["entity_id"] in controlled}
    assert symbols == {"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"}


def test_mining_and_oxide_costs_china_versus_brazil():
    costs = {
        r["subject_id"]: (
            float(r["value_low"]),
            float(r["value_high"]),
            r["unit"],
            r["qualifier"],
            r["attributed_to_id"],
        )
        for r in T.read("figures")
        if r["metric"] == "mining_and_oxide_conversion_cost"
    }
    assert costs["china"] == (11.0, 15.0, "USD/kg", "approximately", "benchmark-mineral-intelligence")
    assert costs["brazil"] == (35.0, 40.0, "USD/kg", "around", "benchmark-mineral-intelligence")


def test_who_said_what():
    speakers = {}
    for statement in T.read("statements"):
        speakers.setdefault(statement["speaker_id"], []).append(statement["quote"])
    assert len(speakers[_entity("Dexter Roberts")]) == 3
    assert any(q.startswith("We have reached a framework") for q in speakers[_entity("Howard Lutnick")])
    assert any("eliminate rare earths" in q for q in speakers[_entity("General Motors")])
    for quotes in speakers.values():
        for quote in quotes:
            assert not quote.startswith(("“", '"')) and not quote.endswith(("”", '"', ","))


def test_elements_reference_and_groupings():
    elements = T.read("elements")
    assert len(elements) == 17
    assert sorted(int(e["atomic_number"]) for e in elements) == [21, 39, *range(57, 72)]
    usgs = {g["symbol"]: g["grouping"] for g in T.read("element_groups") if g["scheme"] == "usgs"}
    number = {e["symbol"]: int(e["atomic_number"]) for e in elements}
    for symbol, grouping in usgs.items():
        n = number[symbol]
        expected = "neither" if symbol == "Sc" else "light" if 57 <= n <= 64 else "heavy"
        assert grouping == expected, symbol
    assert len(usgs) == 17


def test_disagreements_between_sources_both_stand():
    market = [r for r in T.read("figures") if r["metric"] == "market_value" and r["period"] == "2024"]
    assert {(r["value"], r["attributed_to_id"]) for r in market} == {
        ("7550000000", "research-and-markets"),
        ("6200000000", "future-market-insights"),
    }


def test_every_entity_is_mentioned_or_measured_and_every_mention_quotes_an_alias():
    entities = {r["entity_id"]: r for r in T.read("entities")}
    mentioned = set()
    for mention in T.read("mentions"):
        assert mention["quote"] in entities[mention["entity_id"]]["aliases"].split(";")
        mentioned.add(mention["entity_id"])
    measured = {r["subject_id"] for r in T.read("reference_values")}
    assert mentioned | measured == set(entities)
    for entity_id in measured - mentioned:  # an entity only a reference names is spelled as its row label
        labels = {r["row_label"].split(",")[0] for r in T.read("reference_values") if r["subject_id"] == entity_id}
        assert labels & set(entities[entity_id]["aliases"].split(";")), entity_id
