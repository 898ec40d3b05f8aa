"""Sheets to a file: an XLSX workbook, or a zip of one CSV file per sheet, with formulas neutralised.

Text that a spreadsheet program would take for a formula is an explicit text cell in XLSX and gets a leading
apostrophe in CSV; numbers are written from their JSON text, so that every digit survives.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opencare.ocds.spreadsheets.cell_values import csv_text, number_text
from opencare.ocds.spreadsheets.fields import FieldType
from opencare.ocds.spreadsheets.layout import META_SHEET, WHOLE_FLOATS_MEMBER
from opencare.ocds.spreadsheets.sheet_reader import column_letter


@dataclass
class Sheet:
    """A sheet to write: its name, headings, the field type of each column, and its rows (dicts by heading)."""

    name: str
    headings: list[str]
    types: list[FieldType | None]
    rows: Iterable[dict[str, Any]]


def _unique_names(names: Iterable[str], *, limit: int | None) -> list[str]:
    """Sheet (or file) names that are valid and distinct, ignoring case as Excel does."""
    taken: set[str] = set()
    unique = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "-", name)[:limit] or "sheet"
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"-{number}"
            candidate = base[: limit - len(suffix)] + suffix if limit else base + suffix
        taken.add(candidate.lower())
        unique.append(candidate)
    return unique


def _write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    whole_floats: dict[str, list[str]] = {}
    for sheet, title in zip(sheets, _unique_names((sheet.name for sheet in sheets), limit=31), strict=True):
        worksheet = workbook.create_sheet(title)
        floats = whole_floats.setdefault(title, [])
        if sheet.name == META_SHEET:
            for number, row in enumerate(sheet.rows, start=1):
                _note_whole_float(floats, row["value"], 1, number)
                worksheet.append([row["field"], _xlsx_cell(worksheet, row["value"])])
            continue
        worksheet.append(sheet.headings)
        for number, row in enumerate(sheet.rows, start=2):
            values = [row.get(heading) for heading in sheet.headings]
            for index, value in enumerate(values):
                _note_whole_float(floats, value, index, number)
            worksheet.append([_xlsx_cell(worksheet, value) for value in values])
    workbook.save(path)
    # A spreadsheet keeps every number as a float, so readers give 2 for both 2 and 2.0; this part (which
    # spreadsheet programs ignore, and drop when they save) says which whole numbers were written as floats.
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            WHOLE_FLOATS_MEMBER, json.dumps({name: cells for name, cells in whole_floats.items() if cells})
        )


def _note_whole_float(floats: list[str], value: Any, index: int, number: int) -> None:
    whole_decimal = isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()
    # A Decimal written with a point or an exponent is a float, as JSON reads it.
    if (isinstance(value, float) and value.is_integer()) or (whole_decimal and any(m in str(value) for m in ".eE")):
        floats.append(f"{column_letter(index)}{number}")


def _xlsx_cell(worksheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML cannot hold them at all
        if value.startswith("="):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"  # text, not a formula: stored as the exact string, shown as typed
            return cell
        return value
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        # openpyxl writes numbers with 16 significant digits ("%.16g"), which turns 92.4 into 92.40000000000001;
        # the JSON number's own text keeps every digit, and whether it was written as an integer.
        cell = WriteOnlyCell(worksheet, value=number_text(value))
        cell.data_type = "n"
        return cell
    return value


def _write_csv_zip(path: Path, sheets: list[Sheet]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet, name in zip(sheets, _unique_names((sheet.name for sheet in sheets), limit=None), strict=True):
            with archive.open(f"{name}.csv", "w") as member, _text(member) as text:
                writer = csv.writer(text)
                if sheet.name == META_SHEET:
                    writer.writerows([row["field"], _csv_cell(row["value"], row["type"])] for row in sheet.rows)
                    continue
                writer.writerow(sheet.headings)
                pairs = list(zip(sheet.headings, sheet.types, strict=True))
                for row in sheet.rows:
                    writer.writerow([_csv_cell(row.get(heading), field_type) for heading, field_type in pairs])


def _text(member: Any) -> Any:
    # A byte-order mark, so that Excel reads the file as UTF-8 rather than in the computer's legacy encoding.
    return io.TextIOWrapper(member, encoding="utf-8-sig", newline="")


def _csv_cell(value: Any, field_type: FieldType | None) -> Any:
    if isinstance(value, str):
        return csv_text(value, field_type)
    if isinstance(value, float):
        return repr(value)
    return value


WRITERS: dict[str, Callable[[Path, list[Sheet]], None]] = {"xlsx": _write_xlsx, "csv": _write_csv_zip}
