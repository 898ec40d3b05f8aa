"""Reading an XLSX workbook with calamine (Rust): formulas are never calculated, each is named."""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring, iterparse

from opencare.ocds.spreadsheets.archive import member_chunks
from opencare.ocds.spreadsheets.calamine_sheets import CalamineReader
from opencare.ocds.spreadsheets.layout import WHOLE_FLOATS_MEMBER
from opencare.ocds.spreadsheets.sheet_reader import MAX_GRID_CELLS, too_many_cells

FORMULA_TAG_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


#: A row's number, and a cell's column letters past column Z, in a sheet's XML (spreadsheet programs write them on
#: every row and cell; calamine places a cell without one after the previous, which the count below can miss).
ROW_NUMBER_RE = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d{1,9})"')
WIDE_COLUMN_RE = re.compile(rb'\br="([A-Z]{2,3})\d')


class XlsxReader(CalamineReader):
    """An XLSX workbook's sheets."""

    def _opened(self) -> None:
        path = Path(self.input_name)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if WHOLE_FLOATS_MEMBER in names:
                self.whole_floats = _whole_floats(archive)
            for title, member in _sheet_members(archive):
                if member not in names:
                    continue
                rows, columns, formulas = _scan(archive, member)
                # calamine holds a sheet as a grid from its first used cell to its last: a stray cell far away
                # would make a huge grid, so the grid is counted before calamine builds it.
                if rows * columns > MAX_GRID_CELLS:
                    raise too_many_cells(MAX_GRID_CELLS, title)
                if formulas:
                    with archive.open(member) as source:
                        self.notes += [_formula_note(title, *found) for found in _formula_cells(source)]


def _sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, the member holding its XML) for each sheet, from the workbook and its relationships."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    relationships = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
    found = []
    for sheet in workbook.iter():
        if sheet.tag.rpartition("}")[2] == "sheet":
            target = targets.get(sheet.get(RELATIONSHIP_ID), "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            found.append((sheet.get("name", ""), member))
    return found


def _whole_floats(archive: zipfile.ZipFile) -> dict[str, set[str]]:
    """The cells opencare wrote from whole numbers that were floats in the JSON (2.0), by sheet; {} if unreadable."""
    info = archive.getinfo(WHOLE_FLOATS_MEMBER)
    try:
        found = json.loads(b"".join(member_chunks(archive, info)))
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(sheet): {cell for cell in cells if isinstance(cell, str)} for sheet, cells in found.items()
            if isinstance(cells, list)}  # fmt: skip


def _scan(archive: zipfile.ZipFile, member: str) -> tuple[int, int, bool]:
    """(the last row, the number of columns to the last used one, whether any cell has a formula) of a sheet's XML,
    by a fast search of its bytes (formula cells are then read properly; most sheets have none)."""
    tail = b""
    rows = 0
    letters: set[bytes] = {b"Z"}
    formulas = False
    for chunk in member_chunks(archive, archive.getinfo(member)):
        text = tail + chunk
        formulas = formulas or bool(FORMULA_TAG_RE.search(text))
        rows = max([rows, *map(int, ROW_NUMBER_RE.findall(text))])
        letters.update(WIDE_COLUMN_RE.findall(text))
        tail = chunk[-64:]
    columns = max(_column_number(letter) for letter in letters)
    return rows, columns, formulas


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


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
