"""Changing several files together: all of them or none, whatever fails and wherever the process is killed,
and never over a change another writer made meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO, file_bytes

from redata import transaction
from redata.errors import CannotRun, Refused
from redata.transaction import JOURNAL_NAME, LOCK_NAME, STAGING_PREFIX, Transaction, recover


def _no_leftovers(root) -> None:
    assert not (root / JOURNAL_NAME).exists()
    assert not list(root.glob(f"{STAGING_PREFIX}*"))


def test_a_commit_replaces_every_staged_file_and_leaves_nothing_behind(source):
    figures, seed = source / "datapackage" / "figures.csv", source / "seeds" / "new.txt"
    with Transaction(source) as change:
        change.write(figures, b"new figures\n")
        change.write(seed, b"a new text\n")
        assert figures.read_bytes() != b"new figures\n"  # nothing changes before the commit
        change.commit()
    assert figures.read_bytes() == b"new figures\n" and seed.read_bytes() == b"a new text\n"
    _no_leftovers(source)


def test_leaving_without_a_commit_changes_nothing(source):
    before = file_bytes(source)
    with pytest.raises(ValueError), Transaction(source) as change:
        change.write(source / "datapackage" / "figures.csv", b"new\n")
        raise ValueError("the command failed")
    assert file_bytes(source) == before
    _no_leftovers(source)


def test_a_file_another_writer_changed_meanwhile_refuses_the_commit(source, tables):
    before_units = (source / "datapackage" / "units.csv").read_bytes()
    with Transaction(source) as change:
        change.write(source / "datapackage" / "units.csv", b"replacement\n")
        tables.update("entities", "entity_id", "china", note="Edited in a spreadsheet meanwhile.")
        edited = file_bytes(source)
        with pytest.raises(Refused, match="datapackage/entities.csv changed while this command ran"):
            change.commit()
    assert file_bytes(source) == edited
    assert (source / "datapackage" / "units.csv").read_bytes() == before_units


def test_a_rename_that_fails_puts_back_the_files_renamed_before_it(source):
    blocker = source / "datapackage" / "blocker"
    blocker.mkdir()
    (blocker / "inside").write_text("a folder cannot be replaced by a file")
    before = file_bytes(source)
    with Transaction(source) as change:
        change.write(source / "datapackage" / "figures.csv", b"new figures\n")
        change.write(blocker, b"cannot land\n")
        with pytest.raises(CannotRun, match="cannot be replaced.*nothing was changed"):
            change.commit()
    assert file_bytes(source) == before
    _no_leftovers(source)


KILLED_MID_COMMIT = """
import os, signal, sys
from pathlib import Path
from redata.transaction import Transaction

root = Path(sys.argv[1])
renames = 0
real_replace = os.replace

def replace_then_die(source, target):
    global renames
    real_replace(source, target)
    renames += 1
    if renames == 2:  # the journal, then the first file: the process dies between two renames
        os.kill(os.getpid(), signal.SIGKILL)

with Transaction(root) as change:
    change.write(root / "datapackage" / "figures.csv", b"new figures\\n")
    change.write(root / "datapackage" / "entities.csv", b"new entities\\n")
    os.replace = replace_then_die
    change.commit()
"""


def test_a_process_killed_between_two_renames_leaves_a_journal_the_next_command_finishes(source):
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_MID_COMMIT), str(source)], cwd=REPO, capture_output=True
    )
    assert killed.returncode == -9, killed.stderr
    figures, entities = source / "datapackage" / "figures.csv", source / "datapackage" / "entities.csv"
    assert figures.read_bytes() == b"new figures\n" and entities.read_bytes() != b"new entities\n"  # half done
    assert (source / JOURNAL_NAME).is_file()
    with Transaction(source) as change:  # any curation command starts by finishing it
        assert change.recovered == ["datapackage/entities.csv"]
    assert figures.read_bytes() == b"new figures\n" and entities.read_bytes() == b"new entities\n"
    _no_leftovers(source)


@pytest.mark.parametrize(
    "entry",
    [["/etc/passwd", "datapackage/figures.csv"], [f"{STAGING_PREFIX}x/a", "../outside.csv"], ["seeds/a", "seeds/b"]],
)
def test_a_journal_this_tool_did_not_write_is_refused_and_nothing_moves(source, entry):
    (source / JOURNAL_NAME).write_text(json.dumps({"replace": [entry]}))
    before = file_bytes(source)
    with pytest.raises(CannotRun, match="not a journal this tool wrote"):
        recover(source)
    assert file_bytes(source) == before


def test_a_file_outside_the_package_cannot_be_staged(source):
    with Transaction(source) as change, pytest.raises(CannotRun, match="not a file of the package"):
        change.staged(source / "datapackage" / ".." / ".." / "elsewhere.csv")


def test_mirror_makes_a_package_that_validates_as_the_original(source):
    from redata.validation import validate

    with Transaction(source) as change:
        descriptor = change.mirror()
        assert validate(descriptor).valid()
        linked = (descriptor.parent / "figures.csv").stat().st_ino
        assert linked == (source / "datapackage" / "figures.csv").stat().st_ino  # linked, not copied


def test_a_lock_held_past_the_wait_is_one_line_and_nothing_is_touched(source, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr(transaction, "LOCK_WAIT_SECONDS", 0.2)
    with FileLock(str(source / LOCK_NAME)):  # another command's
        before = file_bytes(source)
        with pytest.raises(CannotRun, match=r"another redata command has held the lock for 0.2 s"):
            Transaction(source).__enter__()
        assert file_bytes(source) == before
    _no_leftovers(source)


def test_a_lock_that_cannot_be_made_is_one_line(source):
    (source / LOCK_NAME).mkdir()  # a folder where the lock file would be
    with pytest.raises(CannotRun, match=r"\.redata\.lock: cannot be locked: "):
        Transaction(source).__enter__()
    _no_leftovers(source)
