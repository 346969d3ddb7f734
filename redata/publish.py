"""`build(source, out) -> Path`: publish a validated source package as `out/<name>-<version>/` and its zip.

Guarantees: nothing is built from an invalid package; the release (its folder and its zip) is written into a
staging folder of this tool's own (`STAGING` marks its name) and renamed into place only once complete, the
zip first and the folder last, so an interrupted build leaves no partial release and never touches an earlier
one; two builds of the same inputs are byte-identical (`created` comes from SOURCE_DATE_EPOCH or the version's
CHANGELOG date, zip entries are sorted with fixed times); a version once built is never overwritten with other
content, whatever its build metadata; a new version must declare at least the SemVer bump its changes need
against the newest earlier release; one build at a time per output folder (a lock file, never a link).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from . import schema as table_schema
from . import staging, versions
from .checks import ROW
from .checks.descriptor import profile_problems
from .derived import derived_tables
from .errors import CannotRun
from .package import DESCRIPTOR_NAME, FILES, PARQUET, file_hash
from .release_files import write_release_files
from .report import Report

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CHANGELOG = "CHANGELOG.md"
CHANGELOG_ENTRY = re.compile(r"^##\s+\[?v?([0-9A-Za-z.+-]+?)\]?\s+[-–]\s+(\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)
LOCK_NAME = ".redata-build.lock"
LOCK_WAIT_SECONDS = 600
STAGING = ".redata-staging-"  # the prefix of every staging folder this tool makes, and of nothing else
# The dates a zip entry can carry (its year is stored as years since 1980, in 7 bits).
ZIP_YEARS = (1980, 2107)


class BuildRefused(Exception):
    """The source package cannot be published as it stands (exit code 1)."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


def build(source: str | Path = "datapackage", out: str | Path = "dist") -> Path:
    """Validate `source`, write the built package under `out`, and return its datapackage.json path."""
    from .validation import run

    report, context = run(source)
    if not report.valid():
        raise BuildRefused(f"{len(report.errors)} validation error(s); nothing was built", report)
    package = context.package
    if not package.paths.is_source:
        raise CannotRun(f"{source}: build starts from a source package (datapackage/ beside schemas/ and seeds/)")
    created = created_timestamp(package.paths.folder.parent / CHANGELOG, package.version)
    out = _output_folder(Path(out))
    try:
        return _publish(context, out, created)
    except (OSError, sqlite3.Error) as error:  # the database is written by SQLite, which says so its own way
        full = getattr(error, "errno", None) == errno.ENOSPC
        reason = "the disk is full" if full else (getattr(error, "strerror", None) or str(error))
        raise CannotRun(f"{out}: cannot write the release: {reason}; nothing was published") from None


def _output_folder(out: Path) -> Path:
    """`out`, made if need be; refused if it is a file, or lies inside a package (a release, the sources)."""
    for folder in (out, *out.resolve().parents):
        if (folder / DESCRIPTOR_NAME).is_file():
            raise CannotRun(f"{out}: lies inside the package {folder}; choose an output folder of its own")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CannotRun(f"{out}: is a file, not a folder") from None
    except OSError as error:
        raise CannotRun(f"{out}: cannot be made: {error.strerror or error}") from None
    if not out.is_dir():
        raise CannotRun(f"{out}: is not a folder")
    return out


