"""The Data Review Tool's work: accept an upload, check it in the background, convert it, and forget it on time.

Views and the API call these functions; the background tasks in tasks.py call run_review and run_conversions.
Services never import the tasks: they queue work through the TaskQueue that tasks.py gives them (registered when
Django starts, in apps.ReviewsConfig.ready), so the tasks call the services and not the other way round.
Nothing here trusts the upload: its name is for display only, its content is sniffed, compressed input is expanded
with limits, and any input that cannot be read leaves only a short explanation behind, never half-written files.
"""

from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import time
import unicodedata
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import orjson
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from opencare.ocds.key_facts import gather_key_facts
from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.review import review as review_data
from opencare.ocds.review.engine import ReviewLimits
from opencare.reviews.models import ReviewRequest
from opencare.storage_limits import folder_bytes, human_size, is_disk_full, size_and_limit

__all__ = ["human_size"]  # kept here for the views and the API: the sizes on the upload page

if TYPE_CHECKING:
    from opencare.ocds.spreadsheets import SourceMap

logger = logging.getLogger(__name__)

#: The downloads a report offers, by format: file name in the review's folder and media type.
DOWNLOADS = {
    "json": ("data.json", "application/json"),
    "xlsx": ("data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("data-csv.zip", "application/zip"),
}
#: How often, at most, progress is written to the database while a review runs.
PROGRESS_EVERY_SECONDS = 0.5
#: What a spreadsheet upload is converted into before it is checked.
CONVERTED_NAME = "converted.json"
EXPANDED_NAME = "expanded.json"
INPUT_NAME = "input"
SPREADSHEET_KINDS = {ReviewRequest.InputKind.XLSX, ReviewRequest.InputKind.ODS, ReviewRequest.InputKind.CSV}
#: Spreadsheet uploads keep the extension of what they are (openpyxl, for one, goes by the name).
SPREADSHEET_SUFFIXES = {"xlsx": ".xlsx", "ods": ".ods", "csv": ".zip"}
#: Runs of a review whose worker died part-way before the upload is explained instead of tried again.
REVIEW_ATTEMPTS = 3
#: Expanding up to this much is always allowed, whatever the ratio: small, very repetitive files compress very well.
RATIO_FREE_BYTES = 100 * 1000 * 1000
#: The lanes reviews wait in (django-tasks queue names). Small inputs have a lane of their own, with a worker of its
#: own (`opencare serve` starts one; `opencare worker --lane small`), so a small upload never waits behind a huge one.
LANE = "default"
SMALL_LANE = "small"
#: Not a queue: the review `POST /api/review` does inside the request for a small input. Like the small lane, it must
#: be quick, so it gives up past OPENCARE_REVIEW_QUICK_SECONDS and queues the input in the main lane instead.
IN_REQUEST = "request"
QUICK = {SMALL_LANE, IN_REQUEST}
#: A spreadsheet takes about this many times longer to check than JSON of the same size (it is converted first).
SPREADSHEET_SLOWER = 10


@dataclass
class UploadRefused(Exception):
    """An upload refused before it is stored: what is wrong, how to fix it, and the HTTP status to answer with."""

    message: str
    how_to_fix: str
    status: int = 400

    def __str__(self) -> str:
        return self.message


def review_folder(review: ReviewRequest) -> Path:
    """The folder holding one review's files."""
    return Path(settings.OPENCARE_REVIEW_DIR) / review.token


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
        raise UploadRefused("The selected file is empty", "Choose a file that contains OCDS JSON or a spreadsheet.")
    raise UploadRefused("Choose a file or paste some JSON", "Select a file to upload, or paste JSON into the box.")


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
            f"The upload is {size}, larger than the {most} limit",
            "Split the data into smaller files, or compress it with gzip (.json.gz) before uploading.",
            status=413,
        )


def _accept_file(uploaded: UploadedFile, ocds_version: str, enqueue: bool) -> ReviewRequest:
    limit = settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        size, most = size_and_limit(uploaded.size, limit)
        raise UploadRefused(
            f"The file is {size}, larger than the {most} limit",
            "Split the data into smaller files, or compress it with gzip (.json.gz) before uploading.",
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
            f"The pasted text is {size}, more than the {most} that can be pasted",
            "Save the JSON as a file and upload the file instead.",
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
        "There is no room left on our server to keep your file",
        "Try again later. You can also check the data on your own computer with `opencare review FILE`.",
        status=507,
    )


