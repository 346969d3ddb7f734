"""`redata fix`: quotes that occur once are put back at their offsets, and nothing else is ever written; the
others are left for the curator with their candidates."""

from __future__ import annotations

from conftest import cli, file_bytes

from redata.fix import fix, normalise
from redata.validation import validate

FIGURES = "datapackage/figures.csv"


def _lines_that_differ(before: bytes, after: bytes) -> list[tuple[str, str]]:
    old, new = before.decode().split("\n"), after.decode().split("\n")
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_offsets_are_rewritten_where_the_quote_occurs_once_and_no_other_byte_changes(source, tables):
    figure = next(row for row in tables.read("figures") if row["figure_id"] == "s000-f04")
    event = next(row for row in tables.read("events") if row["event_id"] == "s003-e01")
    line = tables.update("figures", "figure_id", "s000-f04", char_start="1", char_end="")  # a hand edit, or a guess
    tables.update("events", "event_id", "s003-e01", char_start="x", char_end="3")
    before = file_bytes(source)
    result = fix(source / "datapackage")
    event_line = tables.line_of("events", "event_id", "s003-e01")
    assert [moved.line() for moved in result.moved] == [
        f"figures:{line} (s000-f04): offsets [1:] -> [{figure['char_start']}:{figure['char_end']}]",
        f"events:{event_line} (s003-e01): offsets [x:3] -> [{event['char_start']}:{event['char_end']}]",
    ]
    assert result.left == [] and validate(source / "datapackage").valid()
    after = file_bytes(source)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["datapackage/events.csv", FIGURES]
    ((old, new),) = _lines_that_differ(before[FIGURES], after[FIGURES])
    assert old.replace(",1,,", f",{figure['char_start']},{figure['char_end']},") == new  # the offsets, nothing else


def test_a_quote_found_twice_is_left_with_its_occurrences_and_the_command_exits_1(source, tables):
    mentions = tables.read("mentions")
    china = next(row for row in mentions if (row["entity_id"], row["source_id"]) == ("china", "s000"))
    china.update(char_start="0", char_end="5")
    tables.write("mentions", mentions)
    line = tables.line_of("mentions", "char_start", "0")
    before = file_bytes(source)
    result = cli("fix", source / "datapackage")
    assert result.code == 1, result.stderr
    assert (
        f"mentions:{line} (china, s000): quote occurs 6 or more times in s000; candidates: [58:63]; " in result.stdout
    )
    assert result.stdout.strip().splitlines()[-1] == "moved 0 quote(s); 1 left for the curator"
    assert file_bytes(source) == before


def test_a_quote_found_nowhere_lists_the_passages_it_may_have_meant(source, tables):
    figures = {row["figure_id"]: row for row in tables.read("figures")}
    typed = figures["s000-f04"]["quote"].replace("\u2019", "'")  # a straight apostrophe for the curly one
    assert typed != figures["s000-f04"]["quote"]
    tables.update("figures", "figure_id", "s000-f04", quote=typed)
    misspelt = figures["s000-f05"]["quote"].replace("refin", "refni")
    tables.update("figures", "figure_id", "s000-f05", quote=misspelt)
    before = file_bytes(source)
    result = fix(source / "datapackage")
    assert file_bytes(source) == before and result.moved == []
    left = {item.where.split(" ")[1]: item for item in result.left}
    start, end = int(figures["s000-f04"]["char_start"]), int(figures["s000-f04"]["char_end"])
    assert left["(s000-f04)"].reason == "quote occurs nowhere in s000"
    assert left["(s000-f04)"].candidates[0].startswith(f"[{start}:{end}] ")
    assert left["(s000-f04)"].candidates[0].endswith("(typography or spacing differ)")
    assert "% alike" in left["(s000-f05)"].candidates[0]


def test_a_dry_run_says_what_it_would_move_and_writes_nothing(source, tables):
    tables.update("figures", "figure_id", "s000-f04", char_start="1", char_end="2")
    before = file_bytes(source)
    result = cli("fix", "--dry-run", source / "datapackage")
    assert result.code == 0 and "would move (dry run) 1 quote(s); 0 left for the curator" in result.stdout
    assert file_bytes(source) == before


def test_a_package_with_every_quote_in_place_is_left_alone(source):
    before = file_bytes(source)
    assert fix(source / "datapackage").lines() == ["nothing to fix: every quote is the text at its offsets"]
    assert file_bytes(source) == before


def test_normalising_keeps_the_offset_of_every_character_it_keeps():
    text = "China\u2019s  \u201cgrip\u201d\n\u2014 tightens"
    plain, index = normalise(text)
    assert plain == 'China\'s "grip" - tightens'
    assert all(text[index[i]] == plain[i] or not plain[i].isalnum() for i in range(len(plain)))
