"""`write_site(package, out) -> Path`: the whole site written into a staging folder, then moved into place.

The site is self-contained: pages, style sheet, chart images and the package's files to download all sit
inside `out`, and every link is relative. An existing `out` is replaced only if it is a site this
command wrote (it holds the marker file) or an empty folder; a failed run leaves `out` as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources as package_files
from pathlib import Path
from typing import Any

from .. import staging
from ..errors import CannotRun

MARKER = ".redata-site"
# The site writes a page per figure, about 10 kB each: 10,000 figures made 105 MB in 10,490 files in about
# a minute. Beyond this many it refuses, rather than run for hours and fill the disk.
MAX_FIGURE_PAGES = 100_000
STATIC_FILES = ("style.css", "favicon.svg")


def write_site(package: str | Path | None, out: str | Path) -> Path:
    """Validate `package` (a release folder, its datapackage.json, or the source package; by default the
    newest release `redata.load` would pick), write its site into `out`, and return the index page's path."""
    from .charts import charts
    from .content import read_content
    from .pages import render_pages

    location = _package_location(package)
    content = read_content(location)
    figures = len(content.rows["figures"])
    if figures > MAX_FIGURE_PAGES:
        raise CannotRun(
            f"{location}: {figures:,} figures; the site writes a page per figure and stops at {MAX_FIGURE_PAGES:,} "
            "(query the release's SQLite database with datasette instead)"
        )
    drawn = charts(content.rows)
    out = Path(out)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = staging.make(out.parent, f".{out.name}-staging-")
    try:
        staged.chmod(0o755)  # mkdtemp's 0700 would make the published folder private
        downloads = _copy_downloads(content, staged / "downloads")
        for relative, html in render_pages(content, drawn, downloads):
            _write(staged / relative, html)
        for chart in drawn:
            if chart.drawn:
                _write(staged / "charts" / f"{chart.slug}.svg", chart.svg)
                _write(
                    staged / "charts" / f"{chart.slug}.vl.json", json.dumps(chart.spec, indent=2, ensure_ascii=False)
                )
        for name in STATIC_FILES:
            _write(
                staged / name, package_files.files("redata.site").joinpath("static", name).read_text(encoding="utf-8")
            )
        _write(staged / MARKER, f"{content.facts.name} {content.facts.version}\n")
        _replace(staged, out)
    finally:
        staging.remove(staged)
    return out / "index.html"


def _package_location(package: str | Path | None) -> Path:
    from ..loader import find_release

    if package is not None and Path(package).is_dir() and (Path(package) / "datapackage.json").is_file():
        return Path(package)
    location = find_release(package)
    if location.suffix == ".zip":
        raise CannotRun(f"{location}: the site is made from a release folder or the source package; unzip it first")
    return location


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _check_replaceable(out: Path) -> None:
    if out.exists() and not (out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))):
        raise CannotRun(f"{out}: exists and is not a site `redata site` wrote; choose another --out")


def _replace(staged: Path, out: Path) -> None:
    """Move the staged site to `out`; an earlier site there is moved aside first, then removed."""
    _check_replaceable(out)
    if not out.exists():
        os.rename(staged, out)
        return
    aside = staging.make(out.parent, f".{out.name}-old-")
    try:
        os.rename(out, aside / out.name)
        os.rename(staged, out)
    except BaseException:  # a Ctrl-C too: the earlier site goes back in place before the folder aside is removed
        if not out.exists() and (aside / out.name).exists():
            os.rename(aside / out.name, out)
        raise
    finally:
        staging.remove(aside)


# ---------------------------------------------------------------- downloads


def _copy_downloads(content, folder: Path) -> list[dict[str, Any]]:
    """Copy the package's files into the site and describe each (name, what, bytes, sha256): for a release,
    every file its descriptor lists, the descriptor and the release zip beside the folder; for the source
    package, its CSV tables."""
    from ..package import file_hash

    folder.mkdir(parents=True)
    files = _package_files(content)
    downloads = []
    for path, what in files:
        target = folder / path.name
        shutil.copyfile(path, target)
        downloads.append({"name": path.name, "what": what, "bytes": target.stat().st_size, "sha256": file_hash(target)})
    return downloads


def _package_files(content) -> list[tuple[Path, str]]:
    from ..package import FILES, PARQUET

    base = content.descriptor_path.parent
    descriptor = content.descriptor
    resources = [r for r in descriptor.get("resources") or [] if isinstance(r, dict)]
    if not content.is_release:
        return [(base / r["path"], f"table {r['name']} (CSV)") for r in resources]
    files = [(content.descriptor_path, "the package descriptor (Data Package 2.0), with every file's sha256")]
    for resource in resources:
        files.append((base / resource["path"], f"table {resource['name']} (CSV)"))
        if isinstance(resource.get(PARQUET), dict):
            files.append((base / resource[PARQUET]["path"], f"table {resource['name']} (Parquet)"))
    for entry in descriptor.get(FILES) or []:
        files.append((base / entry["path"], _what(entry)))
    release_zip = base.parent / f"{base.name}.zip"
    if release_zip.is_file():
        files.append((release_zip, "the whole release as one zip"))
    return files


def _what(entry: dict[str, Any]) -> str:
    return {
        "database": "every table in one SQLite database, with labelled views",
        "datasette-metadata": "datasette's metadata for the database (titles, descriptions, units, licence)",
        "citation": "how to cite the package (Citation File Format)",
        "readme": "the release's README and data dictionary",
    }.get(entry.get("name"), str(entry.get("name")))
