"""What a command's process settles before it imports anything heavy, and why (measured with pandera 0.35,
polars 2.1 and pyarrow 26 on the benchmark packages; see benchmarks/RESULTS.md).

Only a command's own process does this: a program that imports redata as a library keeps its own settings.
"""

from __future__ import annotations

import os
import sys

# Settings read by the libraries as they load. Each one a process may override by setting it first.
ENVIRONMENT = {
    # numpy (which pyarrow loads) starts a BLAS thread per core that spins while it waits for work: 0.18 s of
    # CPU at 1M rows taken from the two cores the checks use. Nothing a command runs uses BLAS.
    "OPENBLAS_NUM_THREADS": "1",
    # polars' allocator (jemalloc) keeps freed pages a while (polars asks for 0.5 s, and 1 s more once they are
    # marked free to the kernel); returned at once, a validation of the 1M-row package peaks at 833 MB against
    # 1094 MB (medians), and takes 38 % longer, the time of faulting the pages in again.
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0",
}


def prepare_process() -> None:
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    # pandera imports hypothesis where it is installed (with the test extra, say) for data synthesis, which no
    # command uses: 0.06 s of every validation. A command's process takes it as missing.
    sys.modules.setdefault("hypothesis", None)


class _Hidden:
    """An import finder under which these top-level packages (and their modules) look uninstalled."""

    def __init__(self, *names: str):
        self.names = set(names)

    def find_spec(self, name: str, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None  # not hidden: the other finders look for it


# The pandera releases the hiding of pandas was measured on; with any other, pandera is imported as usual.
PANDERA_MEASURED = ("0.33", "0.34", "0.35")


def import_pandera_without_pandas() -> None:
    """Import pandera as in an install without pandas, which pandera supports (from 0.33): its polars API, the
    only one redata uses, does not need pandas. Where pandas is installed, pandera loads it for its pandas API,
    at import and again at the first check it runs: 0.37 s, a quarter of validating the real package.

    Done before any thread starts, since pandas looks uninstalled meanwhile; it imports as usual after."""
    from importlib.metadata import PackageNotFoundError, version

    if "pandera" in sys.modules or "pandas" in sys.modules:
        return  # pandera is imported already, or pandas is, and pandera's import of it costs nothing
    try:
        if not version("pandera").startswith(PANDERA_MEASURED):
            return
    except PackageNotFoundError:
        return
    import polars as pl  # outside the hidden window: it notes once, as it loads, whether pandas is installed

    hidden = _Hidden("pandas")
    sys.meta_path.insert(0, hidden)
    try:
        import pandera.polars as pa

        # pandera looks for its pandas API once more at the first check it runs, and keeps what it found
        pa.DataFrameSchema({"x": pa.Column(pl.Int64, pa.Check.ge(0))}).validate(pl.DataFrame({"x": [1]}))
    except Exception:  # a pandera that cannot run without pandas: it imports as usual when the checks need it
        for name in [name for name in sys.modules if name.partition(".")[0] == "pandera"]:
            del sys.modules[name]
    finally:
        sys.meta_path.remove(hidden)
