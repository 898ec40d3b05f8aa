"""Accepting an upload, pasted JSON or a request body as a new review waiting to be checked, or refusing it at once
(UploadRefused: what is wrong, how to fix it, the HTTP status). A refusal leaves no files behind.

Refusals are in the language of the request (Welsh on the upload page under /cy/, English elsewhere and in the API).
"""

from __future__ import annotations

import logging
import shutil
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.expiry import delete_expired_reviews
from opencare.reviews.services.lanes import enqueue_review
from opencare.reviews.services.storage import INPUT_NAME, SPREADSHEET_SUFFIXES, review_folder, review_store_bytes
from opencare.storage_limits import human_size, is_disk_full, size_and_limit

logger = logging.getLogger(__name__)


@dataclass
class UploadRefused(Exception):
    """An upload refused before it is stored: what is wrong, how to fix it, and the HTTP status to answer with."""

    message: str
    how_to_fix: str
    status: int = 400

    def __str__(self) -> str:
        return self.message


def accept_upload(
    *, uploaded: UploadedFile | None, pasted: str = "", ocds_version: str = "", enqueue: bool = True
) -> ReviewRequest:
    """Store an uploaded file or pasted JSON as a new review waiting to be checked. Raises UploadRefused.

    Cheap checks happen here, so the person learns at once: nothing sent, empty, too large, a zip that is not a
    spreadsheet, a compressed file that would expand too far. Everything else is found by the background check.
    """
    if uploaded is not None and uploaded.size:
        return _accept_file(uploaded, ocds_version, enqueue)
    if pasted.strip():
        return _accept_pasted(pasted, ocds_version, enqueue)
    if uploaded is not None:
        raise UploadRefused(
            _("The selected file is empty"), _("Choose a file that contains OCDS JSON or a spreadsheet.")
        )
    raise UploadRefused(
        _("Choose a file or paste some JSON"), _("Select a file to upload, or paste JSON into the box.")
    )


def check_declared_size(request_meta: Mapping[str, Any], slack: int = 1024 * 1024) -> None:
    """Refuse a request body bigger than the file limit (plus slack for the form around it) before reading it.

    A missing or malformed Content-Length counts as 0: the body is then read with the limit applied as it goes.
    """
    try:
        content_length = max(0, int(request_meta.get("CONTENT_LENGTH") or 0))
    except ValueError:
        content_length = 0
    limit = settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES
    if content_length > limit + slack:
        size, most = size_and_limit(content_length, limit)
        raise UploadRefused(
            _("The upload is %(size)s, larger than the %(most)s limit") % {"size": size, "most": most},
            _("Split the data into smaller files, or compress it with gzip (.json.gz) before uploading."),
            status=413,
        )


def _accept_file(uploaded: UploadedFile, ocds_version: str, enqueue: bool) -> ReviewRequest:
    limit = settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        size, most = size_and_limit(uploaded.size, limit)
        raise UploadRefused(
            _("The file is %(size)s, larger than the %(most)s limit") % {"size": size, "most": most},
            _("Split the data into smaller files, or compress it with gzip (.json.gz) before uploading."),
            status=413,
        )
    review = _new_review(file_name=display_name(uploaded.name or "upload"), size=uploaded.size, version=ocds_version)
    _check_room(uploaded.size)
    return _store(review, lambda target: _keep_upload(uploaded, target), enqueue)


def _accept_pasted(pasted: str, ocds_version: str, enqueue: bool) -> ReviewRequest:
    data = pasted.encode("utf-8", errors="surrogatepass")
    limit = settings.OPENCARE_REVIEW_MAX_PASTE_BYTES
    if len(data) > limit:
        size, most = size_and_limit(len(data), limit)
        raise UploadRefused(
            _("The pasted text is %(size)s, more than the %(most)s that can be pasted") % {"size": size, "most": most},
            _("Save the JSON as a file and upload the file instead."),
            status=413,
        )
    review = _new_review(file_name="Pasted JSON", size=len(data), version=ocds_version)
    review.input_kind = ReviewRequest.InputKind.PASTED
    _check_room(len(data))
    return _store(review, lambda target: target.write_bytes(data), enqueue)


def _new_review(*, file_name: str, size: int, version: str) -> ReviewRequest:
    return ReviewRequest(
        file_name=file_name,
        size_bytes=size,
        ocds_version=version if version in {"1.0", "1.1"} else "",
        expires_at=timezone.now() + timedelta(days=settings.OPENCARE_REVIEW_KEEP_DAYS),
    )


def accept_stream(*, stream: BinaryIO, file_name: str, ocds_version: str = "", enqueue: bool = True) -> ReviewRequest:
    """Store a request body (JSON sent as the body of an API call) as a new review, refusing it past the file limit."""
    limit = settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES
    review = _new_review(file_name=display_name(file_name), size=0, version=ocds_version)
    room = _check_room(0)

    def copy(target: Path) -> None:
        with target.open("wb") as out:
            while chunk := stream.read(1024 * 1024):
                review.size_bytes += len(chunk)
                if review.size_bytes > limit:
                    raise UploadRefused(
                        f"The data is larger than the {human_size(limit)} limit",
                        "Split the data into smaller files, or compress it with gzip before sending it.",
                        status=413,
                    )
                if room is not None and review.size_bytes > room:
                    raise _store_full()
                out.write(chunk)
        if not review.size_bytes:
            raise UploadRefused("The request has no data", "Send OCDS JSON as the body, or a file in a form field.")

    return _store(review, copy, enqueue)


