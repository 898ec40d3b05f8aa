"""The social-care template's cells from an XLSX workbook, streamed from its XML.

Only cells that hold a value or a formula are kept, so a sheet formatted down to row 1,048,576, or with one value
there, takes no memory for its empty rows (openpyxl's full mode makes an object for every cell it walks past, and
its read-only mode cannot see merged cells). Each cell comes with what the template's reader needs to know: its
value as the spreadsheet holds it (dates as dates, by their number format), its formula if it has one (never
calculated), and whether its number is shown as a percentage. Each sheet comes with its merged areas and whether
it is hidden. check_archive has bounded what the workbook unpacks to before this reads it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from typing import IO, Any

from defusedxml.ElementTree import iterparse
from defusedxml.ElementTree import parse as parse_xml
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from opencare.ocds.spreadsheets.care_cells import MAX_MERGED_AREAS, Area, Cell, CellCounter, Grid, too_many_merged

#: Quoted text, escaped characters and [colour] or [$£-809] sections of a number format: none makes a percentage.
FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def read_xlsx_grids(archive: zipfile.ZipFile) -> dict[str, Grid]:
    """Every sheet's cells, merged areas and visibility, by sheet name. Raises SpreadsheetError past MAX_CELLS."""
    workbook = _root(archive, "xl/workbook.xml")
    targets = _relationships(archive, "xl/_rels/workbook.xml.rels")
    epoch = CALENDAR_WINDOWS_1900
    for element in workbook.iter():
        if _local(element.tag) == "workbookPr" and element.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    shared = _shared_strings(archive, _target_of_type(targets, "sharedStrings", "xl/sharedStrings.xml"))
    kinds = _style_kinds(archive, _target_of_type(targets, "styles", "xl/styles.xml"))
    counter = CellCounter()
    grids: dict[str, Grid] = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name", "")
        relation = next((value for key, value in element.attrib.items() if _local(key) == "id"), "")
        part = targets.get(relation, ("", ""))[0]
        if part not in archive.NameToInfo:
            continue  # a chart sheet or a dangling entry: no cells to read
        grid = Grid(hidden=element.get("state") in ("hidden", "veryHidden"))
        with archive.open(part) as handle:
            _read_sheet(handle, name, grid, shared, kinds, epoch, counter)
        grids[name] = grid
    return grids


def xlsx_sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's sheet names, in order."""
    return [element.get("name", "") for element in _root(archive, "xl/workbook.xml").iter()
            if _local(element.tag) == "sheet"]  # fmt: skip


def _read_sheet(
    handle: IO[bytes],
    name: str,
    grid: Grid,
    shared: list[str],
    kinds: list[str],
    epoch: dt.datetime,
    counter: CellCounter,
) -> None:
    row_number = column_number = 0
    sheet_data: Any = None
    for event, element in iterparse(handle, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                sheet_data = element
            elif tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column_number = 0
            continue
        if tag == "c":
            reference = element.get("r")
            if reference:
                row_number, column_number = coordinate_to_tuple(reference)
            else:
                column_number += 1
            cell = _cell(element, shared, kinds, epoch)
            if cell is not None:
                counter.add()
                grid.put(row_number, column_number, cell)
        elif tag == "row" and sheet_data is not None:
            sheet_data.clear()  # the rows read so far: kept, they would cost memory for every row of the sheet
        elif tag == "mergeCell":
            first_column, first_row, last_column, last_row = range_boundaries(element.get("ref", ""))
            grid.merged.append(Area(first_row or 1, first_column or 1, last_row or 1, last_column or 1))
            if len(grid.merged) > MAX_MERGED_AREAS:
                raise too_many_merged(name)
            element.clear()


def _cell(element: Any, shared: list[str], kinds: list[str], epoch: dt.datetime) -> Cell | None:
    formula = value = inline = None
    for child in element:
        tag = _local(child.tag)
        if tag == "f":
            formula = child.text or ""
        elif tag == "v":
            value = child.text
        elif tag == "is":
            inline = _text(child)
    if formula is not None:
        # A shared formula's other cells hold only a reference to the first one's text.
        return Cell(None, formula="=" + formula if formula else "=…")
    kind = element.get("t", "n")
    if kind == "inlineStr":
        return Cell(inline) if inline else None
    if value is None:
        return None  # a cell with only a format: nothing in it
    if kind == "s":
        return Cell(shared[int(value)])
    if kind in ("str", "e"):
        return Cell(value)
    if kind == "b":
        return Cell(value.strip() in ("1", "true"))
    if kind == "d":
        return Cell(dt.datetime.fromisoformat(value))
    style = kinds[int(element.get("s", "0"))] if kinds else ""
    if style == "date":
        return Cell(from_excel(float(value), epoch))
    number: int | float = float(value) if any(mark in value for mark in ".eE") else int(value)
    return Cell(number, percent=style == "percent")


def _style_kinds(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Each cell style's kind of number, by its index: 'date', 'percent' or ''."""
    if part not in archive.NameToInfo:
        return []
    root = _root(archive, part)
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    kinds: list[str] = []
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
    for element in root.iter():
        if _local(element.tag) != "cellXfs":
            continue
        for xf in element:
            code = formats.get(int(xf.get("numFmtId", "0")), "General")
            if is_date_format(code):
                kinds.append("date")
            elif "%" in FORMAT_LITERALS.sub("", code):
                kinds.append("percent")
            else:
                kinds.append("")
    return kinds


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    if part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    with archive.open(part) as handle:
        for _event, element in iterparse(handle, events=("end",)):
            if _local(element.tag) == "si":
                strings.append(_text(element))
                element.clear()
    return strings


def _text(element: Any) -> str:
    """The text of a string item: its runs' text, without the phonetic guides Japanese workbooks add."""
    parts: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(run.text or "" for run in child if _local(run.tag) == "t")
    return "".join(parts)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (the target part's name in the zip, its type)."""
    found: dict[str, tuple[str, str]] = {}
    for element in _root(archive, part).iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            found[element.get("Id", "")] = (name, element.get("Type", ""))
    return found


def _target_of_type(targets: dict[str, tuple[str, str]], kind: str, default: str) -> str:
    return next((name for name, type_ in targets.values() if type_.endswith("/" + kind)), default)


def _root(archive: zipfile.ZipFile, part: str) -> Any:
    with archive.open(part) as handle:
        return parse_xml(handle).getroot()


def _local(tag: str) -> str:
    """A tag or attribute name without its namespace (transitional and strict OOXML name them differently)."""
    return tag.rsplit("}", 1)[-1]
