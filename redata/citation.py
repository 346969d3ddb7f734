"""How to cite the package and any row of it: CITATION.cff, and a row's citation as text, BibTeX or CSL-JSON.

Everything comes from the descriptor (title, version, licence, contributors), the version's date, and the
row itself: its quote and the source it quotes (title, publisher, date at its precision). The tool that
builds the package is cited beside the data in CITATION.cff, from its installed distribution's metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from .errors import CannotRun
from .schema import foreign_keys

CFF_VERSION = "1.2.0"
FORMATS = ("text", "bibtex", "csl-json", "cff")
MONTHS = ("January", "February", "March", "April", "May", "June") + (
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class PackageFacts:
    """What a citation of the package says: read from the descriptor and the version's date."""

    name: str
    title: str
    version: str
    date: str  # YYYY-MM-DD
    licence: str
    authors: tuple[str, ...]
    description: str
    keywords: tuple[str, ...]

    @classmethod
    def of(cls, descriptor: dict[str, Any], date: str) -> PackageFacts:
        licences = [entry for entry in descriptor.get("licenses") or [] if isinstance(entry, dict)]
        creators = [
            c.get("title") or c.get("name")
            for c in descriptor.get("contributors") or []
            if isinstance(c, dict) and ("creator" in (c.get("roles") or []) or c.get("role") == "creator")
        ]
        return cls(
            name=str(descriptor.get("name", "")),
            title=str(descriptor.get("title") or descriptor.get("name", "")),
            version=str(descriptor.get("version", "")),
            date=date,
            licence=str(licences[0].get("name", "")) if licences else "",
            authors=tuple(a for a in creators if a) or ("unknown",),
            description=str(descriptor.get("description", "")),
            keywords=tuple(str(k) for k in descriptor.get("keywords") or []),
        )


@dataclass(frozen=True)
class RowCitation:
    """A row of the package, cited: the package, the row's table and id, its quote and its source."""

    package: PackageFacts
    table: str
    row_id: str
    quote: str | None
    source: dict[str, Any] | None  # the sources row the row quotes, as text

    @property
    def key(self) -> str:
        return f"{self.package.name}-{self.package.version}:{self.row_id}"


# ---------------------------------------------------------------- CITATION.cff


def cff(package: PackageFacts) -> dict[str, Any]:
    """The CITATION.cff of the package: the dataset, and the tool that built it as a reference."""
    from importlib.metadata import PackageNotFoundError, metadata

    from .version import __version__

    try:
        tool = metadata("redata")
        tool_licence, summary = tool.get("License-Expression") or tool.get("License"), tool.get("Summary")
    except PackageNotFoundError:
        tool_licence, summary = None, None
    authors = [{"name": author} for author in package.authors]
    software = {"type": "software", "title": "redata", "authors": [dict(a) for a in authors], "version": __version__}
    if summary:
        software["abstract"] = summary
    if tool_licence:
        software["license"] = tool_licence
    entry: dict[str, Any] = {
        "cff-version": CFF_VERSION,
        "message": "If you use this data package, please cite it as below.",
        "type": "dataset",
        "title": package.title,
        "abstract": package.description,
        "authors": authors,
        "version": package.version,
        "date-released": package.date,
        "license": package.licence,
        "keywords": list(package.keywords),
        "references": [software],
    }
    return {key: value for key, value in entry.items() if value not in ("", [], None)}


def cff_text(package: PackageFacts) -> str:
    import yaml

    return yaml.safe_dump(cff(package), sort_keys=False, allow_unicode=True, width=120)


def cff_errors(text: str) -> list[str]:
    """Why a CITATION.cff text is not valid Citation File Format 1.2.0 (none when it is)."""
    from importlib import resources as package_files

    import jsonschema
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return [f"not YAML: {error}"]
    schema = json.loads(
        package_files.files("redata").joinpath("profiles", "cff", "schema-1.2.0.json").read_text(encoding="utf-8")
    )
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(document)]


# ---------------------------------------------------------------- a row's citation


def source_date(source: dict[str, Any]) -> str:
    """A source's publication date in words, at its precision (`May 2025`)."""
    published = source.get("published")
    try:
        date = dt.date.fromisoformat(str(published))
    except ValueError:
        return str(published or "date unknown")  # an unvalidated package's text, as it stands
    precision = source.get("published_precision", "day")
    if precision == "year":
        return str(date.year)
    if precision == "month":
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _date_parts(source: dict[str, Any]) -> list[int]:
    try:
        date = dt.date.fromisoformat(str(source.get("published")))
    except ValueError:
        return []
    return {"year": [date.year], "month": [date.year, date.month]}.get(
        source.get("published_precision", "day"), [date.year, date.month, date.day]
    )


def _source_words(source: dict[str, Any]) -> str:
    publisher = source.get("publisher") or "publisher not named in the text"
    return f"“{source.get('title', '')}” ({publisher}), {source_date(source)}"


def _package_words(package: PackageFacts) -> str:
    year = package.date[:4]
    return f"{'; '.join(package.authors)} ({year}). {package.title}, version {package.version} [Data set]"


def as_text(citation: PackageFacts | RowCitation) -> str:
    if isinstance(citation, PackageFacts):
        return f"{_package_words(citation)}. Licence: {citation.licence}.\n"
    lines = [
        f"{_package_words(citation.package)}, table {citation.table}, row {citation.row_id}. "
        f"Licence: {citation.package.licence}."
    ]
    if citation.quote is not None:
        lines.append(f"Quote: “{citation.quote}”")
    if citation.source is not None:
        lines.append(f"Source: {_source_words(citation.source)}.")
    return "\n".join(lines) + "\n"


