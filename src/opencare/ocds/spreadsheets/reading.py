"""Spreadsheet to JSON: check the file, read its sheets with flatten-tool, put the JSON types back, map the cells."""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from flattentool.exceptions import FlattenToolError, FlattenToolWarning

from opencare.ocds.spreadsheets.archive import check_archive, detect_spreadsheet
from opencare.ocds.spreadsheets.atomic_write import write_atomically
from opencare.ocds.spreadsheets.csv_reader import CsvReader
from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError
from opencare.ocds.spreadsheets.fields import package_parser, package_types, release_parser, release_types
from opencare.ocds.spreadsheets.json_types import TypeFixer
from opencare.ocds.spreadsheets.layout import FORMAT_NAMES, MAIN_SHEET, META_SHEET, SPREADSHEET_FORMATS
from opencare.ocds.spreadsheets.ods_reader import OdsReader
from opencare.ocds.spreadsheets.sheet_reader import SheetReader
from opencare.ocds.spreadsheets.source_map import SourceMap
from opencare.ocds.spreadsheets.xlsx_reader import XlsxReader

logger = logging.getLogger(__name__)

#: flatten-tool's messages that this package reports better: values it could not convert (the type pass gives their
#: cell) and duplicate headings (the reader explains what it did).
REPORTED_ELSEWHERE = ("found in number column", "found in integer column", "Unrecognised value for boolean",
                      "found in number array column", "Duplicate heading")  # fmt: skip


def spreadsheet_to_json(source: Path, fmt: str, output: Path) -> SourceMap:
    """Convert a spreadsheet (fmt from SPREADSHEET_FORMATS) into an OCDS release package JSON file at ``output``.

    Uses flatten-tool's unflatten with the social-care release schema (root list 'releases', id 'id', headings as
    titles or field paths) and its cell source map. check_archive first. Formulas are never calculated. Values
    flatten-tool could not convert, and other problems worth knowing, are in the SourceMap's ``warnings``, each
    {"message", "sheet", "cell"}. Raises SpreadsheetError for a spreadsheet with no releases, an unreadable file or
    the wrong format; nothing is written to ``output`` then. ValueError for a format not in SPREADSHEET_FORMATS.
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
    with tempfile.TemporaryDirectory(prefix="opencare-sheets-") as folder:
        reader = _READERS[fmt](source, Path(folder))
        try:
            package, source_map = _read_package(reader)
        except (SpreadsheetError, MemoryError):
            raise
        except FlattenToolError as error:
            raise SpreadsheetError(
                f"The column headings do not fit the social-care profile: {error}",
                how_to_fix="Use the headings of the template (titles such as 'Release ID', or field paths such as "
                "tender/value/amount), and keep each heading to one kind of value.",
            ) from None
        except Exception as error:  # openpyxl, odfpy and csv fail in many ways on a malformed file
            # Their messages name our temporary files and their own classes: logged for us, never shown.
            logger.info("A spreadsheet could not be read: %s: %s", type(error).__name__, error)
            raise SpreadsheetError(
                "The spreadsheet could not be read: its contents are not what a spreadsheet program saves",
                how_to_fix=SAVE_AGAIN,
            ) from None
        finally:
            reader.close()
    write_atomically(output, lambda path: path.write_bytes(orjson.dumps(package, default=_json_number)))
    return source_map


def _json_number(value: Any) -> Any:
    """orjson's fallback: a Decimal the type pass did not reach (in a list of lists of numbers)."""
    if isinstance(value, Decimal) and value.is_finite():
        return float(value) if any(mark in str(value) for mark in ".eE") else int(value)
    raise TypeError(f"Cannot write {value!r} as JSON")


def _read_package(reader: SheetReader) -> tuple[dict[str, Any], SourceMap]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader.parser = release_parser(False)
        reader.read_sheets()
        releases, flat_map, _ = reader.fancy_unflatten(with_cell_source_map=True, with_heading_source_map=False)
        metadata, meta_map = reader.read_meta(package_parser(False))
    if not releases:
        raise SpreadsheetError(
            "The spreadsheet has no releases",
            how_to_fix=f"Put one release on each row of the '{MAIN_SHEET}' sheet, under the template's headings, "
            "with at least its Open Contracting ID and Release ID.",
        )
    source_map = SourceMap(sheets=[*reader.sub_sheet_names, META_SHEET], warnings=list(reader.notes))
    source_map.warnings += [note for note in map(_translate, caught) if note]
    flat_map.update(meta_map)
    fixer = TypeFixer(flat_map, reader, source_map.warnings)
    package = {**fixer.fix_object(metadata, "", package_types()), MAIN_SHEET: releases}
    fixer.fix_list(releases, MAIN_SHEET, release_types())
    source_map.places, source_map.columns, source_map.row_offsets = flat_map, reader.columns, reader.row_offsets
    return package, source_map


def _translate(caught: warnings.WarningMessage) -> dict[str, str | None] | None:
    """flatten-tool's warning in plain English, or None if it is reported better elsewhere or is not about the data."""
    message = str(caught.message)
    if not issubclass(caught.category, FlattenToolWarning) or any(m in message for m in REPORTED_ELSEWHERE):
        return None
    return {"message": message, "sheet": None, "cell": None}


_READERS: dict[str, Callable[[Path, Path], SheetReader]] = {"xlsx": XlsxReader, "ods": OdsReader, "csv": CsvReader}
