"""Where each value of the JSON made from a spreadsheet came from: its sheet and cell, for messages about the data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from opencare.ocds.spreadsheets.layout import MAIN_SHEET


@dataclass
class SourceMap:
    """Where each value of the produced JSON came from.

    ``places``: flatten-tool's cell source map, by JSON pointer without the leading '/': a value's cells as
    (sheet, column, row, heading), an object's rows as (sheet, row). ``columns``: each sheet's column letter by field
    path without indexes. ``sheets``: the sheets in the order they were read, parents first. ``row_offsets``: what
    to add to flatten-tool's row numbers (it counts data rows from 2). Cells are worked out when asked for, so a large
    spreadsheet's map is not held twice.
    """

    warnings: list[dict[str, str | None]] = field(default_factory=list)
    places: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict, repr=False)
    columns: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    sheets: list[str] = field(default_factory=list)
    row_offsets: dict[str, int] = field(default_factory=dict)

    def locate(self, pointer: str) -> list[tuple[str, str]]:
        """(sheet name, cell like 'C7') for a JSON pointer into the produced package, e.g. '/releases/0/id'.

        If the exact pointer has no cell (it points at an object, or at a missing required field), the nearest
        ancestor with rows gives the place, in the object's own sheet: the cell where the field would be if that
        sheet has a column for it, else the cell of the object's id, else the row's first cell. Empty list if
        nothing is known.
        """
        key = "/".join(part.replace("~1", "/").replace("~0", "~") for part in pointer.strip("/").split("/"))
        node = key
        while True:
            places = self.places.get(node)
            if places and len(places[0]) == 4:
                return [(sheet, f"{column}{self._row(sheet, row)}") for sheet, column, row, _ in places]
            if places:
                return self._row_cells(places, node, key)
            if not node:
                return []
            node = node.rpartition("/")[0]

    def _row(self, sheet: str, row: int) -> int:
        return row + self.row_offsets.get(sheet, 0)

    def _row_cells(self, places: list[tuple[Any, ...]], node: str, key: str) -> list[tuple[str, str]]:
        order = {sheet: index for index, sheet in enumerate(self.sheets)}
        own_sheet = min((sheet for sheet, _ in places), key=lambda sheet: order.get(sheet, len(order)))
        columns = self.columns.get(own_sheet, {})
        own = record_path(node)
        column = columns.get(record_path(key)) or columns.get(f"{own}/id" if own else "id") or "A"
        rows = sorted({row for sheet, row in places if sheet == own_sheet})
        return [(own_sheet, f"{column}{self._row(own_sheet, row)}") for row in rows]


#: A list index in a pointer key, and a release's own prefix.
INDEX_RE = re.compile(r"/\d+(?=/|$)")

RELEASE_RE = re.compile(rf"^{MAIN_SHEET}/\d+(?:/|$)")


def record_path(key: str) -> str:
    """The field path of a pointer key within its release (or package): 'releases/0/parties/1/id' -> 'parties/id'."""
    return INDEX_RE.sub("", RELEASE_RE.sub("", key, count=1))
