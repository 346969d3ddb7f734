"""`propose(source_id)`: the rows a curator reviews for a newly archived text, read from it with the number
reader and the package's vocabularies, written as a proposals file (`redata.proposals`).

Each number becomes a proposed figure (its sentence as the quote), an exclusion (ordinals, codes, time stamps,
idioms) or an event (a date); names become mentions and new entities; quotations become statements. Every
suggested cell comes with its confidence and reason. The words it reads by are data: metric cues
(`metrics.cues`), credits, entity types, event kinds and idioms (`cue_words`), entity aliases (`entities`);
the grammar that combines them is here and in `redata.naming`.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from .english import RELATIVE_YEARS
from .errors import CannotRun, Refused
from .naming import Name, Names, phrase_pattern
from .proposals import Proposal, Reason, proposal_format, write_proposals
from .quantities import Reader, Reading
from .tense import tense

# The proposals file `redata propose SOURCE_ID` writes when --out is not given.
DEFAULT_OUT = "{source_id}-proposals.csv"
# Words before a date that open or close a period (`since 2020` → 2020/..; `until 2023` → ../2023), and the
# other prepositions a period's words may begin with.
OPENS_PERIOD = {"since", "from", "starting"}
CLOSES_PERIOD = {"until", "till", "through", "before"}
PERIOD_PREPOSITIONS = OPENS_PERIOD | CLOSES_PERIOD | {"in", "on", "by", "during", "of", "for", "as of", "at"}
# Marks that end a clause inside a sentence: a figure's metric is looked for in its clause first.
CLAUSE_MARKS = re.compile(r"[,;:()–—]")
# Determiners before a spelled-out count that restate parties already named (`the two leaders`).
RESTATING = re.compile(r"(?:\b(?:the|both|these|those)\s+(?:next\s+)?)$", re.IGNORECASE)
# Words after the pronoun `one` (`one must first apply`): modal and auxiliary verbs.
PRONOUN_FOLLOWERS = re.compile(r"^\s+(?:must|can|could|should|would|will|may|might|has|had|needs|is)\b")
QUOTATION = re.compile(r"“(?P<curly>[^“”]{1,5000})”|\"(?P<straight>[^\"]{1,5000})\"")
# A quotation of fewer words is a term in quotation marks (a scare quote), not a statement.
MIN_QUOTED_WORDS = 4
MAX_QUOTE_CHARS = 2000


@dataclass(frozen=True)
class Source:
    source_id: str
    text: str
    published: dt.date
    precision: str  # day, month or year

    def label(self) -> str:
        formats = {"day": "%B %-d, %Y", "month": "%B %Y", "year": "%Y"}
        return self.published.strftime(formats.get(self.precision, "%Y"))


@dataclass
class Vocabulary:
    """The package's words propose reads by."""

    units: dict[str, dict[str, str]]
    metrics: list[tuple[str, str, list[re.Pattern]]]  # (metric_id, dimension, cue patterns)
    cues: dict[str, list[tuple[re.Pattern, str, str]]]  # role -> (pattern, word, value)
    entities: list[dict[str, str]]


@dataclass
class Proposed:
    """The proposals of one text, numbered as they are made."""

    proposals: list[Proposal] = field(default_factory=list)

    def add(self, table: str, cells: dict[str, str], reasons: list[Reason]) -> Proposal:
        confidence = min((reason.confidence for reason in reasons), default=None)
        proposal = Proposal(f"P{len(self.proposals) + 1}", table, cells, None, confidence, reasons)
        self.proposals.append(proposal)
        return proposal


# ---------------------------------------------------------------- the command


def propose(source_id: str, package: str | Path = "datapackage", out: str | Path | None = None) -> Path:
    """Write the proposals for SOURCE_ID's archived text to `out` (default `<source_id>-proposals.csv`)."""
    return propose_command(source_id, package, out).path


@dataclass
class Written:
    """What `redata propose` wrote, and prints."""

    path: Path
    proposals: list[Proposal]

    def lines(self) -> list[str]:
        counts: dict[str, int] = {}
        for proposal in self.proposals:
            counts[proposal.table] = counts.get(proposal.table, 0) + 1
        listed = ", ".join(f"{table} {count}" for table, count in counts.items()) or "nothing"
        return [
            f"proposed {len(self.proposals)} row(s) in {self.path}: {listed}",
            f"next: review it (keep = yes or no; sort by confidence), then redata accept {self.path}",
        ]