def review_store_bytes() -> int:
    """How much the Data Review Tool keeps on disk now: uploads, what they expand or convert to, and downloads."""
    return folder_bytes(Path(settings.OPENCARE_REVIEW_DIR))


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
        "The Data Review Tool is full: it is already keeping as much uploaded data as it can",
        f"Try again later (reports and their files are deleted after {settings.OPENCARE_REVIEW_KEEP_DAYS} days), "
        "send a smaller file, or check the data on your own computer with `opencare review FILE`.",
        status=507,
    )


def _name_by_kind(target: Path, kind: str) -> None:
    """Give a spreadsheet its extension, refusing one too big to read (flatten-tool holds it all in memory)."""
    if kind not in SPREADSHEET_SUFFIXES:
        return
    limit = settings.OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES
    size = target.stat().st_size
    if size > limit:
        size_text, most = size_and_limit(size, limit)
        raise UploadRefused(
            f"The spreadsheet is {size_text}, larger than the {most} limit for spreadsheets",
            "Split it into smaller spreadsheets, or upload the data as JSON (which can be up to "
            f"{human_size(settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES)}).",
            status=413,
        )
    target.rename(target.with_suffix(SPREADSHEET_SUFFIXES[kind]))


def stored_input(folder: Path) -> Path:
    """The upload as stored: `input`, or `input.xlsx` / `.ods` / `.zip` for a spreadsheet."""
    for suffix in ("", *SPREADSHEET_SUFFIXES.values()):
        path = folder / (INPUT_NAME + suffix)
        if path.exists():
            return path
    raise OSError("the uploaded data is no longer there")


def _save_and_enqueue(review: ReviewRequest, enqueue: bool) -> ReviewRequest:
    review.save()
    if enqueue:
        enqueue_review(review)
        review.refresh_from_db()
    return review


class TaskQueue(Protocol):
    """Where services put work for the task worker: reviews.tasks has the one in use (tasks.QUEUE)."""

    def check(self, token: str, lane: str) -> None:
        """Queue the check of a stored upload in this lane (or the main lane, if the task backend has no such lane)."""

    def convert(self, token: str, lane: str) -> None:
        """Queue the downloads of a checked upload in this lane (or the main lane, likewise)."""


_queues: list[TaskQueue] = []


def use_task_queue(queue: TaskQueue) -> None:
    """Queue work through this from now on (apps.ReviewsConfig.ready gives it tasks.QUEUE)."""
    _queues[:] = [queue]


def _task_queue() -> TaskQueue:
    if not _queues:
        raise RuntimeError("No task queue for reviews: Django has not started the reviews app (django.setup()).")
    return _queues[0]


def enqueue_review(review: ReviewRequest, lane: str | None = None) -> None:
    """Queue the check of a stored upload in its lane: the small lane when it is small (lane_for), else the main."""
    _task_queue().check(review.token, lane or lane_for(review))


def lane_for(review: ReviewRequest) -> str:
    """SMALL_LANE for an input quick to check (at most OPENCARE_REVIEW_SMALL_BYTES of JSON, as uploaded or as its
    gzip says it expands to; a tenth of that for a spreadsheet), else LANE. A gzip file that expands to more than it
    says is moved to the main lane as soon as that is found (run_review)."""
    small = settings.OPENCARE_REVIEW_SMALL_BYTES
    if review.input_kind in SPREADSHEET_KINDS:
        return SMALL_LANE if review.size_bytes <= small // SPREADSHEET_SLOWER else LANE
    if review.size_bytes > small:
        return LANE
    if review.input_kind == ReviewRequest.InputKind.GZIP:
        try:
            declared = _gzip_declared_size(stored_input(review_folder(review)))
        except OSError:
            return LANE
        return SMALL_LANE if declared <= small else LANE
    return SMALL_LANE


