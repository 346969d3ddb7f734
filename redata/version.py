"""The tool's version, read from the installed distribution's metadata (pyproject.toml is its source)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redata")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
