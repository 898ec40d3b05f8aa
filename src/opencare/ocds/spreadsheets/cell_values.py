"""Text that a spreadsheet program would read as something else, and numbers that JSON can hold as they are.

In CSV, text that would be taken for a formula, a number or a boolean is written with a leading apostrophe, which
is removed on the way back; plain text in a field that may be text or a number is read back as the number.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from opencare.ocds.spreadsheets.fields import FieldType

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
INT64 = 1 << 63


def _reads_as_other_type(text: str, field_type: FieldType | None) -> bool:
    """Whether a CSV reader would take this text for a number or boolean in this field (so it needs the apostrophe)."""
    if field_type is None or not field_type.types:
        return bool(NUMBER_RE.fullmatch(text)) or text in ("True", "False")
    if "array" in field_type.types:
        return False
    if field_type.types & {"number", "integer"} and NUMBER_RE.fullmatch(text):
        return True
    return "boolean" in field_type.types and text.lower() in ("true", "false", "1", "0")


def _needs_apostrophe(text: str, field_type: FieldType | None) -> bool:
    # Apostrophes already at the start are escaped too, so that exactly one is removed on the way back.
    rest = text.lstrip("'")
    return bool(rest) and (rest.startswith(FORMULA_START) or _reads_as_other_type(rest, field_type))


def csv_text(text: str, field_type: FieldType | None) -> str:
    """The text as written to CSV: with an apostrophe before it if a CSV reader would take it for something else."""
    return "'" + text if _needs_apostrophe(text, field_type) else text


def from_csv_text(text: str, field_type: FieldType | None) -> tuple[bool, str]:
    """(whether the text was marked as text with an apostrophe, the text without it)."""
    if text.startswith("'") and _needs_apostrophe(text[1:], field_type):
        return True, text[1:]
    return False, text


def is_ambiguous(field_type: FieldType | None) -> bool:
    """A field whose CSV text could be a string or a number/boolean: the schema allows both, or does not say."""
    if field_type is None or not field_type.types:
        return True
    return "string" in field_type.types and bool(field_type.types & {"number", "boolean"})


def csv_literal(text: str, field_type: FieldType | None) -> Any:
    """The number or boolean that plain CSV text stands for in an ambiguous field, or None."""
    if NUMBER_RE.fullmatch(text):
        number = float(text) if any(mark in text for mark in ".eE") else int(text)
        return number if storable(number) else None
    if text in ("True", "False") and (field_type is None or not field_type.types or "boolean" in field_type.types):
        return text == "True"
    return None


def storable(number: float) -> bool:
    """Whether the number can be written to JSON as it is: a finite float, or an integer orjson can write (64 bits)."""
    return -INT64 <= number < INT64 if isinstance(number, int) else math.isfinite(number)


def number_text(value: Decimal | int | float) -> str:
    """A number as text; a float as repr writes it (the shortest text that reads back as the same float)."""
    return repr(value) if isinstance(value, float) else str(value)
