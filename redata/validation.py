"""`validate(path) -> Report`: every layer over a package, all problems collected in one pass.

Problems are reported in the order of `redata.report.LAYERS`; no layer stops at the first error. The
tables are read, and the archived texts too, while other work goes on. A layer that needs something the
package lacks (a built package has no archived texts) is listed as skipped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .report import Report


def validate(path: str | Path = "datapackage") -> Report:
    return run(path)[0]


def run(path: str | Path = "datapackage"):
    """The report and the context the layers read (the typed tables), for `build` to reuse."""
    from . import archive
    from .checks import structure
    from .package import open_package

    package = open_package(path)  # raises CannotRun when there is no package to validate
    # The tables are read while the other layers' libraries load and the descriptor is checked; the
    # descriptor's metadata, while the tables are checked; the archived texts, once the tables are checked,
    # while the layers that need no text run. Read beside the tables, the 1M-row package's texts (56 MB)
    # raised the peak of reading its figures: whole runs peaked at 782-852 MB, against 749-774 MB. At 10M
    # rows the texts take 3.4 s, those layers 2.7 s: the provenance layer waits for them.
    reading = structure.start_reading(package)
    texts_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redata-texts")
    metadata_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redata-metadata")
    texts = None  # the texts being read: a Future of (texts, problems), once the tables are checked

    try:
        from .checks import Context, conflicts, consistency, coverage, descriptor, domain, provenance, references
        from .checks import agreement as agreement_layer

        report = Report(str(package.paths.descriptor))
        descriptor_problems, usable = descriptor.check(package)
        report.problems += descriptor_problems
        metadata = metadata_checker.submit(descriptor.metadata_problems, package)  # while the tables are checked
        tables, structure_problems = structure.check(package, usable, reading)
        report.problems += metadata.result() + structure_problems
        if "sources" in tables:
            texts = texts_reader.submit(archive.read_texts, package, tables["sources"])
        context = Context(package, tables)
        for layer in (domain, agreement_layer, references, consistency):
            report.problems += layer.check(context)
        context.texts, archive_problems = texts.result() if texts else (None, [])
        texts = None  # the context holds the texts from here on, and only the context
    finally:
        for pending in reading.values():
            pending.cancel()  # nothing more is read once the run stops
        texts_reader.shutdown(cancel_futures=True)
        metadata_checker.shutdown(cancel_futures=True)
    report.problems += archive_problems
    if package.paths.archive is None:
        reason = "the package has no archived source texts (a built package carries quotes, not articles)"
        report.skipped["coverage"] = reason
        report.skipped["provenance"] = reason + "; quotes were checked against as_written only"
    unread = [
        r.get("name")
        for r in package.descriptor.get("resources") or []
        if isinstance(r, dict) and r.get("name") not in tables
    ]
    text_layers = [provenance, coverage]
    if unread and package.paths.archive is not None:
        # the numbers an unread table accounts for would all be reported as unaccounted
        report.skipped["coverage"] = f"not every table could be read ({', '.join(map(str, unread))})"
        text_layers.remove(coverage)
    for layer in text_layers:
        report.problems += layer.check(context)
    # Conflicts run last, once the texts are let go: their group-by over every figure needs, for a moment,
    # 0.65-0.8 GiB more for 10M figures, and the texts held beside it would add theirs to the peak.
    context.texts = None
    report.problems += conflicts.check(context)
    return report, context
