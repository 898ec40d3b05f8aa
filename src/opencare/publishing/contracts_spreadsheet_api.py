"""The publishing API's spreadsheet upload: a council's own system posts the social care template, filled in with
many contracts, and gets back what would be (or was) published per contract.

The same service as the website's upload (publishing.contracts_spreadsheet), with the organisation taken from the
API token: every problem is named by sheet and cell, each contract is new, changed or unchanged, and publishing is
all or nothing. `?check=true` only checks: nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Router, Schema, Status

from opencare.publishing import contracts_spreadsheet as sheet
from opencare.publishing.api import PublisherToken, ReasonOut
from opencare.publishing.documents import UploadRefused
from opencare.publishing.models import ApiToken
from opencare.publishing.monthly_figures import SheetRefused
from opencare.publishing.services import record

router = Router(tags=["Publishing"], auth=PublisherToken())

#: What each spreadsheet content type is saved as before it is read.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
ZIP_TYPE = "application/zip"
SUFFIXES = {XLSX_TYPE: ".xlsx", ODS_TYPE: ".ods", ZIP_TYPE: ".zip"}
SPREADSHEET_BODY = {
    "description": "The social care template (downloadable from /review/care-template.xlsx or .ods; or written as "
    "CSV files in a zip by `opencare template -o FILE.zip`), filled in: "
    "one row per contract on its Contracts sheet, each contract's buyer your organisation (its register and number "
    "on the Organisations sheet), and its targets, monthly figures, reviews and documents on the other sheets. The "
    "About the publisher sheet is not read: the publisher is the token's organisation. A Contract ID is your own "
    "reference (the same reference updates the same contract) or the full ocid of a process here that you buy.",
    "required": True,
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in SUFFIXES},
}


class SheetProblemOut(Schema):
    """One problem in the spreadsheet: where it is ("Contracts!C5") and what to do."""

    cell: str
    problem: str


class ProblemsOut(Schema):
    """Why nothing was published: every problem by sheet and cell, or the review's errors per contract."""

    detail: str
    problems: list[SheetProblemOut] = []
    findings: list[dict[str, Any]] = []


class PlannedOut(Schema):
    """One contract of the spreadsheet: its ocid, Contract ID and row, and what publishing does to it."""

    ocid: str
    contract_id: str
    row: int
    status: str
    changes: list[str]


class ContractsOut(Schema):
    """Each contract of the spreadsheet, and whether anything was published (never with ?check=true)."""

    published: int
    contracts: list[PlannedOut]


@router.post(
    "/publish/contracts-spreadsheet",
    response={200: ContractsOut, 201: ContractsOut, 400: ProblemsOut, 401: ReasonOut, 403: ReasonOut, 413: ReasonOut},
    summary="Publish contracts from the social care template",
    openapi_extra={"requestBody": SPREADSHEET_BODY},
)
def post_contracts_spreadsheet(request: HttpRequest, check: bool = False) -> Status:
    """Publish a council's contracts from one filled social care template (XLSX or ODS), one release per new or
    changed contract, all or nothing.

    Needs a token with the `releases` scope, of a council or NHS body. Every problem is named by sheet and cell
    (400) and nothing is published. Unchanged contracts publish nothing, so posting the same file again answers 200
    with `published: 0`. With `?check=true` nothing is published: the answer says what would be.
    """
    token: ApiToken = request.auth
    publisher = token.publisher
    refusal = _refusal(token)
    if refusal:
        return refusal
    suffix = SUFFIXES.get(request.content_type or "")
    if suffix is None:
        return Status(
            400,
            {
                "detail": f"Send the spreadsheet with the Content-Type of an .xlsx file ({XLSX_TYPE}), an .ods "
                f"file ({ODS_TYPE}) or a zip of the template's CSV files ({ZIP_TYPE}); this request's is "
                f"'{request.content_type}'."
            },
        )
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, {"detail": "The spreadsheet is too large for one post. Split your contracts into files."})
    try:
        releases, rows, cells = sheet.read_contracts(body, f"contracts{suffix}", publisher)
        plans = sheet.plan_contracts(publisher, releases, rows, cells=cells)
    except UploadRefused as refused:
        if refused.status == 413:
            return Status(413, {"detail": str(refused)})
        return Status(400, {"detail": str(refused)})
    except SheetRefused as refused:
        problems = [{"cell": p.cell, "problem": p.problem} for p in refused.problems]
        return Status(400, {"detail": f"The spreadsheet has {len(problems)} problem(s). Nothing was published.",
                            "problems": problems})  # fmt: skip
    answer = [_planned(plan) for plan in plans]
    if blocked := [plan for plan in plans if plan.errors]:
        return Status(
            400,
            {
                "detail": "Nothing was published: these contracts would add errors to the published data.",
                "problems": [
                    {"cell": finding["cell"] or plan.cell, "problem": f"{finding['message']} {finding['how_to_fix']}"}
                    for plan in blocked
                    for finding in plan.errors
                ],
                "findings": [finding for plan in blocked for finding in plan.errors],
            },
        )
    to_publish = [plan for plan in plans if plan.status != "unchanged"]
    if check or not to_publish:
        return Status(200, {"published": 0, "contracts": answer})
    try:
        sheet.publish_contracts(user=None, publisher=publisher, plans=plans, via=f"api:{token.name}")
    except sheet.ContractsRefused as refused:
        return Status(
            400,
            {
                "detail": f"Nothing was published: {refused.planned.cell} was refused: {refused}",
                "problems": [{"cell": refused.planned.cell, "problem": str(refused)}],
                "findings": refused.findings,
            },
        )
    return Status(201, {"published": len(to_publish), "contracts": answer})


def _refusal(token: ApiToken) -> Status | None:
    reason = ""
    if ApiToken.Scope.RELEASES not in token.scopes:
        reason = (
            "This API token may not publish contracts. Create a token with the 'releases' scope on your "
            "organisation's API tokens page."
        )
    elif not token.publisher.is_buyer_kind:
        reason = (
            f"{token.publisher.name} is not a council or NHS body: only they publish contracts from the template, "
            "and providers add to them."
        )
    if not reason:
        return None
    record(user=None, publisher=token.publisher, action=f"refused:{sheet.DRAFT_KIND}", via=f"api:{token.name}",
           reason=reason)  # fmt: skip
    return Status(403, {"detail": reason})


def _planned(plan: sheet.PlannedContract) -> dict[str, Any]:
    return {
        "ocid": plan.ocid,
        "contract_id": plan.reference,
        "row": plan.row,
        "status": plan.status,
        "changes": list(plan.changes),
    }
