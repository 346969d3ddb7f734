"""The rule catalogue: every rule a check can report, with its layer, severity and one-line description.

A problem names its rule; the checks, README's list of checks and the tests all read this one table.
A rule whose inputs cannot be evaluated reports `<rule>-unevaluable`, an error of its own (see
`unevaluable`), never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# The validation layers, in the order they run and are reported.
LAYERS = (
    "descriptor",
    "structure",
    "domain",
    "provenance",
    "agreement",
    "references",
    "consistency",
    "coverage",
    "publications",
    "conflicts",
    "crosscheck",
)


@dataclass(frozen=True)
class Rule:
    name: str
    layer: str
    severity: str
    description: str
    three_valued: bool = False  # the rule may be unable to evaluate a row: `<name>-unevaluable` reports it


RULES: tuple[Rule, ...] = (
    # descriptor
    Rule("resources", "descriptor", ERROR, "the descriptor holds a list of resources"),
    Rule("resource", "descriptor", ERROR, "each resource is an object"),
    Rule("resource-name", "descriptor", ERROR, "each resource has a name"),
    Rule("resource-name-unique", "descriptor", ERROR, "no two resources share a name"),
    Rule("path-confined", "descriptor", ERROR, "every path stays inside the package (no URL, absolute path or `..`)"),
    Rule("schema-readable", "descriptor", ERROR, "each resource's Table Schema can be read as JSON"),
    Rule("schema-fields", "descriptor", ERROR, "a Table Schema is an object with a non-empty list of named fields"),
    Rule("package-name", "descriptor", ERROR, "the package name is lower-case letters, digits and . _ -"),
    Rule("version-semver", "descriptor", ERROR, "the version is a SemVer 2.0 version"),
    Rule("field-name", "descriptor", ERROR, "a field name is printable text"),
    Rule("field-name-unique", "descriptor", ERROR, "no field is declared twice in a Table Schema"),
    Rule("missing-values", "descriptor", ERROR, "only an empty cell is declared missing (redata reads no other)"),
    Rule("field-type", "descriptor", ERROR, "each field's type is one redata can parse"),
    Rule("pattern-valid", "descriptor", ERROR, "each pattern is a regular expression both regex engines accept"),
    Rule("constraint-valid", "descriptor", ERROR, "each constraint, bound and enum value suits its field's type"),
    Rule("primary-key-field", "descriptor", ERROR, "the primary key names fields of the schema"),
    Rule("foreign-key-field", "descriptor", ERROR, "a foreign key names fields that exist on both sides"),
    Rule("foreign-key-resource", "descriptor", ERROR, "a foreign key refers to a resource of the package"),
    Rule("bytes", "descriptor", ERROR, "a file's byte count is the one the descriptor declares"),
    Rule("hash", "descriptor", ERROR, "a file's sha256 is the one the descriptor declares"),
    Rule("files", "descriptor", ERROR, "a release's `files` is a list of named entries"),
    Rule("file-present", "descriptor", ERROR, "every file a release's `files` lists exists"),
    Rule("profile:datapackage.json", "descriptor", ERROR, "the descriptor is valid Data Package 2.0"),
    Rule("profile:tableschema.json", "descriptor", ERROR, "each Table Schema is valid Table Schema 2.0"),
    Rule("frictionless", "descriptor", ERROR, "frictionless's metadata checks pass (offline)"),
    # structure
    Rule("csv-readable", "structure", ERROR, "the CSV file exists and can be parsed (UTF-8, no BOM, quotes closed)"),
    Rule("delimiter", "structure", ERROR, "fields are separated by commas"),
    Rule("header-duplicate", "structure", ERROR, "no column appears twice in the header"),
    Rule("header-missing", "structure", ERROR, "every field of the schema is a column of the header"),
    Rule("header-extra", "structure", ERROR, "every column of the header is a field of the schema"),
    Rule("header-order", "structure", ERROR, "the columns are in the schema's order"),
    Rule("blank-row", "structure", ERROR, "every row holds at least one value"),
    Rule("type", "structure", ERROR, "each cell parses as its field's type"),
    Rule("required", "structure", ERROR, "a required field has a value"),
    Rule("enum", "structure", ERROR, "a value is one its field's enumeration allows"),
    Rule("pattern", "structure", ERROR, "a text matches its field's pattern"),
    Rule("minimum", "structure", ERROR, "a value is at least its field's minimum"),
    Rule("maximum", "structure", ERROR, "a value is at most its field's maximum"),
    Rule("exclusiveMinimum", "structure", ERROR, "a value is above its field's exclusive minimum"),
    Rule("exclusiveMaximum", "structure", ERROR, "a value is below its field's exclusive maximum"),
    Rule("minLength", "structure", ERROR, "a text is at least its field's minimum length"),
    Rule("maxLength", "structure", ERROR, "a text is at most its field's maximum length"),
    Rule("unique", "structure", ERROR, "a unique field holds no value twice"),
    Rule("primary-key", "structure", ERROR, "no two rows share a primary key"),
    Rule("formula-injection", "structure", ERROR, "no text cell starts like a spreadsheet formula"),
    Rule("parquet-readable", "structure", ERROR, "a built table's Parquet file can be read"),
    Rule("parquet-schema", "structure", ERROR, "a built table's Parquet columns have the types its schema gives"),
    Rule("parquet-matches-csv", "structure", ERROR, "a built table's Parquet file holds the rows its CSV holds"),
    # domain
    Rule("unit-range", "domain", ERROR, "a value lies within the range its unit allows", three_valued=True),
    Rule("unit-whole-number", "domain", ERROR, "a count is a whole number", three_valued=True),
    Rule("value-within-bounds", "domain", ERROR, "value_low <= value <= value_high"),
    Rule("qualifier-bounds", "domain", ERROR, "the qualifier implies the bounds the row fills", three_valued=True),
    Rule("metric-dimension", "domain", ERROR, "the unit's dimension is the metric's", three_valued=True),
    Rule(
        "period-after-publication",
        "domain",
        ERROR,
        "a period after the source's publication is a forecast",
        three_valued=True,
    ),
    Rule(
        "date-after-publication",
        "domain",
        ERROR,
        "an event is not dated after its source's publication",
        three_valued=True,
    ),
    Rule("attribution-basis", "domain", ERROR, "a figure's attribution_basis is none exactly where it credits no one"),
    Rule(
        "period-basis",
        "domain",
        ERROR,
        "a figure's period_basis is none exactly where it has no period; stated has period_as_written; publication is "
        "the source's publication year",
        three_valued=True,
    ),
    Rule(
        "related-figure-mutual",
        "domain",
        ERROR,
        "a figure's related figure is another figure that names it back",
        three_valued=True,
    ),
    Rule(
        "date-interval",
        "domain",
        ERROR,
        "a date's start and end are the interval its precision gives (a month's first to last day), and it is stored "
        "as the first",
        three_valued=True,
    ),
    Rule("metric-dimension-known", "domain", ERROR, "a metric's dimension is the dimension of some unit"),
    Rule(
        "unit-base",
        "domain",
        ERROR,
        "a base unit has the same dimension and converts to itself with factor 1",
        three_valued=True,
    ),
    Rule("unit-range-order", "domain", ERROR, "a unit's minimum does not exceed its maximum"),
    # provenance
    Rule("source-file-confined", "provenance", ERROR, "an archived source's file lies inside seeds/"),
    Rule("source-file-exists", "provenance", ERROR, "an archived source's file exists"),
    Rule("source-file-readable", "provenance", ERROR, "an archived source's file can be read"),
    Rule("source-sha256", "provenance", ERROR, "an archived source's sha256 is the recorded one"),
    Rule("source-utf8", "provenance", ERROR, "an archived source is UTF-8"),
    Rule("quote-at-offsets", "provenance", ERROR, "text[char_start:char_end] == quote", three_valued=True),
    Rule("as-written-in-quote", "provenance", ERROR, "every *as_written text occurs inside its quote"),
    Rule("mention-is-alias", "provenance", ERROR, "a mention quotes one of its entity's aliases"),
    # agreement
    Rule("agreement-unevaluable", "agreement", ERROR, "the number reader's vocabularies can be read"),
    Rule(
        "as-written-value",
        "agreement",
        ERROR,
        "value, value_low and value_high are the numbers as_written gives (read as one quantity in known words)",
        three_valued=True,
    ),
    Rule("as-written-unit", "agreement", ERROR, "the unit (or unit_in_words) is as_written's, or converts to it"),
    Rule(
        "as-written-qualifier", "agreement", ERROR, "the qualifier is the one as_written has, or none where it has none"
    ),
    Rule(
        "date-as-written",
        "agreement",
        ERROR,
        "date and date_precision are the date date_as_written gives (read as one date)",
        three_valued=True,
    ),
    Rule("date-resolved", "agreement", ERROR, "a date whose words lack its year or month says how it was resolved"),
    Rule(
        "period-as-written",
        "agreement",
        ERROR,
        "a figure's period starts or ends at each date period_as_written gives (which holds only dates and years)",
        three_valued=True,
    ),
    # references
    Rule("foreign-key", "references", ERROR, "every foreign key resolves", three_valued=True),
    # consistency
    Rule("check-terms", "consistency", ERROR, "a check's terms fit its kind"),
    Rule(
        "check-holds", "consistency", ERROR, "the arithmetic of a check holds within its tolerance", three_valued=True
    ),
    Rule("known-inconsistency", "consistency", WARNING, "a check marked as a known inconsistency of its source fails"),
    # coverage
    Rule(
        "number-accounted",
        "coverage",
        ERROR,
        "every number in an archived text lies inside some row's *as_written (the number words can be read)",
        three_valued=True,
    ),
    # publications
    Rule("reference-document-recorded", "publications", ERROR, "a publication with values names its copy"),
    Rule("reference-value-as-printed", "publications", ERROR, "a reference value is what as_printed says"),
    Rule("reference-footnote-known", "publications", ERROR, "a value's marks are footnotes of its publication"),
    Rule("reference-estimate", "publications", ERROR, "a value is an estimate when a footnote says so"),
    Rule("reference-unit-dimension", "publications", ERROR, "a reference value's unit has its metric's dimension"),
    Rule("reference-folder", "publications", ERROR, "the references folder given exists"),
    Rule("reference-document-sha256", "publications", ERROR, "a document is the copy whose sha256 is recorded"),
    Rule("reference-document-readable", "publications", ERROR, "a reference document can be read as a PDF"),
    Rule("reference-value-printed", "publications", ERROR, "a value is printed on its page, row and column"),
    Rule("reference-value-printed-unevaluable", "publications", ERROR, "a proof's tables and PDF library are there"),
    Rule("reference-footnotes-printed", "publications", ERROR, "a value's marks are the printed ones"),
    Rule("reference-table-complete", "publications", ERROR, "every number of a table recorded is recorded"),
    Rule("reference-footnote-printed", "publications", ERROR, "a footnote's text is printed after its mark"),
    # conflicts
    Rule("conflicting-values", "conflicts", WARNING, "figures on the same metric, subject and period disagree"),
    # crosscheck
    Rule("verdict-consistent", "crosscheck", WARNING, "a figure agrees with the reference values"),
    Rule("verdict-inconsistent", "crosscheck", WARNING, "a figure disagrees with the reference values"),
    Rule("verdict-not-comparable", "crosscheck", WARNING, "a figure a rule covers cannot be judged, and why"),
    Rule("comparison-rule", "crosscheck", ERROR, "a comparison rule names what its kind needs"),
    Rule("crosscheck-unevaluable", "crosscheck", ERROR, "a comparison a rule calls for can be computed"),
    Rule("verdicts-current", "crosscheck", ERROR, "a published verdicts table holds the verdicts the tables give"),
)


def _unevaluable(rule: Rule) -> Rule:
    return Rule(f"{rule.name}-unevaluable", rule.layer, ERROR, f"cannot be evaluated: {rule.description}")


DERIVED = tuple(_unevaluable(rule) for rule in RULES if rule.three_valued)
RULES += DERIVED
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def markdown() -> str:
    """The catalogue as README lists it: each layer, then its rules (the unevaluable ones are implied)."""
    lines = []
    for number, layer in enumerate(LAYERS, start=1):
        rules = [rule for rule in RULES if rule.layer == layer and rule not in DERIVED]
        lines.append(f"{number}. **{layer}**")
        for rule in rules:
            three_valued = "; may be unevaluable" if rule.three_valued else ""
            warning = " (warning)" if rule.severity == WARNING else ""
            lines.append(f"   - `{rule.name}`{warning}: {rule.description}{three_valued}")
    return "\n".join(lines)
