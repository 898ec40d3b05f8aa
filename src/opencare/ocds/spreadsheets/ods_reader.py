"""Reading an ODS spreadsheet with calamine, once its repeated cells are known to be few enough."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml.ElementTree import iterparse

from opencare.ocds.spreadsheets.calamine_sheets import CalamineReader
from opencare.ocds.spreadsheets.sheet_reader import MAX_CELLS, too_many_cells

ODS_CELL = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell"
ODS_REPEATED = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}number-columns-repeated"


class OdsReader(CalamineReader):
    """An ODS workbook's sheets."""

    def _open(self) -> list[str]:
        if self._names is None:
            _check_ods_repeats(Path(self.input_name))
        return super()._open()


def _check_ods_repeats(path: Path) -> None:
    """Refuse an ODS file whose repeated cells would make the reader expand too many cells."""
    repeats = 0
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        for _, element in iterparse(content, events=("end",)):
            if element.tag == ODS_CELL:
                repeats += int(element.get(ODS_REPEATED, "1"))
                if repeats > MAX_CELLS:
                    raise too_many_cells()
            element.clear()
