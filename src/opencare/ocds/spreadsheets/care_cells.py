"""The social-care template's cells as its readers give them: each sheet's filled cells, its merged areas and
whether it is hidden, in memory that grows with what the sheets hold, never with how far down they reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opencare.ocds.spreadsheets.errors import SpreadsheetError

#: The most cells read from a care template: far more than any council's contracts, few enough to hold in memory.
MAX_CELLS = 2_000_000
#: The most merged areas a sheet may have: each is named in a message, and a sheet with more is refused whole.
MAX_MERGED_AREAS = 1_000


@dataclass(frozen=True)
class Cell:
    """A cell as the file holds it: its value (str, int, float, Decimal, datetime or None), and whether it holds a
    formula (the formula's text, not calculated) or shows its number as a percentage (the value is then the
    fraction: 95% is 0.95)."""

    value: Any
    formula: str = ""
    percent: bool = False


@dataclass(frozen=True)
class Area:
    """A merged area: its first and last rows and columns, from 1."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def holds(self, row: int, column: int) -> bool:
        """Whether the cell is in the area."""
        return self.first_row <= row <= self.last_row and self.first_column <= column <= self.last_column


@dataclass
class Grid:
    """One sheet's cells, by (row, column) from 1, only those that hold something; its merged areas; whether it is
    hidden in the spreadsheet program; and its name in messages if not the sheet's (a CSV file's name)."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    last_row: int = 0
    merged: list[Area] = field(default_factory=list)
    hidden: bool = False
    label: str = ""

    def put(self, row: int, column: int, cell: Cell) -> None:
        """Keep a filled cell."""
        self.cells[(row, column)] = cell
        self.last_row = max(self.last_row, row)

    def filled_rows(self, first: int) -> list[int]:
        """The numbers of the rows from ``first`` that hold something, in order: a sheet with one value in row
        1,048,576 is one row to read, not a million."""
        return sorted({row for row, _ in self.cells if row >= first})

    def merged_at(self, row: int, column: int) -> Area | None:
        """The merged area the cell is in, if any."""
        return next((area for area in self.merged if area.holds(row, column)), None)


class CellCounter:
    """Counts the cells read from a workbook, refusing it past MAX_CELLS."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, number: int = 1) -> None:
        """Count ``number`` more cells. Raises SpreadsheetError past the limit."""
        self.count += number
        if self.count > MAX_CELLS:
            raise SpreadsheetError(
                f"The spreadsheet has more than {MAX_CELLS:,} filled cells, more than the template can hold",
                how_to_fix="Split the contracts into several workbooks, or delete rows and columns you do not use.",
                too_big=True,
            )


def too_many_merged(sheet: str) -> SpreadsheetError:
    """A sheet with more merged areas than are named one by one."""
    return SpreadsheetError(
        f"The sheet {sheet!r} has more than {MAX_MERGED_AREAS:,} merged areas",
        how_to_fix="Select the whole sheet and unmerge its cells, then write each value in a cell of its own.",
        sheet=sheet,
    )
