"""What each finding means and how to fix it, in plain English for a council or provider officer (and in Welsh,
from messages_cy, for the web pages under /cy/).

Each check has a message and a fix, with {placeholders} filled from the finding's context: ``field`` (the last
part of the path), ``path``, and whatever the check records (``missing``, ``expected``, ``allowed``...).
"""

from __future__ import annotations

import re
import string
from typing import Any

from opencare.ocds.review import messages_cy

TEXTS: dict[str, tuple[str, str]] = {
    # JSON Schema: the data does not have the shape OCDS requires (errors)
    "schema.required": (
        "'{missing}' is missing from {parent}. OCDS requires it.",
        "Add '{missing}' to {parent} that lacks it. {missing_hint}",
    ),
    "schema.type": (
        "'{field}' should be {expected}, but it is {actual}.",
        "Change '{field}' to {expected}. Numbers must not be in quotes, text must be, and lists use [ ].",
    ),
    "schema.closed-codelist": (
        "'{field}' has a value that is not allowed. It must be one of the codes in the {codelist} codelist.",
        "Values used: {values}. Use one of: {allowed}. Codes are case-sensitive.",
    ),
    "schema.enum": (
        "'{field}' has a value that is not allowed.",
        "Use one of: {allowed}.",
    ),
    "schema.date-time": (
        "'{field}' is not a date and time in the format OCDS uses.",
        "Write dates like 2025-03-31T00:00:00Z or 2025-03-31T09:30:00+01:00: year-month-day, a T, the time, and "
        "the time zone. A date alone, or a date written as 31/03/2025, is not enough.",
    ),
    "schema.uri": (
        "'{field}' is not a full web address.",
        "Give the whole address, starting with https:// (for example https://example.org/contract.pdf), with no "
        "spaces.",
    ),
    "schema.format": (
        "'{field}' is not in the expected format ({format}).",
        "Check the value against the format described for this field.",
    ),
    "schema.pattern": (
        "'{field}' does not have the form this field requires.",
        "The value must match the pattern {pattern}.",
    ),
    "schema.min-items": (
        "'{field}' has fewer entries than OCDS requires (at least {limit}).",
        "Add the missing entries, or leave '{field}' out if there is nothing to say.",
    ),
    "schema.max-items": ("'{field}' has more entries than OCDS allows.", "Remove the extra entries."),
    "schema.unique-items": (
        "'{field}' has the same entry more than once.",
        "Remove the repeated entries: each entry in this list must be different.",
    ),
    "schema.one-of": (
        "'{field}' does not match any of the shapes OCDS allows here.",
        "A record's releases are either all links (url and date) or all full releases: do not mix them.",
    ),
    "ocds.unreadable-number": (
        "'{field}' holds {text}, which is not a number that can be read: {reason}. It is kept as text, as it was "
        "written, and the rest of the data was checked.",
        "Write '{field}' as plain digits with no spaces and no leading zeros (for example 1000 or 1250.50), or "
        "leave it out if there is no real figure. Check the system that made the file: a value such as 1e9999 "
        "means it wrote a number it could not hold.",
    ),
    "schema.number-range": ("'{field}' is outside the range allowed.", "Check the number: {detail}"),
    "schema.string-length": ("'{field}' is too long or too short.", "Check the text: {detail}"),
    "schema.other": ("'{field}' does not meet a rule of the schema ({keyword}).", "{detail}"),
    # OCDS conformance and structure
    "ocds.additional-field": (
        "'{field}' is not a field in OCDS or in the extensions this data declares.",
        "If it is a typing mistake, correct it (names are case-sensitive). If it belongs to an extension, list the "
        "extension in the package's 'extensions'. Otherwise you may keep it, but other tools will not understand it.",
    ),
    "ocds.deprecated-field": (
        "'{field}' is deprecated: OCDS plans to remove it.",
        "{deprecation}",
    ),
    "ocds.open-codelist-value": (
        "'{field}' uses a value that is not in the {codelist} codelist. That is allowed, but other publishers and "
        "tools will not know what it means.",
        "Values used: {values}. Use a code from the codelist if one fits: {allowed}.",
    ),
    "ocds.empty-field": (
        "'{field}' is empty.",
        "Leave out fields that have nothing in them, rather than publishing empty text, lists or objects.",
    ),
    "ocds.duplicate-release-id": (
        "Two or more releases share the same ocid and id. Each release must be identifiable on its own.",
        "Give every release of a contracting process its own 'id' (for example, add the date or a number).",
    ),
    "ocds.duplicate-id-in-array": (
        "Two or more entries in '{field}' have the same id. When releases are combined, entries are matched by id, "
        "so one would silently replace the other.",
        "Give each entry in the list its own id (for example 1, 2, 3; or doc-1, doc-2 for documents).",
    ),
    "ocds.duplicate-record-ocid": (
        "Two or more records have the same ocid. A record package has one record per contracting process.",
        "Merge the records with the same ocid into one.",
    ),
    "ocds.ocid-prefix": (
        "The ocid does not start with a registered prefix ('ocds-' and six letters or digits).",
        "Start every ocid with your OCID prefix (for example ocds-b5fd17-). Request one from the Open Contracting "
        "Partnership if you do not have one.",
    ),
    "ocds.version-missing": (
        "The package has no 'version', so opencare checked it as OCDS 1.0, as the standard says. Under OCDS 1.0, "
        "lists such as tenderers and suppliers are replaced whole when releases are combined, not merged by id.",
        'If the data is OCDS 1.1, add "version": "1.1" to the package. If it is OCDS 1.0, nothing needs fixing.',
    ),
    "ocds.version-unrecognised": ("{note}", "Set the package's 'version' to \"1.1\"."),
    "ocds.extension-not-applied": (
        "An extension the data declares was not applied: {reason}",
        "Check the extension's address. opencare keeps copies of the extensions UK publishers use; fields from "
        "other extensions are listed as additional fields.",
    ),
    "review.stopped-at-item-limit": (
        "This file has more than {limit} {kind}, the most one review checks; the review stopped there. The report "
        "covers the first {checked} {kind} only.",
        "Split the data into files of at most {limit} {kind} and review each, or check the whole file on your own "
        "computer with `opencare review FILE`, which has no such limit.",
    ),
    "review.stopped-at-time-limit": (
        "Checking this file took longer than {limit}, the most one review may take, so the review stopped part-way. "
        "The report covers the first {checked} {kind} only.",
        "Split the data into smaller files and review each, or check the whole file on your own computer with "
        "`opencare review FILE`, which has no such limit.",
    ),
    "ocds.no-items": (
        "The data contains no {kind}.",
        "Check that the right file was chosen and that the export included the {kind}.",
    ),
    "ocds.not-packaged": (
        "This is a {format}, not a release package, so it has no publisher, licence or publication date.",
        "Publish releases inside a release package, with uri, publisher, license, publishedDate and version.",
    ),
    "ocds.same-date-for-ocid": (
        "Two releases of the same contracting process have the same date, so they cannot be put in order.",
        "Give each release its exact publication time, so the latest information wins when they are combined.",
    ),
    # Quality: consistent with itself
    "quality.period-end-before-start": (
        "A period in '{field}' ends before it starts.",
        "Check the start and end dates; they may be the wrong way round.",
    ),
    "quality.dates-out-of-order": (
        "{later_label} is before {earlier_label}, which cannot be right.",
        "Check both dates. Stages happen in order: tender, award, contract, then delivery.",
    ),
    "quality.milestone-met-in-future": (
        "A milestone (such as an interim review) is marked as met, but its '{field}' is after the release was "
        "published, or after today: it cannot have been met yet.",
        "Publish the review once it has taken place, with the date it was held. To announce a review still to come, "
        "give it the status 'scheduled' and its 'dueDate' instead.",
    ),
    "quality.contract-value-above-award": (
        "A contract is worth more than the award it comes from.",
        "Check the contract and award values, and that the contract's awardID points at the right award.",
    ),
    "quality.transactions-above-contract": (
        "Payments under a contract add up to more than the contract's value.",
        "Check the payments (implementation/transactions) and the contract value; if the contract was extended, "
        "publish an amendment with the new value.",
    ),
    "quality.unknown-award-reference": (
        "A contract's awardID does not match any award in the release.",
        "Make each contract's awardID equal to the id of the award it comes from, and include that award.",
    ),
    "quality.unknown-lot-reference": (
        "'{field}' names a lot that is not in tender/lots.",
        "Use the id of one of the lots listed in tender/lots.",
    ),
    "quality.unknown-party-reference": (
        "The {role} is not listed in 'parties', so readers cannot find their details.",
        "Add the organisation to 'parties' with the same id, or correct the id.",
    ),
    # Metrics: targets and actuals people can compare
    "metrics.value-and-measure": (
        "An observation has both a 'value' and a 'measure'.",
        "Use 'value' (amount and currency) for money, such as the price per hour, and 'measure' for everything else.",
    ),
    "metrics.no-value-or-measure": (
        "An observation has neither a 'value' nor a 'measure', so it says nothing.",
        "Add the figure: 'value' with amount and currency for money, 'measure' for other numbers.",
    ),
    "metrics.unit-scheme": (
        "An observation's unit does not say it uses the UN/CEFACT unit codes.",
        'Set unit/scheme to "UNCEFACT" and unit/id to the code, e.g. P1 for percent, HUR for hours.',
    ),
    "metrics.unknown-unit-code": (
        "The unit code '{value}' is not one opencare knows from UN/CEFACT Recommendation 20.",
        "Check the code. Common ones: P1 percent, HUR hour, MIN minute, C62 count, DAY day, MON month.",
    ),
    "metrics.actual-without-period": (
        "A reported figure (an actual) has no period, so nobody can tell which month or year it is for.",
        "Add period/startDate and period/endDate to every observation in implementation/metrics.",
    ),
    "metrics.unit-mismatch": (
        "The target and the actual figures for '{metric}' use different units ({units}), so they cannot be compared.",
        "Use the same unit for a metric's targets and its actuals.",
    ),
    "metrics.local-metric": (
        "The metric '{metric}' is not in the opencare metric catalogue. It will be shown, but not compared across "
        "contracts.",
        "If a catalogue metric means the same thing, use its id (see the Data standard page). Otherwise keep it: "
        "local metrics are welcome.",
    ),
    "metrics.measure-classification": (
        "measureClassification '{value}' is not one of the UK codes.",
        "Use met, slightlyBelow, below, significantlyBelow or other.",
    ),
    "metrics.small-survey-count": (
        "A survey result for '{metric}' counts fewer than 5 people, which could identify someone.",
        "Combine small groups (for example merge answers or periods) so every published count is at least 5, or "
        "leave the cell out.",
    ),
    # Parties
    "parties.identifier-pattern": (
        "An organisation identifier does not look like a {scheme} identifier ({expected}).",
        "Check the identifier: {expected}.",
    ),
}

