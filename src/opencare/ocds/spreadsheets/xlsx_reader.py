"""Reading an XLSX workbook as a stream: each sheet's XML is parsed as it is unzipped (expat), a row at a time.

Memory does not grow with a sheet: only the row being read is held (calamine, used before, held a whole sheet as a
grid, most of the 644 MB it took to read a 114 MB workbook). Shared strings are kept as UTF-8 bytes end to end, on
disk past a limit (xlsx_values). Values are those python-calamine gives (xlsx_values). Formulas are never worked
out: the value the spreadsheet program saved is read, and a note names the cell; so do merged cells, cells showing
an error (#N/A) and hidden sheets. Notes about cells are made on the pass that reads a sheet's rows (``rows``), so
a sheet that is not read (no known column, or marked to be ignored) gets none.
"""

from __future__ import annotations

import datetime
import json
import posixpath
import pyexpat
import zipfile
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring

from opencare.ocds.spreadsheets.archive import member_chunks
from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError
from opencare.ocds.spreadsheets.layout import WHOLE_FLOATS_MEMBER
from opencare.ocds.spreadsheets.sheet_reader import (
    MAX_GRID_CELLS,
    SheetReader,
    column_letter,
    hidden_note,
    merged_note,
    too_many_cells,
)
from opencare.ocds.spreadsheets.xlsx_values import (
    SharedStrings,
    malformed,
    read_date_styles,
    read_shared_strings,
    safe_parser,
    serial_value,
)

RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
#: Grids are counted at least this wide, as the scan calamine needed did: a value on Excel's last row is refused.
NARROWEST_GRID = 26


class XlsxReader(SheetReader):
    """An XLSX workbook's sheets, each streamed from its XML when it is read."""

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self._archive: zipfile.ZipFile | None = None
        self._names: list[str] | None = None
        self._members: dict[str, str] = {}
        self.hidden: list[str] = []
        self._strings: SharedStrings | None = None
        self._strings_member = SHARED_STRINGS
        self._styles: list[str | None] = []
        self._is_1904 = False
        self._noted: set[str] = set()

    def _open(self) -> list[str]:
        if self._names is None:
            archive = self._archive = zipfile.ZipFile(self.input_name)
            names = set(archive.namelist())
            sheets, self._is_1904, parts = _workbook(archive)
            self._members = {name: member for name, member, _ in sheets}
            self._names = [name for name, _, _ in sheets]
            self.hidden = [name for name, _, state in sheets if state in ("hidden", "veryHidden")]
            self._strings_member = parts.get("sharedStrings", SHARED_STRINGS)
            styles = parts.get("styles", STYLES)
            if styles in names:
                self._styles = read_date_styles(b"".join(member_chunks(archive, archive.getinfo(styles))))
            if WHOLE_FLOATS_MEMBER in names:
                self.whole_floats = _whole_floats(archive)
            self.notes += [hidden_note(name) for name in self.hidden]
        return self._names

    def _shared_strings(self) -> SharedStrings:
        if self._strings is None:
            self._strings = SharedStrings(self.folder)
            archive = self._archive
            assert archive is not None
            if self._strings_member in archive.namelist():
                chunks = _chunks(archive, archive.getinfo(self._strings_member))
                try:
                    read_shared_strings(chunks, self._strings)
                finally:
                    chunks.close()
        return self._strings

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        """The sheet's rows from ``first_row``, an empty list for each row with no value. ``width`` is given only
        when the rows are read for their values (SheetReader.rows, once per sheet): that pass also notes formulas,
        errors and merged cells. layout and headings only peek at the first rows."""
        self._open()
        archive = self._archive
        assert archive is not None
        member = self._members[sheet_name]
        try:
            info = archive.getinfo(member)
        except KeyError:
            raise SpreadsheetError(
                f"The spreadsheet could not be read: the sheet '{sheet_name}' is missing from the file",
                how_to_fix=SAVE_AGAIN,
                sheet=sheet_name,
            ) from None
        notes = width is not None and sheet_name not in self._noted
        if notes:
            self._noted.add(sheet_name)
        sheet = _SheetParser(sheet_name, self._shared_strings(), self._styles, self._is_1904, notes=notes)
        following = 1
        chunks = _chunks(archive, info)
        try:
            for number, cells in sheet.rows(chunks, member):
                number = max(number, following)  # rows out of order follow the one before
                for _ in range(max(following, first_row), number):
                    yield []
                following = number + 1
                if number >= first_row:
                    yield cells[:width] if width is not None else cells
        finally:
            chunks.close()  # the member's file at once, even when the reader stops early or fails
        if notes:
            self.notes += sheet.notes

    def close(self) -> None:
        """Release the file."""
        if self._strings is not None:
            self._strings.close()
        if self._archive is not None:
            self._archive.close()


