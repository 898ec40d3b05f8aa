"""The publishing API's spreadsheet uploads: a council's own system posts the social care template, filled in with
many contracts, and a provider's the actuals template with its monthly figures; each gets back what would be (or
was) published, per contract.

The same services as the website's uploads (publishing.contracts_spreadsheet, publishing.monthly_figures), with the
organisation taken from the API token: every problem is named by sheet and cell, each contract or figure is new,
changed or unchanged, and publishing is all or nothing. `?check=true` only checks: nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Router, Schema, Status

from opencare.publishing import contracts_spreadsheet as sheet
from opencare.publishing import monthly_figures as figures
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
        return _problems(refused)
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


class FigureOut(Schema):
    """One figure of the spreadsheet: its measure, month and figure, and what publishing does to it."""

    measure: str
    month: str
    figure: str
    status: str


class ContractFiguresOut(Schema):
    """A contract's figures in the spreadsheet."""

    ocid: str
    contract_id: str
    figures: list[FigureOut]


class FiguresOut(Schema):
    """Each contract's figures, and how many contracts' releases were published (never with ?check=true)."""

    published: int
    contracts: list[ContractFiguresOut]


FIGURES_BODY = {
    "description": "The actuals template (downloadable from your organisation's publishing page) filled in: on its "
    "Monthly figures sheet, one row for each contract, measure and month. Only contracts your organisation provides "
    "and measures agreed in them (and hours of care delivered) are accepted.",
    "required": True,
    "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}


@router.post(
    "/publish/monthly-figures",
    response={200: FiguresOut, 201: FiguresOut, 400: ProblemsOut, 401: ReasonOut, 403: ReasonOut, 413: ReasonOut},
    summary="Publish a provider's monthly figures from the actuals template",
    openapi_extra={"requestBody": FIGURES_BODY},
)
def post_monthly_figures(request: HttpRequest, check: bool = False) -> Status:
    """Publish a provider's monthly figures for all its contracts from one filled actuals template (XLSX), one
    release per contract with new or changed figures, all or nothing.

    Needs a token with the `actuals` scope. Every problem is named by sheet and cell (400) and nothing is published.
    Posting the same file again answers 200 with `published: 0`; `?check=true` only says what would be published.
    """
    token: ApiToken = request.auth
    publisher = token.publisher
    if ApiToken.Scope.ACTUALS not in token.scopes:
        reason = (
            "This API token may not publish figures. Create a token with the 'actuals' scope on your "
            "organisation's API tokens page."
        )
        return _forbidden(token, figures.DRAFT_KIND, reason)
    if request.content_type != XLSX_TYPE:
        return Status(400, {"detail": f"Send the actuals template with the Content-Type {XLSX_TYPE}; this "
                                      f"request's is '{request.content_type}'."})  # fmt: skip
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, {"detail": "The spreadsheet is too large for one post. Split the figures into files."})
    if len(body) > settings.OPENCARE_ACTUALS_MAX_BYTES:
        limit = settings.OPENCARE_ACTUALS_MAX_BYTES // 1_000_000
        return Status(413, {"detail": f"The spreadsheet is larger than {limit} MB. Split the figures into files."})
    contracts = figures.provider_contracts(publisher)
    if not contracts:
        reason = f"{publisher.name} provides no contracts published here, so it has no figures to publish."
        return _forbidden(token, figures.DRAFT_KIND, reason)
    try:
        rows = figures.read_monthly_figures(body, "monthly-figures.xlsx", contracts)
        plans = figures.plan(publisher, rows, contracts)
    except UploadRefused as refused:
        return Status(400, {"detail": str(refused)})
    except SheetRefused as refused:
        return _problems(refused)
    answer = [_contract_figures(plan) for plan in plans]
    changed = [plan for plan in plans if plan.to_publish]
    if check or not changed:
        return Status(200, {"published": 0, "contracts": answer})
    try:
        figures.publish_plans(user=None, publisher=publisher, plans=plans, token=token)
    except figures.FiguresRefused as refused:
        return Status(400, {"detail": f"Nothing was published: the figures for {refused.contract.label} were "
                                      f"refused: {refused}", "findings": refused.findings})  # fmt: skip
    return Status(201, {"published": len(changed), "contracts": answer})


def _contract_figures(plan: figures.ContractPlan) -> dict[str, Any]:
    return {
        "ocid": plan.contract.ocid,
        "contract_id": plan.contract.contract_id,
        "figures": [
            {"measure": f.row.metric_id, "month": f.row.month.isoformat()[:7],
             "figure": f"{f.row.value.normalize():f}", "status": f.status}
            for f in plan.figures
        ],
    }  # fmt: skip


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
    return _forbidden(token, sheet.DRAFT_KIND, reason)


def _planned(plan: sheet.PlannedContract) -> dict[str, Any]:
    return {
        "ocid": plan.ocid,
        "contract_id": plan.reference,
        "row": plan.row,
        "status": plan.status,
        "changes": list(plan.changes),
    }


def _forbidden(token: ApiToken, kind: str, reason: str) -> Status:
    # Refusals are logged: a token trying what it may not is worth an administrator's attention.
    record(user=None, publisher=token.publisher, action=f"refused:{kind}", via=f"api:{token.name}", reason=reason)
    return Status(403, {"detail": reason})


def _problems(refused: SheetRefused) -> Status:
    problems = [{"cell": p.cell, "problem": p.problem} for p in refused.problems]
    return Status(
        400,
        {"detail": f"The spreadsheet has {len(problems)} problem(s). Nothing was published.", "problems": problems},
    )