#: What a missing required field is, by its path (the full path, so that a missing tender id is not explained as
#: a release id); "*/name" applies to a field of that name anywhere no full path matches.
HINTS = {
    "releases/id": "A release id must be unique within its contracting process, e.g. the notice number.",
    "releases/ocid": "The ocid is your OCID prefix followed by your own id for the contracting process.",
    "releases/date": "The date is when the release was published, e.g. 2025-03-31T09:00:00Z.",
    "releases/tag": 'The tag says what stage the release describes, e.g. ["tender"] or ["award"].',
    "releases/initiationType": 'For a tender, use "tender".',
    "releases/tender/id": "The tender id identifies the tender within its contracting process, e.g. the tender "
    "notice number or the ocid.",
    "records/ocid": "The ocid is your OCID prefix followed by your own id for the contracting process.",
    "publisher": "The publisher is the organisation publishing the data: give at least its name.",
    "publisher/name": "The publisher's name is the name of the organisation publishing the data, e.g. the council.",
    "uri": "The package's uri is the web address where this file is published.",
    "publishedDate": "The publishedDate is when this file was published, e.g. 2025-03-31T09:00:00Z.",
    "version": 'The version is the OCDS version the data follows: "1.1".',
    "*/id": "Each entry in a list needs an id that no other entry in the same list has, e.g. 1, 2, 3.",
}

