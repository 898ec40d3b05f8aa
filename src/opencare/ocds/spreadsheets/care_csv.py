"""The social-care template as a zip of CSV files, one a sheet, named for the sheets ("Contracts.csv"): writing it,
and reading its cells back with where each came from.

Files are written in UTF-8 with a byte order mark, so that Excel opens them with their £ signs and accents right;
they are read in UTF-8, or in Windows-1252 (what Excel's plain "CSV" saves in the UK) when they are not UTF-8. Each
data sheet has the column titles, the hint row and (in a blank template) the example row, as in the workbook; the
Lists sheet is left out (a CSV file has no drop-downs). Text that a spreadsheet program would take for a formula
(starting with =, +, -, @) or that starts with an apostrophe is written after an apostrophe, which is removed on the
way back; an unmarked cell that starts with = is a formula, reported as in a workbook. The full-profile layout's zip
of CSV files is told apart by its files' names (releases.csv, parties.csv...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from opencare.ocds.spreadsheets.care_cells import Cell, CellCounter, Grid
from opencare.ocds.spreadsheets.care_layout import (
    ABOUT_QUESTIONS,
    ABOUT_SHEET,
    COLUMNS,
    INSTRUCTIONS,
    INSTRUCTIONS_SHEET,
)
from opencare.ocds.spreadsheets.cell_values import number_text
from opencare.ocds.spreadsheets.errors import SpreadsheetError

#: What Excel's plain "CSV (Comma delimited)" saves in the UK; UTF-8 is tried first.
FALLBACK_ENCODING = "cp1252"
FORMULA_START = ("=", "+", "-", "@", "'")
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
SAVE_AS_UTF8 = "Save the sheet again from your spreadsheet program as 'CSV UTF-8 (Comma delimited)', put it in the " \
    "zip file and try again."  # fmt: skip


# --- Writing ---------------------------------------------------------------------------------------------------


def write_csv_zip(path: Path, about: dict[str, str], rows: dict[str, list[dict[str, Any]]], *, example: bool) -> None:
    """The template as a zip of CSV files: the about answers, each sheet's rows and (if ``example``) the example
    rows."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{INSTRUCTIONS_SHEET}.csv", _csv([[line] for line in INSTRUCTIONS]))
        about_rows = [["Question", "Your answer", "Hint"]] + [
            [question.title + (" (required)" if question.required else ""),
             _text(about.get(question.key, "")), question.hint]
            for question in ABOUT_QUESTIONS
        ]  # fmt: skip
        archive.writestr(f"{ABOUT_SHEET}.csv", _csv(about_rows))
        for sheet, columns in COLUMNS.items():
            data = ([{column.key: column.example for column in columns}] if example else []) + rows.get(sheet, [])
            table = [[column.title for column in columns], [column.hint for column in columns]]
            table += [[_value(row.get(column.key), column.kind) for column in columns] for row in data]
            archive.writestr(f"{sheet}.csv", _csv(table))


def _csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def _value(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%B %Y") if kind == "month" else f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return number_text(value if not isinstance(value, float) else Decimal(repr(value)))
    return _text(str(value))


def _text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


# --- Reading ---------------------------------------------------------------------------------------------------


def csv_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's CSV files by sheet name (the file name without .csv), leaving out what computers add to zips."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or name.parts[:1] == ("__MACOSX",) or name.name.startswith("._") or name.name in JUNK_NAMES:
            continue
        if name.suffix.lower() == ".csv":
            members.setdefault(name.stem, info)
    return members


def read_csv_grids(archive: zipfile.ZipFile) -> dict[str, Grid]:
    """Every CSV file's cells, by sheet name, each grid labelled with its file's name for messages."""
    counter = CellCounter()
    grids: dict[str, Grid] = {}
    for sheet, info in csv_members(archive).items():
        label = PurePosixPath(info.filename.replace("\\", "/")).name
        try:
            grids[sheet] = _read(archive, info, label, "utf-8", counter)
        except _NotInEncoding:
            try:
                grids[sheet] = _read(archive, info, label, FALLBACK_ENCODING, counter)
            except _NotInEncoding as error:
                raise SpreadsheetError(
                    f"Line {error.line:,} of {label} has characters that are neither UTF-8 nor Windows-1252, so "
                    "the file cannot be read",
                    how_to_fix=SAVE_AS_UTF8,
                    sheet=label,
                ) from None
    return grids


class _NotInEncoding(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, encoding: str, counter: CellCounter) -> Grid:
    grid = Grid(label=label)
    start = counter.count
    reader = csv.reader(_lines(archive, info, encoding))
    try:
        for row_number, row in enumerate(reader, start=1):
            for column_number, text in enumerate(row, start=1):
                if not text:
                    continue
                counter.add()
                if text.startswith("'"):
                    cell = Cell(text[1:])
                elif text.startswith("=") and len(text) > 1:
                    cell = Cell(None, formula=text)
                else:
                    cell = Cell(text)
                grid.put(row_number, column_number, cell)
    except _NotInEncoding:
        counter.count = start  # read again in the other encoding
        raise
    except csv.Error:
        raise SpreadsheetError(
            f"Line {reader.line_num:,} of {label} cannot be read as CSV (a cell is too long, or a quote is not "
            "closed)",
            how_to_fix="Check that line in a text editor, or save the sheet again from your spreadsheet program as "
            "'CSV UTF-8 (Comma delimited)'.",
            sheet=label,
        ) from None
    return grid


def _lines(archive: zipfile.ZipFile, info: zipfile.ZipInfo, encoding: str) -> Iterator[str]:
    """The file's lines, decoded; _NotInEncoding names the first line that is not in the encoding."""
    with archive.open(info) as member:
        for number, raw in enumerate(member, start=1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError:
                raise _NotInEncoding(number) from None
            yield line.removeprefix("\ufeff") if number == 1 else line
