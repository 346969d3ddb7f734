"""A hostile file does not exhaust the machine: each of these ends within 60 s and 2 GiB of memory, in a
process of its own, with one clear line (README states the limits)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Run, edit_json

SECONDS, MEMORY_MB = 60, 2048
# Runs the command as its only child and reports what it printed, its exit code and its peak memory.
MEASURED = (
    "import json, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps([done.returncode, done.stdout, done.stderr, peak]))\n"
)


def bounded(*args) -> Run:
    """`redata ARGS` in a process of its own, which must end within SECONDS having held at most MEMORY_MB."""
    command = [sys.executable, "-c", MEASURED, sys.executable, "-m", "redata", *map(str, args)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"redata {' '.join(map(str, args))} ran longer than {SECONDS} s")
    code, stdout, stderr, peak_mb = json.loads(output)
    assert peak_mb < MEMORY_MB, f"it held {peak_mb:.0f} MB"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    return Run(code, stdout, stderr)


def test_a_multi_gigabyte_archived_text_is_refused_before_it_is_read(source):
    with (source / "seeds" / "000_23634502512134c7.txt").open("r+b") as handle:
        handle.truncate(4 << 30)  # sparse: 4 GiB that take no disk
    result = bounded("validate", source / "datapackage")
    assert result.code == 1 and "is larger than 64 MiB" in result.stdout


def test_a_gigabyte_of_nul_bytes_after_the_header_is_one_line(source):
    path = source / "datapackage" / "units.csv"
    header = path.read_text(encoding="utf-8").split("\n", 1)[0]
    path.write_text(header + "\n", encoding="utf-8")
    with path.open("r+b") as handle:
        handle.truncate(len(header) + 1 + (1 << 30))  # the rest reads as NUL bytes
    result = bounded("validate", source / "datapackage")
    assert result.code == 1 and "units.csv:2: holds a NUL byte" in result.stdout


def test_a_header_of_100000_columns_is_refused_at_once(source):
    path = source / "datapackage" / "units.csv"
    rows = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + rows, encoding="utf-8")
    result = bounded("validate", source / "datapackage")
    assert result.code == 1 and "header has 100000 columns, more than 1000" in result.stdout


def rehash(folder: Path, file_name: str) -> None:
    """Record a file's new bytes and sha256 in a release's descriptor, as a forger would."""

    def change(descriptor: dict) -> None:
        for resource in descriptor["resources"]:
            for entry in (resource, resource.get("parquet") or {}):
                if entry.get("path") == file_name:
                    data = (folder / file_name).read_bytes()
                    entry.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())

    edit_json(folder / "datapackage.json", change)


def test_a_parquet_file_that_unpacks_to_a_billion_rows_is_not_unpacked(built, tmp_path):
    """About a megabyte of Parquet that unpacks to 33 million rows (3.4 GB, 40 s to read here): its footer says
    so, and it is never decompressed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    release = tmp_path / "release"
    shutil.copytree(built, release)
    schema = pq.read_schema(release / "units.parquet")
    first = pq.read_table(release / "units.parquet").slice(0, 1)
    group = first.take(pa.array([0] * (1 << 20)))  # one row, 2^20 times
    with pq.ParquetWriter(release / "units.parquet", schema, write_statistics=False) as writer:
        for _ in range(32):  # 2^25 copies of one row compress to almost nothing
            writer.write_table(group)
    assert (release / "units.parquet").stat().st_size < 4 << 20
    rehash(release, "units.parquet")
    result = bounded("validate", release)
    assert result.code == 1 and "holds 33554432 rows, the CSV holds" in result.stdout


def test_diff_of_keys_repeated_thousands_of_times_is_linear(built, tmp_path):
    """A primary key repeated 20,000 times on both sides: joined on the key alone, the rows would multiply to
    400 million pairs; paired in order, they are compared one to one."""
    releases = []
    for name in ("percent", "per cent"):
        release = tmp_path / name.replace(" ", "-")
        shutil.copytree(built, release)
        header = (release / "units.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        row = f"percent,{name},percent,share,percent,1,0,100,false" + "," * (header.count(",") - 8) + "\n"
        (release / "units.csv").write_text(header + "\n" + row * 20_000, encoding="utf-8")
        rehash(release, "units.csv")
        releases.append(release)
    result = bounded("diff", *releases)
    assert result.code == 0 and "units: 0 added, 0 removed, 20000 changed (patch)" in result.stdout
