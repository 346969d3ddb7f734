"""What the agreement layer and the number reader cost on a generated package (see generate.py).

Three measurements, each printed as a Markdown line:
- the layer in-process, after the tables are read: wall time (median) and the resident memory it adds at
  its peak (sampled every 2 ms);
- `redata validate` in a fresh process, with the layer and with it replaced by one that finds nothing:
  wall time (median) and peak resident memory, so the difference is what the layer costs a whole run;
- the plain reader's throughput on the package's archived texts (the first `--texts` of them): characters
  and readings per second.

    python benchmarks/generate.py 100000 /tmp/pkg100k
    python benchmarks/agreement_cost.py /tmp/pkg100k [--repeat 3] [--texts 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VALIDATE = r"""
import json, resource, sys, time
start = time.perf_counter()
if sys.argv[2] == "without":
    from redata.checks import agreement
    agreement.check = lambda context: []
from redata.validation import validate
report = validate(sys.argv[1])
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "errors": len(report.errors)}))
"""


def resident() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def layer_in_process(descriptor: Path, repeat: int) -> tuple[float, float, int]:
    from redata.checks import Context, agreement, structure
    from redata.checks import descriptor as descriptor_layer
    from redata.package import open_package

    package = open_package(descriptor)
    reading = structure.start_reading(package)
    _, usable = descriptor_layer.check(package)
    tables, _ = structure.check(package, usable, reading)
    context = Context(package, tables)
    times, peaks, problems = [], [], 0
    for _ in range(repeat):
        base, peak, running = resident(), [0], [True]

        def sample(base=base, peak=peak, running=running):
            while running[0]:
                peak[0] = max(peak[0], resident() - base)
                time.sleep(0.002)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        problems = len(agreement.check(context))
        times.append(time.perf_counter() - started)
        running[0] = False
        sampler.join()
        peaks.append(peak[0] / 1e6)
    return statistics.median(times), max(peaks), problems


def validate_in_a_process(descriptor: Path, mode: str, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", VALIDATE, str(descriptor), mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        runs.append(json.loads(done.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "errors": runs[-1]["errors"],
    }


def reader_throughput(folder: Path, count: int) -> tuple[int, float, int]:
    from redata.quantities import Reader

    reader = Reader.from_package(folder / "datapackage")
    texts = [path.read_text(encoding="utf-8") for path in sorted((folder / "seeds").glob("synthetic-*.txt"))[:count]]
    started = time.perf_counter()
    readings = sum(len(reader.read(text)) for text in texts)
    return sum(map(len, texts)), time.perf_counter() - started, readings


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("package", type=Path, help="a folder made by generate.py")
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--texts", type=int, default=200)
    options = arguments.parse_args()
    descriptor = options.package / "datapackage" / "datapackage.json"
    seconds, peak, problems = layer_in_process(descriptor, options.repeat)
    print(f"- agreement layer in-process: {seconds:.3f} s (median of {options.repeat}), +{peak:.0f} MB at its peak")
    print(f"  ({problems} problems)")
    with_layer = validate_in_a_process(descriptor, "with", options.repeat)
    without = validate_in_a_process(descriptor, "without", options.repeat)
    for name, run in (("with the layer", with_layer), ("without it", without)):
        print(
            f"- `redata validate` {name}: {run['seconds']:.2f} s, peak {run['peak_mb']:.0f} MB, {run['errors']} errors"
        )
    characters, elapsed, readings = reader_throughput(options.package, options.texts)
    print(
        f"- reader on {options.texts} archived texts ({characters / 1e6:.2f} M characters): {elapsed:.2f} s, "
        f"{characters / elapsed / 1e3:.0f} k characters/s, {readings / elapsed:.0f} readings/s"
    )


if __name__ == "__main__":
    main()
