"""The `redata` command's entry point: it imports the command-line interface, so that a Ctrl-C even while the
interface loads ends in one line and exit code 130, as it does once it runs."""

from __future__ import annotations

import sys

INTERRUPTED = "redata: interrupted"


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
    run()