#: The hints that speak of JSON, as a spreadsheet user would do it (the others are the same in both).
SHEET_HINTS = {
    "releases/tag": "The tag says what stage the release describes, e.g. tender or award (choose from the "
    "drop-down, or separate several with ;).",
    "releases/initiationType": "For a tender, write tender.",
    "version": "The version is the OCDS version the data follows: 1.1.",
}

#: How to fix a finding in a spreadsheet, where the JSON advice of TEXTS does not fit: cells, columns, rows and
#: drop-downs, never JSON syntax. Same placeholders as the check's fix in TEXTS, or fewer.
SHEET_FIXES = {
    "schema.required": "Fill in the cell for '{field_path}' on the row shown below (add the column if the sheet has "
    "none). {missing_hint}",
    "schema.type": "Change the cell to {expected}: a number cell holds digits only (no £, commas or words), and a "
    "cell with several entries separates them with ;.",
    "schema.closed-codelist": "Values used: {values}. Choose one of these from the column's drop-down, or type it "
    "exactly: {allowed}. Codes are case-sensitive.",
    "schema.enum": "Choose one of these from the column's drop-down, or type it exactly: {allowed}.",
    "schema.date-time": "Write the date in the cell as text like 2025-03-31T00:00:00Z or 2025-03-31T09:30:00+01:00: "
    "year-month-day, a T, the time, and the time zone. Format the column as text first, so the spreadsheet program "
    "does not turn it into 31/03/2025.",
    "schema.min-items": "Add the missing rows, or leave the '{field}' cells blank if there is nothing to say.",
    "schema.unique-items": "Remove the repeated entries from the cell: each entry separated by ; must be different.",
    "schema.one-of": "A record's releases are either all links or all full releases: do not mix them on the sheet.",
    "ocds.unreadable-number": "Write '{field}' as plain digits with no spaces and no leading zeros (for example "
    "1000 or 1250.50), or leave the cell blank if there is no real figure.",
    "ocds.additional-field": "If the column heading has a typing mistake, correct it (names are case-sensitive), or "
    "copy the heading from the template. If it belongs to an extension, add the extension's address to the "
    "extensions row of the Meta sheet. Otherwise you may keep the column, but other tools will not understand it.",
    "ocds.empty-field": "Leave the cell blank, or delete the row, rather than filling it with spaces or an empty "
    "entry.",
    "ocds.duplicate-release-id": "Give every row on the releases sheet for the same ocid its own Release ID (for "
    "example, add the date or a number).",
    "ocds.duplicate-id-in-array": "Give each row for '{field}' its own id in the id column (for example 1, 2, 3).",
    "ocds.duplicate-record-ocid": "Put each contracting process's releases under one ocid.",
    "ocds.version-missing": "If the data is OCDS 1.1, fill in the version row of the Meta sheet with 1.1. If it is "
    "OCDS 1.0, nothing needs fixing.",
    "ocds.version-unrecognised": "Set the version row of the Meta sheet to 1.1.",
    "ocds.not-packaged": "Fill in the Meta sheet: uri, publisher, license, publishedDate and version.",
    "quality.unknown-award-reference": "Make each contract's Award ID cell the same as the id of the award it comes "
    "from, and fill in that award on the awards sheet.",
    "quality.unknown-lot-reference": "Use the id of one of the lots on the tender lots sheet.",
    "quality.unknown-party-reference": "Add the organisation to the parties sheet with the same id, or correct the "
    "id in this cell.",
    "metrics.value-and-measure": "Fill in the value columns (amount and currency) for money, such as the price per "
    "hour, and the measure column for everything else, not both on one row.",
    "metrics.no-value-or-measure": "Fill in the figure: the value columns (amount and currency) for money, the "
    "measure column for other numbers.",
    "metrics.unit-scheme": "Write UNCEFACT in the unit scheme column and the code in the unit id column, e.g. P1 "
    "for percent, HUR for hours.",
    "quality.milestone-met-in-future": "Change the date in this cell to the day the review was held. If it has not "
    "been held yet, delete its row until it has (on the full-profile sheets you may instead give it the status "
    "scheduled and a due date).",
    "metrics.actual-without-period": "Fill in the period start date and end date columns on every row of the "
    "implementation metrics observations sheet.",
    "metrics.unit-mismatch": "Use the same unit code in the unit columns for a metric's targets and its actuals.",
}

