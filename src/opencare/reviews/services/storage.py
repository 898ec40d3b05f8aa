"""Where the Data Review Tool keeps a review's files: one folder per review, named by its unguessable token."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from opencare.reviews.models import ReviewRequest
from opencare.storage_limits import folder_bytes

#: What a spreadsheet upload is converted into before it is checked.
CONVERTED_NAME = "converted.json"
EXPANDED_NAME = "expanded.json"
INPUT_NAME = "input"
SPREADSHEET_KINDS = {ReviewRequest.InputKind.XLSX, ReviewRequest.InputKind.ODS, ReviewRequest.InputKind.CSV}
#: Spreadsheet uploads keep the extension of what they are (openpyxl, for one, goes by the name).
SPREADSHEET_SUFFIXES = {"xlsx": ".xlsx", "ods": ".ods", "csv": ".zip"}


def review_folder(review: ReviewRequest) -> Path:
    """The folder holding one review's files."""
    return Path(settings.OPENCARE_REVIEW_DIR) / review.token


def stored_input(folder: Path) -> Path:
    """The upload as stored: `input`, or `input.xlsx` / `.ods` / `.zip` for a spreadsheet."""
    for suffix in ("", *SPREADSHEET_SUFFIXES.values()):
        path = folder / (INPUT_NAME + suffix)
        if path.exists():
            return path
    raise OSError("the uploaded data is no longer there")


def checked_json(folder: Path) -> Path:
    """The checked JSON: converted from a spreadsheet, expanded from gzip, or the upload itself."""
    for name in (CONVERTED_NAME, EXPANDED_NAME):
        if (folder / name).exists():
            return folder / name
    return stored_input(folder)


def review_store_bytes() -> int:
    """How much the Data Review Tool keeps on disk now: uploads, what they expand or convert to, and downloads."""
    return folder_bytes(Path(settings.OPENCARE_REVIEW_DIR))
