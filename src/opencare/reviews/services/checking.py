"""The background check of a stored upload: expanded or converted to JSON, reviewed with the engine's review() and
its key facts gathered, within the lane's limits; a report kept, or a clear reason it could not be read (and the files
deleted)."""

from __future__ import annotations

import gzip
import logging
import os
import re
import shutil
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from opencare.ocds.key_facts import gather_key_facts
from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.review import review as review_data
from opencare.ocds.review.engine import ReviewLimits
from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.conversions import DOWNLOADS, in_child_process
from opencare.reviews.services.lanes import LANE, QUICK, enqueue_review, task_queue
from opencare.reviews.services.storage import CONVERTED_NAME, EXPANDED_NAME, review_folder, stored_input
from opencare.reviews.services.uploads import UploadRefused
from opencare.storage_limits import human_size, is_disk_full

if TYPE_CHECKING:
    from opencare.ocds.spreadsheets import SourceMap

logger = logging.getLogger(__name__)

#: How often, at most, progress is written to the database while a review runs.
PROGRESS_EVERY_SECONDS = 0.5
#: Runs of a review whose worker died part-way before the upload is explained instead of tried again.
REVIEW_ATTEMPTS = 3
#: The most problems of a filled social-care template kept to show: enough to fix one round of mistakes.
MAX_TEMPLATE_PROBLEMS = 500
#: Expanding up to this much is always allowed, whatever the ratio: small, very repetitive files compress very well.
RATIO_FREE_BYTES = 100 * 1000 * 1000


class _NotSmall(Exception):
    """An input in a quick lane turned out larger or slower than the lane takes (a gzip file that said otherwise, or
    a small file of very many tiny items)."""


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
            task_queue().convert(review.token, lane)


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
    # What each message was built from, so that the report page can explain the finding again in Welsh.
    for finding, found in zip(report["findings"], checked.findings, strict=True):
        finding["context"] = found.context
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
        from opencare.ocds.spreadsheets.care_template import is_care_template
        from opencare.ocds.spreadsheets.care_template_places import care_template_to_json_with_places

        # check_archive already proved the archive safe when it was uploaded (uploads), and it has not changed since.
        converted = folder / CONVERTED_NAME
        if is_care_template(source):  # the social-care template: its own reader, every problem by sheet and cell
            return converted, in_child_process(care_template_to_json_with_places, source, converted)
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
    """Give each finding and example the sheet and cell it came from (sheet_places), with the fix in spreadsheet
    words, and add the conversion's warnings as findings."""
    from opencare.reviews.services.sheet_places import add_places  # loads the spreadsheet readers: only when needed

    add_places(report, source_map)
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
            **({"spreadsheet": {"sheet": warning["sheet"], "cell": warning["cell"]}}
               if warning.get("sheet") and warning.get("cell") else {}),
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
    problems = getattr(error, "problems", None)  # a filled social-care template's problems, each by sheet and cell
    if problems:
        found["problems"] = [
            {"sheet": problem.sheet, "cell": problem.cell, "message": problem.message}
            for problem in problems[:MAX_TEMPLATE_PROBLEMS]
        ]
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