def _publish(context, out: Path, created: str) -> Path:
    from filelock import FileLock, Timeout

    name, version = context.package.name, context.package.version
    final, zip_path = out / f"{name}-{version}", out / f"{name}-{version}.zip"
    try:
        lock = FileLock(out / LOCK_NAME, timeout=LOCK_WAIT_SECONDS)
        lock.acquire()
    except Timeout:
        raise CannotRun(f"{out}: another build has held the lock for {LOCK_WAIT_SECONDS} s") from None
    except (OSError, ValueError) as error:  # a lock file that is a link, a folder, or cannot be made
        raise CannotRun(f"{out}/{LOCK_NAME}: cannot be locked: {error}") from None
    try:
        _remove_staging(out)
        staged = staging.make(out, f"{STAGING}{name}-{version}-")
        folder = staged / final.name
        folder.mkdir(mode=0o755)
        write_package(context, folder, created)
        _check_descriptor(folder)
        staged_zip = staged / zip_path.name
        write_zip(folder, staged_zip, created)
        if final.exists():
            _same_release(final, folder, zip_path, staged_zip)
        else:
            _check_version(out, name, version, folder)
            os.replace(staged_zip, zip_path)
            os.rename(folder, final)
    finally:
        # Under the lock every staging folder is this build's or a killed one's: all go, a folder made just as a
        # Ctrl-C came included. (A Ctrl-C that skips this block leaves this build's to the entry point: `staging`.)
        _remove_staging(out)
        lock.release()
    return final / DESCRIPTOR_NAME


def _remove_staging(out: Path) -> None:
    """Remove this tool's staging folders in `out` (never a link), to the end even through another Ctrl-C,
    which is raised again after."""
    interrupted = False
    while True:
        try:
            for path in out.glob(f"{STAGING}*"):
                staging.remove(path)
            break
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt


def _same_release(final: Path, folder: Path, zip_path: Path, staged_zip: Path) -> None:
    """A version built again must give the same files; a zip an interrupted build left out is put back."""
    if not same_files(final, folder):
        raise BuildRefused(
            f"version {final.name} was already built into {final} with different content; "
            "bump the version in datapackage/datapackage.json and add it to CHANGELOG.md"
        )
    if not zip_path.is_file() or zip_path.read_bytes() != staged_zip.read_bytes():
        os.replace(staged_zip, zip_path)


# ---------------------------------------------------------------- what goes into a built package


def write_package(context, folder: Path, created: str) -> None:
    package = context.package
    tables = [context.tables[name] for name in package.resources if name in context.tables]
    tables += derived_tables(context, folder)  # written into the folder already
    resources = []
    for table in tables:
        csv_path = folder / f"{table.name}.csv"
        if table.resource.path != csv_path:
            shutil.copyfile(table.resource.path, csv_path)  # validated bytes, published unchanged
        parquet_path = folder / f"{table.name}.parquet"
        write_parquet(table, parquet_path)
        schema = {k: v for k, v in table.schema.items() if k not in ("title", "description")}
        about = {k: table.schema[k] for k in ("title", "description") if k in table.schema}
        resources.append(
            {
                "name": table.name,
                **about,
                "path": csv_path.name,
                "type": "table",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **_integrity(csv_path),
                "schema": schema,
                PARQUET: {
                    "path": parquet_path.name,
                    "format": "parquet",
                    "mediatype": "application/vnd.apache.parquet",
                    **_integrity(parquet_path),
                },
            }
        )
    descriptor = {key: value for key, value in package.descriptor.items() if key != "resources"}
    descriptor["$schema"] = PROFILE
    descriptor["created"] = created
    descriptor["sources"] = _sources(context)
    descriptor["resources"] = resources
    (folder / "README.md").write_text(readme(descriptor, [(t.name, t.schema) for t in tables]), encoding="utf-8")
    descriptor[FILES] = write_release_files(tables, folder, descriptor)  # the database, its metadata, the citation
    # allow_nan=False: a release never holds NaN or Infinity, which are not JSON
    (folder / DESCRIPTOR_NAME).write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )


