"""The blank spreadsheet templates, each made once and kept in the review store: the social-care template (eight
plain-English sheets, for most people) and the full-profile template (every field of the profile, for experts)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

TEMPLATE_FORMATS = {"xlsx": "opencare-social-care-template.xlsx", "zip": "opencare-social-care-template-csv.zip"}
CARE_TEMPLATE_FORMATS = {
    "xlsx": "opencare-care-contracts-template.xlsx",
    "ods": "opencare-care-contracts-template.ods",
}
#: The media type of each download, by the file name's extension.
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}


def blank_template(fmt: str) -> Path:
    """The blank full-profile template, made once and kept. fmt is 'xlsx' or 'zip'."""
    from opencare.ocds.spreadsheets import write_template

    return _made_once(TEMPLATE_FORMATS[fmt], lambda path: write_template(path, "xlsx" if fmt == "xlsx" else "csv"))


def care_template(fmt: str) -> Path:
    """The blank social-care template, made once and kept. fmt is 'xlsx' or 'ods'."""
    from opencare.ocds.spreadsheets.care_template import write_care_template

    return _made_once(CARE_TEMPLATE_FORMATS[fmt], lambda path: write_care_template(path, fmt))


def _made_once(name: str, write: Callable[[Path], None]) -> Path:
    folder = Path(settings.OPENCARE_REVIEW_DIR) / "_template"
    path = folder / name
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        # Every server shares this folder: each writes its own partial file, and the last rename wins, whole.
        partial = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
        try:
            write(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path
