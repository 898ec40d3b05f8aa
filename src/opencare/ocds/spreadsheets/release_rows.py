"""Releases built from sheets' rows, one row at a time, in flatten-tool's layout, with the source map as it goes.

Headings are field paths ('tender/value/amount', 'parties/0/id') or titles ('Tender:Value:Amount'). Every sheet's
rows carry the release's ocid and id; rows with the same pair make one release. A list of objects is filled from
the columns under it ('parties/0/name', or 'parties/name' on the parties sheet), and rows that give the same id for
an object in a list (on the same sheet or another) add to that one object. Sheets are read parents first, so an
object's place in its list is where its own sheet first gives it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from opencare.ocds.spreadsheets.fields import FieldType, Shape, field_path, isint
from opencare.ocds.spreadsheets.json_types import json_value
from opencare.ocds.spreadsheets.layout import MAIN_SHEET
from opencare.ocds.spreadsheets.sheet_reader import column_letter
from opencare.ocds.spreadsheets.source_map import SourceMap

Place = tuple[str, int]
#: Rows kept in memory before they are written to the spill file.
SPILL_EVERY = 10_000


class _Items(dict[str, Any]):
    """A list of objects while one row is read: the objects by their index in the headings ('0' if none)."""


class _Leaf(NamedTuple):
    """A value while one row is read, with its column's letter."""

    value: Any
    letter: str
    field: str


