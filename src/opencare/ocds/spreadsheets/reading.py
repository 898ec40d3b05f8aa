"""Spreadsheet to JSON: check the file, read its sheets row by row into releases, and map the cells."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from opencare.ocds.spreadsheets.archive import check_archive, detect_spreadsheet
from opencare.ocds.spreadsheets.atomic_write import write_atomically
from opencare.ocds.spreadsheets.csv_reader import CsvReader
from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError
from opencare.ocds.spreadsheets.fields import package_shape, package_types, release_shape, release_types
from opencare.ocds.spreadsheets.layout import FORMAT_NAMES, MAIN_SHEET, META_SHEET, SPREADSHEET_FORMATS
from opencare.ocds.spreadsheets.ods_reader import OdsReader
from opencare.ocds.spreadsheets.release_rows import Column, ReleaseBuilder
from opencare.ocds.spreadsheets.sheet_reader import SheetReader, column_letter
from opencare.ocds.spreadsheets.source_map import SourceMap
from opencare.ocds.spreadsheets.xlsx_reader import XlsxReader

logger = logging.getLogger(__name__)


def spreadsheet_to_json(source: Path, fmt: str, output: Path) -> SourceMap:
    """Convert a spreadsheet (fmt from SPREADSHEET_FORMATS) into an OCDS release package JSON file at ``output``.

    Reads flatten-tool's layout against the social-care release schema (root list 'releases', id 'id', headings as
    titles or field paths) row by row (release_rows), in bounded memory: rows wait in a file until every sheet is
    read, then each release is built and written in turn. check_archive first. Formulas are never calculated.
    Values that do not fit their field's type, and other problems worth knowing, are in the SourceMap's
    ``warnings``, each {"message", "sheet", "cell"}; its places are kept in a file beside ``output``
    (``output`` + '.cells'). Raises SpreadsheetError for a spreadsheet with no releases, an unreadable file or the
    wrong format; nothing is written to ``output`` then. ValueError for a format not in SPREADSHEET_FORMATS.
    """
    if fmt not in SPREADSHEET_FORMATS:
        raise ValueError(f"Unknown spreadsheet format {fmt!r}: expected one of {SPREADSHEET_FORMATS}")
    check_archive(source)
    found = detect_spreadsheet(source)
    if found != fmt:
        raise SpreadsheetError(
            f"The file is {FORMAT_NAMES.get(found or '', 'not a spreadsheet')}, not {FORMAT_NAMES[fmt]}",
            how_to_fix="Choose the right format for the file, or save it again in the format you chose.",
        )
    source_map = SourceMap(places_file=str(output.with_name(output.name + ".cells")))
    Path(str(source_map.places_file)).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="opencare-sheets-") as folder:
        reader = _READERS[fmt](source, Path(folder))
        try:
            write_atomically(output, lambda path: _read_package(reader, Path(folder), source_map, path))
        except (SpreadsheetError, MemoryError):
            raise
        except OSError as error:
            if error.filename and str(error.filename).startswith(str(output.parent)):
                raise  # our disk, not the file
            raise _unreadable(error) from None
        except Exception as error:  # calamine and csv fail in many ways on a malformed file
            raise _unreadable(error) from None
        finally:
            reader.close()
    source_map.flush_places()
    return source_map


def _unreadable(error: Exception) -> SpreadsheetError:
    # Their messages name our temporary files and their own classes: logged for us, never shown.
    logger.info("A spreadsheet could not be read: %s: %s", type(error).__name__, error)
    return SpreadsheetError(
        "The spreadsheet could not be read: its contents are not what a spreadsheet program saves",
        how_to_fix=SAVE_AGAIN,
    )


def _read_package(reader: SheetReader, folder: Path, source_map: SourceMap, output: Path) -> None:
    """Read the sheets into releases and write the package to ``output``, one release at a time."""
    source_map.warnings = reader.notes
    builder = ReleaseBuilder(release_shape(), release_types(), source_map, folder, is_csv=reader.is_csv)
    depths = {}
    names = reader.sheet_names()
    builder.whole_floats = reader.whole_floats
    for name in names:
        if name == META_SHEET:
            continue
        heading_row, first_row = reader.layout(name)
        headings = reader.headings(name, heading_row) if heading_row else []
        keys = [builder.key_of(heading) for heading in headings]
        columns = _columns(name, headings, keys, builder, source_map)
        if not columns:
            continue
        # Parents before children: an object's place in its list is where it is first seen, which must be its own
        # sheet, not one of its children's (zip files list CSV files alphabetically: 'par_...' before 'parties').
        # Sheets are read in file order, each once, and their rows sorted by depth when the releases are built.
        depths[name] = max((builder.depth(key) for key in keys if key), default=0)
        number = builder.add_sheet(name, columns, depths[name])
        for row_number, row in enumerate(reader.rows(name, first_row, len(headings)), start=first_row):
            builder.add_row(number, row_number, row)
    source_map.sheets = [*sorted(depths, key=depths.__getitem__), META_SHEET]
    if not builder.count():
        raise SpreadsheetError(
            "The spreadsheet has no releases",
            how_to_fix=f"Put one release on each row of the '{MAIN_SHEET}' sheet, under the template's headings, "
            "with at least its Open Contracting ID and Release ID.",
        )
    metadata = _read_meta(reader, folder, source_map)
    with output.open("wb") as out:
        out.write(orjson.dumps(metadata)[:-1] + (b',"releases":[' if metadata else b'"releases":['))
        for index, release in enumerate(builder.releases()):
            out.write(b"," + orjson.dumps(release) if index else orjson.dumps(release))
        out.write(b"]}")


def _columns(
    sheet: str, headings: list[Any], keys: list[str | None], builder: ReleaseBuilder, source_map: SourceMap
) -> list[Column]:
    """The sheet's columns with a field; of columns for the same field, the first filled in on a row is read."""
    seen: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            seen.setdefault(key, []).append(index)
    for found in (found for found in seen.values() if len(found) > 1):
        names = ", ".join(f"{column_letter(index)} ({headings[index]})" for index in found)
        source_map.warnings.append(
            {
                "message": f"Columns {names} are for the same field. On each row the first one filled in was read "
                "and the others were ignored. Keep one of them.",
                "sheet": sheet,
                "cell": None,
            }
        )
    columns = [Column(index, key, builder.shape, builder.types) for index, key in enumerate(keys) if key is not None]
    # The first column wins, as a person reads.
    source_map.columns[sheet] = {column.field: column.letter for column in reversed(columns)}
    return columns