def propose_command(source_id: str, package: str | Path, out: str | Path | None) -> Written:
    from .curation import source_package
    from .package import open_package

    where = source_package(package)
    opened = open_package(where.descriptor)
    form = proposal_format(opened)
    source = _source(opened, source_id)
    proposals = proposals_for(source, _vocabulary(opened), _reader(where.descriptor.parent))
    path = Path(out) if out is not None else Path(DEFAULT_OUT.format(source_id=source_id))
    try:
        write_proposals(path, form, proposals)
    except OSError as error:
        raise CannotRun(f"{path}: cannot be written: {error.strerror or error}") from None
    return Written(path, proposals)


# ---------------------------------------------------------------- reading the package


def _table_rows(package, name: str) -> list[dict[str, str]]:
    resource = package.resources.get(name)
    if resource is None or resource.path is None:
        raise CannotRun(f"{package.paths.descriptor}: the package has no table {name!r}; propose reads it")
    try:
        with open(resource.path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle, strict=True))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CannotRun(f"{resource.path}: cannot be read: {error}") from None


def _source(package, source_id: str) -> Source:
    from .archive import UnusableText, read_text
    from .limits import MAX_PROPOSED_TEXT_CHARS

    rows = {row.get("source_id"): row for row in _table_rows(package, "sources")}
    row = rows.get(source_id)
    if row is None:
        known = ", ".join(sorted(key for key in rows if key)) or "none"
        raise Refused(f"{source_id!r} is not a source of the package (sources: {known}); add it with redata add-source")
    try:
        text = read_text(package, row.get("file") or "", row.get("sha256"))
    except UnusableText as refusal:
        raise Refused(f"{source_id}: {refusal.problem[3]}") from None
    if len(text) > MAX_PROPOSED_TEXT_CHARS:
        raise Refused(
            f"{source_id}: the text has {len(text):,} characters; propose reads at most {MAX_PROPOSED_TEXT_CHARS:,}"
        )
    try:
        published = dt.date.fromisoformat(row.get("published") or "")
    except ValueError:
        raise Refused(f"sources {source_id}: published {row.get('published')!r} is not a date (YYYY-MM-DD)") from None
    return Source(source_id, text, published, row.get("published_precision") or "year")


def _vocabulary(package) -> Vocabulary:
    units = {row["unit_id"]: row for row in _table_rows(package, "units")}
    metrics = []
    for row in _table_rows(package, "metrics"):
        if "cues" not in row:
            raise CannotRun(f"{package.resources['metrics'].path}: metrics has no cues field; propose needs it")
        words = [cue.strip() for cue in (row["cues"] or "").split(";") if cue.strip()]
        metrics.append((row["metric_id"], row["dimension"], [phrase_pattern(word) for word in words]))
    cues: dict[str, list] = {}
    for row in _table_rows(package, "cue_words"):
        word = (row.get("word") or "").strip()
        if word:
            cues.setdefault(row.get("role") or "", []).append((phrase_pattern(word), word, row.get("value") or ""))
    return Vocabulary(units, metrics, cues, _table_rows(package, "entities"))


def _reader(folder: Path) -> Reader:
    from .lexicon import LexiconError

    try:
        return Reader.from_package(folder)
    except LexiconError as error:
        raise CannotRun(str(error)) from None


# ---------------------------------------------------------------- proposing


def proposals_for(source: Source, vocabulary: Vocabulary, reader: Reader) -> list[Proposal]:
    """Every proposal for one source's text: entities and mentions, figures, exclusions, events, statements."""
    from .sentences import sentences

    text = source.text
    spans = sentences(text)
    names = Names.find(text, spans, vocabulary.entities, vocabulary.cues.get("entity_type", []))
    proposed = Proposed()
    references = _entities(proposed, source, names)
    readings = reader.read(text)
    dates = [r for r in readings if r.kind in ("date", "year")]
    ordinals = [r for r in readings if r.kind == "ordinal"]
    numbers = sorted((reading.char_start, reading.char_end) for reading in readings)
    context = Context(source, vocabulary, names, references, spans, dates, ordinals, numbers)
    for reading in readings:
        _propose_reading(proposed, context, reading)
    for reading in dates:
        if reading.kind == "date" and not reading.problem and _names_an_event(context, reading):
            _event(proposed, context, reading)
    _statements(proposed, context)
    return proposed.proposals


