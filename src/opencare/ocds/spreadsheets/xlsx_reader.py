"""Reading an XLSX workbook with calamine (Rust): formulas are never calculated, each is named."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring, iterparse

from opencare.ocds.spreadsheets.archive import member_chunks
from opencare.ocds.spreadsheets.calamine_sheets import CalamineReader

FORMULA_TAG_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class XlsxReader(CalamineReader):
    """An XLSX workbook's sheets."""

    def _opened(self) -> None:
        self.notes += _formula_notes(Path(self.input_name))


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


def _formula_notes(path: Path) -> list[dict[str, str | None]]:
    """A warning for each formula cell. Sheets are scanned for formula tags first, as most have none."""
    notes: list[dict[str, str | None]] = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for title, member in _sheet_members(archive):
            if member in names and _has_formula_tag(archive, member):
                with archive.open(member) as source:
                    notes += [_formula_note(title, *found) for found in _formula_cells(source)]
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
