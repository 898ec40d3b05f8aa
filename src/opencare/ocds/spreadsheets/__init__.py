"""Convert OCDS release packages to and from spreadsheets in flatten-tool's layout, against the social-care profile.

Reading streams each XLSX sheet's XML a row at a time (expat; ODS with python-calamine) and builds releases row by
row, in bounded memory (release_rows); writing flattens each release in one pass (release_flattening) and streams
the workbook's XML (sheet_writers). No flatten-tool module is used: the layout is worked out from the schema by its
documented rules (schema_sheets).

Formats: XLSX, ODS (reading only) and "csv", a zip of CSV files with one file per sheet. The main sheet is
``releases``: one row per release. Each list of objects, such as ``parties`` or ``contracts/implementation/metrics``,
has a sheet of its own, whose rows carry the ids of the release and of the objects they belong to. Package metadata
(uri, publisher, extensions...) is on a two-column ``Meta`` sheet (field, value), as in the OCDS Data Review Tool.
Column headings are field paths (``tender/value/amount``) or the schema's titles (``Tender:Value:Amount``): both are
read.

Safety. Every input is a zip container, so ``check_archive`` refuses zip bombs (declared sizes, ratios, overlapping
members) and then decompresses every member once, in chunks, to prove the declared sizes true before any library
unpacks it. An XLSX sheet is never held whole, only the row being read (shared strings are kept as bytes, on disk
past 16 MB); a sheet whose grid, from A1 to its last value, passes ``MAX_GRID_CELLS`` is refused naming that value's
cell, so a stray value far away cannot make the reader walk through a million empty rows (empty formatted rows cost
nothing). Rows then wait in a SQLite file in a temporary folder until every sheet is read, and each
release is built from its own rows and written out in turn; the source map's cells go to a SQLite file beside the
output. Formulas are never calculated: the value the spreadsheet program last saved is read, and a warning names
the cell. Merged cells, cells showing an error (read as empty) and hidden sheets are read, with a warning naming
them. On the way out, text that a
spreadsheet program would take for a formula is neutralised (an explicit text cell in XLSX, a leading apostrophe
in CSV). Nothing reaches the network: only references inside the schema itself are followed.

What round-trips (JSON to XLSX or CSV and back, proven on the demo data): every field, string, number and boolean,
with its JSON type: numbers keep their exact digits and int/float kind (openpyxl would round 92.4 to
92.40000000000001, so numeric cells are written from the JSON text; spreadsheets keep every number as a float, so
the XLSX files written here list the cells of whole numbers that were floats, such as 2.0, in a part of their own,
which spreadsheet programs ignore); fields that may be text or a number, such as a
metric observation's ``measure`` or fields unknown to the profile, keep their type (XLSX: from the cell's type; CSV:
plain numbers are numbers, text that looks like a number is written with a leading apostrophe); lists of strings,
even with commas in them; lists of objects with ids, however deeply nested, in their order; package metadata.

Limitations (documented, not fixed):

- Empty strings, empty lists, empty objects and nulls are dropped: a blank cell means "no value".
- A string in a list of strings that contains ";" is split in two (";" separates the items in a cell). A list of
  strings in a field the profile does not know comes back as one string joined with ";".
- Objects in a list need an ``id``: two objects with the same id in one list are merged; objects without ids in a
  list that is itself inside a list without ids cannot be told apart.
- Releases come back grouped by ocid (releases of one contracting process together), in order within each ocid.
- A number that JSON cannot hold as it is (an integer beyond 64 bits, or beyond the range of a float) is kept as
  text, with a warning.
- XLSX: control characters other than tab, line feed and carriage return cannot be stored and are removed. Excel
  keeps only 15 significant digits and 32,767 characters per cell when it saves a file; opening and saving a file in
  Excel can change longer numbers or text (this package writes and reads them exactly).
- CSV: an integer id in a field that may be text or an integer (OCDS ids) comes back as text; a cell longer than
  131,072 characters cannot be read.
- A whole number that was a float in the JSON (2.0) comes back as an integer (2) from a workbook saved by a
  spreadsheet program, which drops the part that lists them.
- ODS: read only.

Modules, from the bottom up:

- ``errors``: SpreadsheetError, what is wrong and how to fix it.
- ``layout``: the formats and the sheet names.
- ``archive``: detect_spreadsheet and check_archive (recognising a spreadsheet, refusing zip bombs).
- ``fields``: each field's JSON types and kind in the schema, and its titles (headings as titles to field paths).
- ``schema_sheets``: the sheets and columns the schema gives the layout, by flatten-tool's rules.
- ``release_flattening``: releases flattened onto those sheets in one pass, rows spooled to disk.
- ``cell_values``: text a spreadsheet program would read as something else; numbers JSON can hold.
- ``atomic_write``: an output file is written whole or not at all.
- ``sheet_writers``: sheets to an XLSX workbook or a zip of CSV files, formulas neutralised.
- ``writing``: json_to_spreadsheet and write_template.
- ``source_map``: SourceMap, the sheet and cell each value came from.
- ``sheet_reader``: a workbook's sheets row by row, bounded; ``xlsx_reader`` streams XLSX (its values:
  ``xlsx_values``), ``calamine_sheets`` reads ODS (``ods_reader``) and ``csv_reader`` a zip of CSV files.
- ``json_types``: cell values to the JSON types the schema says, with a note for a value that does not fit.
- ``release_rows``: releases built from rows in flatten-tool's layout, with the source map.
- ``reading``: spreadsheet_to_json.
"""

from opencare.ocds.spreadsheets.archive import MAX_MEMBERS, check_archive, detect_spreadsheet
from opencare.ocds.spreadsheets.errors import SpreadsheetError
from opencare.ocds.spreadsheets.layout import SPREADSHEET_FORMATS
from opencare.ocds.spreadsheets.reading import spreadsheet_to_json
from opencare.ocds.spreadsheets.source_map import SourceMap
from opencare.ocds.spreadsheets.writing import json_to_spreadsheet, write_template

__all__ = [
    "MAX_MEMBERS",
    "SPREADSHEET_FORMATS",
    "SourceMap",
    "SpreadsheetError",
    "check_archive",
    "detect_spreadsheet",
    "json_to_spreadsheet",
    "spreadsheet_to_json",
    "write_template",
]
