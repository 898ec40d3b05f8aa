"""Where each value of the JSON made from a spreadsheet came from: its sheet and cell, for messages about the data."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

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
    #: Where places are kept on disk (SQLite), so that a large spreadsheet's map is not held in memory; None: all
    #: are in ``places``.
    places_file: str | None = None

    def __post_init__(self) -> None:
        self._pending: list[tuple[str, bytes]] = []
        self._connection: sqlite3.Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        self.flush_places()
        state = dict(self.__dict__)
        state["_pending"], state["_connection"] = [], None
        return state

    def add_places(self, pointer: str, places: list[tuple[Any, ...]]) -> None:
        """Record where the value or object at a pointer key ('releases/0/tender') came from."""
        if self.places_file is None:
            self.places[pointer] = places
            return
        self._pending.append((pointer, orjson.dumps(places)))
        if len(self._pending) >= 10_000:
            self.flush_places()

    def flush_places(self) -> None:
        """Write the places waiting in memory to the places file."""
        if self._pending:
            connection = self._connect()
            connection.executemany("INSERT OR REPLACE INTO places VALUES (?, ?)", self._pending)
            connection.commit()
            self._pending.clear()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            assert self.places_file is not None
            self._connection = sqlite3.connect(self.places_file, check_same_thread=False)
            # A map made again if the machine stops: no need to wait for the disk on every write.
            self._connection.execute("PRAGMA synchronous=OFF")
            self._connection.execute("CREATE TABLE IF NOT EXISTS places (pointer TEXT PRIMARY KEY, places BLOB)")
        return self._connection

    def _places_of(self, key: str) -> list[tuple[Any, ...]] | None:
        found = self.places.get(key)
        if found is not None or self.places_file is None or not Path(self.places_file).exists():
            return found
        self.flush_places()
        row = self._connect().execute("SELECT places FROM places WHERE pointer = ?", (key,)).fetchone()
        return [tuple(place) for place in orjson.loads(row[0])] if row else None

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
            places = self._places_of(node)
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