class Objects(list[Any]):
    """A list of objects being built, with each object's position by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, int] = {}


class Column:
    """One column of a sheet: its letter, field path parts, kind and JSON types."""

    __slots__ = ("field", "index", "kind", "letter", "name", "steps", "type")

    def __init__(self, index: int, key: str, shape: Shape, types: dict[str, FieldType]):
        self.index = index
        self.letter = column_letter(index)
        self.field = field_path(key)
        self.kind = shape.kinds.get(self.field, "")
        self.type = types.get(self.field)
        self.steps, self.name = _steps(key.split("/"), shape.kinds)


class ReleaseBuilder:
    """Rows to releases: ``add_sheet`` for each sheet, parents first, then ``releases``."""

    def __init__(
        self, shape: Shape, types: dict[str, FieldType], source_map: SourceMap, folder: Path, *, is_csv: bool
    ):
        self.shape = shape
        self.types = types
        self.source_map = source_map
        self.is_csv = is_csv
        #: Cells holding a whole number that was a float in the JSON the file was written from, by sheet.
        self.whole_floats: dict[str, set[str]] = {}
        #: Each release's number, by (ocid, id), and where it was first seen as (depth, sheet, row): releases are
        #: grouped by ocid and ordered as a person reads the sheets, parents first.
        self._keys: dict[tuple[Any, Any], int] = {}
        self._first: list[tuple[int, int, int]] = []
        self._ocid_of: list[Any] = []
        self._sheets: list[tuple[str, list[Column], int]] = []
        self._pending: list[tuple[int, int, int, int, bytes]] = []
        # Rows wait on disk until every sheet is read, so memory does not grow with the workbook: each release is
        # then built from its rows alone and written out.
        self._spill = sqlite3.connect(str(folder / "rows.sqlite"), isolation_level=None)
        self._spill.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
            "CREATE TABLE rows (release INTEGER, depth INTEGER, sheet INTEGER, row INTEGER, cells BLOB);"
            "CREATE TABLE ranks (release INTEGER PRIMARY KEY, rank INTEGER)"
        )
        #: Each object's rows, by its place while being built: (release key, path of positions) -> [(sheet, row)].
        self._rows: dict[tuple[tuple[Any, Any], str], list[Place]] = {}
        #: Values read from a cell other than the one its object's row and the column map would give.
        self._cells: dict[tuple[tuple[Any, Any], str], tuple[str, str, int]] = {}

    def key_of(self, heading: Any) -> str | None:
        """The field path a heading stands for, without a '0' after a list the schema knows: 'parties/name'.

        Titles give paths without indexes and flatten-tool's own headings have them; without the '0', 'Parties:Name'
        and 'parties/0/id' on one row describe the same party. (Other indexes stay: 'tender/items/1/id' is a second
        item on the row.)
        """
        if heading is None or (isinstance(heading, str) and not heading.strip()):
            return None
        path = self.shape.titles.lookup(heading) if isinstance(heading, str) else str(heading)
        keyed: list[str] = []
        named: list[str] = []
        for part in path.split("/"):
            if part == "0" and self.shape.kinds.get("/".join(named)) == "array":
                continue
            keyed.append(part)
            if not isint(part):
                named.append(part.rstrip("[]"))
        return "/".join(keyed)

    def depth(self, key: str) -> int:
        """How many lists deep a column's field is: 0 for releases, 1 for parties, 2 for parties' identifiers..."""
        parts, depth = key.split("/"), 0
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else None
            named = "/".join(item for item in parts[: index + 1] if not isint(item))
            if isint(part) or (following and not isint(following) and self.shape.kinds.get(named) == "array"):
                depth += 1
        return depth

    def add_sheet(self, sheet: str, columns: list[Column], depth: int = 0) -> int:
        """Register a sheet's columns and how many lists deep its rows are; its number for add_row."""
        self._sheets.append((sheet, columns, depth))
        return len(self._sheets) - 1

    def add_row(self, sheet_number: int, row_number: int, row: Any) -> None:
        """Keep one row's values (converted to JSON types) for its release, which is made on first sight."""
        sheet, columns, depth = self._sheets[sheet_number]
        whole_floats = self.whole_floats.get(sheet)
        values: list[tuple[int, Any]] = []
        ocid = ident = None
        width = len(row)
        for position, column in enumerate(columns):
            if column.index >= width:
                continue
            value, note = json_value(row[column.index], column.kind, column.type, is_csv=self.is_csv)
            if value is None:
                continue
            if note:
                self.source_map.warnings.append(
                    {"message": note, "sheet": sheet, "cell": f"{column.letter}{row_number}"}
                )
            if whole_floats and type(value) is int and f"{column.letter}{row_number}" in whole_floats:
                value = float(value)
            if not column.steps and not isinstance(value, list):
                if column.name == "ocid" and ocid is None:
                    ocid = value
                elif column.name == "id" and ident is None:
                    ident = value
            values.append((position, value))
        if not values:
            return
        key = (ocid, ident)
        seen = (depth, sheet_number, row_number)
        number = self._keys.get(key)
        if number is None:
            number = self._keys[key] = len(self._first)
            self._first.append(seen)
            self._ocid_of.append(ocid)
        elif seen < self._first[number]:
            self._first[number] = seen
        self._pending.append((number, depth, sheet_number, row_number, orjson.dumps(values)))
        if len(self._pending) >= SPILL_EVERY:
            self._flush()

    def _flush(self) -> None:
        self._spill.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()

    def _rank(self) -> None:
        """Each release's place in the output: by its ocid's first sight, then its own."""
        ocid_first: dict[Any, tuple[int, int, int]] = {}
        for ocid, seen in zip(self._ocid_of, self._first, strict=True):
            if ocid not in ocid_first or seen < ocid_first[ocid]:
                ocid_first[ocid] = seen
        order = sorted(range(len(self._first)), key=lambda n: (ocid_first[self._ocid_of[n]], self._first[n]))
        self._keys.clear()
        self._first.clear()
        self._ocid_of.clear()
        self._spill.executemany(
            "INSERT INTO ranks VALUES (?, ?)", ((number, rank) for rank, number in enumerate(order))
        )

    def count(self) -> int:
        """How many releases the rows make."""
        return len(self._keys)

    def releases(self) -> Iterator[dict[str, Any]]:
        """The releases, grouped by ocid in the order each ocid was first seen; each object's rows, and each value
        read from a cell the columns would not give, go to the source map's places as each release is built."""
        self._flush()
        self._rank()
        cursor = self._spill.execute(
            "SELECT rank, sheet, row, cells FROM rows JOIN ranks USING (release) ORDER BY rank, depth, sheet, row"
        )
        number = -1
        current = None
        release: dict[str, Any] = {}
        for found, sheet_number, row_number, cells in cursor:
            if found != current:
                if current is not None:
                    yield self._finish(release, number)
                current, number, release = found, number + 1, {}
            sheet, columns, _ = self._sheets[sheet_number]
            tree: dict[str, Any] = {}
            for position, value in orjson.loads(cells):
                column = columns[position]
                _put(tree, column, _Leaf(value, column.letter, column.field))
            self._merge(release, tree, None, "", sheet, row_number)
        if current is not None:
            yield self._finish(release, number)
        self._spill.close()

    def _finish(self, release: dict[str, Any], number: int) -> dict[str, Any]:
        prefix = f"{MAIN_SHEET}/{number}"
        add = self.source_map.add_places
        for (_, path), rows in self._rows.items():
            add(f"{prefix}/{path}" if path else prefix, rows)
        for (_, path), (sheet, letter, row) in self._cells.items():
            add(f"{prefix}/{path}", [(sheet, letter, row, None)])
        self._rows.clear()
        self._cells.clear()
        return release

    def _merge(self, target: dict[str, Any], tree: dict[str, Any], key: Any, path: str, sheet: str, row: int) -> None:
        """Merge a row's object into the object at ``path`` (positions, '' for the release), noting the row."""
        rows = self._rows.setdefault((key, path), [])
        if (sheet, row) not in rows:
            rows.append((sheet, row))
        self._merge_fields(target, tree, key, path, rows[0][0], sheet, row)

    def _merge_fields(
        self, target: dict[str, Any], tree: dict[str, Any], key: Any, path: str, own_sheet: str, sheet: str, row: int
    ) -> None:
        for name, value in tree.items():
            here = f"{path}/{name}" if path else name
            if isinstance(value, _Items):
                self._merge_list(target, name, value, key, here, sheet, row)
            elif isinstance(value, dict):
                # An object not in a list (such as tender/value): its values belong to the owner's rows.
                inner = target.setdefault(name, {})
                if isinstance(inner, dict):
                    self._merge_fields(inner, value, key, here, own_sheet, sheet, row)
            elif name not in target:  # else the same field on another row: the first one read stands
                target[name] = value.value
                if sheet != own_sheet or self.source_map.columns.get(sheet, {}).get(value.field) != value.letter:
                    self._cells[(key, here)] = (sheet, value.letter, row)

    def _merge_list(
        self, target: dict[str, Any], name: str, value: _Items, key: Any, here: str, sheet: str, row: int
    ) -> None:
        objects = target.get(name)
        if objects is None:
            objects = target[name] = Objects()
        elif not isinstance(objects, Objects):
            return
        for index in sorted(value, key=int):
            item = value[index]
            ident = item.get("id")
            ident = ident.value if isinstance(ident, _Leaf) and not isinstance(ident.value, list) else None
            position = objects.by_id.get(str(ident)) if ident is not None else None
            if position is None:
                position = len(objects)
                objects.append({})
                if ident is not None:
                    objects.by_id[str(ident)] = position
            self._merge(objects[position], item, key, f"{here}/{position}", sheet, row)


