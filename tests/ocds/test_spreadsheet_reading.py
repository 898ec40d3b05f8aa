"""Reading spreadsheets with calamine, row by row: bad spreadsheets get a clear message naming the sheet and cell,
on the command line as on the web, and no module reaches into flatten-tool's private modules."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from opencare.ocds.spreadsheets import SpreadsheetError, spreadsheet_to_json

SRC = Path(__file__).resolve().parents[2] / "src"
OPENCARE = Path(sys.executable).with_name("opencare")
#: flatten-tool's public API: the functions its documentation describes (flatten, unflatten, create_template).
PUBLIC_FLATTEN_TOOL = {"flatten", "unflatten", "create_template"}
#: Modules allowed to import flatten-tool's private modules: none (reading and writing use no flatten-tool module).
ALLOWED_PRIVATE_FLATTEN_TOOL_IMPORTS: set[str] = set()


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return book


def review(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OPENCARE, "review", str(path)], capture_output=True, check=False)


def private_flatten_tool_imports(path: Path) -> list[str]:
    """The flatten-tool modules or names a source file imports beyond its public API."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("flattentool.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flattentool"):
            if node.module != "flattentool":
                found.append(node.module or "")
            else:
                found += [alias.name for alias in node.names if alias.name not in PUBLIC_FLATTEN_TOOL]
    return found


def test_no_module_reads_or_writes_spreadsheets_through_a_private_flatten_tool_module():
    private = {
        str(path.relative_to(SRC)): imports
        for path in SRC.rglob("*.py")
        if (imports := private_flatten_tool_imports(path))
    }

    assert set(private) == ALLOWED_PRIVATE_FLATTEN_TOOL_IMPORTS, private


def test_private_import_check_sees_a_private_module(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("from flattentool.input import SpreadsheetInput\nfrom flattentool import unflatten\n")

    assert private_flatten_tool_imports(source) == ["flattentool.input"]


def test_merged_cells_are_named_with_their_sheet_and_first_cell(tmp_path):
    book = workbook(tmp_path / "in.xlsx", {"releases": [["ocid", "id", "tender/title"], ["o-1", "r1", "Care"],
                                                         ["o-2", "r2", None]]})  # fmt: skip
    book["releases"].merge_cells("C2:C3")
    book.save(tmp_path / "in.xlsx")

    source_map = spreadsheet_to_json(tmp_path / "in.xlsx", "xlsx", tmp_path / "out.json")

    assert {"sheet": "releases", "cell": "C2", "message": "Cells C2 to C3 are merged. Only the first, C2, was read; "
            "the others were read as empty. Unmerge them and fill in each cell."} in source_map.warnings  # fmt: skip


def test_a_hidden_sheet_is_read_and_named_in_a_warning(tmp_path):
    parties = [["ocid", "id", "parties/0/id"], ["o-1", "r1", "p1"]]
    book = workbook(tmp_path / "in.xlsx", {"releases": [["ocid", "id"], ["o-1", "r1"]], "parties": parties})
    book["parties"].sheet_state = "hidden"
    book.save(tmp_path / "in.xlsx")

    source_map = spreadsheet_to_json(tmp_path / "in.xlsx", "xlsx", tmp_path / "out.json")

    assert json.loads((tmp_path / "out.json").read_text())["releases"][0]["parties"] == [{"id": "p1"}]
    hidden = [warning for warning in source_map.warnings if "hidden" in warning["message"]]
    assert [(warning["sheet"], warning["cell"]) for warning in hidden] == [("parties", "A1")]


def test_a_value_on_the_last_row_excel_allows_is_refused_naming_the_sheet_before_a_huge_grid_is_built(tmp_path):
    path = tmp_path / "in.xlsx"
    workbook(path, {"releases": [["ocid", "id", "title"], ["o-1", "r1", "Care"]]}).save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    last = b'<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>o-2</t></is></c></row></sheetData>'
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", last)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    with pytest.raises(SpreadsheetError, match="the sheet 'releases' has more than") as refused:
        spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")

    assert refused.value.sheet == "releases"
    assert refused.value.too_big
    result = review(path)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_opencare_review_reads_a_spreadsheet_and_names_each_warnings_sheet_and_cell(tmp_path):
    path = tmp_path / "in.xlsx"
    workbook(path, {"releases": [["ocid", "id", "tender/numberOfTenderers"], ["o-1", "r1", "five"]]}).save(path)

    result = review(path)

    assert result.returncode == 1  # the release lacks required fields: the data has errors
    assert b"(sheet 'releases', cell C2)" in result.stderr
    assert b'"five" is not a whole number' in result.stderr
    assert b"Traceback" not in result.stderr


def test_opencare_review_of_a_password_protected_workbook_exits_2_with_a_clear_message(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # an encrypted workbook is an OLE2 file

    result = review(path)

    assert result.returncode == 2
    assert b"password-protected" in result.stdout + result.stderr
    assert b"Traceback" not in result.stderr


def test_opencare_review_of_a_csv_in_an_unknown_encoding_exits_2_naming_the_sheet(tmp_path):
    path = tmp_path / "sheets.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("releases.csv", b"ocid,id,title\r\no-1,r1,\x81\x8d\x90\r\n")

    result = review(path)

    assert result.returncode == 2
    assert b"releases.csv is not in UTF-8" in result.stdout + result.stderr
    assert b"Traceback" not in result.stderr


def test_a_damaged_workbook_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "in.xlsx"
    workbook(path, {"releases": [["ocid", "id"], ["o-1", "r1"]]}).save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r="
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    with pytest.raises(SpreadsheetError, match="could not be read"):
        spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()
