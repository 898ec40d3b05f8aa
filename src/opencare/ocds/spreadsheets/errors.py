"""What is wrong with a spreadsheet, said so that the person who made it can fix it."""

from __future__ import annotations

from typing import Any


class SpreadsheetError(Exception):
    """A spreadsheet or archive that cannot be converted: what is wrong, how to fix it, and where if known.

    ``too_big`` says the file was refused for its size (a zip bomb, too many cells), not for what is in it.
    """

    def __init__(
        self,
        message: str,
        *,
        how_to_fix: str,
        sheet: str | None = None,
        cell: str | None = None,
        too_big: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.how_to_fix = how_to_fix
        self.sheet = sheet
        self.cell = cell
        self.too_big = too_big

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process sends it to the parent through a pipe; the keyword-only arguments must survive pickling.
        return (_spreadsheet_error, (self.message, self.how_to_fix, self.sheet, self.cell, self.too_big))

    def __str__(self) -> str:
        where = f" (sheet {self.sheet!r}{f', cell {self.cell}' if self.cell else ''})" if self.sheet else ""
        return f"{self.message}{where}. {self.how_to_fix}"


def _spreadsheet_error(
    message: str, how_to_fix: str, sheet: str | None, cell: str | None, too_big: bool
) -> SpreadsheetError:
    return SpreadsheetError(message, how_to_fix=how_to_fix, sheet=sheet, cell=cell, too_big=too_big)


SAVE_AGAIN = (
    "Save it again from your spreadsheet program (as .xlsx or .ods, or as CSV files in a zip file) and upload that."
)
