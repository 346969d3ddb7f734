"""The exception types a command turns into an exit code: `CannotRun` (2) and `Refused` (1)."""


class CannotRun(Exception):
    """Raised when a command cannot run at all: a missing path, an unreadable descriptor, a bad option.

    The message is one line naming the file (and line and field where they apply); the CLI prints it and
    exits with code 2. Anything wrong with the data itself is a `Problem`, not an exception.
    """


class Refused(Exception):
    """Raised when a curation command refuses the data it was given and changes nothing (exit code 1).

    The message is one line; `details` are the lines that explain it (the problems found), printed before it.
    """

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = list(details or [])
