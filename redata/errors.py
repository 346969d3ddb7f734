"""The one exception type for "the command cannot run at all" (exit code 2)."""


class CannotRun(Exception):
    """Raised when a command cannot run at all: a missing path, an unreadable descriptor, a bad option.

    The message is one line naming the file (and line and field where they apply); the CLI prints it and
    exits with code 2. Anything wrong with the data itself is a `Problem`, not an exception.
    """