def _store(review: ReviewRequest, write: Callable[[Path], None], enqueue: bool) -> ReviewRequest:
    """Write the input into the review's folder, find what it is, save the review; a refusal leaves no files.

    A full disk is a refusal too (507): the person is told to try later, and nothing half-written is kept.
    """
    folder = review_folder(review)
    target = folder / INPUT_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write(target)
        if not review.input_kind:
            review.input_kind = _sniff(target)
            _name_by_kind(target, review.input_kind)
    except UploadRefused:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        if not is_disk_full(error):
            raise
        raise no_room(error) from None
    return _save_and_enqueue(review, enqueue)


def no_room(error: OSError) -> UploadRefused:
    """The refusal when the disk holding uploads is full (logged, for whoever runs the site)."""
    logger.error("No room to keep an upload for review: %s", error)
    return UploadRefused(
        _("There is no room left on our server to keep your file"),
        _("Try again later. You can also check the data on your own computer with `opencare review FILE`."),
        status=507,
    )


def _check_room(incoming: int) -> int | None:
    """Refuse (507) an upload that would take the review store past OPENCARE_REVIEW_STORE_MAX_BYTES, after deleting
    expired reviews to make room; the bytes still free under it, or None when there is no such limit."""
    quota = settings.OPENCARE_REVIEW_STORE_MAX_BYTES
    if not quota:
        return None
    used = review_store_bytes()
    if used + incoming > quota and delete_expired_reviews():
        used = review_store_bytes()
    if used + incoming > quota:
        raise _store_full()
    return quota - used


def _store_full() -> UploadRefused:
    logger.warning("The review store is full (OPENCARE_REVIEW_STORE_MAX_BYTES): an upload was refused")
    return UploadRefused(
        _("The Data Review Tool is full: it is already keeping as much uploaded data as it can"),
        _(
            "Try again later (reports and their files are deleted after %(days)s days), send a smaller file, or check "
            "the data on your own computer with `opencare review FILE`."
        )
        % {"days": settings.OPENCARE_REVIEW_KEEP_DAYS},
        status=507,
    )


def _name_by_kind(target: Path, kind: str) -> None:
    """Give a spreadsheet its extension, refusing one too big to read."""
    if kind not in SPREADSHEET_SUFFIXES:
        return
    limit = settings.OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES
    size = target.stat().st_size
    if size > limit:
        size_text, most = size_and_limit(size, limit)
        raise UploadRefused(
            _("The spreadsheet is %(size)s, larger than the %(most)s limit for spreadsheets")
            % {"size": size_text, "most": most},
            _("Split it into smaller spreadsheets, or upload the data as JSON (which can be up to %(most)s).")
            % {"most": human_size(settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES)},
            status=413,
        )
    target.rename(target.with_suffix(SPREADSHEET_SUFFIXES[kind]))


def _save_and_enqueue(review: ReviewRequest, enqueue: bool) -> ReviewRequest:
    review.save()
    if enqueue:
        enqueue_review(review)
        review.refresh_from_db()
    return review


def _keep_upload(uploaded: UploadedFile, target: Path) -> None:
    """Move the upload's temporary file into place (a rename on the same disk), or copy it in chunks."""
    temporary = getattr(uploaded, "temporary_file_path", None)
    if temporary is not None:
        shutil.move(temporary(), target)
        uploaded.close()  # Django's temporary upload expects to find its file gone, and says nothing
        return
    with target.open("wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)


def _sniff(path: Path) -> str:
    """What kind of input this is, by its first bytes, never by its name."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start[:2] == b"\x1f\x8b":
        return ReviewRequest.InputKind.GZIP
    if start == b"\xd0\xcf\x11\xe0":
        # An OLE2 file: a password-protected workbook or an Excel 97-2003 one, refused at once with what to do.
        _check_archive(path)
    if start == b"PK\x03\x04" or start == b"PK\x05\x06":
        _check_archive(path)
        from opencare.ocds.spreadsheets import detect_spreadsheet  # the spreadsheet readers load only when needed

        # Any other zip counts as CSV files, so that reading it explains what it lacks.
        return detect_spreadsheet(path) or ReviewRequest.InputKind.CSV
    return ReviewRequest.InputKind.JSON


def _check_archive(path: Path) -> None:
    from opencare.ocds.spreadsheets import SpreadsheetError, check_archive

    try:
        check_archive(
            path,
            max_total_bytes=settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES,
            max_ratio=settings.OPENCARE_REVIEW_MAX_EXPANSION_RATIO,
        )
    except SpreadsheetError as error:
        status = 413 if error.too_big else 400
        raise UploadRefused(error.message, error.how_to_fix, status=status) from None


def display_name(name: str) -> str:
    """The uploaded file's name, safe to show: no folders, no control characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (cleaned or "upload")[:120]
