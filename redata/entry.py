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
        # interpreter shuts down (0.1 to 0.25 s of validating the real package); the system takes back
        # their memory.
        gc.freeze()
