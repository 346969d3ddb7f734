"""Changing a CSV table as text: appended rows and rewritten cells, every other byte as it was."""

from __future__ import annotations

import csv
import io

import pytest

from redata.errors import CannotRun
from redata.tablefile import append, header, record_text, records, rewrite

TRICKY = ["a,b", 'say "hi"', "two\nlines", "carriage\rreturn", "no\u00a0break", " padded ", ""]


def _text(path) -> str:
    return path.read_bytes().decode("utf-8")


def test_appended_rows_follow_the_file_byte_for_byte_and_their_lines_are_known(tmp_path):
    path, out = tmp_path / "t.csv", tmp_path / "out.csv"
    original = 'id,text\n1,"a quoted\nline break"\n2,plain\n'
    path.write_text(original, encoding="utf-8", newline="")
    starts = append(path, out, [["3", "x\ny"], ["4", "z"]])
    written = _text(out)
    assert written.startswith(original)
    assert starts == [5, 7]  # row 3 starts on line 5 and holds a line break; row 4 starts on line 7
    assert written.splitlines()[4] == '3,"x' and written.splitlines()[6] == "4,z"


def test_a_file_without_a_final_line_break_gets_one_before_the_rows_and_crlf_stays_crlf(tmp_path):
    path, out = tmp_path / "t.csv", tmp_path / "out.csv"
    path.write_bytes(b"id,text\r\n1,a")
    assert append(path, out, [["2", "b"]]) == [3]
    assert out.read_bytes() == b"id,text\r\n1,a\r\n2,b\r\n"


def test_every_value_survives_a_record_written_and_read_back():
    text = record_text(TRICKY, "\n")
    assert next(csv.reader(io.StringIO(text, newline=""))) == TRICKY


def test_a_rewrite_changes_the_named_cells_and_no_other_byte(tmp_path):
    path, out = tmp_path / "t.csv", tmp_path / "out.csv"
    rows = ["id,start,text\r\n", '1,5,"kept ""as"" written"\r\n', "2,7,x\r\n", '3,9,"multi\nline"\r\n']
    path.write_text("".join(rows), encoding="utf-8", newline="")
    rewrite(path, out, {2: {"start": "70"}})
    assert _text(out) == "".join(rows[:2] + ["2,70,x\r\n"] + rows[3:])


def test_records_are_the_csv_modules_and_carry_their_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x\ny"\n\n2,z', encoding="utf-8", newline="")
    found = list(records(path))
    assert [r.fields for r in found] == [["a", "b"], ["1", "x\ny"], [], ["2", "z"]]
    assert "".join(r.text for r in found) == _text(path)
    assert [r.line for r in found] == [1, 2, 4, 5]
    assert header(path) == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "words"), [(b"a,b\n1,\xff\n", "not UTF-8"), (b'a,b\n1,"open\n', "cannot be parsed"), (b"", "empty")]
)
def test_a_file_that_cannot_be_read_is_one_clear_error(tmp_path, data, words):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(CannotRun, match=words):
        rewrite(path, tmp_path / "out.csv", {1: {"b": "2"}})
