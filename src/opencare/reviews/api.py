"""The review API: POST /api/review answers small inputs at once and gives larger ones a job address to poll."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from ninja import Router, Schema, Status

from opencare.reviews import address_limits, selectors
from opencare.reviews.models import ReviewRequest
from opencare.reviews.services import checking, lanes, uploads
from opencare.storage_limits import is_disk_full

router = Router(tags=["Data Review Tool"])


class ErrorOut(Schema):
    """Why the input was refused or could not be read, and how to fix it."""

    message: str
    how_to_fix: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None


class ProblemOut(Schema):
    error: ErrorOut
    status: str = "failed"


class ExampleOut(Schema):
    ocid: Any = None
    release_id: Any = None
    pointer: str
    value: Any = None
    sheet: str | None = None
    cell: str | None = None


class FieldOut(Schema):
    title: str = ""
    description: str = ""


class SpreadsheetOut(Schema):
    """For spreadsheet input: the finding's first place, and its fix in spreadsheet words."""

    sheet: str
    cell: str
    how_to_fix: str | None = None
    context: dict[str, Any] | None = None


class FindingOut(Schema):
    check: str
    severity: str
    path: str
    count: int
    message: str
    how_to_fix: str
    field: FieldOut | None = None
    values: list[Any] | None = None
    examples: list[ExampleOut]
    spreadsheet: SpreadsheetOut | None = None


class ReportOut(Schema):
    """The report contract of docs/review-json.md, with the key facts and the job's address."""

    format: str
    version: str
    standard: str
    extensions: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    valid: bool
    complete: bool = True
    findings: list[FindingOut]
    key_facts: dict[str, Any] | None = None
    job: dict[str, str]


class JobOut(Schema):
    """A review still being checked: poll `url` until it answers 200 (the report) or 422 (unreadable input)."""

    status: str
    items_checked: int
    url: str
    page: str


REQUEST_BODY = {
    "description": "The data: OCDS JSON (any shape `opencare review` reads, optionally gzipped) as the body, or a "
    "multipart form with a `file` field (JSON, .gz, XLSX, ODS, or CSV files in a zip). Optional query parameter "
    "`version` (1.0 or 1.1) forces the OCDS version.",
    "required": True,
    "content": {
        "application/json": {"schema": {"description": "Any JSON: a package, a release or record, or an array."}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
    },
}


#: What POST /api/review may answer.
ANSWERS = {200: ReportOut, 202: JobOut, 400: ErrorOut, 413: ErrorOut, 422: ProblemOut, 429: ErrorOut, 507: ErrorOut}


@router.post(
    "",
    response=ANSWERS,
    summary="Review OCDS data",
    openapi_extra={"requestBody": REQUEST_BODY},
)
def review(request: HttpRequest, response: HttpResponse, version: str = "") -> Status:
    """Check OCDS data against the standard and the social-care profile.

    Inputs up to the synchronous limit are answered at once with the report (200); larger ones are queued and answered
    with a job (202) whose `url` gives the report when it is ready. Unreadable input answers 422 with line and column.
    Each address may ask for a limited number of reviews an hour (the web form's uploads count too); past it, 429
    with Retry-After.
    """
    try:
        address_limits.count_review_request(request.META.get("REMOTE_ADDR", ""))
    except address_limits.TooManyReviews as refused:
        response["Retry-After"] = str(refused.retry_after)
        return Status(429, {"message": refused.message, "how_to_fix": refused.how_to_fix})
    if version not in {"", "1.0", "1.1"}:
        return Status(400, {"message": f"There is no OCDS version {version!r}", "how_to_fix": "Use 1.0 or 1.1."})
    try:
        accepted = _accept(request, version)
    except uploads.UploadRefused as refused:
        return Status(refused.status, {"message": refused.message, "how_to_fix": refused.how_to_fix})
    if accepted.size_bytes <= settings.OPENCARE_REVIEW_API_SYNC_BYTES:
        # Queued in the main lane instead if it turns out slow (a small body of very many tiny items): then 202.
        checking.run_review(accepted.token, lane=lanes.IN_REQUEST)
    else:
        lanes.enqueue_review(accepted)
    accepted.refresh_from_db()
    return _answer(accepted)


@router.get("/{token}", response={200: ReportOut, 202: JobOut, 404: ErrorOut, 422: ProblemOut}, summary="A review")
def review_job(request: HttpRequest, token: str) -> Status:
    """The report of a queued review once it is ready (200); until then its progress (202)."""
    review = selectors.live_review(token=token)
    if review is None:
        return Status(404, {"message": "There is no review at this address",
                            "how_to_fix": "Reviews are deleted after a few days; send the data again."})  # fmt: skip
    return _answer(review)


def _accept(request: HttpRequest, version: str) -> ReviewRequest:
    uploads.check_declared_size(request.META)
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):
        try:
            uploaded = request.FILES.get("file")
        except MultiPartParserError:
            raise uploads.UploadRefused(
                "The form could not be read: it is not a complete multipart/form-data body",
                "Send a multipart/form-data body with its boundary, and the file in a field called file.",
            ) from None
        except OSError as error:  # while Django writes the upload to its temporary file
            if not is_disk_full(error):
                raise
            raise uploads.no_room(error) from None
        if uploaded is None:
            raise uploads.UploadRefused("The form has no `file` field", "Send the data in a form field called file.")
        return uploads.accept_upload(uploaded=uploaded, ocds_version=version, enqueue=False)
    return uploads.accept_stream(stream=request, file_name="API request", ocds_version=version, enqueue=False)


def _answer(review: ReviewRequest) -> Status:
    job = {
        "url": reverse("api-1:review_job", args=[review.token]),
        "page": reverse("reviews:review", args=[review.token]),
    }
    if review.status == ReviewRequest.Status.READY:
        return Status(200, {**review.report, "key_facts": review.key_facts, "job": job})
    if review.status == ReviewRequest.Status.FAILED:
        return Status(422, {"status": "failed", "error": review.error})
    return Status(202, {"status": review.status, "items_checked": review.items_checked, **job})
