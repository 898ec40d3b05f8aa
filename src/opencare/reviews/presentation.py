"""What the report page shows, shaped from the stored report: findings grouped by severity, places made readable,
and each finding in the page's language (the engine's Welsh, from what the stored report kept of it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from opencare.ocds.review.messages import explain
from opencare.reviews.field_descriptions import description_html
from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.conversions import DOWNLOADS

#: Severity order and headings on the page.
SEVERITIES = [
    ("error", _("Errors"), _("These must be fixed: the data does not follow the standard.")),
    ("warning", _("Warnings"), _("These should be fixed: the data follows the standard, but is harder to use.")),
    ("info", _("Information"), _("Worth knowing; nothing is wrong.")),
]
DOWNLOAD_LABELS = {"json": "JSON", "xlsx": _("Excel spreadsheet (XLSX)"), "csv": _("CSV files (zip)")}
#: What was read (the report's ``format``), as the page names it.
FORMATS = {
    "release package": _("Release package"),
    "record package": _("Record package"),
    "single release": _("Single release"),
    "single record": _("Single record"),
    "array of releases": _("Array of releases"),
    "JSON Lines or concatenated JSON": _("JSON Lines or concatenated JSON"),
}
#: Checks whose message comes from elsewhere than the engine's texts (flatten-tool's warnings): never re-explained.
NOT_EXPLAINED = {"spreadsheet.conversion"}


@dataclass
class FindingView:
    """One finding, ready for the page."""

    anchor: str
    finding: dict[str, Any]
    examples: list[dict[str, Any]]
    #: The field's description as safe HTML, its links working (field_descriptions).
    description: str = ""
    #: For a spreadsheet upload: the sheet and cell of the finding's first place, in words.
    place: str = ""

    @property
    def heading(self) -> str:
        return self.finding["message"]


def in_page_language(finding: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """The finding with its message and how-to-fix in the page's language, and for a spreadsheet upload the fix in
    spreadsheet words (cells, columns, drop-downs) that the report keeps in ``spreadsheet``.

    English is the stored text itself. In Welsh, the engine explains the finding again from its check, path and
    context; a report kept before the context was stored (or a finding the engine did not write) stays English.
    """
    sheet = finding.get("spreadsheet") or {}
    if sheet.get("how_to_fix"):
        finding = {**finding, "how_to_fix": sheet["how_to_fix"]}
    if not _in_welsh(language) or "context" not in finding or finding.get("check") in NOT_EXPLAINED:
        return finding
    context = {**(finding["context"] or {}), **(sheet.get("context") or {})}
    message, how_to_fix = explain(str(finding.get("check", "")), str(finding.get("path", "")), context,
                                  language="cy", spreadsheet=bool(sheet))  # fmt: skip
    return {**finding, "message": message, "how_to_fix": how_to_fix}


def progress_text(review: ReviewRequest) -> str:
    """Where the check has got to, in a sentence: on the progress page, and in the status JSON its script reads."""
    status = str(review.get_status_display())
    if not review.items_checked:
        return gettext("%(status)s.") % {"status": status}
    sentence = ngettext("%(status)s: %(shown)s item checked so far.", "%(status)s: %(shown)s items checked so far.",
                        review.items_checked)  # fmt: skip
    return sentence % {"status": status, "shown": f"{review.items_checked:,}"}


def report_context(review: ReviewRequest) -> dict[str, Any]:
    """Everything the report template needs."""
    report = review.report or {}
    findings = [in_page_language(finding) for finding in report.get("findings", [])]
    version = str(report.get("version") or "")
    groups = []
    number = 0
    for severity, heading, explanation in SEVERITIES:
        views = []
        for finding in findings:
            if finding.get("severity") != severity:
                continue
            number += 1
            description = description_html(str((finding.get("field") or {}).get("description") or ""), version)
            sheet = finding.get("spreadsheet") or {}
            views.append(FindingView(f"finding-{number}", finding, [_example(e) for e in finding.get("examples", [])],
                                     description, _place(sheet.get("sheet"), sheet.get("cell"))))  # fmt: skip
        if views:
            total = sum(view.finding.get("count", 0) for view in views)
            groups.append({"severity": severity, "heading": heading, "explanation": explanation, "findings": views,
                           "total": total})  # fmt: skip
    return {
        "review": review,
        "report": report,
        "groups": groups,
        "errors": next((group["findings"] for group in groups if group["severity"] == "error"), []),
        # A review stopped at its limits says so first: the rest of the report covers only what it checked.
        "stopped": next((f for f in findings if str(f.get("check", "")).startswith("review.stopped-at")), None),
        "facts": review.key_facts or {},
        "downloads": _downloads(review),
        "downloads_pending": any(review.downloads.get(name) == "pending" for name in DOWNLOADS),
        "is_spreadsheet": review.input_kind in {"xlsx", "ods", "csv"},
        "format_label": FORMATS.get(report.get("format", ""), report.get("format", "")),
        "in_welsh": _in_welsh(),
        "english_findings": _in_welsh() and any("context" not in f for f in findings),
        "has_descriptions": any((f.get("field") or {}).get("description") for f in findings),
        "package_sheet": _package_sheet(findings),
    }


def _package_sheet(findings: list[dict[str, Any]]) -> str:
    """The sheet that holds the package's details, when one is missing (a spreadsheet upload only)."""
    for finding in findings:
        path = str(finding.get("path") or "")
        missing = finding.get("check") in ("schema.required", "ocds.version-missing")
        if missing and finding.get("spreadsheet") and path and path.split("/", 1)[0] not in ("releases", "records"):
            return str(finding["spreadsheet"]["sheet"])
    return ""


def _in_welsh(language: str | None = None) -> bool:
    """Whether the page is in Welsh (under /cy/); any other language is the site's English."""
    return (language or get_language() or "").split("-")[0] == "cy"


def _example(example: dict[str, Any]) -> dict[str, Any]:
    place = _place(example.get("sheet"), example.get("cell"))
    return {**example, "place": place, "shown_value": _shown(example.get("value"))}


def _place(sheet: str | None, cell: str | None) -> str:
    """A place in the spreadsheet, in words: "Sheet 'releases', cell F7"."""
    if sheet and cell:
        return gettext("Sheet '%(sheet)s', cell %(cell)s") % {"sheet": sheet, "cell": cell}
    return gettext("Sheet '%(sheet)s'") % {"sheet": sheet} if sheet else ""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _downloads(review: ReviewRequest) -> list[dict[str, Any]]:
    rows = []
    for name in DOWNLOADS:
        state = review.downloads.get(name, "pending")
        url = reverse("reviews:download", args=[review.token, name]) if state == "ready" else ""
        rows.append({"name": name, "label": DOWNLOAD_LABELS[name], "state": state, "url": url})
    return rows
