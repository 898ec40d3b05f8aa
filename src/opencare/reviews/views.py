"""Pages of the Data Review Tool. Views parse the request, call services or selectors, and render; nothing more."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencare.reviews import address_limits, selectors
from opencare.reviews.forms import UploadForm
from opencare.reviews.models import ReviewRequest
from opencare.reviews.presentation import progress_text, report_context
from opencare.reviews.services import blank_template, conversions, expiry, uploads
from opencare.storage_limits import human_size, is_disk_full


@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The upload page: a file or pasted JSON in, a redirect to the review's private page out."""
    if request.method != "POST":
        return _upload_page(request, UploadForm())
    try:
        address_limits.count_review_request(request.META.get("REMOTE_ADDR", ""))
    except address_limits.TooManyReviews as refused:
        response = _upload_page(request, UploadForm(), refused)
        response["Retry-After"] = str(refused.retry_after)
        return response
    try:
        uploads.check_declared_size(request.META)
        form = UploadForm(request.POST, request.FILES)
        valid = form.is_valid()
    except uploads.UploadRefused as refused:
        return _upload_page(request, UploadForm(), refused)
    except MultiPartParserError:
        refused = uploads.UploadRefused(
            _("The form could not be read: it arrived incomplete or damaged"), _("Choose the file again and send it.")
        )
        return _upload_page(request, UploadForm(), refused)
    except RequestDataTooBig:
        refused = uploads.UploadRefused(
            _("The pasted text is too long to paste"),
            _("Save the JSON as a file and upload the file instead."),
            status=413,
        )
        return _upload_page(request, UploadForm(), refused)
    except OSError as error:  # while Django writes the upload to its temporary file
        if not is_disk_full(error):
            raise
        return _upload_page(request, UploadForm(), uploads.no_room(error))
    if not valid:
        refused = uploads.UploadRefused(_("Check what you sent"), _("Choose a file or paste JSON, then try again."))
        return _upload_page(request, form, refused)
    try:
        data = form.cleaned_data
        review = uploads.accept_upload(uploaded=data["file"], pasted=data["pasted"], ocds_version=data["version"])
    except uploads.UploadRefused as refused:
        return _upload_page(request, UploadForm(initial={"version": form.cleaned_data["version"]}), refused)
    return redirect(reverse("reviews:review", args=[review.token]), permanent=False)


def _upload_page(request: HttpRequest, form: UploadForm, refused: uploads.UploadRefused | None = None) -> HttpResponse:
    context = {
        "form": form,
        "refused": refused,
        "max_upload": human_size(settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES),
        "max_paste": human_size(settings.OPENCARE_REVIEW_MAX_PASTE_BYTES),
        "max_spreadsheet": human_size(settings.OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES),
        "keep_days": settings.OPENCARE_REVIEW_KEEP_DAYS,
    }
    return render(request, "reviews/upload.html", context, status=refused.status if refused else 200)


def _live(token: str) -> ReviewRequest:
    review = selectors.live_review(token=token)
    if review is None:
        raise Http404(_("There is no report at this address. Reports are deleted after a few days."))
    return review


@require_http_methods(["GET", "HEAD"])
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    """The review's private page: progress while it is checked, then the report, or why the file could not be read."""
    review = _live(token)
    if review.status == ReviewRequest.Status.READY:
        return render(request, "reviews/report.html", report_context(review))
    if review.status == ReviewRequest.Status.FAILED:
        return render(request, "reviews/failed.html", {"review": review, "error": review.error or {}}, status=422)
    return render(request, "reviews/progress.html", {"review": review, "progress_text": progress_text(review)})


@require_http_methods(["GET", "HEAD"])
def review_status(request: HttpRequest, token: str) -> JsonResponse:
    """Where the review has got to, for the progress page to poll."""
    review = _live(token)
    return JsonResponse(_status_json(review))


def _status_json(review: ReviewRequest) -> dict[str, Any]:
    return {
        "status": review.status,
        "status_text": review.get_status_display(),
        "progress_text": progress_text(review),
        "items_checked": review.items_checked,
        "downloads": review.downloads,
        "url": reverse("reviews:review", args=[review.token]),
    }


@require_http_methods(["GET", "HEAD"])
def review_report(request: HttpRequest, token: str) -> JsonResponse:
    """The report as JSON (docs/review-json.md), with the key facts and the input's name and size."""
    review = _live(token)
    if review.status == ReviewRequest.Status.FAILED:
        return JsonResponse({"status": review.status, "error": review.error}, status=422)
    if review.status != ReviewRequest.Status.READY:
        return JsonResponse(_status_json(review), status=409)
    document = {
        **review.report,
        "key_facts": review.key_facts,
        "input": {"file_name": review.file_name, "kind": review.input_kind, "bytes": review.size_bytes},
        "expires_at": review.expires_at.isoformat(),
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'inline; filename="report.json"'
    return response


@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, token: str, name: str) -> FileResponse:
    """The checked data as JSON, XLSX or CSV (a zip), once it has been made."""
    review = _live(token)
    path = conversions.download_file(review, name)
    if path is None:
        raise Http404(_("That download is not ready, or does not exist."))
    file_name, content_type = conversions.DOWNLOADS[name]
    response = FileResponse(path.open("rb"), as_attachment=True, filename=file_name, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def delete(request: HttpRequest, token: str) -> HttpResponse:
    """Delete the review and its files now, rather than waiting for it to expire."""
    expiry.delete_review(_live(token))
    return render(request, "reviews/deleted.html")


@require_http_methods(["GET", "HEAD"])
def template(request: HttpRequest, fmt: str) -> FileResponse:
    """The blank spreadsheet template of the social-care profile."""
    if fmt not in blank_template.TEMPLATE_FORMATS:
        raise Http404(_("The template comes as .xlsx or .zip (CSV files)."))
    path = blank_template.blank_template(fmt)
    content_type = conversions.DOWNLOADS["xlsx" if fmt == "xlsx" else "csv"][1]
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)


@require_http_methods(["GET", "HEAD"])
def care_template(request: HttpRequest, fmt: str) -> FileResponse:
    """The blank social-care template: eight plain-English sheets for care contracts."""
    if fmt not in blank_template.CARE_TEMPLATE_FORMATS:
        raise Http404(_("The social care template comes as .xlsx or .ods."))
    path = blank_template.care_template(fmt)
    content_type = blank_template.MEDIA_TYPES[path.suffix]
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)