class _SheetParser:
    """One pass over a sheet's XML: its rows with values as (row number, cells), and notes about its cells."""

    def __init__(
        self, sheet: str, strings: SharedStrings, styles: list[str | None], is_1904: bool, *, notes: bool
    ) -> None:
        self.sheet = sheet
        self.strings = strings
        self.styles = styles
        self.is_1904 = is_1904
        self.noting = notes
        self.notes: list[dict[str, str | None]] = []

    def rows(self, chunks: Iterable[bytes], member: str) -> Iterator[tuple[int, list[Any]]]:
        """The rows with at least one value, as the XML is read chunk by chunk."""
        done: list[tuple[int, list[Any]]] = []
        merged: list[dict[str, str | None]] = []
        parser = safe_parser()
        # The handlers run for every element of a sheet that may have millions: closures over local state, tested
        # most frequent first, are about twice as fast as methods.
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = self._handlers(
            done, merged
        )
        parse = parser.Parse
        try:
            for chunk in chunks:
                parse(chunk, False)
                if done:
                    yield from done
                    done.clear()
            parse(b"", True)
        except (pyexpat.ExpatError, ValueError, IndexError) as error:  # not XML, or a bad number or string index
            raise malformed(member, error) from None
        yield from done
        self.notes += merged

    def _handlers(self, done: list[tuple[int, list[Any]]], merged: list[dict[str, str | None]]) -> tuple[Any, ...]:
        sheet, strings, styles, is_1904, noting, notes = (
            self.sheet, self.strings, self.styles, self.is_1904, self.noting, self.notes
        )  # fmt: skip
        columns: dict[str, int] = {}
        cells: list[Any] = []
        row = 0
        column = -1
        widest = NARROWEST_GRID
        reference: str | None = None
        kind = "n"
        style: str | None = None
        parts: list[str] = []
        formula: list[str] | None = None
        collecting: list[str] | None = None
        phonetic = 0

        def start(name: str, attributes: dict[str, str]) -> None:
            nonlocal reference, kind, style, parts, formula, collecting, row, column, cells, phonetic
            if ":" in name:
                name = name.rpartition(":")[2]
            if name == "c":
                reference = attributes.get("r")
                kind = attributes.get("t", "n")
                style = attributes.get("s")
                parts = []
                formula = None
            elif name == "t" or name == "v":
                if not phonetic:
                    collecting = parts
            elif name == "row":
                number = attributes.get("r")
                row = int(number) if number and number.isdigit() else row + 1
                column = -1
                cells = []
            elif name == "f":
                formula = collecting = []
            elif name == "rPh":
                phonetic += 1
            elif name == "mergeCell" and noting:
                found = _merged(sheet, attributes.get("ref", ""))
                if found:
                    merged.append(found)

        def end(name: str) -> None:
            nonlocal collecting, column, cells, widest, phonetic
            if ":" in name:
                name = name.rpartition(":")[2]
            if name == "c":
                collecting = None
                if reference:
                    letters = reference.rstrip("0123456789")
                    found = columns.get(letters)
                    if found is None:
                        found = columns[letters] = _column_index(letters)
                    column = found
                else:
                    column += 1
                text = "".join(parts)
                if formula is not None and noting:
                    where = reference or f"{column_letter(column)}{row}"
                    notes.append(_formula_note(sheet, where, "".join(formula), text or None))
                value = value_of(kind, text, style) if text else ""
                if value == "":
                    return
                width = len(cells)
                if column == width:
                    cells.append(value)
                elif column > width:
                    cells.extend([""] * (column - width))
                    cells.append(value)
                else:
                    cells[column] = value
            elif name == "t" or name == "v" or name == "f":
                collecting = None
            elif name == "row":
                if cells:
                    widest = max(widest, len(cells))
                    if row * widest > MAX_GRID_CELLS:
                        raise too_many_cells(MAX_GRID_CELLS, sheet, cell=f"{column_letter(len(cells) - 1)}{row}")
                    done.append((row, cells))
                    cells = []
            elif name == "rPh":
                phonetic -= 1

        def text(data: str) -> None:
            if collecting is not None:
                collecting.append(data)

        def value_of(kind: str, text: str, style: str | None) -> Any:
            if kind == "s":
                return strings[int(text)]
            if kind in ("inlineStr", "str"):
                return text
            if kind == "n":
                number = float(text)
                if style is not None and styles:
                    index = int(style) if style.isdigit() else 0
                    date_kind = styles[index] if index < len(styles) else None
                    if date_kind is not None:
                        return serial_value(number, date_kind, is_1904=is_1904)
                return number
            if kind == "b":
                return text == "1"
            if kind == "e":
                if noting:
                    notes.append(_error_note(sheet, reference or f"{column_letter(column)}{row}", text))
                return ""
            if kind == "d":  # a date as ISO 8601 text (the strict format); kept as text if it is not one
                try:
                    return datetime.datetime.fromisoformat(text)
                except ValueError:
                    return text
            return float(text)  # a type no spreadsheet program writes: a number, or the part is damaged

        return start, end, text


