"""The spreadsheet formats, and the names of the sheets a release package is laid out on.

The package docstring describes the layout: one sheet for the releases, one for each list of objects, and a Meta
sheet for the package metadata.
"""

SPREADSHEET_FORMATS = ("xlsx", "csv", "ods")
FORMAT_NAMES = {"xlsx": "an Excel workbook (.xlsx)", "ods": "an OpenDocument spreadsheet (.ods)",
                "csv": "a zip file of CSV files"}  # fmt: skip
MAIN_SHEET = "releases"
META_SHEET = "Meta"
#: The part of an XLSX file opencare writes that lists the cells whose numbers were floats with nothing after the
#: point in the JSON (2.0), by sheet: spreadsheets keep every number as a float, so it is the only way to tell.
WHOLE_FLOATS_MEMBER = "opencare/whole-floats.json"