def write_parquet(table, path: Path) -> None:
    """Typed columns, enumerations dictionary-encoded, zstd; descriptions and units in the field metadata,
    and pandas metadata so that `pandas.read_parquet` restores nullable integers and booleans."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_schema = table_schema.arrow_schema(table.schema)
    # a foreign key held as a categorical is written as text: as a dictionary, an enumeration's would carry
    # the categories every table shares
    data = table.frame.drop(ROW).with_columns(pl.col(pl.Categorical).cast(pl.String)).to_arrow()
    columns = [data.column(field.name).cast(field.type) for field in arrow_schema]
    arrow_table = pa.Table.from_arrays(columns, schema=arrow_schema)
    metadata = dict(arrow_schema.metadata or {})
    metadata[b"pandas"] = _pandas_metadata(table.schema, arrow_schema)
    pq.write_table(arrow_table.replace_schema_metadata(metadata), path, compression="zstd")


def _pandas_metadata(schema: dict[str, Any], arrow_schema) -> bytes:
    import pandas as pd
    import pyarrow as pa

    empty = pd.DataFrame(
        {name: pd.Series([], dtype=dtype) for name, dtype in table_schema.pandas_dtypes(schema).items()}
    )
    return pa.Table.from_pandas(empty, schema=arrow_schema, preserve_index=False).schema.metadata[b"pandas"]


def _integrity(path: Path) -> dict[str, Any]:
    return {"bytes": path.stat().st_size, "hash": f"sha256:{file_hash(path)}"}


def _sources(context) -> list[dict[str, Any]]:
    """The archived articles as Data Package `sources`: their metadata and sha256, not their text."""
    sources = context.table("sources", "title")
    if sources is None:
        return []
    entries = []
    for row in sources.frame.drop(ROW).iter_rows(named=True):
        entry = {"title": row["title"]}
        entry.update(
            {
                key: (value.isoformat() if isinstance(value, dt.date) else value)
                for key, value in row.items()
                if key != "title" and value is not None
            }
        )
        entries.append(entry)
    return entries


def readme(descriptor: dict[str, Any], tables: list[tuple[str, dict[str, Any]]]) -> str:
    name, version = descriptor["name"], descriptor["version"]
    licences = ", ".join(lic.get("title") or lic.get("name", "") for lic in descriptor.get("licenses", []))
    lines = [
        f"# {descriptor.get('title', name)}",
        "",
        descriptor.get("description", ""),
        "",
        f"Version {version}, created {descriptor['created']}. Licence of the curated tables: {licences}. "
        "The archived articles belong to their publishers: this package carries their metadata, sha256 "
        "and short quoted excerpts, not their text.",
        "",
        "## Sources",
        "",
    ]
    for source in descriptor.get("sources", []):
        lines.append(
            f"- `{source.get('source_id', '')}`: {source['title']} "
            f"({source.get('publisher') or 'publisher not named in the text'}, "
            f"published {source.get('published', '?')} at {source.get('published_precision', '?')} precision; "
            f"sha256 `{source.get('sha256', '')}`)"
        )
    lines += [
        "",
        "## Loading",
        "",
        "Each table is here as CSV and as Parquet (`<table>.csv`, `<table>.parquet`); "
        "`datapackage.json` describes both. All tables are also in one SQLite database "
        f"(`{name}-{version}.sqlite`, with a view `<table>_labelled` that decodes each table's codes into words) "
        "with its datasette metadata (`datasette "
        f"{name}-{version}.sqlite -m metadata.json`); `CITATION.cff` says how to cite the package.",
        "",
        "```python",
        "import pandas as pd",
        'figures = pd.read_parquet("figures.parquet")',
        "import polars as pl",
        'figures = pl.read_parquet("figures.parquet")',
        "import duckdb",
        "duckdb.sql(\"SELECT metric, value, unit FROM 'figures.parquet'\")",
        "```",
        "",
        "# Data dictionary",
        "",
        table_schema.data_dictionary(tables),
    ]
    return "\n".join(lines)


def _check_descriptor(folder: Path) -> None:
    """The written descriptor must be valid Data Package 2.0 (its hashes were just computed from the files)."""
    problems = profile_problems(
        json.loads((folder / "datapackage.json").read_text(encoding="utf-8")), "datapackage.json", None
    )
    if problems:
        raise CannotRun(f"{folder}: the written descriptor is invalid: {problems[0].message}")


# ---------------------------------------------------------------- reproducibility


def created_timestamp(changelog: Path, version: str) -> str:
    """SOURCE_DATE_EPOCH if set, else midnight UTC of the version's CHANGELOG date (which must exist); either
    must be a moment a zip entry can carry (1980 to 2107)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise CannotRun(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp of years 1 to 9999") from None
        return _zip_dated(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), f"SOURCE_DATE_EPOCH={epoch}")
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError:
        raise BuildRefused(
            f"{changelog} is missing: every version needs an entry `## [{version}] - YYYY-MM-DD`"
        ) from None
    for entry_version, date in CHANGELOG_ENTRY.findall(text):
        if entry_version == version:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                raise BuildRefused(f"{changelog}: entry for {version} has an invalid date {date!r}") from None
            return _zip_dated(f"{date}T00:00:00Z", f"{changelog}: the date of {version}")
    raise BuildRefused(
        f"{changelog} has no entry for version {version}: add `## [{version}] - YYYY-MM-DD` with what changed"
    )


