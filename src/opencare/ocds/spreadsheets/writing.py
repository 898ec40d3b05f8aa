"""JSON to spreadsheet: a release package flattened onto the full-profile layout's sheets, and the blank template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.spreadsheets.atomic_write import write_atomically
from opencare.ocds.spreadsheets.fields import (
    FieldType,
    field_path,
    package_types,
    release_shape,
    release_types,
)
from opencare.ocds.spreadsheets.layout import MAIN_SHEET, META_SHEET
from opencare.ocds.spreadsheets.release_flattening import FlatReleases, RowSheet, reads_as_another_field
from opencare.ocds.spreadsheets.schema_sheets import SchemaSheet, package_titles, release_layout, root_heading
from opencare.ocds.spreadsheets.sheet_writers import WRITERS, Sheet


def json_to_spreadsheet(source: Path, output: Path, fmt: str, *, use_titles: bool = False) -> None:
    """Flatten an OCDS release package JSON file into XLSX (one file) or CSV (a zip of one CSV file per sheet).

    The layout is flatten-tool's against the social-care schema (schema_sheets), with a Meta sheet for the package
    metadata; each release is flattened in one pass (release_flattening) and the sheets are streamed out. Writes to a
    temporary file and renames it, so a failure leaves nothing at ``output``. Text that a spreadsheet program would
    take for a formula is neutralised (see sheet_writers). Raises InputError if ``source`` is not a readable
    release package; ValueError for a format other than 'xlsx' or 'csv'.
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"Cannot write {fmt!r}: only 'xlsx' and 'csv' are written")
    metadata = _release_package_metadata(source)
    types = release_types()
    root = root_heading(use_titles)
    with FlatReleases(use_titles=use_titles) as flat:
        flat.add_package(source)
        sheets = [_data_sheet(sheet, types, root, use_titles) for sheet in flat.sheets()]
        sheets.append(_meta_sheet(metadata, use_titles))
        write_atomically(output, lambda path: WRITERS[fmt](path, sheets))


def _release_package_metadata(source: Path) -> dict[str, Any]:
    """The package's metadata, after reading the whole file once: broken JSON gets the readers' clear InputError
    (line and column) before anything is flattened."""
    with read_ocds(source) as data:
        if data.format != "release package" or data.path is None:
            raise InputError(
                f"This is {_a(data.format)}, not an uncompressed release package",
                how_to_fix='Give a release package: a JSON object with a "releases" array.',
            )
        if data.items_not_a_list:
            raise InputError(
                f'"releases" is {data.items_not_a_list}, not a list', how_to_fix='Make "releases" a JSON array.'
            )
        for _ in data.items():
            pass
        return {key: value for key, value in data.metadata.items() if key not in ("releases", "records")}


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _data_sheet(sheet: RowSheet, types: dict[str, FieldType], root: str, use_titles: bool) -> Sheet:
    # A list's sheet starts with the ocid's field name; its rows hold the ocid under the heading of the main sheet
    # (its title, with titles), which replaces it.
    headings = list(dict.fromkeys(root if heading == sheet.root_id else heading for heading in sheet.headings))
    # Each column's type decides which CSV text gets an apostrophe, and reading removes it only where the field's
    # type says it was needed: so a title heading finds its field as reading finds it. (The sheet's own titles do
    # not name the ids of the release and of the objects above on most lists' sheets, as flatten-tool lays them
    # out: a release id "1" got an apostrophe there, not on the main sheet, and came back as a release "'1".)
    path_of = release_shape().titles.lookup if use_titles else str
    column_types = [types.get(field_path(path_of(heading))) for heading in headings]
    return Sheet(sheet.name, headings, column_types, sheet.rows())


def _meta_sheet(metadata: dict[str, Any], use_titles: bool) -> Sheet:
    """Package metadata as (field, value) rows: the Meta sheet is read down column A, not across row 1."""
    titles = package_titles() if use_titles else {}
    types = package_types()
    rows = [
        {"field": titles.get(path, path), "value": value, "type": types.get(field_path(path))}
        for path, value in _flatten_metadata(metadata, "")
    ]
    return Sheet(META_SHEET, [], [], rows)


def _flatten_metadata(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten_metadata(item, f"{path}/{key}" if path else key)
    elif isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        if value:
            yield path, ";".join(map(str, value))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten_metadata(item, f"{path}/{index}")
    elif value is not None and value != "":
        yield path, value


def _fillable(sheet: SchemaSheet) -> list[str]:
    """A sheet's title headings, and after each title that reading takes for another field (the profile gives a few
    fields the same title) the path of each field it hides, so that every field has a column that reads as it."""
    hidden: dict[str, list[str]] = {}
    for path, title in sheet.titles.items():
        if title in sheet.columns and path != title and reads_as_another_field(title, path):
            hidden.setdefault(title, []).append(path)
    return [heading for title in sheet.columns for heading in (title, *hidden.get(title, []))]


def write_template(output: Path, fmt: str = "xlsx") -> None:
    """A blank template of the social-care profile, XLSX or CSV zip: main sheet 'releases', headings as titles.

    One sheet for the releases, one for each list of objects, and a Meta sheet for the package metadata.
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"Cannot write {fmt!r}: only 'xlsx' and 'csv' are written")
    layout = release_layout(True)
    headings = [(MAIN_SHEET, _fillable(layout.main))]
    root = root_heading(True)
    headings += [(name, [root, *sheet.id_columns, *_fillable(sheet)]) for name, sheet in layout.sub_sheets.items()]
    sheets = [Sheet(name, columns, [None] * len(columns), []) for name, columns in headings]
    titles = package_titles()
    meta_rows = [{"field": titles.get(path, path), "value": None, "type": None} for path in titles]
    sheets.append(Sheet(META_SHEET, [], [], meta_rows))
    write_atomically(output, lambda path: WRITERS[fmt](path, sheets))