def as_bibtex(citation: PackageFacts | RowCitation) -> str:
    package = citation if isinstance(citation, PackageFacts) else citation.package
    key = f"{package.name}-{package.version}" if isinstance(citation, PackageFacts) else citation.key
    title = package.title
    notes = [f"Data package {package.name}, version {package.version}, licence {package.licence}"]
    if isinstance(citation, RowCitation):
        title = f"{title}: table {citation.table}, row {citation.row_id}"
        if citation.quote is not None:
            notes.append(f"Quote: “{citation.quote}”")
        if citation.source is not None:
            notes.append(f"Source: {_source_words(citation.source)}")
    fields = {
        "author": " and ".join("{" + _bibtex_escape(a) + "}" for a in package.authors),
        "title": "{" + _bibtex_escape(title) + "}",
        "year": package.date[:4],
        "date": package.date,
        "version": _bibtex_escape(package.version),
        "note": _bibtex_escape(". ".join(notes) + "."),
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@misc{{{_bibtex_key(key)},\n{body}\n}}\n"


def _bibtex_key(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_:." else "-" for c in key)


def _bibtex_escape(text: str) -> str:
    """LaTeX's special characters, escaped so that BibTeX reads the text as it is."""
    replacements = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    return "".join(replacements.get(c, c) for c in " ".join(text.split()))


def as_csl_json(citation: PackageFacts | RowCitation) -> str:
    package = citation if isinstance(citation, PackageFacts) else citation.package
    date = dt.date.fromisoformat(package.date)
    item: dict[str, Any] = {
        "id": f"{package.name}-{package.version}",
        "type": "dataset",
        "title": package.title,
        "author": [{"literal": author} for author in package.authors],
        "issued": {"date-parts": [[date.year, date.month, date.day]]},
        "version": package.version,
        "license": package.licence,
    }
    if isinstance(citation, RowCitation):
        item["id"] = citation.key
        item["title"] = f"{package.title}: table {citation.table}, row {citation.row_id}"
        notes = []
        if citation.quote is not None:
            notes.append(f"Quote: “{citation.quote}”")
        if citation.source is not None:
            notes.append(f"Source: {_source_words(citation.source)}")
            item["original-title"] = citation.source.get("title", "")
            if _date_parts(citation.source):
                item["original-date"] = {"date-parts": [_date_parts(citation.source)]}
            if citation.source.get("publisher"):
                item["original-publisher"] = citation.source["publisher"]
        if notes:
            item["note"] = ". ".join(notes) + "."
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def render(citation: PackageFacts | RowCitation, format: str) -> str:
    if format == "text":
        return as_text(citation)
    if format == "bibtex":
        return as_bibtex(citation)
    if format == "csl-json":
        return as_csl_json(citation)
    if format == "cff":
        if not isinstance(citation, PackageFacts):
            raise CannotRun("CITATION.cff cites the whole package: leave out the row id for --format cff")
        return cff_text(citation)
    raise CannotRun(f"unknown citation format {format!r}; formats are: {', '.join(FORMATS)}")


# ---------------------------------------------------------------- finding what to cite


def package_facts(release) -> PackageFacts:
    """The facts of a release (its `created` date) or of a source package (its version's CHANGELOG date)."""
    created = release.descriptor.get("created")
    if created:
        return PackageFacts.of(release.descriptor, str(created)[:10])
    from .publish import CHANGELOG, created_timestamp

    date = created_timestamp(release.location.parent / CHANGELOG, release.version)[:10]
    return PackageFacts.of(release.descriptor, date)


def cite_row(release, row_id: str, table: str | None = None) -> RowCitation:
    """The citation of the row whose (single-field) primary key is `row_id`, in `table` or in any table."""
    found = []
    for name, schema in release.schemas().items():
        key = schema.get("primaryKey")
        key = [key] if isinstance(key, str) else key or []
        if len(key) != 1 or (table is not None and name != table):
            continue
        if table is None and any(key == foreign["fields"] for foreign in foreign_keys(schema)):
            continue  # its id is another table's (a verdict's figure_id): the row cited is that table's
        rows = _rows(release, name).filter(_equals(key[0], row_id))
        if rows.height:
            found.append((name, rows.row(0, named=True)))
    if table is not None and table not in release.schemas():
        raise CannotRun(f"{release.location}: no table {table!r}; tables are: {', '.join(release.schemas())}")
    if not found:
        where = f"table {table!r}" if table else "any table with a single-field primary key"
        raise CannotRun(f"{release.location}: no row with id {row_id!r} in {where}")
    if len(found) > 1:
        tables = ", ".join(name for name, _ in found)
        raise CannotRun(f"{release.location}: id {row_id!r} names a row in several tables ({tables}); pass --table")
    name, row = found[0]
    source = None
    if row.get("source_id") and "sources" in release.schemas():
        sources = _rows(release, "sources").filter(_equals("source_id", row["source_id"]))
        source = sources.row(0, named=True) if sources.height else None
    return RowCitation(package_facts(release), name, row_id, row.get("quote"), source)


def _rows(release, table: str):
    """A table's rows as text, read from its CSV (which every package, built or not, has)."""
    import polars as pl

    entry = release.resources[table]
    data = release.verified(entry, f"the CSV file of table {table}")
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise CannotRun(f"{release.location}: {entry.get('path')} cannot be read as CSV: {error}") from None


def _equals(column: str, value: str):
    import polars as pl

    return pl.col(column) == value
