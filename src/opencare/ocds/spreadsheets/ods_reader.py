"""Reading an ODS spreadsheet with flatten-tool's ODSReader, once its repeated cells are known to be few enough."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import iterparse
from flattentool.ODSReader import ODSReader

from opencare.ocds.spreadsheets.sheet_reader import MAX_CELLS, SheetReader, too_many_cells

ODS_CELL = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell"
ODS_REPEATED = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}number-columns-repeated"


class OdsReader(SheetReader):
    """An ODS workbook's sheets."""

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self.workbook: Any = None

    def _open(self) -> list[str]:
        if self.workbook is None:
            _check_ods_repeats(Path(self.input_name))
            self.workbook = ODSReader(self.input_name)
        return list(self.workbook.SHEETS)

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        for row in self.workbook.SHEETS[sheet_name][first_row - 1 :]:
            yield (list(row) + [None] * width)[:width] if width is not None else list(row)


def _check_ods_repeats(path: Path) -> None:
    """Refuse an ODS file whose repeated cells would make the reader loop too often (it expands each repeat)."""
    repeats = 0
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        for _, element in iterparse(content, events=("end",)):
            if element.tag == ODS_CELL:
                repeats += int(element.get(ODS_REPEATED, "1"))
                if repeats > MAX_CELLS:
                    raise too_many_cells()
            element.clear()
