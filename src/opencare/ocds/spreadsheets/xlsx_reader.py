"""Reading an XLSX workbook: streamed in openpyxl's read-only mode; formulas are never calculated, each is named."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml.ElementTree import iterparse

from opencare.ocds.spreadsheets.archive import member_chunks
from opencare.ocds.spreadsheets.sheet_reader import SheetReader

FORMULA_TAG_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


class XlsxReader(SheetReader):
    """An XLSX workbook's sheets, read with openpyxl in read-only mode."""

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self.workbook: Any = None
        self._handle: Any = None
        self._names: list[str] | None = None

    def _open(self) -> list[str]:
        if self._names is None:
            # Read-only: rows stream from the file, so memory does not grow with the sheet; data_only: a formula
            # cell gives the value last saved with it, never a calculation.
            # A file handle, because given a path openpyxl refuses names without an Excel extension (uploads may
            # be stored under any name).
            self._handle = Path(self.input_name).open("rb")  # noqa: SIM115 (closed in close())
            self.workbook = openpyxl.load_workbook(self._handle, read_only=True, data_only=True, keep_links=False)
            self._names = [sheet.title for sheet in self.workbook.worksheets]
            self.notes += _formula_notes(Path(self.input_name), self.workbook)
        return self._names

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[tuple[Any, ...]]:
        worksheet = self.workbook[sheet_name]
        # The declared size can be wrong (or hostile): read what is there, no wider than the headings.
        worksheet.reset_dimensions()
        return worksheet.iter_rows(min_row=first_row, max_col=width, values_only=True)

    def close(self) -> None:
        """Release the file."""
        if self.workbook is not None:
            self.workbook.close()
        if self._handle is not None:
            self._handle.close()


def _formula_notes(path: Path, workbook: Any) -> list[dict[str, str | None]]:
    """A warning for each formula cell. Sheets are scanned for formula tags first, as most have none."""
    notes: list[dict[str, str | None]] = []
    with zipfile.ZipFile(path) as archive:
        for worksheet in workbook.worksheets:
            member = getattr(worksheet, "_worksheet_path", None)
            if member and _has_formula_tag(archive, member):
                with archive.open(member) as source:
                    notes += [_formula_note(worksheet.title, *found) for found in _formula_cells(source)]
    return notes


def _has_formula_tag(archive: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    for chunk in member_chunks(archive, archive.getinfo(member)):
        if FORMULA_TAG_RE.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def _formula_cells(source: Any) -> Iterator[tuple[str, str, str | None]]:
    """(cell reference, formula text, saved value) for each cell with a formula, streaming the sheet's XML."""
    for _, element in iterparse(source, events=("end",)):
        if element.tag.endswith("}c") or element.tag == "c":
            formula = next((child for child in element if child.tag.rpartition("}")[2] == "f"), None)
            if formula is not None:
                value = next((child.text for child in element if child.tag.rpartition("}")[2] == "v"), None)
                yield element.get("r", "?"), formula.text or "", value
            element.clear()


def _formula_note(sheet: str, cell: str, formula: str, value: str | None) -> dict[str, str | None]:
    shown = f" (={formula})" if formula else ""
    if value is None:
        message = (
            f"Cell {cell} has a formula{shown}. Formulas are not worked out here and the file has no saved result "
            "for it, so the cell was read as empty. Type the value instead of the formula."
        )
    else:
        message = (
            f"Cell {cell} has a formula{shown}. Formulas are not worked out here: the result your spreadsheet "
            f"program saved with the file ({value}) was used. Type the value instead to be sure."
        )
    return {"message": message, "sheet": sheet, "cell": cell}
