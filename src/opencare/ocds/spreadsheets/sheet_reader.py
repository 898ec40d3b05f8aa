"""flatten-tool's spreadsheet input, reading sheets our way: bounded, parents first, keeping cells' own values.

Each format's reader (xlsx_reader, ods_reader, csv_reader) gives the sheet names and the rows; this turns headings
(titles or field paths) into fields, reads configuration rows and the Meta sheet, and counts the cells it visits.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytz
from flattentool.input import (
    Cell,
    SpreadsheetInput,
    extract_dict_to_error_path,
    extract_dict_to_value,
    temporarydicts_to_lists,
    unflatten_main_with_parser,
)
from flattentool.lib import isint
from flattentool.schema import SchemaParser

from opencare.ocds.spreadsheets.errors import SpreadsheetError
from opencare.ocds.spreadsheets.fields import FieldType, field_path, release_types
from opencare.ocds.spreadsheets.layout import MAIN_SHEET, META_SHEET

#: Cells a reader may visit in one workbook (rows times columns, blank ones included).
MAX_CELLS = 50_000_000


class _BlankHeading:
    """A column without a heading. Each is a distinct key, so the columns after it keep their letters."""

    def __repr__(self) -> str:
        return "(no heading)"


class SheetReader(SpreadsheetInput):
    """flatten-tool's spreadsheet input, reading sheets our way: bounded, in parent-first order, keeping raw values.

    Subclasses give ``_open`` (the sheet names in file order) and ``_rows`` (a sheet's rows as lists of values).
    """

    is_csv = False

    def __init__(self, source: Path, folder: Path):
        super().__init__(
            # Headings are turned into field paths here (see _key_of), not by flatten-tool.
            input_name=str(source),
            root_list_path=MAIN_SHEET,
            root_id="ocid",
            convert_titles=False,
            id_name="id",
        )
        self.folder = folder
        self.notes: list[dict[str, str | None]] = []
        self.columns: dict[str, dict[str, str]] = {}
        self._headings: dict[str, list[Any]] = {}
        self._raw: dict[tuple[str, int, str], Any] = {}
        self.row_offsets: dict[str, int] = {}
        self._cells = 0

    # The interface flatten-tool calls.

    def read_sheets(self) -> None:
        names = [name for name in self._open() if name != META_SHEET]
        self.sheet_names_map = OrderedDict((name, name) for name in names)
        self.sub_sheet_names = names
        self.configure_sheets()
        depths = {name: self._depth(name) for name in names}
        # Parents before children: an object's place in its list is where it is first seen, which must be its own
        # sheet, not one of its children's (zip files list CSV files alphabetically: 'par_...' before 'parties').
        self.sub_sheet_names = sorted(names, key=depths.__getitem__)

    def get_sheet_configuration(self, sheet_name: str) -> list[Any]:
        first = next(iter(self._rows(sheet_name, 1, None)), [])
        if first and first[0] == "#":
            return [value for value in first[1:] if isinstance(value, str) and value]
        return []

    def get_sheet_headings(self, sheet_name: str) -> list[Any]:
        if sheet_name not in self._headings:
            self._headings[sheet_name] = self._read_headings(sheet_name)
        return self._headings[sheet_name]

    def get_sheet_lines(self, sheet_name: str) -> Iterator[dict[Any, Any]]:
        headings = self.get_sheet_headings(sheet_name)
        if not headings:
            return
        keys = [self._key_of(heading) for heading in headings]
        blanks = [_BlankHeading() for _ in headings]
        same = self._duplicates(sheet_name, headings, keys)
        letters = [_column_letter(index) for index in range(len(headings))]
        keep_raw = [not self.is_csv and _wants_raw(self._type_of(heading)) for heading in headings]
        for index, row in enumerate(self._rows(sheet_name, self._layout(sheet_name)[1], len(keys))):
            self._count(len(keys))
            if not any(value is not None and value != "" for value in row):
                yield {}  # a blank row still counts, so that row numbers stay right
                continue
            # Of columns with the same field, the first one filled in on this row is read.
            chosen = {key: next((c for c in columns if row[c] not in (None, "")), columns[0]) for key, columns in same}
            line: dict[Any, Any] = OrderedDict()
            for column, (key, value) in enumerate(zip(keys, row, strict=False)):
                if key is None or (key in chosen and chosen[key] != column):
                    line[blanks[column]] = None  # a distinct key keeps the next columns' letters right
                    continue
                line[key] = value
                if keep_raw[column] and isinstance(value, int | float):
                    self._raw[(sheet_name, index, letters[column])] = value
            yield line

    # Used by spreadsheet_to_json.

    def read_meta(self, parser: SchemaParser) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """The package metadata from the Meta sheet (field paths or titles in column A, values in column B)."""
        if META_SHEET not in self._open():
            return {}, {}
        cells: dict[str, Cell] = OrderedDict()
        for number, row in enumerate(self._rows(META_SHEET, 1, 2), start=1):
            self._count(2)
            heading, value = [*row, None, None][:2]
            if not isinstance(heading, str) or not heading.strip() or value is None or value == "":
                continue
            path = parser.title_lookup.lookup_header(heading.strip())
            if path.split("/")[0] in ("releases", "records"):
                continue
            cells[path] = Cell(value, (META_SHEET, "B", number, heading))
            if not self.is_csv and isinstance(value, int | float):
                self._raw[(META_SHEET, number - 2, "B")] = value
        tree = unflatten_main_with_parser(parser, cells, pytz.UTC, False, "id")
        temporarydicts_to_lists(tree)
        paths = extract_dict_to_error_path([], tree)
        return extract_dict_to_value(tree), {"/".join(map(str, path)): places for path, places in paths.items()}

    def raw_value(self, places: list[Any] | None) -> Any:
        """The cell's own number or boolean, where flatten-tool turned it into text."""
        if not places or len(places[0]) != 4:
            return None
        sheet, column, row, _ = places[0]
        return self._raw.get((sheet, row - 2, column))

    def row_offset(self, sheet: str | None) -> int:
        """flatten-tool numbers data rows from 2; configuration and skipped rows push them down."""
        return self.row_offsets.get(sheet or "", 0)

    def close(self) -> None:
        """Release the file."""

    # Helpers.

    def _read_headings(self, sheet_name: str) -> list[Any]:
        layout = self._layout(sheet_name)
        if layout[0] == 0:
            return []
        row = list(next(iter(self._rows(sheet_name, layout[0], None)), []))
        self._count(len(row))
        while row and row[-1] in (None, ""):
            row.pop()
        self.row_offsets[sheet_name] = layout[1] - 2
        self.columns[sheet_name] = {
            field_path(self._path_of(heading)): _column_letter(index)
            for index, heading in reversed(list(enumerate(row)))  # the first column wins, as a person reads
            if isinstance(heading, str) and heading
        }
        return row

    def _layout(self, sheet_name: str) -> tuple[int, int]:
        """(heading row, first data row), counting from 1; heading row 0 means the sheet is ignored."""
        configuration = self.sheet_configuration.get(sheet_name) or {}
        if configuration.get("ignore"):
            return 0, 0
        heading_row = configuration.get("skipRows", 0) + (1 if configuration else 0) + 1
        return heading_row, heading_row + configuration.get("headerRows", 1)

    def _path_of(self, heading: Any) -> str:
        return str(self.parser.title_lookup.lookup_header(heading)) if isinstance(heading, str) else str(heading)

    def _key_of(self, heading: Any) -> str | None:
        """The field path a heading stands for, without a '0' after a list the schema knows: 'parties/address/region'.

        Titles give paths without indexes and flatten-tool's own headings have them; without the '0', 'Parties:Name'
        and 'parties/0/id' on one row describe the same party. (Other indexes stay: 'tender/items/1/id' is a second
        item on the row. Shorter paths also matter: flatten-tool's time per cell grows with the square of a path's
        length.)
        """
        if heading is None or (isinstance(heading, str) and not heading.strip()):
            return None
        parts = self._path_of(heading).split("/")
        keyed: list[str] = []
        named: list[str] = []
        for part in parts:
            if part == "0" and self.parser.flattened.get("/".join(named)) == "array":
                continue
            keyed.append(part)
            if not isint(part):
                named.append(part.rstrip("[]"))
        return "/".join(keyed)

    def _duplicates(self, sheet_name: str, headings: list[Any], keys: list[str | None]) -> list[tuple[str, list[int]]]:
        """Columns whose headings mean the same field, with a warning for each such field."""
        columns: dict[str, list[int]] = {}
        for index, key in enumerate(keys):
            if key is not None:
                columns.setdefault(key, []).append(index)
        same = [(key, found) for key, found in columns.items() if len(found) > 1]
        for _, found in same:
            names = ", ".join(f"{_column_letter(index)} ({headings[index]})" for index in found)
            self.notes.append(
                {
                    "message": f"Columns {names} are for the same field. On each row the first one filled in was "
                    "read and the others were ignored. Keep one of them.",
                    "sheet": sheet_name,
                    "cell": None,
                }
            )
        return same

    def _type_of(self, heading: Any) -> FieldType | None:
        return release_types().get(field_path(self._path_of(heading)))

    def _depth(self, sheet_name: str) -> int:
        """How many lists deep the sheet's rows are: 0 for releases, 1 for parties, 2 for parties' identifiers..."""
        keys = [self._key_of(heading) for heading in self.get_sheet_headings(sheet_name)]
        return max((self._key_depth(key) for key in keys if key), default=0)

    def _key_depth(self, key: str) -> int:
        parts, depth = key.split("/"), 0
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else None
            named = "/".join(item for item in parts[: index + 1] if not isint(item))
            if isint(part) or (following and not isint(following) and self.parser.flattened.get(named) == "array"):
                depth += 1
        return depth

    def _count(self, cells: int) -> None:
        self._cells += cells
        if self._cells > MAX_CELLS:
            raise too_many_cells()

    def _open(self) -> list[str]:
        raise NotImplementedError

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any] | tuple[Any, ...]]:
        raise NotImplementedError


def too_many_cells() -> SpreadsheetError:
    """The error for a spreadsheet with more than MAX_CELLS cells."""
    return SpreadsheetError(
        f"The spreadsheet is too big: it has more than {MAX_CELLS:,} cells, counting blank ones between filled ones",
        how_to_fix="Delete empty rows and columns after the data (or any stray value far below or to the right of "
        "it), or split the data into several files.",
        too_big=True,
    )


def _wants_raw(field_type: FieldType | None) -> bool:
    """Whether the type pass may need a numeric cell's own value (float or int) for this column."""
    if field_type is None or not field_type.types:
        return True
    return not (field_type.types <= {"string"} or field_type.types & {"array", "object"})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
