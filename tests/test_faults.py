"""Output faults lose nothing and never wedge a version: a build that cannot write, is killed or is interrupted
leaves the earlier releases as they were and no debris of its own; a version half-built is built again."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import BUILT_NAME, CHANGELOG_HEADING, NEXT_PATCH, REPO, built_name, cli, edit_json


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} | {
        p.name: b"<folder>" for p in folder.iterdir() if p.is_dir()
    }


def debris(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".redata-staging")]


def next_version(source: Path, tables, version: str = NEXT_PATCH) -> None:
    figure = tables.read("figures")[0]
    tables.update("figures", "figure_id", figure["figure_id"], note="A corrected note.")
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(version=version))
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace(CHANGELOG_HEADING, f"## [{version}] - 2026-12-01\n\n- Note.\n\n{CHANGELOG_HEADING}", 1)
    )


@pytest.fixture
def released(source, tmp_path) -> Path:
    """An output folder holding the release of the source package copy (PACKAGE_VERSION)."""
    out = tmp_path / "out"
    assert cli("build", source / "datapackage", "--out", out).code == 0
    return out


@pytest.mark.parametrize(
    "where, words",
    [
        ("a file", "is a file, not a folder"),
        ("inside a release", "lies inside the package"),
        ("inside the sources", "lies inside the package"),
        ("unwritable", "cannot be made"),
    ],
)
def test_an_output_folder_that_cannot_hold_a_release_is_one_line(source, released, where, words):
    before = snapshot(released)
    out = {
        "a file": released / f"{BUILT_NAME}.zip",
        "inside a release": released / BUILT_NAME / "more",
        "inside the sources": source / "datapackage" / "dist",
        "unwritable": Path("/proc/redata-dist"),
    }[where]
    result = cli("build", source / "datapackage", "--out", out)
    assert result.code == 2 and words in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert snapshot(released) == before and not debris(released)


def test_a_disk_that_fills_up_leaves_nothing(source, tables, released):
    """Writes past a size limit fail as on a full disk: the build says so, and removes all it wrote."""
    next_version(source, tables)
    before = snapshot(released)

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    # the size limit cuts short whatever the process writes, coverage's data too: this process is not measured
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    done = subprocess.run(
        [sys.executable, "-m", "redata", "build", str(source / "datapackage"), "--out", str(released)],
        cwd=REPO,
        capture_output=True,
        text=True,
        preexec_fn=limited,
        timeout=300,
        env=environment,
    )
    assert done.returncode == 2 and "cannot write the release" in done.stderr and "nothing was published" in done.stderr
    assert snapshot(released) == before and not debris(released)


def start_build(source: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "redata", "build", str(source / "datapackage"), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reading(pid: int, folder: Path) -> bool:
    """Whether the process has a file of `folder` open: it runs the command's own code by then."""
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link.startswith(str(folder)) for link in links)


def wait_for(process: subprocess.Popen, moment) -> None:
    """Until `moment(pid)` holds, the process ends, or a minute has passed."""
    deadline = time.monotonic() + 60
    while process.poll() is None and not moment(process.pid) and time.monotonic() < deadline:
        time.sleep(0.001)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_build_stopped_at_any_moment_loses_nothing(source, tables, released, how):
    """Stopped while it reads the package, once its staging folder appears, and at moments after."""
    before = snapshot(released)
    next_version(source, tables)
    new = released / built_name(NEXT_PATCH)
    moments = [lambda pid: reading(pid, source), lambda pid: bool(debris(released))] + [0.3, 0.8, 1.5, 3.0]
    for moment in moments:
        process = start_build(source, released)
        if callable(moment):
            wait_for(process, moment)
        else:  # a delay after it began to read
            wait_for(process, moments[0])
            time.sleep(moment)
        process.send_signal(how)
        _, stderr = process.communicate(timeout=120)
        if how == signal.SIGINT and process.returncode != 0:
            assert process.returncode == 130 and stderr.strip().splitlines()[-1] == "redata: interrupted", stderr
            assert not debris(released)
        unchanged = {k: v for k, v in before.items() if k != ".redata-build.lock"}
        assert {k: v for k, v in snapshot(released).items() if new.name not in k and k in unchanged} == unchanged
        if new.exists():  # only ever complete: renamed into place whole, its zip beside it
            assert cli("validate", new).code == 0
            with zipfile.ZipFile(released / f"{new.name}.zip") as archive:
                assert archive.testzip() is None
            shutil.rmtree(new)
            (released / f"{new.name}.zip").unlink()
    finished = cli("build", source / "datapackage", "--out", released)
    assert finished.code == 0, finished.stderr
    assert not debris(released)


