"""`validate(path) -> Report`: every layer over a package, all problems collected in one pass.

The layers run in the order of `redata.report.LAYERS`; none stops at the first error. A layer that
needs something the package lacks (a built package has no archived texts) is listed as skipped.
"""

from __future__ import annotations

from pathlib import Path

from .report import Report


def validate(path: str | Path = "datapackage") -> Report:
    return run(path)[0]


def run(path: str | Path = "datapackage"):
    """The report and the context the layers read (the typed tables), for `build` to reuse."""
    from . import archive
    from .checks import Context, conflicts, consistency, coverage, descriptor, domain, provenance, references, structure
    from .package import open_package

    package = open_package(path)  # raises CannotRun when there is no package to validate
    report = Report(str(package.paths.descriptor))
    descriptor_problems, usable = descriptor.check(package)
    report.problems += descriptor_problems
    tables, structure_problems = structure.check(package, usable)
    report.problems += structure_problems
    context = Context(package, tables)
    context.texts, archive_problems = archive.read_texts(package, tables.get("sources"))
    report.problems += archive_problems
    if package.paths.archive is None:
        reason = "the package has no archived source texts (a built package carries quotes, not articles)"
        report.skipped["coverage"] = reason
        report.skipped["provenance"] = reason + "; quotes were checked against as_written only"
    unread = [r.get("name") for r in package.descriptor.get("resources") or [] if isinstance(r, dict) and r.get("name") not in tables]
    layers = [domain, provenance, references, consistency, coverage, conflicts]
    if unread and package.paths.archive is not None:
        # the numbers an unread table accounts for would all be reported as unaccounted
        report.skipped["coverage"] = f"not every table could be read ({', '.join(map(str, unread))})"
        layers.remove(coverage)
    for layer in layers:
        report.problems += layer.check(context)
    return report, context