#: The fix for a required package field in a spreadsheet: where on the package's sheet to fill it in.
SHEET_PACKAGE_FIX = (
    "Fill in the {sheet} sheet, cell {cell} ({field_path}): the field's name goes in column A of that row and its "
    "value in column B. {missing_hint}"
)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def explain(
    check: str, path: str, context: dict[str, Any], language: str = "en", *, spreadsheet: bool = False
) -> tuple[str, str]:
    """The message and how-to-fix for one finding, in English or (``language="cy"``) Welsh.

    ``spreadsheet``: the input was a spreadsheet, so the fix speaks of sheets, cells and columns where the check has
    such advice (SHEET_FIXES), never of JSON syntax. A required package field's fix names the cell to fill in when
    the context has ``sheet`` and ``cell`` (the web layer finds them from the spreadsheet's layout), and
    ``field_path`` when it is not the finding's own path (a missing publisher is filled in by its name).
    """
    parts = [part for part in path.split("/") if part]
    if language == "cy":
        message, fix = messages_cy.TEXTS_CY.get(check, messages_cy.FALLBACK_CY)
        hints, field, parent = messages_cy.HINTS_CY, messages_cy.THE_DATA_CY, messages_cy.parent_label_cy(parts)
        sheet_fixes, sheet_hints = messages_cy.SHEET_FIXES_CY, messages_cy.SHEET_HINTS_CY
        package_fix = messages_cy.SHEET_PACKAGE_FIX_CY
        context = messages_cy.welsh_context(context)
    else:
        message, fix = TEXTS.get(check, ("{check}: {detail}", "See the field's description."))
        hints, field, parent = HINTS, "the data", _parent_label(parts)
        sheet_fixes, sheet_hints, package_fix = SHEET_FIXES, SHEET_HINTS, SHEET_PACKAGE_FIX
    if spreadsheet:
        hints = {**hints, **sheet_hints}
        if check == "schema.required" and parts[:1] not in (["releases"], ["records"]) and context.get("cell"):
            fix = package_fix
        else:
            fix = sheet_fixes.get(check, fix)
    values = _Defaults(
        check=check,
        path=path,
        field=parts[-1] if parts else field,
        parent=parent,
        field_path="/".join(parts[1:] if parts[:1] in (["releases"], ["records"]) else parts),
        missing_hint=missing_hint(hints, path, str(context.get("missing", ""))) if check == "schema.required" else "",
    )
    values.update({key: value for key, value in context.items() if value is not None})
    if isinstance(context.get("values"), list):
        values["values"] = ", ".join(repr(value) for value in context["values"])
    formatter = string.Formatter()
    return formatter.vformat(message, (), values).strip(), formatter.vformat(fix, (), values).strip()


def missing_hint(hints: dict[str, str], path: str, missing: str) -> str:
    """What a missing field is: the hint for its whole path, else for any field of its name ("*/id"), else none.

    Keyed on the whole path so that advice is about the field flagged: a missing tender id is not a release id.
    """
    if not missing:
        return ""
    # A record's compiled release and embedded releases are releases: their fields have the releases' hints.
    as_release = re.sub(r"^records/(compiledRelease|releases)/", "releases/", path)
    return hints.get(as_release) or hints.get(f"*/{missing}", "")


def _parent_label(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "each release" if parts == ["releases"] else "the package"
    parent = parts[-2] if parts[-1] else parts[-1]
    return {"releases": "each release", "records": "each record"}.get(parent, f"each '{parent}'")
