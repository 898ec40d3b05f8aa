"""Conversions: the JSON, XLSX and CSV downloads of a checked upload, each made in a forked child process
(a conversion's memory is given back when the child ends, which a long-lived worker would otherwise keep)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction

from opencare.ocds.readers import InputError, read_ocds
from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.storage import checked_json, review_folder
from opencare.storage_limits import is_disk_full

logger = logging.getLogger(__name__)

#: The downloads a report offers, by format: file name in the review's folder and media type.
DOWNLOADS = {
    "json": ("data.json", "application/json"),
    "xlsx": ("data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("data-csv.zip", "application/zip"),
}


def run_conversions(token: str) -> None:
    """Make the JSON, XLSX and CSV downloads of a checked upload, each ready as soon as it is made.

    Each spreadsheet is made in a child process: a long-lived worker would otherwise keep a conversion's memory after
    it (Python rarely gives it back to the system).
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

    Used for conversions, some of which hold a whole workbook in memory (the social-care template's reader): the
    child's memory is returned to the system when it ends, where a long-lived worker would keep it.
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
    data_path = checked_json(folder)
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
