"""`build(source, out) -> Path`: publish a validated source package as `out/<name>-<version>/` and a zip.

Guarantees: nothing is built from an invalid package; the package is written into a hidden staging
folder and renamed into place, so an interrupted build leaves no partial package and never touches an
earlier one; two builds of the same inputs are byte-identical (files copied or written by
deterministic writers, `created` taken from SOURCE_DATE_EPOCH or the version's CHANGELOG date, zip
entries sorted with fixed times); a version once built is never overwritten with other content, and a
new version must declare at least the SemVer bump its changes need against the previous release.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from . import schema as table_schema
from .checks import ROW
from .checks.descriptor import file_hash, profile_problems
from .derived import write_derived
from .errors import CannotRun
from .package import FILES, PARQUET
from .report import Report

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CHANGELOG = "CHANGELOG.md"
CHANGELOG_ENTRY = re.compile(r"^##\s+\[?v?([0-9A-Za-z.+-]+?)\]?\s+[-–]\s+(\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)
LOCK_NAME = ".redata-build.lock"
LOCK_WAIT_SECONDS = 600


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
    name, version = package.name, package.version
    created = created_timestamp(package.paths.folder.parent / CHANGELOG, version)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"{name}-{version}"
    with _exclusive(out):
        _remove_stale_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{name}-{version}-", dir=out))
        staging.chmod(0o755)  # mkdtemp's 0700 would make the published folder private
        try:
            write_package(context, staging, created)
            _check_descriptor(staging)
            if final.exists():
                if not same_files(final, staging):
                    raise BuildRefused(
                        f"version {version} was already built into {final} with different content; "
                        "bump the version in datapackage/datapackage.json and add it to CHANGELOG.md"
                    )
            else:
                _check_bump(out, name, version, staging)
                os.rename(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        write_zip(final, out / f"{name}-{version}.zip", created)
    return final / "datapackage.json"


# ---------------------------------------------------------------- what goes into a built package


def write_package(context, folder: Path, created: str) -> None:
    package = context.package
    tables = [context.tables[name] for name in package.resources if name in context.tables]
    resources = []
    for table in tables:
        csv_path = folder / f"{table.name}.csv"
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
    descriptor[FILES] = write_derived(tables, folder, descriptor)  # the database, its metadata, the citation
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
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
    """SOURCE_DATE_EPOCH if set, else midnight UTC of the version's CHANGELOG date (which must exist)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise CannotRun(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
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
            return f"{date}T00:00:00Z"
    raise BuildRefused(
        f"{changelog} has no entry for version {version}: add `## [{version}] - YYYY-MM-DD` with what changed"
    )


def write_zip(folder: Path, zip_path: Path, created: str) -> None:
    """A zip of the built folder whose bytes depend only on the files: sorted entries, fixed times and modes."""
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    partial = zip_path.with_name(f".{zip_path.name}.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=date_time)
            # Parquet is compressed already; text deflates well at the fastest level (zip is the slow step)
            info.compress_type = zipfile.ZIP_STORED if path.suffix == ".parquet" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=1)
    os.replace(partial, zip_path)


def same_files(left: Path, right: Path) -> bool:
    names = sorted(p.name for p in left.iterdir())
    if names != sorted(p.name for p in right.iterdir()):
        return False
    return all((left / n).read_bytes() == (right / n).read_bytes() for n in names)


# ---------------------------------------------------------------- versions


def _check_bump(out: Path, name: str, version: str, staging: Path) -> None:
    from .diff import BUMPS, declared_bump, diff_packages, parse_version

    current = parse_version(version)
    earlier = [(parse_version(v), folder) for v, folder in built_versions(out, name) if parse_version(v) < current]
    if not earlier:
        return
    previous_version, previous = max(earlier)
    changes = diff_packages(previous, staging)
    declared = declared_bump(previous_version, current)
    if BUMPS.index(declared) < BUMPS.index(changes.bump):
        raise BuildRefused(
            f"version {version} is a {declared} bump over {previous.name}, "
            f"but the changes need a {changes.bump} bump:\n" + changes.to_text()
        )


def built_versions(out: Path, name: str) -> list[tuple[str, Path]]:
    """(version, folder) of every package called `name` already built under `out`."""
    from .checks.descriptor import SEMVER

    found = []
    prefix = f"{name}-"
    for folder in out.iterdir() if out.is_dir() else []:
        version = folder.name[len(prefix) :]
        if folder.name.startswith(prefix) and SEMVER.match(version) and (folder / "datapackage.json").is_file():
            found.append((version, folder))
    return found


# ---------------------------------------------------------------- one build at a time


@contextlib.contextmanager
def _exclusive(out: Path):
    """Hold the output folder's build lock; a second build waits for the first, then fails clearly."""
    with open(out / LOCK_NAME, "a+") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CannotRun(f"{out}: another build has held the lock for {LOCK_WAIT_SECONDS} s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders left by a killed build (only ever removed while holding the lock)."""
    for path in out.glob(".staging-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in out.glob(".*.zip.partial"):
        path.unlink(missing_ok=True)
