"""A spreadsheet's sheets, row by row: the base each format's reader (xlsx_reader, ods_reader, csv_reader) fills in.

Each reader gives the sheet names in file order and each sheet's rows as lists of cell values; this reads the
configuration row flatten-tool's templates may start with ('#', then 'skipRows 2', 'headerRows 2' or 'ignore'),
finds the heading row, and counts the cells visited so that no sheet can exhaust memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opencare.ocds.spreadsheets.errors import SpreadsheetError

#: Cells a reader may visit in one workbook (rows times columns, blank ones included): about a 150 MB workbook.
MAX_CELLS = 200_000_000
#: Cells in one sheet's grid, from A1 to its last filled row and column, blank ones included: the empty rows before a
#: value are walked through, so a stray value far below the data would cost time for nothing (and calamine, which
#: reads ODS, holds a sheet's grid in memory, about 40 bytes a cell).
MAX_GRID_CELLS = 20_000_000


class SheetReader:
    """A workbook's sheets. Subclasses give ``_open`` (sheet names in file order) and ``_rows`` (a sheet's rows)."""

    is_csv = False

    def __init__(self, source: Path, folder: Path):
        self.input_name = str(source)
        self.folder = folder
        self.notes: list[dict[str, str | None]] = []
        #: Cells holding a whole number that was a float in the JSON opencare wrote the file from, by sheet.
        self.whole_floats: dict[str, set[str]] = {}
        self._cells = 0

    def sheet_names(self) -> list[str]:
        """The sheets, in the order the file lists them."""
        return self._open()

    def layout(self, sheet_name: str) -> tuple[int, int]:
        """(heading row, first data row), counting from 1; heading row 0 means the sheet is ignored."""
        first = next(iter(self._rows(sheet_name, 1, None)), [])
        configuration: dict[str, int] = {}
        if first and first[0] == "#":
            for value in first[1:]:
                words = str(value).split() if isinstance(value, str) else []
                if words and words[0] == "ignore":
                    return 0, 0
                if len(words) == 2 and words[0] in ("skipRows", "headerRows") and words[1].isdigit():
                    configuration[words[0]] = int(words[1])
            configuration.setdefault("configured", 1)
        heading_row = configuration.get("skipRows", 0) + (1 if configuration else 0) + 1
        return heading_row, heading_row + configuration.get("headerRows", 1)

    def headings(self, sheet_name: str, heading_row: int) -> list[Any]:
        """The heading row, without blank cells at its end."""
        row = list(next(iter(self._rows(sheet_name, heading_row, None)), []))
        self.count(len(row))
        while row and row[-1] in (None, ""):
            row.pop()
        return row

    def rows(self, sheet_name: str, first_row: int, width: int) -> Iterator[list[Any] | tuple[Any, ...]]:
        """The rows from ``first_row`` on, each cut to ``width`` cells, counted against MAX_CELLS."""
        for row in self._rows(sheet_name, first_row, width):
            self.count(width)
            yield row

    def count(self, cells: int) -> None:
        """Count cells visited; past MAX_CELLS the spreadsheet is refused."""
        self._cells += cells
        if self._cells > MAX_CELLS:
            raise too_many_cells()

    def close(self) -> None:
        """Release the file."""

    def _open(self) -> list[str]:
        raise NotImplementedError

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any] | tuple[Any, ...]]:
        raise NotImplementedError


def too_many_cells(most: int = MAX_CELLS, sheet: str | None = None, cell: str | None = None) -> SpreadsheetError:
    """The error for a spreadsheet with more than MAX_CELLS cells (or a sheet with more than MAX_GRID_CELLS, whose
    filled ``cell`` made it too big, if known)."""
    where = f"the sheet '{sheet}'" if sheet else "the spreadsheet"
    found = f" (its cell {cell} has a value)" if cell else ""
    return SpreadsheetError(
        f"The spreadsheet is too big: {where} has more than {most:,} cells, counting blank ones between filled "
        f"ones{found}",
        how_to_fix="Delete empty rows and columns after the data (or any stray value far below or to the right of "
        "it), or split the data into several files.",
        sheet=sheet,
        cell=cell,
        too_big=True,
    )


def hidden_note(sheet: str) -> dict[str, str | None]:
    """The warning that a sheet is hidden (its rows are read all the same)."""
    return {
        "message": f"The sheet '{sheet}' is hidden. Its rows were read as well: unhide it (right-click a sheet's tab, "
        "then Unhide) to check what it holds, or delete it if it should not be published.",
        "sheet": sheet,
        "cell": "A1",
    }


def merged_note(sheet: str, first: tuple[int, int], last: tuple[int, int]) -> dict[str, str | None]:
    """The warning for merged cells, from their first and last (row, column), counted from 0."""
    start = f"{column_letter(first[1])}{first[0] + 1}"
    end = f"{column_letter(last[1])}{last[0] + 1}"
    return {
        "message": f"Cells {start} to {end} are merged. Only the first, {start}, was read; the others were read as "
        "empty. Unmerge them and fill in each cell.",
        "sheet": sheet,
        "cell": start,
    }


def column_letter(index: int) -> str:
    """The spreadsheet's letters for a column counted from 0: 0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
