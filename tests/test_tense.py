"""`redata.tense`: a claim's tense is read from its verb forms, on sentences the package has never seen — a past
form used as a verb is past, a passive or an adjective is not, an auxiliary with its verb is perfect or future."""

from __future__ import annotations

import pytest

from redata.tense import tense


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Indonesia refines about 8% of the world's nickel.", ("present", "")),
        ("Most of the ore is mined and processed in Chile.", ("present", "")),
        ("Of the 30 minerals listed by the agency, 12 come from Peru.", ("present", "")),
        ("The refinery employs 400 people at its expanded plant.", ("present", "")),
        ("Imports dropped by more than a third.", ("past", "dropped")),
        ("Output rose to 1,200 tonnes.", ("past", "rose")),
        ("The tax was 15 percent.", ("past", "was")),
        ("Both governments agreed to a 60-day review.", ("past", "agreed")),
        ("The ministry has already spent $2 billion.", ("perfect", "has spent")),
        ("The company has 3,000 employees.", ("present", "")),
        ("Prices will climb by 10%.", ("future", "will")),
    ],
)
def test_the_tense_of_a_sentence(sentence, expected):
    read = tense(sentence, (0, len(sentence)), [])
    assert (read.tense, read.words) == expected


def test_skipped_spans_are_not_read():
    sentence = "Lithium costs $9 per kilogram, the agency said."
    said = sentence.index("said")
    assert tense(sentence, (0, len(sentence)), []).tense == "past"
    assert tense(sentence, (0, len(sentence)), [(said, said + 4)]).tense == "present"
