"""`validate(path) -> Report`: every layer over a package, all problems collected in one pass.

The layers run in the order of `redata.rules.LAYERS`, each reading the typed tables of the layers before;
no layer stops at the first error. A layer that needs something the package lacks (a built package has no
archived texts; a reference document may be absent) is listed as skipped, with the reason.
"""

from __future__ import annotations

from pathlib import Path

from .report import Report


def validate(path: str | Path = "datapackage", reference_folder: str | Path | None = None) -> Report:
    return run(path, reference_folder)[0]


def run(path: str | Path = "datapackage", reference_folder: str | Path | None = None):
    """The report and the context the layers read (the typed tables), for `build` to reuse. Reference documents
    are looked for in `reference_folder` (see `redata.checks.publications` for where else)."""
    from . import archive
    from .checks import (
        Context,
        agreement,
        conflicts,
        consistency,
        coverage,
        crosscheck,
        descriptor,
        domain,
        provenance,
        publications,
        references,
        structure,
    )
    from .package import open_package

    package = open_package(path)  # raises CannotRun when there is no package to validate
    report = Report(str(package.paths.descriptor))
    problems, usable = descriptor.check(package)
    report.problems += problems
    tables, problems = structure.check(package, usable)
    report.problems += problems
    context = Context(package, tables, reference_folder=reference_folder)
    for layer in (domain, agreement, references, consistency):
        report.problems += layer.check(context)
    # the archived texts, read once the layers that need none are done: read on a thread beside those layers,
    # validation took 7 to 15 s longer at 10M rows (benchmarks/RESULTS.md, "The texts thread removed")
    context.texts, problems = archive.read_texts(package, tables.get("sources"))
    report.problems += problems
    report.skipped.update(_skipped(package, tables))
    for layer in (provenance, coverage, publications):
        if layer is not coverage or "coverage" not in report.skipped:
            report.problems += layer.check(context)
    context.texts = None  # no layer after these reads them: conflicts' grouping does not hold them beside it
    report.problems += conflicts.check(context) + crosscheck.check(context)
    report.skipped.update(context.skipped)
    return report, context


def _skipped(package, tables) -> dict[str, str]:
    if package.paths.archive is None:
        reason = "the package has no archived source texts (a built package carries quotes, not articles)"
        return {"provenance": reason + "; quotes were checked against as_written only", "coverage": reason}
    unread = [name for name in package.declared if name not in tables]
    if unread:  # the numbers an unread table accounts for would all be reported as unaccounted
        return {"coverage": f"not every table could be read ({', '.join(unread)})"}
    return {}
