"""Sheets read with python-calamine (Rust): ODS (XLSX is streamed by xlsx_reader), values with their own types.

calamine gives the value a spreadsheet program saved with a formula cell (or an empty cell if none was saved). Each
sheet is loaded when it is read and let go before the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import python_calamine

from opencare.ocds.spreadsheets.sheet_reader import SheetReader, hidden_note, merged_note


class CalamineReader(SheetReader):
    """A workbook's sheets read with calamine. Subclasses may add notes when the file is opened (``_opened``)."""

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self.workbook: Any = None
        self._names: list[str] | None = None
        self.hidden: list[str] = []
        self._loaded: tuple[str, Any] | None = None

    def _open(self) -> list[str]:
        if self._names is None:
            self.workbook = python_calamine.CalamineWorkbook.from_path(self.input_name)
            self._names = list(self.workbook.sheet_names)
            self.hidden = [
                sheet.name
                for sheet in self.workbook.sheets_metadata
                if sheet.visible != python_calamine.SheetVisibleEnum.Visible
            ]
            self._opened()
            self.notes += [hidden_note(name) for name in self.hidden]
        return self._names

    def _opened(self) -> None:
        """Hook: notes about the whole file."""

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        self._open()
        if self._loaded is None or self._loaded[0] != sheet_name:
            self._loaded = None  # let the last sheet go before the next is loaded
            self._loaded = (sheet_name, self.workbook.get_sheet_by_name(sheet_name))
            self.notes += [merged_note(sheet_name, *cells) for cells in self._loaded[1].merged_cell_ranges or []]
        sheet = self._loaded[1]
        # calamine's rows start at the first used cell: pad them to row 1 and column A.
        top, left = sheet.start or (0, 0)
        for _ in range(first_row - 1, top):
            yield []
        padding = [None] * left
        for index, row in enumerate(sheet.iter_rows(), start=top):
            if index < first_row - 1:
                continue
            cells = padding + row if left else row
            yield cells[:width] if width is not None else cells

    def close(self) -> None:
        """Release the file."""
        if self.workbook is not None:
            self.workbook.close()