def _read_meta(reader: SheetReader, folder: Path, source_map: SourceMap) -> dict[str, Any]:
    """The package metadata from the Meta sheet (field paths or titles in column A, values in column B)."""
    if META_SHEET not in reader.sheet_names():
        return {}
    shape = package_shape()
    (folder / "meta").mkdir()
    builder = ReleaseBuilder(shape, package_types(), SourceMap(), folder / "meta", is_csv=reader.is_csv)
    builder.whole_floats = reader.whole_floats
    columns: list[Column] = []
    sheet = builder.add_sheet(META_SHEET, columns)
    for number, row in enumerate(reader.rows(META_SHEET, 1, 2), start=1):
        heading, value = [*row, None, None][:2]
        if not isinstance(heading, str) or not heading.strip() or value is None or value == "":
            continue
        key = builder.key_of(heading.strip())
        if key is None or key.split("/")[0] in ("releases", "records"):
            continue
        # Each row is a column of its own: the field in column A, its value in column B.
        columns.append(Column(len(columns) + 1, key, shape, builder.types))
        builder.add_row(sheet, number, [None] * len(columns) + [value])
        source_map.places.setdefault(key, [(META_SHEET, "B", number, heading)])
    source_map.warnings += builder.source_map.warnings
    return next(iter(builder.releases()), {})


_READERS: dict[str, Callable[[Path, Path], SheetReader]] = {"xlsx": XlsxReader, "ods": OdsReader, "csv": CsvReader}