@dataclass
class Context:
    source: Source
    vocabulary: Vocabulary
    names: Names
    references: dict[str, str]  # a new name's text -> the proposal id of its entities row
    spans: list[tuple[int, int]]
    dates: list[Reading]  # the years and dates of the text, the periods figures are dated by
    ordinals: list[Reading]
    numbers: list[tuple[int, int]]  # where every number the reader read is
    periods: set[int] = field(default_factory=set)  # where the dates figures are dated by start

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence (or run of sentences) holding text[start:end]."""
        first = next((s for s in self.spans if s[1] > start), (start, end))
        last = next((s for s in reversed(self.spans) if s[0] < end), (start, end))
        return min(first[0], start), max(last[1], end)

    def entity_cell(self, name: Name) -> str:
        return name.entity_id or self.references.get(name.text, "")


def _entities(proposed: Proposed, source: Source, names: Names) -> dict[str, str]:
    """A mention of each known entity (its first), and each new name as an entity with its mention."""
    references: dict[str, str] = {}
    seen: set[str] = set()
    forms = _forms(names)
    for name in names.all:
        key = name.entity_id or forms[name.text][0]
        if key in seen:
            continue
        seen.add(key)
        entity = name.entity_id
        if entity is None:
            full = forms[name.text][-1]
            typed = next(n for n in names.all if n.text == full)
            type_reason = typed.type_reason or "no cue word names its type: choose one"
            cells = {"name": full, "type": typed.type or "", "aliases": ";".join(forms[name.text])}
            reasons = [
                Reason("row", 0.4, "a capitalised name no entity's aliases hold"),
                Reason("type", typed.type_confidence, type_reason),
            ]
            entity = proposed.add("entities", cells, reasons).proposal_id
            references.update(dict.fromkeys(forms[name.text], entity))
        cells = {"entity_id": entity, "source_id": source.source_id, "quote": name.text}
        cells |= {"char_start": str(name.start), "char_end": str(name.end)}
        why = (
            f"alias {name.text!r} of {name.entity_id}"
            if name.entity_id
            else f"the first mention of the new name {name.text!r}"
        )
        proposed.add("mentions", cells, [Reason("row", 0.9 if name.entity_id else 0.4, why)])
    return references


def _forms(names: Names) -> dict[str, list[str]]:
    """Each new name's forms, shortest first: the names that begin with another's words (`Lynwood Mining Ltd`,
    `Lynwood Mining`) are one entity."""
    texts = sorted({name.text for name in names.all if name.entity_id is None}, key=len)
    roots = {text: next(r for r in texts if text == r or text.startswith(r + " ")) for text in texts}
    return {text: [t for t in texts if roots[t] == roots[text]] for text in texts}


def _propose_reading(proposed: Proposed, context: Context, reading: Reading) -> None:
    exclusion = _exclusion_reason(context, reading)
    if exclusion is not None:
        reason, confidence, why = exclusion
        _exclusion(proposed, context, reading, reason, Reason("reason", confidence, why))
    elif reading.kind == "quantity":
        _figure(proposed, context, reading)


def _names_an_event(context: Context, reading: Reading) -> bool:
    """A date names an event unless a figure is dated by it, it names no day and no event cue word is in its
    sentence (`prices rose in July`: July is the figure's period, not a happening)."""
    if reading.date[2] is not None or reading.char_start not in context.periods:
        return True
    return bool(_event_kind(context, reading)[0])


def _quoted(context: Context, reading: Reading) -> dict[str, str]:
    start, end = context.sentence(reading.char_start, reading.char_end)
    if end - start > MAX_QUOTE_CHARS:  # a run-on sentence: the clause around the number, within the limit
        start = max(start, reading.char_start - MAX_QUOTE_CHARS // 2 + 1)
        end = min(end, start + MAX_QUOTE_CHARS)
    text = context.source.text
    return {
        "source_id": context.source.source_id,
        "quote": text[start:end],
        "char_start": str(start),
        "char_end": str(end),
    }


# ---------------------------------------------------------------- exclusions


def _exclusion_reason(context: Context, reading: Reading) -> tuple[str, float, str] | None:
    """(reason, confidence, why) where the number is no figure: an ordinal, a time stamp, a code, an idiom, the
    pronoun `one`, or a spelled-out count after a determiner that restates parties already named."""
    text = context.source.text
    if reading.kind == "ordinal":
        return "ordinal", 0.9, f"{reading.text!r} is an ordinal: it ranks, it does not count"
    if reading.kind == "relative_time":
        return "relative_timestamp", 0.8, f"{reading.text!r} is a time relative to when the page was read"
    if reading.kind == "code":
        if re.search(r"\b(1[6-9]|20)[0-9]{2}\b", reading.text):
            return "law_year", 0.6, f"{reading.text!r} names something by a year (a law, an act)"
        return "product_designation", 0.7, f"{reading.text!r} is a name or code, not a quantity"
    if _part_of_a_period(context, reading):
        return "period_part", 0.7, f"{reading.text!r} after an ordinal or a month names a part of a period, not a share"
    if reading.kind != "quantity" or reading.unit != "count":
        return None
    after = text[reading.char_start : reading.char_start + 60]
    for pattern, word, _ in context.vocabulary.cues.get("idiom", []):
        if pattern.match(after):
            return "idiom", 0.8, f"{word!r} is an idiom (cue_words), not a count"
    if reading.text.lower() == "one" and PRONOUN_FOLLOWERS.match(text[reading.char_end : reading.char_end + 20]):
        return "pronoun", 0.7, "'one' before a verb is the generic pronoun, not a count"
    spelled = not any(character.isdigit() for character in reading.text)
    if spelled and RESTATING.search(text[max(0, reading.char_start - 20) : reading.char_start]):
        return "count_of_named_parties", 0.4, f"a determiner before {reading.text!r}: it may restate parties named"
    return None


def _part_of_a_period(context: Context, reading: Reading) -> bool:
    """A fraction in words right after an ordinal or a month (`the first half`, `the June quarter`) names a part
    of a year."""
    unit = context.vocabulary.units.get(reading.unit or "")
    if reading.kind != "quantity" or unit is None or unit["dimension"] != "share":
        return False
    if any(character.isdigit() for character in reading.text):
        return False
    before = [*context.ordinals, *(date for date in context.dates if date.kind == "date")]
    between = [context.source.text[o.char_end : reading.char_start] for o in before]
    return any(gap.isspace() for gap in between)


def _exclusion(proposed: Proposed, context: Context, reading: Reading, reason: str, why: Reason) -> None:
    cells = _quoted(context, reading) | {"as_written": reading.text, "reason": reason, "note": why.text}
    proposed.add("exclusions", cells, [why])


# ---------------------------------------------------------------- figures


def _in_base_share(context: Context, reading: Reading) -> Reading:
    """A share the words give in another unit than its dimension's base (a fraction word: `half`) is proposed in
    the base unit, percent, as the package records shares (CURATION.md)."""
    unit = context.vocabulary.units.get(reading.unit or "")
    if unit is None or unit["dimension"] != "share" or unit["base_unit_id"] == unit["unit_id"]:
        return reading
    factor = Decimal(unit["to_base_factor"])
    numbers = {name: getattr(reading, name) for name in ("value", "low", "high")}
    scaled = {name: None if n is None else (n * factor).normalize() for name, n in numbers.items()}
    return replace(reading, unit=unit["base_unit_id"], **scaled)


def _figure(proposed: Proposed, context: Context, reading: Reading) -> None:
    reading = _in_base_share(context, reading)
    cells = _quoted(context, reading) | {"as_written": reading.text}
    cells |= {"value": _number(reading.value), "value_low": _number(reading.low), "value_high": _number(reading.high)}
    cells |= {"unit": reading.unit or "", "qualifier": reading.qualifier or ""}
    confidence = 0.1 if reading.problem else 0.9
    reasons = [
        Reason("row", confidence, reading.problem or f"the number reader reads {reading.text!r}: {_said(reading)}")
    ]
    sentence = context.sentence(reading.char_start, reading.char_end)
    attribution = _attribution(context, sentence)
    cells["metric"], reason = _metric(context, reading, sentence)
    reasons.append(reason)
    cells["subject_id"], reason = _subject(context, reading, sentence, attribution)
    reasons.append(reason)
    reasons += _period(context, reading, sentence, cells)
    reasons += _credit(context, sentence, attribution, cells)
    proposed.add("figures", cells, reasons)


def _credit(context: Context, sentence: tuple[int, int], attribution, cells: dict[str, str]) -> list[Reason]:
    """`attributed_to_id` and `attribution_basis`: `stated` where the sentence names who, else `none` — with the
    credit of the sentence before in its paragraph, which the curator makes `carried` if this one continues it."""
    if attribution is not None:
        name, why = attribution
        cells["attributed_to_id"], cells["attribution_basis"] = context.entity_cell(name), "stated"
        return [
            Reason("attributed_to_id", 0.7 if name.entity_id else 0.5, why),
            Reason("attribution_basis", 0.7, f"stated: the sentence names who ({why})"),
        ]
    cells["attributed_to_id"], cells["attribution_basis"] = "", "none"
    reasons = [Reason("attributed_to_id", 0.5, "no credit (according to, said, reports …) in the sentence")]
    before = _sentence_before(context, sentence)
    credited = before and _attribution(context, before)
    if credited:
        return reasons + [
            Reason(
                "attribution_basis",
                0.3,
                f"none: the sentence credits no one, but the one before it in its paragraph does ({credited[1]}): "
                "if this sentence continues that report, the credit is carried (CURATION.md)",
            )
        ]
    return reasons + [Reason("attribution_basis", 0.5, "none: neither this sentence nor the one before credits anyone")]


def _sentence_before(context: Context, sentence: tuple[int, int]) -> tuple[int, int] | None:
    """The sentence just before `sentence` in its paragraph (no blank line between them), if any."""
    from .sentences import PARAGRAPH

    index = bisect.bisect_right(context.spans, sentence[0], key=lambda span: span[1])
    if index == 0 or PARAGRAPH.search(context.source.text, context.spans[index - 1][1], sentence[0]):
        return None
    return context.spans[index - 1]


def _number(number) -> str:
    return "" if number is None else format(Decimal(number), "f")


def _said(reading: Reading) -> str:
    parts = [
        f"{name} {_number(getattr(reading, name))}"
        for name in ("value", "low", "high")
        if getattr(reading, name) is not None
    ]
    return ", ".join(
        parts + [f"unit {reading.unit}"] + ([f"qualifier {reading.qualifier}"] if reading.qualifier else [])
    )


def _clause(text: str, sentence: tuple[int, int], reading: Reading) -> tuple[int, int]:
    before = [m.end() for m in CLAUSE_MARKS.finditer(text, sentence[0], reading.char_start)]
    after = CLAUSE_MARKS.search(text, reading.char_end, sentence[1])
    return (before[-1] if before else sentence[0]), (after.start() if after else sentence[1])


def _metric(context: Context, reading: Reading, sentence: tuple[int, int]) -> tuple[str, Reason]:
    """The metric of the unit's dimension whose cues match most words: those in the number's clause twice."""
    text, unit = context.source.text, context.vocabulary.units.get(reading.unit or "")
    if unit is None:
        return "", Reason("metric", 0.0, "no unit read: no metric suggested")
    clause = _clause(text, sentence, reading)
    scored = []
    for metric_id, dimension, patterns in context.vocabulary.metrics:
        if dimension != unit["dimension"]:
            continue
        hits = [
            (m.group(), 2 if clause[0] <= m.start() < clause[1] else 1)
            for p in patterns
            for m in p.finditer(text, *sentence)
        ]
        score = sum(len(word.split()) * weight for word, weight in hits)
        if score:
            scored.append((score, metric_id, sorted({word.lower() for word, _ in hits})))
    if not scored:
        return "", Reason(
            "metric",
            0.0,
            f"no cue of a metric of dimension {unit['dimension']} in the sentence: choose one, or add a metric",
        )
    scored.sort(key=lambda item: -item[0])
    best = scored[0]
    tied = len(scored) > 1 and scored[1][0] == best[0]
    confidence = 0.3 if tied else 0.6 if len(scored) > 1 else 0.7
    words = ", ".join(f'"{word}"' for word in best[2])
    rival = f"; {scored[1][1]} scores {scored[1][0]}" if len(scored) > 1 else ""
    return best[1], Reason("metric", confidence, f"cue words {words} of {best[1]} (score {best[0]}{rival})")


def _subject(context: Context, reading: Reading, sentence, attribution) -> tuple[str, Reason]:
    """The name nearest the number in its sentence (in its clause first), other than who the claim is credited to."""
    credited = attribution[0] if attribution else None
    clause = _clause(context.source.text, sentence, reading)
    candidates = [n for n in context.names.within(*sentence) if credited is None or n.start != credited.start]
    if not candidates:
        return "", Reason("subject_id", 0.0, "no known entity or name in the sentence: choose the subject")

    def distance(name: Name) -> tuple:
        outside = not (clause[0] <= name.start < clause[1])
        gap = name.start - reading.char_end if name.start >= reading.char_end else reading.char_start - name.end
        return (name.is_thing, outside, gap)

    best = min(candidates, key=distance)
    known = (
        f"known entity {best.entity_id}"
        if best.entity_id
        else f"NEW entity {best.text!r} (proposed as {context.references.get(best.text)})"
    )
    where = "in the number's clause" if clause[0] <= best.start < clause[1] else "in its sentence"
    confidence = 0.5 if best.entity_id else 0.3
    return context.entity_cell(best), Reason(
        "subject_id", confidence, f"{best.text!r}, the nearest name {where}: {known}"
    )


def _attribution(context: Context, sentence: tuple[int, int]) -> tuple[Name, str] | None:
    """Who the sentence credits: the name after `according to` (source_before), or the subject or object of a
    verb of saying (source_verb)."""
    text = context.source.text
    for pattern, word, _ in context.vocabulary.cues.get("source_before", []):
        for match in pattern.finditer(text, *sentence):
            name = context.names.after(match.end(), sentence[1])
            if name:
                return name, f'"{word} {name.text}"'
    for pattern, word, _ in context.vocabulary.cues.get("source_verb", []):
        for match in pattern.finditer(text, *sentence):
            name = context.names.before(match.start(), sentence[0]) or context.names.after(match.end(), sentence[1])
            if name:
                return name, f'"{name.text}" with the verb "{word}"'
    return None


# ---------------------------------------------------------------- periods and dates


def _period(context: Context, reading: Reading, sentence, cells: dict[str, str]) -> list[Reason]:
    """The period from the year or date nearest the number in its sentence (`stated`); a period after the
    publication is a forecast. No year or date: the publication year for a present-tense claim, else none."""
    source = context.source
    clause = _clause(source.text, sentence, reading)
    dates = [r for r in context.dates if not r.problem and _inside(r, clause)] or [
        r for r in context.dates if not r.problem and _inside(r, sentence)
    ]
    cells["forecast"] = "false"
    cells["period"] = cells["period_as_written"] = ""
    if not dates:
        return _relative_year(context, clause, sentence, cells) or _undated_period(context, sentence, cells)
    nearest = min(dates, key=lambda r: abs(r.char_start - reading.char_start))
    resolved = _date_parts(nearest, source)
    if resolved is None:
        cells["period_basis"] = "none"
        return [
            Reason("period", 0.0, f"{nearest.text!r} cannot be resolved to a date: choose the period"),
            Reason("period_basis", 0.0, "none: no period proposed; stated once you give the period its words give"),
        ]
    point, note = resolved
    context.periods.add(nearest.char_start)
    preposition = _preposition(source.text, nearest.char_start, sentence[0])
    start = nearest.char_start - len(preposition) - 1 if preposition else nearest.char_start
    cells["period_as_written"] = source.text[start : nearest.char_end]
    lower = preposition.lower()
    cells["period"] = f"{point}/.." if lower in OPENS_PERIOD else f"../{point}" if lower in CLOSES_PERIOD else point
    cells["period_basis"] = "stated"
    reasons = [
        Reason(
            "period",
            0.6,
            f"{cells['period_as_written']!r}, the date in the number's clause, else nearest it in the sentence{note}",
        ),
        Reason("period_basis", 0.6, f"stated: the quote's words {cells['period_as_written']!r} give the period"),
    ]
    end = point if lower not in OPENS_PERIOD else ""
    if end and end > source.published.isoformat()[: len(end)]:
        cells["forecast"] = "true"
        reasons.append(Reason("forecast", 0.7, f"{end} is after the publication ({source.label()})"))
    return reasons


def _relative_year(context: Context, clause, sentence, cells: dict[str, str]) -> list[Reason]:
    """A year named by its distance from the publication's (`last year`), in the number's clause or sentence."""
    text, published = context.source.text, context.source.published
    for span in (clause, sentence):
        for words, offset in RELATIVE_YEARS.items():
            match = phrase_pattern(words).search(text, *span)
            if match:
                cells["period"], cells["period_as_written"] = str(published.year + offset), match.group()
                cells["period_basis"] = "stated"
                why = f"{match.group()!r}, counted from the source's publication ({context.source.label()})"
                return [Reason("period", 0.6, why), Reason("period_basis", 0.6, f"stated: the quote's words {why}")]
    return []


def _undated_period(context: Context, sentence: tuple[int, int], cells: dict[str, str]) -> list[Reason]:
    """A sentence with no year or date: a claim in the present tense takes the year of the source's publication
    (`publication`); one of another time (`has cut`, `fell`, `will`) has no period (`none`), unless another
    sentence dates it (`context`), which the curator decides."""
    saying = [
        (match.start(), match.end())
        for pattern, _, _ in context.vocabulary.cues.get("source_verb", [])
        for match in pattern.finditer(context.source.text, *sentence)
    ]
    read = tense(context.source.text, sentence, [*_numbers_within(context, sentence), *saying])
    if read.tense == "present":
        year = str(context.source.published.year)
        cells["period"], cells["period_basis"] = year, "publication"
        cells["note"] = "Present tense: the year of publication."
        why = (
            f"no year or date in its sentence and no verb of another time: a present-tense claim takes the year of "
            f"the source's publication ({year}); if another sentence dates it, that date (context)"
        )
        return [Reason("period", 0.4, why), Reason("period_basis", 0.4, "publication: a present-tense claim")]
    cells["period_basis"] = "none"
    why = (
        f"no year or date in its sentence, and {read.words!r} is of the {read.tense}: no period; "
        "if another sentence dates it, that date (context)"
    )
    return [Reason("period", 0.4, why), Reason("period_basis", 0.4, f"none: {read.words!r} is of the {read.tense}")]


def _numbers_within(context: Context, span: tuple[int, int]) -> list[tuple[int, int]]:
    first = bisect.bisect_left(context.numbers, (span[0], span[0]))
    last = bisect.bisect_left(context.numbers, (span[1], span[1]))
    return context.numbers[first:last]


def _inside(reading: Reading, span: tuple[int, int]) -> bool:
    return span[0] <= reading.char_start and reading.char_end <= span[1]


def _preposition(text: str, start: int, floor: int) -> str:
    before = text[max(floor, start - 12) : start]
    for word in sorted(PERIOD_PREPOSITIONS, key=len, reverse=True):
        match = re.search(rf"(?i)(?<!\w)({re.escape(word)}) $", before)
        if match:
            return match.group(1)
    return ""


def _date_parts(reading: Reading, source: Source) -> tuple[str, str] | None:
    """An ISO date (as precise as the words) and how a missing year or month was resolved."""
    if reading.kind == "year":
        if reading.value is not None:
            return str(int(reading.value)), ""
        return f"{int(reading.low)}/{int(reading.high)}", ""
    resolved = resolve_date(reading, source)
    if resolved is None:
        return None
    (year, month, day), resolution = resolved
    iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    return iso, f" ({resolution})" if resolution else ""


def resolve_date(reading: Reading, source: Source) -> tuple[tuple[int, int | None, int | None], str] | None:
    """(year, month, day) of a date reading, a missing year or month taken from the publication date, and how."""
    year, month, day = reading.date
    published, resolution = source.published, ""
    if month is None and day is not None:
        if source.precision == "year":
            return None
        month = published.month
        resolution = (
            f"Month not given: {dt.date(2000, month, 1):%B}, the month of the source's publication ({source.label()})"
        )
    if year is None:
        year = published.year
        if month is not None and source.precision != "year" and month > published.month:
            year -= 1
            resolution = (
                resolution
                or f"Year not given; {year}, the year before the source's publication ({source.label()}), "
                f"{reading.text} being after its month"
            )
        else:
            said = f", {reading.text} being before it" if source.precision != "year" else ""
            resolution = (
                resolution or f"Year not given; {year}, the year of the source's publication ({source.label()}){said}"
            )
        resolution += "." if not resolution.endswith(".") else ""
    elif resolution:
        resolution += "."
    return (year, month, day), resolution


def _event(proposed: Proposed, context: Context, reading: Reading) -> None:
    resolved = resolve_date(reading, context.source)
    if resolved is None:
        return
    (year, month, day), resolution = resolved
    cells = _quoted(context, reading)
    kind, kind_reason = _event_kind(context, reading)
    from .add_source import date_interval

    date, precision = dt.date(year, month or 1, day or 1), "day" if day else "month"
    first, last = date_interval(date, precision)
    cells |= {"kind": kind, "description": cells["quote"][:1000], "date_as_written": reading.text}
    cells |= {"date": date.isoformat(), "date_precision": precision, "date_resolution": resolution}
    cells |= {"date_start": first.isoformat(), "date_end": last.isoformat()}
    interval = f"of {first}..{last}, the days {date.isoformat()} at {precision} precision stands for"
    reasons = [
        Reason("date", 0.6 if resolution else 0.9, resolution or f"{reading.text!r} gives the date whole"),
        Reason("date_start", 0.9, f"the first day {interval}"),
        Reason("date_end", 0.9, f"the last day {interval}"),
        kind_reason,
        Reason("description", 0.3, "the sentence as written: say what happened in your words"),
    ]
    proposed.add("events", cells, reasons)


def _event_kind(context: Context, reading: Reading) -> tuple[str, Reason]:
    text, sentence = context.source.text, context.sentence(reading.char_start, reading.char_end)
    found = [
        (-len(word.split()), abs(m.start() - reading.char_start), word, kind)
        for pattern, word, kind in context.vocabulary.cues.get("event_kind", [])
        for m in pattern.finditer(text, *sentence)
    ]
    if not found:
        return "", Reason("kind", 0.0, "no event cue word in the sentence: choose the kind")
    _, _, word, kind = min(found)
    return kind, Reason("kind", 0.5, f'cue word "{word}" (cue_words)')


# ---------------------------------------------------------------- statements


def _statements(proposed: Proposed, context: Context) -> None:
    """Each quotation of MIN_QUOTED_WORDS words or more, with the name next to it and a verb of saying."""
    text = context.source.text
    for match in QUOTATION.finditer(text):
        group = "curly" if match.group("curly") is not None else "straight"
        start, end = match.start(group), match.end(group)
        while end > start and text[end - 1] in ",;: \n":
            end -= 1
        if len(text[start:end].split()) < MIN_QUOTED_WORDS:
            continue
        speaker = _speaker(context, match.start(), match.end())
        cells = {"source_id": context.source.source_id, "quote": text[start:end], "char_start": str(start)}
        cells |= {"char_end": str(end), "speaker_id": context.entity_cell(speaker[0]) if speaker else ""}
        cells["speaker_basis"] = "stated" if speaker else ""
        why = (
            [
                Reason("speaker_id", 0.7, speaker[1]),
                Reason("speaker_basis", 0.7, f"stated: the speaker is named with a verb of saying ({speaker[1]})"),
            ]
            if speaker
            else [
                Reason("speaker_id", 0.0, "no name with a verb of saying next to the quotation: choose the speaker"),
                Reason("speaker_basis", 0.0, "choose it with the speaker: carried (the sentence before) or inferred"),
            ]
        )
        proposed.add("statements", cells, [Reason("row", 0.8, "a quotation in quotation marks"), *why])


def _speaker(context: Context, opening: int, closing: int) -> tuple[Name, str] | None:
    """The name with a verb of saying right after the quotation (`,” said X`, `,” X told`), else right before it
    (`X said: “`)."""
    text, names = context.source.text, context.names
    tail_end = min(len(text), closing + 120, (text.find("\n", closing) + 1 or len(text) + 1) - 1)
    skipped = closing + len(re.match(r"[\s,]*", text[closing:tail_end]).group())
    verbs = context.vocabulary.cues.get("source_verb", [])
    found = [
        (m.start(), m.end(), word) for pattern, word, _ in verbs for m in pattern.finditer(text, skipped, tail_end)
    ]
    if found:
        start, end, word = min(found)
        name = names.after(end, tail_end) if start == skipped else names.before(start, skipped)
        if name:
            return name, f'"{word}" and "{name.text}" follow the quotation'
    head = text[max(0, opening - 80) : opening]
    for _, word, _ in verbs:
        match = re.search(rf"(?<!\w)({re.escape(word)})(?:\s+that)?\s*[,:]?\s*$", head, re.IGNORECASE)
        name = match and names.before(opening - len(head) + match.start(1), opening - len(head))
        if name:
            return name, f'"{name.text} {word}" comes before the quotation'
    return None