def _gzip_declared_size(path: Path) -> int:
    """What a gzip file says its data expands to (its last four bytes: the size modulo 4 GiB, so only a hint)."""
    with path.open("rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return int.from_bytes(handle.read(4), "little")


class _NotSmall(Exception):
    """An input in a quick lane turned out larger or slower than the lane takes (a gzip file that said otherwise, or
    a small file of very many tiny items)."""


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
    if start == b"PK\x03\x04" or start == b"PK\x05\x06":
        _check_archive(path)
        from opencare.ocds.spreadsheets import detect_spreadsheet  # flatten-tool loads slowly: only when needed

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


# ---------------------------------------------------------------------------------------------------------------------
# The background check


def run_review(token: str, attempt: int = 1, lane: str = LANE) -> None:
    """Check a stored upload and keep its report, or keep a clear reason it could not be read and delete the files.

    Safe to run again after a worker died part-way (``attempt`` counts the runs): it starts from the upload again,
    the report is kept once, and its conversions are queued once. An upload that has stopped the worker
    REVIEW_ATTEMPTS times is not tried again but explained. In a quick lane (the small lane, or IN_REQUEST), an
    input that turns out large or slow is put back in the main lane, unchecked, as soon as that is known.
    """
    review = ReviewRequest.objects.filter(token=token).first()
    if review is None or review.status not in {ReviewRequest.Status.QUEUED, ReviewRequest.Status.CHECKING}:
        return  # deleted or expired meanwhile, or already done by another worker
    folder = review_folder(review)
    if attempt > REVIEW_ATTEMPTS:
        _fail(review, folder, {
            "message": f"Checking this file stopped our checker {REVIEW_ATTEMPTS} times, so it is not tried again",
            "how_to_fix": "Check it on your own computer with `opencare review FILE`, or split it into smaller "
            "files and upload those.",
        })  # fmt: skip
        return
    ReviewRequest.objects.filter(pk=review.pk).update(
        status=ReviewRequest.Status.CHECKING, started_at=timezone.now(), items_checked=0
    )
    from opencare.ocds.spreadsheets import SpreadsheetError

    quick = lane in QUICK
    try:
        report, facts = _check(review, folder, quick)
    except _NotSmall:
        for name in (EXPANDED_NAME, CONVERTED_NAME):
            (folder / name).unlink(missing_ok=True)
        ReviewRequest.objects.filter(pk=review.pk).update(status=ReviewRequest.Status.QUEUED, started_at=None)
        enqueue_review(review, LANE)
        return
    except (InputError, SpreadsheetError, UploadRefused) as error:
        _fail(review, folder, _error_json(error))
        return
    except (OperationalError, InterfaceError):
        raise  # the database went away, not the file: the upload is kept, and the worker runs the task again
    except Exception as error:
        _fail(review, folder, _our_failure(review, error))
        return
    # The report and the queued conversions are kept together or not at all; a second run that finished meanwhile
    # (a worker wrongly thought dead) changes nothing.
    complete = report.get("complete", True)
    with transaction.atomic():
        kept = ReviewRequest.objects.filter(pk=review.pk, status=ReviewRequest.Status.CHECKING).update(
            status=ReviewRequest.Status.READY,
            report=without_nul(report),
            key_facts=without_nul(facts),
            finished_at=timezone.now(),
            downloads={name: "pending" for name in DOWNLOADS} if complete else _no_downloads(),
        )
        if kept and complete:
            _task_queue().convert(review.token, lane)


def _no_downloads() -> dict[str, str]:
    """The downloads of a review stopped at a limit: none are made (converting it all would take longer still)."""
    return {**dict.fromkeys(DOWNLOADS, "failed"),
            "problem": "The file was too large to review whole, so no downloads were made from it"}  # fmt: skip


def _our_failure(review: ReviewRequest, error: Exception) -> dict[str, str]:
    """What to tell the person when the check failed on our side: a full disk, or something else (logged)."""
    if is_disk_full(error):
        logger.error("No room to check upload %s: %s", review.pk, error)
        return {
            "message": "There was no room left on our server to check this file",
            "how_to_fix": "Upload it again later, or check it on your own computer with `opencare review FILE`.",
        }
    logger.exception("Reviewing upload %s failed", review.pk)
    return {
        "message": "Something went wrong on our side while checking this file",
        "how_to_fix": "Try again later. If it keeps happening, tell us, and we will look at what went wrong.",
    }


def review_limits(quick: bool = False) -> ReviewLimits:
    """How far one review of an upload may go (OPENCARE_REVIEW_MAX_ITEMS, OPENCARE_REVIEW_MAX_SECONDS; 0: none); a
    quick one (the small lane, or in the request) no longer than OPENCARE_REVIEW_QUICK_SECONDS either."""
    seconds = settings.OPENCARE_REVIEW_MAX_SECONDS or None
    if quick:
        seconds = min(seconds or settings.OPENCARE_REVIEW_QUICK_SECONDS, settings.OPENCARE_REVIEW_QUICK_SECONDS)
    return ReviewLimits(max_items=settings.OPENCARE_REVIEW_MAX_ITEMS or None, max_seconds=seconds)


def _check(review: ReviewRequest, folder: Path, quick: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report and key facts. A quick review (small lane, in the request) of an input that turns out big (by its
    bytes once expanded, or by its time: a small file of tiny items takes long) gives up with _NotSmall."""
    most = settings.OPENCARE_REVIEW_SMALL_BYTES if quick else None
    data_path, source_map = prepare_input(review, folder, most)
    if most is not None and data_path.stat().st_size > most:
        raise _NotSmall
    progress = _progress_saver(review.pk)
    version = review.ocds_version or (_spreadsheet_version(data_path) if source_map is not None else None)
    checked = review_data(data_path, version=version, progress=progress, limits=review_limits(quick))
    if quick and any(finding.check == "review.stopped-at-time-limit" for finding in checked.findings):
        raise _NotSmall
    report = checked.as_json()
    if source_map is not None:
        _add_spreadsheet_places(report, source_map)
    # A review stopped at a limit has key facts of what it checked, and no more of the worker's time.
    max_items = None if checked.complete else (checked.records or checked.releases)
    facts = gather_key_facts(data_path, max_items=max_items).as_json()
    return report, facts


def _spreadsheet_version(converted: Path) -> str | None:
    """The version to check a converted spreadsheet as: the one its Meta sheet gives, else 1.1. The template is the
    social-care profile, OCDS 1.1, so a Meta sheet left without a version does not make it OCDS 1.0 data, as a
    package published without one is."""
    with read_ocds(converted) as data:
        return None if data.metadata.get("version") is not None else "1.1"


def prepare_input(review: ReviewRequest, folder: Path, most: int | None = None) -> tuple[Path, SourceMap | None]:
    """The JSON to check: the upload, or what it expands or converts to (and where each value came from).

    ``most``: gzip is expanded no further than this (the small lane's size): past it, _NotSmall.
    """
    source = stored_input(folder)
    kind = review.input_kind
    if kind == ReviewRequest.InputKind.GZIP:
        return _gunzip(source, folder / EXPANDED_NAME, most), None
    if kind in {ReviewRequest.InputKind.XLSX, ReviewRequest.InputKind.ODS, ReviewRequest.InputKind.CSV}:
        from opencare.ocds.spreadsheets import spreadsheet_to_json

        # check_archive already proved the archive safe when it was uploaded (_sniff), and it has not changed since.
        converted = folder / CONVERTED_NAME
        return converted, in_child_process(spreadsheet_to_json, source, kind, converted)
    return source, None


def _gunzip(source: Path, target: Path, most: int | None = None) -> Path:
    """Expand gzip to disk, refusing a gzip bomb by total size and by expansion ratio as it goes, and stopping past
    ``most`` bytes (_NotSmall)."""
    by_ratio = max(RATIO_FREE_BYTES, source.stat().st_size * settings.OPENCARE_REVIEW_MAX_EXPANSION_RATIO)
    limit = min(settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES, by_ratio)
    written = 0
    partial = target.with_suffix(".partial")
    try:
        with gzip.open(source, "rb") as compressed, partial.open("wb") as out:
            while chunk := compressed.read(1024 * 1024):
                written += len(chunk)
                if written > limit:
                    raise UploadRefused(
                        "The gzip file expands to far more data than it holds, so it is refused as a possible "
                        f"'zip bomb' (more than {human_size(limit)})",
                        "Upload the data uncompressed, or split it into smaller files.",
                        status=413,
                    )
                if most is not None and written > most:
                    raise _NotSmall
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as error:
        partial.unlink(missing_ok=True)
        if is_disk_full(error):
            raise  # our disk, not the file: run_review says so
        raise UploadRefused(
            "The gzip file is damaged or incomplete: it ends before its data does, or its data is not gzip",
            "Compress the file again and upload it again.",
        ) from None
    except (UploadRefused, _NotSmall):
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target


def without_nul(value: Any) -> Any:
    """The report with U+0000 shown as U+FFFD (the replacement character) wherever the data had it: the report
    quotes the data, and PostgreSQL cannot store U+0000 in JSON. The data itself is never changed."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def _progress_saver(pk: int) -> Callable[[int], None]:
    last = [0.0]

    def save(count: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            ReviewRequest.objects.filter(pk=pk).update(items_checked=count)

    return save


def _add_spreadsheet_places(report: dict[str, Any], source_map: SourceMap) -> None:
    """Give each example the sheet and cell it came from, and add the conversion's warnings as findings."""
    for finding in report["findings"]:
        for example in finding["examples"]:
            places = source_map.locate(example.get("pointer") or "")
            if places:
                example["sheet"], example["cell"] = places[0]
    for warning in getattr(source_map, "warnings", []):
        report["findings"].append({
            "check": "spreadsheet.conversion",
            "severity": "warning",
            "path": "",
            "count": 1,
            "message": warning.get("message", ""),
            "how_to_fix": warning.get("how_to_fix")
            or "Check the value in that cell: it could not be converted to the type the standard expects.",
            "examples": [{"ocid": None, "release_id": None, "pointer": "", "value": None,
                          "sheet": warning.get("sheet"), "cell": warning.get("cell")}],
        })  # fmt: skip


def _error_json(error: Exception) -> dict[str, Any]:
    found: dict[str, Any] = {
        "message": without_server_paths(getattr(error, "message", "The file could not be read")),
        "how_to_fix": without_server_paths(getattr(error, "how_to_fix", "")),
    }
    for key in ("line", "column", "sheet", "cell"):
        value = getattr(error, key, None)
        if value is not None:
            found[key] = value
    return found


def without_server_paths(text: str) -> str:
    """The text with any path into the review store said as "the uploaded file": the reader names the file it was
    given, which on the web is where we keep the upload, and that is nobody's business but ours."""
    store = re.escape(str(settings.OPENCARE_REVIEW_DIR))
    return re.sub(store + r"[^\s'\"()]*", "the uploaded file", text)


def _fail(review: ReviewRequest, folder: Path, error: dict[str, Any]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    ReviewRequest.objects.filter(pk=review.pk).update(
        status=ReviewRequest.Status.FAILED, error=error, finished_at=timezone.now()
    )


# ---------------------------------------------------------------------------------------------------------------------
# Conversions for download


def run_conversions(token: str) -> None:
    """Make the JSON, XLSX and CSV downloads of a checked upload, each ready as soon as it is made.

    Each spreadsheet is made in a child process: flatten-tool holds the whole input in memory, and a long-lived
    worker would otherwise keep that memory after the conversion (Python rarely gives it back to the system).
    """
    review = ReviewRequest.objects.filter(token=token, status=ReviewRequest.Status.READY).first()
    if review is None:
        return
    folder = review_folder(review)
    try:
        package = _release_package(review, folder)
    except (InputError, OSError) as error:
        problem = (
            "There was no room left on our server to make the downloads"
            if is_disk_full(error)
            else "The checked data could not be read again to make the downloads"
        )
        _set_downloads(review, dict.fromkeys(DOWNLOADS, "failed"), problem)
        return
    _set_downloads(review, {"json": "ready"})
    for name, fmt in (("xlsx", "xlsx"), ("csv", "csv")):
        try:
            problem = in_child_process(convert, package, folder / DOWNLOADS[name][0], fmt)
        except Exception as error:
            logger.exception("Converting upload %s to %s failed", review.pk, name)
            problem = (
                "There was no room left on our server to make this download"
                if is_disk_full(error)
                else "Something went wrong on our side while converting"
            )
            (folder / DOWNLOADS[name][0]).unlink(missing_ok=True)  # never a half-written download
        _set_downloads(review, {name: "failed" if problem else "ready"}, problem or "")


def in_child_process(function: Callable[..., Any], *arguments: Any) -> Any:
    """Run a function in a forked child and return its result (or raise its exception) here.

    Used for flatten-tool's conversions, which hold a whole spreadsheet or JSON file in memory: the child's memory is
    returned to the system when it ends, where a long-lived worker would keep it.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(function, *arguments).result()


def convert(package: Path, output: Path, fmt: str) -> str | None:
    """Flatten a release package to XLSX or CSV; the reason in plain English if it cannot be done, else None."""
    from opencare.ocds.spreadsheets import SpreadsheetError, json_to_spreadsheet

    try:
        json_to_spreadsheet(package, output, fmt)
    except SpreadsheetError as error:
        return error.message
    return None


def _release_package(review: ReviewRequest, folder: Path) -> Path:
    """data.json: the data as one JSON package (records stay a record package); and the release package to flatten."""
    target = folder / DOWNLOADS["json"][0]
    data_path = _data_path(folder)
    report = review.report or {}
    if report.get("format") in {"release package", "record package"}:
        _link_or_copy(data_path, target)
    else:
        _write_release_package(data_path, target)
    if report.get("format", "").startswith("record"):
        flat = folder / "compiled-releases.json"
        _write_release_package(data_path, flat, compiled=True)
        return flat
    return target


def _data_path(folder: Path) -> Path:
    """The checked JSON: converted from a spreadsheet, expanded from gzip, or the upload itself."""
    for name in (CONVERTED_NAME, EXPANDED_NAME):
        if (folder / name).exists():
            return folder / name
    return stored_input(folder)


def _link_or_copy(source: Path, target: Path) -> None:
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        partial = target.with_suffix(".partial")
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def _write_release_package(source: Path, target: Path, *, compiled: bool = False) -> None:
    """Stream any readable input into a release package (records give their compiled releases), written atomically."""
    partial = target.with_suffix(".partial")
    try:
        with read_ocds(source) as data, partial.open("wb") as out:
            metadata = {key: value for key, value in data.metadata.items() if key not in {"releases", "records"}}
            metadata.setdefault("version", "1.1")
            head = orjson.dumps(metadata)
            out.write(head[:-1] + (b"," if len(head) > 2 else b"") + b'"releases":[')
            first = True
            for item in data.items():
                release = item.get("compiledRelease") if compiled and isinstance(item, dict) else item
                if not isinstance(release, dict):
                    continue
                out.write((b"" if first else b",") + orjson.dumps(release))
                first = False
            out.write(b"]}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def _set_downloads(review: ReviewRequest, states: dict[str, str], problem: str = "") -> None:
    with transaction.atomic():
        current = ReviewRequest.objects.select_for_update().get(pk=review.pk)
        current.downloads = {**current.downloads, **states}
        if problem:
            current.downloads["problem"] = problem
        current.save(update_fields=["downloads"])


def download_file(review: ReviewRequest, name: str) -> Path | None:
    """The file of a ready download, or None."""
    if name not in DOWNLOADS or review.downloads.get(name) != "ready":
        return None
    path = review_folder(review) / DOWNLOADS[name][0]
    return path if path.is_file() else None


# ---------------------------------------------------------------------------------------------------------------------
# Forgetting


def delete_review(review: ReviewRequest) -> None:
    """Delete a review's files, then its row."""
    shutil.rmtree(review_folder(review), ignore_errors=True)
    review.delete()


def delete_expired_reviews(now: Any = None) -> int:
    """Delete every review past its expiry date, files first. Returns how many were deleted."""
    now = now or timezone.now()
    expired = list(ReviewRequest.objects.filter(expires_at__lte=now))
    for review in expired:
        delete_review(review)
    return len(expired)


# ---------------------------------------------------------------------------------------------------------------------
# The blank template

TEMPLATE_FORMATS = {"xlsx": "opencare-social-care-template.xlsx", "zip": "opencare-social-care-template-csv.zip"}


def blank_template(fmt: str) -> Path:
    """The blank spreadsheet template of the social-care profile, made once and kept. fmt is 'xlsx' or 'zip'."""
    from opencare.ocds.spreadsheets import write_template

    folder = Path(settings.OPENCARE_REVIEW_DIR) / "_template"
    path = folder / TEMPLATE_FORMATS[fmt]
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        # Every server shares this folder: each writes its own partial file, and the last rename wins, whole.
        partial = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
        try:
            write_template(partial, "xlsx" if fmt == "xlsx" else "csv")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path
