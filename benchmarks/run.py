"""Benchmark runner: `redata validate` and `redata build` against two references, side by side, in one run.

For each size it generates a synthetic package (see generate.py) and measures, each in a fresh process,
wall time and peak memory of: `redata validate` on the source package; `redata build`; `redata validate`
on the built package; `frictionless validate` of the built package (the same CSV bytes; the tool users
would otherwise pick); and a bare pyarrow CSV read of the same tables (the floor). Also the start-up
of `redata --help`, the import time of the validation code, and `redata validate` on the real package.
Results are ratios within the run, printed as Markdown. With `--pairs N`, the floor and `redata validate`
run alternately N times, and validate / floor is the median of each validate over the floor just before it.

    python benchmarks/run.py 10000 100000 1000000 [--frictionless-max 1000000] [--pairs 3] [--out benchmarks/out]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Every command measured runs in the environment this process started with, as from the user's shell: polars,
# which generate.py imports, sets its allocator's settings in os.environ as it loads (`_RJEM_MALLOC_CONF`), and
# a child inheriting them would not run as a user's command does (see `redata.startup`).
ENVIRONMENT = dict(os.environ)
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

MEASURE = r"""
import json, resource, subprocess, sys, time
command, cwd = json.loads(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
# ru_maxrss is in KiB; peaks are reported in MB (10^6 bytes), the unit of the CSV sizes they are divided by
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "code": done.returncode}))
"""
FLOOR = (
    "import sys, pyarrow.csv as c\n"
    "options = c.ParseOptions(newlines_in_values=True)\n"
    "for path in sys.argv[1:]:\n    c.read_csv(path, parse_options=options)\n"
)
IMPORTS = (
    "import redata.validation, redata.archive, redata.checks.structure, redata.checks.domain, "
    "redata.checks.descriptor, frictionless"
)
# The same, as a command's process imports them: pandera without pandas (see `redata.cli`).
IMPORTS_IN_A_COMMAND = "import redata.startup as s; s.prepare_process(); s.import_pandera_without_pandas(); " + IMPORTS


def measure(command: list[str], cwd: Path = REPO, repeat: int = 1) -> dict:
    """Median wall time (s) and peak resident memory (MB) of `command`, each run in a fresh process."""
    runs = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, "-c", MEASURE, json.dumps(command), str(cwd)],
            capture_output=True,
            text=True,
            check=True,
            env=ENVIRONMENT,
        )
        runs.append(json.loads(output.stdout))
    return _median_run(runs)


def _median_run(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "code": next((r["code"] for r in runs if r["code"] != 0), 0),  # any failed run shows
    }


def redata(*args: str) -> list[str]:
    return [sys.executable, "-m", "redata", *args]


def frictionless() -> str:
    return str(Path(sys.executable).parent / "frictionless")


def machine() -> str:
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    memory = ""
    if Path("/proc/meminfo").is_file():
        total = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
        memory = f", {total:.0f} GiB RAM"
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}; {system}; Python {platform.python_version()}"


def run_size(rows: int, out: Path, frictionless_max: int, pairs: int = 1) -> dict:
    package = out / f"package-{rows}"
    generate(package, rows)
    csv_files = sorted(str(p) for p in (package / "datapackage").glob("*.csv"))
    csv_mb = sum(Path(p).stat().st_size for p in csv_files) / 1e6
    dist = out / f"dist-{rows}"
    shutil.rmtree(dist, ignore_errors=True)
    result = {"rows": rows, "csv_mb": csv_mb}
    # the floor and validate alternate, each validate compared with the floor measured just before it: on a
    # shared machine the same read varies by a third within an hour, and a ratio of one pair can mislead
    floors, validates = [], []
    for _ in range(pairs):
        floors.append(measure([sys.executable, "-c", FLOOR, *csv_files]))
        validates.append(measure(redata("validate", str(package / "datapackage"))))
    result["floor"], result["validate"] = _median_run(floors), _median_run(validates)
    result["ratios"] = [v["seconds"] / f["seconds"] for f, v in zip(floors, validates, strict=True)]
    result["build"] = measure(redata("build", str(package / "datapackage"), "--out", str(dist)))
    built = next(dist.glob("*/datapackage.json"))
    result["validate_built"] = measure(redata("validate", str(built)))
    if rows <= frictionless_max:
        result["frictionless"] = measure([frictionless(), "validate", "datapackage.json"], cwd=built.parent)
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(package, ignore_errors=True)
    return result


def _ratio_text(ratios: list[float]) -> str:
    """One pair's ratio, or the median of several pairs' with their range."""
    median = f"{statistics.median(ratios):.2f}"
    return median if len(ratios) == 1 else f"{median} ({min(ratios):.2f}–{max(ratios):.2f}, {len(ratios)} pairs)"


def report(sizes: list[dict], startup: dict) -> str:
    lines = [
        f"Machine: {machine()}.",
        "",
        "| rows | CSV MB | pyarrow read (floor) | redata validate | redata build | validate built "
        "| frictionless validate | validate / floor | frictionless / validate | build / validate "
        "| validate peak MB (× CSV) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        v, f, b = s["validate"], s["floor"], s["build"]
        fr = s.get("frictionless")
        codes = {k: s[k]["code"] for k in ("validate", "build", "validate_built") if s[k]["code"] != 0}
        lines.append(
            f"| {s['rows']:,} | {s['csv_mb']:.0f} | {f['seconds']:.2f} s | {v['seconds']:.2f} s "
            f"| {b['seconds']:.2f} s | "
            f"{s['validate_built']['seconds']:.2f} s | {(format(fr['seconds'], '.1f') + ' s') if fr else 'not run'} | "
            f"{_ratio_text(s['ratios'])} | {format(fr['seconds'] / v['seconds'], '.1f') if fr else '–'} | "
            f"{b['seconds'] / v['seconds']:.2f} | {v['peak_mb']:.0f} ({v['peak_mb'] / s['csv_mb']:.2f}×)"
            + (f" exit codes {codes}" if codes else "")
            + " |"
        )
    by_rows = {s["rows"]: s for s in sizes}
    if 100_000 in by_rows and 1_000_000 in by_rows:
        small, large = by_rows[100_000]["validate"]["seconds"], by_rows[1_000_000]["validate"]["seconds"]
        lines += [
            "",
            f"Slope of `redata validate` between 100k and 1M rows: {(large - small) / 0.9:.2f} s per million rows "
            f"(time ratio {large / small:.2f} for 10× the rows).",
        ]
    lines += [
        "",
        f"Start-up: `redata --help` {startup['help']['seconds']:.3f} s (median of 5); importing the validation code "
        f"{startup['command_imports']['seconds'] - startup['python']['seconds']:.2f} s as a command does "
        f"({startup['imports']['seconds'] - startup['python']['seconds']:.2f} s as a library, with pandas) "
        f"over a bare `python` start of {startup['python']['seconds']:.3f} s; "
        f"`redata validate` on the real package {startup['real']['seconds']:.2f} s (median of 3).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, nargs="+")
    parser.add_argument("--frictionless-max", type=int, default=1_000_000, help="largest size to run frictionless on")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--pairs", type=int, default=1, help="floor and validate measured alternately, so many times")
    arguments = parser.parse_args()
    if arguments.pairs < 1:
        parser.error("--pairs must be at least 1")
    arguments.out.mkdir(parents=True, exist_ok=True)
    startup = {
        "help": measure(redata("--help"), repeat=5),
        "python": measure([sys.executable, "-c", "pass"], repeat=5),
        "imports": measure([sys.executable, "-c", IMPORTS], repeat=5),
        "command_imports": measure([sys.executable, "-c", IMPORTS_IN_A_COMMAND], repeat=5),
        "real": measure(redata("validate"), repeat=3),
    }
    sizes = []
    for rows in arguments.rows:
        sizes.append(run_size(rows, arguments.out, arguments.frictionless_max, arguments.pairs))
        print(f"measured {rows:,} rows", file=sys.stderr)
    text = report(sizes, startup)
    (arguments.out / "results.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