def _zip_dated(created: str, what: str) -> str:
    year = int(created[:4])
    if not ZIP_YEARS[0] <= year <= ZIP_YEARS[1]:
        raise CannotRun(f"{what} is in {year}; a release is dated {ZIP_YEARS[0]} to {ZIP_YEARS[1]} (the zip format)")
    return created


def write_zip(folder: Path, zip_path: Path, created: str) -> None:
    """A zip of the built folder whose bytes depend only on the files: sorted entries, fixed times and modes."""
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=date_time)
            # Parquet is compressed already; text deflates well at the fastest level (zip is the slow step)
            info.compress_type = zipfile.ZIP_STORED if path.suffix == ".parquet" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=1)


def same_files(left: Path, right: Path) -> bool:
    names = sorted(p.name for p in left.iterdir())
    if names != sorted(p.name for p in right.iterdir()):
        return False
    return all((left / n).read_bytes() == (right / n).read_bytes() for n in names)


# ---------------------------------------------------------------- versions


def _check_version(out: Path, name: str, version: str, folder: Path) -> None:
    """A new version: no built version of equal precedence holds other content (build metadata makes no new
    version), it is not a pre-release of a version released already, and it declares at least the bump its
    changes need against the newest release before it."""
    from .diff import diff_packages

    current = versions.parse(version)
    built = built_versions(out, name)
    for other, other_folder in built:
        if versions.parse(other) == current and not same_files(other_folder, folder):
            raise BuildRefused(f"version {version} has the precedence of the built {other} but other content")
        if (
            current.prerelease
            and versions.is_release(other)
            and versions.parse(other).finalize_version() == current.finalize_version()
        ):
            raise BuildRefused(f"version {version} is a pre-release of {other}, which is released already")
    earlier = [(v, f) for v, f in built if versions.is_release(v) and versions.parse(v) < current]
    if not earlier:
        return
    previous, previous_folder = max(earlier, key=lambda pair: versions.parse(pair[0]))
    changes = diff_packages(previous_folder, folder)
    declared = versions.declared_bump(previous, version)
    if versions.BUMPS.index(declared) < versions.BUMPS.index(changes.bump):
        raise BuildRefused(
            f"version {version} is a {declared} bump over {previous}, but the changes need a {changes.bump} bump:\n"
            + changes.to_text()
        )


def built_versions(out: Path, name: str) -> list[tuple[str, Path]]:
    """(version, folder) of every package called `name` already built under `out`."""
    found = []
    prefix = f"{name}-"
    for folder in out.iterdir() if out.is_dir() else []:
        version = folder.name[len(prefix) :]
        if folder.name.startswith(prefix) and versions.is_semver(version) and (folder / DESCRIPTOR_NAME).is_file():
            found.append((version, folder))
    return found
