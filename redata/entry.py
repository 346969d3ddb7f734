"""The `redata` command's entry point: it imports the command-line interface, so that a Ctrl-C even while the
interface loads ends in one line and exit code 130, as it does once it runs; and it ends the process without
the interpreter's last search for reference cycles."""

from __future__ import annotations

import gc
import sys

INTERRUPTED = "redata: interrupted"


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    try:
        run()
    finally:
        # The process ends here: the objects it holds need not be searched for reference cycles as the
        # interpreter shuts down (validating the real package took 0.16 to 0.19 s less, medians of 20
        # alternating runs: benchmarks/RESULTS.md); the system takes back their memory. Nothing of redata's
        # is left to a collection: its files and folders are closed and removed where they are used.
        gc.freeze()
