"""Releases flattened onto the full-profile layout's sheets in one pass, rows spooled to disk until written.

Each release is read from the package by ijson (numbers as the JSON wrote them: an int, or a Decimal with every
digit) and walked once. Its fields go on the main sheet's row (``tender/value/amount``); each list of objects
gives rows on its list's sheet, which start with the ids of the release and of the objects they belong to; a list
of plain values is one cell, its items joined by ";". Columns come in the order the data first uses them, after the
ids the schema gives each sheet (as flatten-tool's ``remove_empty_schema_columns`` lays them out), so headings are
known only at the end: rows wait in a pickle file per sheet, a few hundred at a time, in a temporary folder.
With titles, a field whose title reading would take for another field's (the profile gives a few fields the same
title) is headed with its field path, unlike flatten-tool, whose headings lose it.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

from opencare.ocds.readers import InputError
from opencare.ocds.spreadsheets.fields import field_path, release_shape
from opencare.ocds.spreadsheets.layout import MAIN_SHEET
from opencare.ocds.spreadsheets.schema_sheets import ID, ROOT_ID, release_layout, sheet_name

#: Values that are one cell each (a list of them is one cell too). A float never comes from the package file (its
#: numbers are read as ints and Decimals) but may be in a release given to add_release.
PLAIN_TYPES = frozenset({str, bool, int, Decimal, float, type(None)})
#: Rows a sheet keeps in memory before they go to its file.
ROWS_IN_MEMORY = 500


class RowSheet:
    """A sheet being filled: its headings in order so far, the field path or title behind each, and its rows."""

    def __init__(self, name: str, spool: Path, *, root_id: str = "", id_columns: tuple[str, ...] = (),
                 titles: dict[str, str] | None = None) -> None:  # fmt: skip
        self.name = name
        self.root_id = root_id
        self.titles = titles or {}
        #: Headings in order (a dict as an ordered set): the ocid, the schema's id columns, then as the data uses them.
        self.headings: dict[str, None] = dict.fromkeys([root_id] if root_id else [])
        self.headings.update(dict.fromkeys(id_columns))
        self._heading_of: dict[str, str] = {}
        self._path = spool
        self._file: IO[bytes] | None = None
        self._buffer: list[dict[str, Any]] = []
        self.row_count = 0

    def heading(self, key: str) -> str:
        """The heading a field path (or a parent's id heading) is written under, made a column on first use."""
        found = self._heading_of.get(key)
        if found is None:
            found = self.titles.get(key, key)
            if found != key and reads_as_another_field(found, key):
                found = key
            self.headings.setdefault(found, None)
            self._heading_of[key] = found
        return found

    def add_row(self, row: dict[str, Any]) -> None:
        """A row, by heading."""
        self._buffer.append(row)
        self.row_count += 1
        if len(self._buffer) >= ROWS_IN_MEMORY:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = self._path.open("wb")
        pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._buffer = []

    def rows(self) -> Iterator[dict[str, Any]]:
        """The rows in the order they were added (once all are in)."""
        if self._file is not None:
            self._file.close()
            with self._path.open("rb") as spilled:
                while True:
                    try:
                        yield from pickle.load(spilled)  # noqa: S301 (our own file, written above)
                    except EOFError:
                        break
        yield from self._buffer

    def close(self) -> None:
        """Close its file (the folder is removed by its owner)."""
        if self._file is not None:
            self._file.close()


class FlatReleases:
    """A release package's releases flattened onto sheets: the main sheet, then the sheets of lists of objects in the
    schema's order, then those of lists the schema does not know, in the order met. Use as a context manager."""

    def __init__(self, *, use_titles: bool) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="opencare-flat-")
        self._spools = 0
        self._list_sheets: dict[tuple[str, str], RowSheet] = {}  # by (parent path, list's name)
        self._folder_path = Path(self._folder.name)
        layout = release_layout(use_titles)
        self._sheet_names = layout.sub_sheet_names if use_titles else {}
        self.main = RowSheet(MAIN_SHEET, self._spool(), titles=layout.main.titles if use_titles else None)
        self.sub_sheets = {
            name: RowSheet(
                name,
                self._spool(),
                root_id=ROOT_ID,
                id_columns=tuple(sheet.id_columns),
                titles=sheet.titles if use_titles else None,
            )
            for name, sheet in layout.sub_sheets.items()
        }

    def _spool(self) -> Path:
        """A new file in the temporary folder for a sheet's rows."""
        self._spools += 1
        return self._folder_path / f"{self._spools}.pickle"

    def __enter__(self) -> FlatReleases:
        return self

    def __exit__(self, *exc: object) -> None:
        for sheet in [self.main, *self.sub_sheets.values()]:
            sheet.close()
        self._folder.cleanup()

    def sheets(self) -> list[RowSheet]:
        """The sheets to write: the main sheet always, the others only if they have rows."""
        return [self.main, *(sheet for sheet in self.sub_sheets.values() if sheet.row_count)]

    def add_package(self, source: Path) -> None:
        """Every release in the package file's "releases" array (anything there that is not an object is skipped)."""
        try:
            with source.open("rb") as stream:
                for release in ijson.items(stream, "releases.item", use_float=False):
                    if isinstance(release, dict):
                        self.add_release(release)
        except ijson.JSONError as error:
            raise InputError(f"The package could not be flattened ({error})", how_to_fix="Check the JSON.") from None

    def add_release(self, release: dict[str, Any]) -> None:
        """One release: its row on the main sheet, and rows on the sheets of its lists of objects."""
        row: dict[str, Any] = {}
        self._walk(release, self.main, "", row, {}, top=False)
        self.main.add_row(row)

    def _walk(self, item: dict[str, Any], sheet: RowSheet, parent: str, row: dict[str, Any],
              parent_ids: dict[str, Any], *, top: bool) -> None:  # fmt: skip
        """Put an object's fields on ``row`` of ``sheet``; ``parent`` is its path with '/0/' for list items."""
        heading = sheet.heading
        if top:  # the first object of a row on a list's sheet: the ids of the objects it belongs to come first
            for key, value in parent_ids.items():
                row[heading(key)] = value
        ids = parent_ids
        if ROOT_ID in item or ID in item:
            ids = dict(parent_ids)
            if ROOT_ID in item:
                ids[heading(ROOT_ID)] = item[ROOT_ID]
            if ID in item:
                ids[heading(parent + ID)] = item[ID]
        for key, value in item.items():
            kind = type(value)
            if kind in PLAIN_TYPES:
                row[heading(parent + key)] = value
            elif kind is dict:
                self._walk(value, sheet, parent + key + "/", row, ids, top=False)
            elif kind is list:
                self._list(value, sheet, parent, key, row, ids)
            else:
                # Cannot come from JSON; only from a release given directly to add_release.
                raise InputError(
                    f"{parent.replace('/0/', '/')}{key} holds a {kind.__name__}, which is not a JSON value",
                    how_to_fix="Give JSON values only: text, numbers, true or false, lists and objects.",
                )

    def _list(self, value: list[Any], sheet: RowSheet, parent: str, key: str, row: dict[str, Any],
              ids: dict[str, Any]) -> None:  # fmt: skip
        if all(type(each) in PLAIN_TYPES for each in value):
            row[sheet.heading(parent + key)] = ";".join(map(str, value))
        elif all(_joinable(each) for each in value):  # a list of lists of plain values: "1,2;3,4"
            row[sheet.heading(parent + key)] = ";".join(",".join(map(str, each)) for each in value)
        else:
            list_sheet = self._list_sheet(parent, key)
            for each in value:
                if each is None:
                    continue
                if type(each) is not dict:
                    raise InputError(
                        f"{parent.replace('/0/', '/')}{key} mixes objects with other values, which a spreadsheet "
                        "cannot lay out",
                        how_to_fix="Make every item of the list an object, or none of them.",
                    )
                list_row: dict[str, Any] = {}
                self._walk(each, list_sheet, f"{parent}{key}/0/", list_row, ids, top=True)
                list_sheet.add_row(list_row)

    def _list_sheet(self, parent: str, key: str) -> RowSheet:
        found = self._list_sheets.get((parent, key))
        if found is None:
            found = self._list_sheets[(parent, key)] = self._named_sheet(parent, key)
        return found

    def _named_sheet(self, parent: str, key: str) -> RowSheet:
        name = self._sheet_names.get((parent, key)) or sheet_name(parent, key, "/")
        found = self.sub_sheets.get(name)
        if found is None:
            found = self.sub_sheets[name] = RowSheet(name, self._spool())
        return found


def reads_as_another_field(title: str, path: str) -> bool:
    """Whether reading would take a title heading for another field than ``path``: the profile gives some fields
    the title of another at the same level (tender/lots/minValue and minimumValue are both "Minimum value";
    suppliersAdded and suppliersRemoved both "Suppliers added"), and a title stands for the last of them. Such a
    column is headed with its field path instead, which reading takes as it is."""
    titles = release_shape().titles
    return field_path(titles.lookup(title)) != field_path(titles.lookup(path))


def _joinable(value: Any) -> bool:
    """Text, or a list of plain values: an item of a list written as one cell, "a,b;c"."""
    return type(value) is str or (type(value) is list and all(type(each) in PLAIN_TYPES for each in value))
