"""`python -m redata` runs the command-line interface."""

from .entry import main

main()
