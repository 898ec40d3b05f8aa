"""The blank spreadsheet template of the social-care profile, made once and kept in the review store."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

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
