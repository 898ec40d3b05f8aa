"""What the report page shows, shaped from the stored report: findings grouped by severity, places made readable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.conversions import DOWNLOADS

#: Severity order and headings on the page.
SEVERITIES = [
    ("error", "Errors", "These must be fixed: the data does not follow the standard."),
    ("warning", "Warnings", "These should be fixed: the data follows the standard, but is harder to use."),
    ("info", "Information", "Worth knowing; nothing is wrong."),
]
DOWNLOAD_LABELS = {"json": "JSON", "xlsx": "Excel spreadsheet (XLSX)", "csv": "CSV files (zip)"}


@dataclass
class FindingView:
    """One finding, ready for the page."""

    anchor: str
    finding: dict[str, Any]
    examples: list[dict[str, Any]]

    @property
    def heading(self) -> str:
        return self.finding["message"]


def report_context(review: ReviewRequest) -> dict[str, Any]:
    """Everything the report template needs."""
    report = review.report or {}
    findings = report.get("findings", [])
    groups = []
    number = 0
    for severity, heading, explanation in SEVERITIES:
        views = []
        for finding in findings:
            if finding.get("severity") != severity:
                continue
            number += 1
            views.append(FindingView(f"finding-{number}", finding, [_example(e) for e in finding.get("examples", [])]))
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
    }


def _example(example: dict[str, Any]) -> dict[str, Any]:
    sheet, cell = example.get("sheet"), example.get("cell")
    place = f"Sheet '{sheet}', cell {cell}" if sheet and cell else (f"Sheet '{sheet}'" if sheet else "")
    return {**example, "place": place, "shown_value": _shown(example.get("value"))}


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