# A native call that fails while a Ctrl-C is pending: SQLite computes for about a second in C and then fails
# (integer overflow); the Ctrl-C comes meanwhile. Python raises the SQLite error first and the Ctrl-C at the next
# function it enters: the first call of the `finally` that removes the staging folder.
FAILING_UNDER_CTRL_C = """
import os, signal, sqlite3, sys, threading, time
import redata.publish
from redata.entry import main

def write_zip(folder, zip_path, created):
    started = threading.Event()
    def interrupt():
        started.wait()
        time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=interrupt).start()
    count = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 5000000) "
    started.set()
    sqlite3.connect(":memory:").execute(count + "SELECT sum(x) + abs(-9223372036854775807 - 1) FROM n").fetchall()

redata.publish.write_zip = write_zip
sys.argv = ["redata", *sys.argv[1:]]
main()
"""


def test_a_ctrl_c_pending_as_a_native_call_fails_still_removes_the_staging(source, tables, released):
    next_version(source, tables)
    before = snapshot(released)
    done = subprocess.run(
        [sys.executable, "-c", FAILING_UNDER_CTRL_C, "build", str(source / "datapackage"), "--out", str(released)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 130 and done.stderr.strip() == "redata: interrupted", done.stderr
    assert snapshot(released) == before and not debris(released)


def test_a_release_whose_zip_was_lost_is_built_again_whole(released):
    zip_path = released / f"{BUILT_NAME}.zip"
    kept = zip_path.read_bytes()
    zip_path.unlink()
    source = released.parent / "repo"
    assert cli("build", source / "datapackage", "--out", released).code == 0
    assert zip_path.read_bytes() == kept


def test_only_this_tools_staging_is_removed_and_the_lock_is_never_a_link(source, released, tmp_path):
    theirs = released / ".staging-of-another-tool"
    theirs.mkdir()
    (released / ".redata-build.lock").unlink(missing_ok=True)
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (released / ".redata-build.lock").symlink_to(target)
    result = cli("build", source / "datapackage", "--out", released)
    assert result.code == 2 and "cannot be locked" in result.stderr, result.stderr
    assert target.read_text(encoding="utf-8") == "keep me" and theirs.is_dir()
    (released / ".redata-build.lock").unlink()
    assert cli("build", source / "datapackage", "--out", released).code == 0 and theirs.is_dir()


def test_two_builds_started_at_once_do_not_corrupt_each_other(source, tmp_path, built):
    out = tmp_path / "out"
    first, second = start_build(source, out), start_build(source, out)
    results = [process.communicate(timeout=300) + (process.returncode,) for process in (first, second)]
    assert [code for *_, code in results] == [0, 0], results
    assert snapshot(out / BUILT_NAME) == snapshot(built)
    assert (out / f"{BUILT_NAME}.zip").read_bytes() == (built.parent / f"{BUILT_NAME}.zip").read_bytes()


def test_a_command_interrupted_prints_one_line_and_exits_130(source):
    """Interrupted while it reads the package (found in /proc, not by a delay this busy machine would upset)."""
    interrupted = 0
    for _ in range(20):
        process = subprocess.Popen(
            [sys.executable, "-m", "redata", "validate", str(source / "datapackage")],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while process.poll() is None and not reading(process.pid, source):
            time.sleep(0.001)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        if process.returncode != 0:  # not finished first
            assert process.returncode == 130 and stderr.strip() == "redata: interrupted", stderr
            interrupted += 1
        if interrupted >= 3:
            break
    assert interrupted >= 3


# A validation whose `finally` never ends after a Ctrl-C, and first prints to fd 2, as native code left stuck by
# the KeyboardInterrupt (a polars panic's message and backtrace) would; the grace is shortened to a second.
STUCK_AFTER_CTRL_C = """
import os, sys, threading, time
import redata.cli as cli
import redata.validation as validation

def stuck(*args, **kwargs):
    try:
        print("running", flush=True)
        time.sleep(60)
    finally:
        os.write(2, b"thread '<unnamed>' panicked at native code\\nstack backtrace:\\n")
        threading.Event().wait()

cli.INTERRUPT_GRACE_SECONDS = 1.0
validation.validate = stuck
sys.argv = ["redata", "validate", sys.argv[1]]
cli.main()
"""


def test_a_command_stuck_after_a_ctrl_c_still_ends_in_one_line_and_130(source):
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_AFTER_CTRL_C, str(source / "datapackage")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "running\n"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "redata: interrupted\n")