def _steps(parts: list[str], kinds: dict[str, str]) -> tuple[list[tuple[str, str | None]] | None, str]:
    """The way down to a column's value: each (field, position in a list of objects or None), then the value's
    name. None if the path cannot be followed ('tag/0': a list of values by index is not a layout flatten-tool
    writes)."""
    steps: list[tuple[str, str | None]] = []
    named: list[str] = []
    index = 0
    last = len(parts) - 1
    while index < last:
        part = parts[index]
        named.append(part)
        following = parts[index + 1]
        if kinds.get("/".join(named)) == "array" or isint(following):
            if isint(following):
                index += 1
                if index == last:
                    return None, parts[last]
            steps.append((part, following if isint(following) else "0"))
        else:
            steps.append((part, None))
        index += 1
    return steps, parts[last]


def _put(tree: dict[str, Any], column: Column, leaf: _Leaf) -> None:
    """Put one cell's value into the row's tree (unless the place is taken: a duplicate column comes later)."""
    if column.steps is None:
        return
    node: dict[str, Any] = tree
    for part, position in column.steps:
        inner = node.get(part)
        if position is not None:
            if inner is None:
                inner = node[part] = _Items()
            elif not isinstance(inner, _Items):
                return
            node = inner.get(position) or inner.setdefault(position, {})
        else:
            if inner is None:
                inner = node[part] = {}
            elif not isinstance(inner, dict) or isinstance(inner, _Items):  # a value, or a list, already
                return
            node = inner
    if column.name not in node:
        node[column.name] = leaf
