"""Releases built from sheets' rows, one row at a time, in flatten-tool's layout, with the source map as it goes.

Headings are field paths ('tender/value/amount', 'parties/0/id') or titles ('Tender:Value:Amount'). Every sheet's
rows carry the release's ocid and id; rows with the same pair make one release. A list of objects is filled from
the columns under it ('parties/0/name', or 'parties/name' on the parties sheet), and rows that give the same id for
an object in a list (on the same sheet or another) add to that one object. Sheets are read parents first, so an
object's place in its list is where its own sheet first gives it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from opencare.ocds.spreadsheets.fields import FieldType, Shape, field_path, isint
from opencare.ocds.spreadsheets.json_types import json_value
from opencare.ocds.spreadsheets.sheet_reader import column_letter
from opencare.ocds.spreadsheets.source_map import SourceMap

Place = tuple[str, int]


class _Items(dict[str, Any]):
    """A list of objects while one row is read: the objects by their index in the headings ('0' if none)."""


class _Leaf(NamedTuple):
    """A value while one row is read, with its column's letter."""

    value: Any
    letter: str


class Objects(list[Any]):
    """A list of objects being built, with each object's position by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, int] = {}


class Column:
    """One column of a sheet: its letter, field path parts, kind and JSON types."""

    __slots__ = ("field", "index", "kind", "letter", "parts", "type")

    def __init__(self, index: int, key: str, shape: Shape, types: dict[str, FieldType]):
        self.index = index
        self.letter = column_letter(index)
        self.parts = key.split("/")
        self.field = field_path(key)
        self.kind = shape.kinds.get(self.field, "")
        self.type = types.get(self.field)


class ReleaseBuilder:
    """Rows to releases: ``add_sheet`` for each sheet, parents first, then ``releases``."""

    def __init__(self, shape: Shape, types: dict[str, FieldType], source_map: SourceMap, *, is_csv: bool):
        self.shape = shape
        self.types = types
        self.source_map = source_map
        self.is_csv = is_csv
        self._releases: dict[tuple[Any, Any], dict[str, Any]] = {}
        self._by_ocid: dict[Any, list[tuple[Any, Any]]] = {}
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

    def add_row(self, sheet: str, row_number: int, columns: list[Column], row: Any) -> None:
        """Add one row's values to its release (made on first sight)."""
        tree: dict[str, Any] = {}
        width = len(row)
        for column in columns:
            if column.index >= width:
                continue
            value, note = json_value(row[column.index], column.kind, column.type, is_csv=self.is_csv)
            if value is None:
                continue
            if note:
                self.source_map.warnings.append(
                    {"message": note, "sheet": sheet, "cell": f"{column.letter}{row_number}"}
                )
            _put(tree, column.parts, _Leaf(value, column.letter), self.shape.kinds)
        if not tree:
            return
        key = (_plain(tree.get("ocid")), _plain(tree.get("id")))
        release = self._releases.get(key)
        if release is None:
            release = self._releases[key] = {}
            self._by_ocid.setdefault(key[0], []).append(key)
        self._merge(release, tree, key, "", sheet, row_number)

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
                if sheet != own_sheet or self.source_map.columns.get(sheet, {}).get(field_path(here)) != value.letter:
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

    def releases(self) -> list[dict[str, Any]]:
        """The releases, grouped by ocid in the order each ocid was first seen; the source map filled in."""
        ordered = [key for keys in self._by_ocid.values() for key in keys]
        places: dict[str, list[tuple[Any, ...]]] = {}
        numbers = {key: index for index, key in enumerate(ordered)}
        for (key, path), rows in self._rows.items():
            pointer = f"releases/{numbers[key]}" + (f"/{path}" if path else "")
            places[pointer] = rows
        for (key, path), (sheet, letter, row) in self._cells.items():
            places[f"releases/{numbers[key]}/{path}"] = [(sheet, letter, row, None)]
        self.source_map.places = places
        self._rows.clear()
        self._cells.clear()
        return [self._releases[key] for key in ordered]


def _plain(leaf: Any) -> Any:
    """A release's ocid or id as a key: its value, or None."""
    return leaf.value if isinstance(leaf, _Leaf) and not isinstance(leaf.value, list) else None


def _put(tree: dict[str, Any], parts: list[str], value: Any, kinds: dict[str, str]) -> bool:
    """Put one cell's value into the row's tree; False if the place is already taken (a duplicate column)."""
    node: dict[str, Any] = tree
    named: list[str] = []
    index = 0
    last = len(parts) - 1
    while index < last:
        part = parts[index]
        named.append(part)
        following = parts[index + 1]
        if kinds.get("/".join(named)) == "array" or isint(following):
            position = following if isint(following) else "0"
            if isint(following):
                index += 1
                if index == last:
                    return False  # 'tag/0': a list of values by index is not a layout flatten-tool writes
            items = node.get(part)
            if items is None:
                items = node[part] = _Items()
            elif not isinstance(items, _Items):
                return False
            node = items.setdefault(position, {})
        else:
            inner = node.get(part)
            if inner is None:
                inner = node[part] = {}
            elif not isinstance(inner, dict) or isinstance(inner, _Items):  # a value, or a list, already
                return False
            node = inner
        index += 1
    if parts[last] in node:
        return False
    node[parts[last]] = value
    return True
