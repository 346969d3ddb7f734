"""`python -m redata` runs the command-line interface."""

from .cli import main

main()