def _merged(sheet: str, reference: str) -> dict[str, str | None] | None:
    """The note for a merged range such as 'C2:C3', or None if it is not a range of cells."""
    first, _, last = reference.partition(":")
    try:
        return merged_note(sheet, _place(first), _place(last or first))
    except ValueError:
        return None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """A member's bytes (archive.member_chunks), as a generator that can be closed: the member's file with it."""
    yield from member_chunks(archive, info)


def _column_index(letters: str) -> int:
    """The column counted from 0 for its letters: 'A' -> 0, 'AA' -> 26."""
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise ValueError(f"not a cell reference: {letters!r}")
        number = number * 26 + ord(letter) - 64
    return number - 1


def _place(reference: str) -> tuple[int, int]:
    """(row, column), both from 0, of a cell reference such as 'C7'."""
    letters = reference.rstrip("0123456789")
    digits = reference[len(letters) :]
    if not letters or not digits:
        raise ValueError(f"not a cell reference: {reference!r}")
    return int(digits) - 1, _column_index(letters)


def _workbook(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str, str]], bool, dict[str, str]]:
    """(each sheet as (name, the member holding its XML, its state), whether dates count from 1904, the members of
    the workbook's other parts by their kind: 'sharedStrings', 'styles')."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        relationships = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError as error:
        raise SpreadsheetError(
            "The spreadsheet could not be read: a part every workbook has is missing", how_to_fix=SAVE_AGAIN
        ) from error
    targets = {rel.get("Id"): _member(rel.get("Target", "")) for rel in relationships}
    parts = {rel.get("Type", "").rpartition("/")[2]: _member(rel.get("Target", "")) for rel in relationships}
    sheets = []
    is_1904 = False
    for element in workbook.iter():
        tag = element.tag.rpartition("}")[2]
        if tag == "sheet":
            sheets.append(
                (element.get("name", ""), targets.get(element.get(RELATIONSHIP_ID), ""), element.get("state", ""))
            )
        elif tag == "workbookPr":
            is_1904 = element.get("date1904", "").lower() in ("1", "true")
    return sheets, is_1904, parts


def _member(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


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


def _error_note(sheet: str, cell: str, error: str) -> dict[str, str | None]:
    return {
        "message": f"Cell {cell} shows an error ({error}), so it was read as empty. Type the value itself instead.",
        "sheet": sheet,
        "cell": cell,
    }
