"""`opencare template`, `opencare convert` and `opencare review` of a filled template: files written, exit codes,
and bad input refused with exit status 2 and a message naming what to fix."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from tests.builders.care_template import filled_template

from opencare.cli import main


def _run(*arguments: str):
    return CliRunner().invoke(main, list(arguments))


def test_template_writes_the_social_care_template_as_xlsx_and_ods(tmp_path):
    for name in ("care.xlsx", "care.ods"):
        result = _run("template", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "care.xlsx").sheetnames[:3] == [
        "Instructions", "About the publisher", "Contracts",
    ]  # fmt: skip
    assert (tmp_path / "care.ods").stat().st_size > 0


def test_template_full_keeps_the_full_profile_template(tmp_path):
    result = _run("template", "--full", "-o", str(tmp_path / "full.xlsx"))
    assert result.exit_code == 0, result.output
    assert len(openpyxl.load_workbook(tmp_path / "full.xlsx", read_only=True).sheetnames) > 10


def test_template_with_an_unknown_extension_exits_2_and_says_which_to_use(tmp_path):
    result = _run("template", "-o", str(tmp_path / "care.docx"))
    assert result.exit_code == 2
    assert "End the file name with .xlsx, .ods or .zip" in result.output
    assert not (tmp_path / "care.docx").exists()


def test_convert_a_filled_template_to_json_and_back(tmp_path):
    source = filled_template(tmp_path / "filled.xlsx")
    result = _run("convert", str(source), "-o", str(tmp_path / "data.json"))
    assert result.exit_code == 0, result.output
    package = json.loads((tmp_path / "data.json").read_text())
    assert len(package["releases"]) == 2
    result = _run("convert", str(tmp_path / "data.json"), "-o", str(tmp_path / "again.ods"))
    assert result.exit_code == 0, result.output
    result = _run("convert", str(tmp_path / "again.ods"), "-o", str(tmp_path / "again.json"))
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "again.json").read_text())
    assert [r["id"] for r in again["releases"]] == [r["id"] for r in package["releases"]]


def test_convert_a_template_with_a_bad_cell_exits_2_naming_the_cell_and_writes_nothing(tmp_path):
    source = filled_template(tmp_path / "filled.xlsx")
    workbook = openpyxl.load_workbook(source)
    workbook["Contracts"].cell(4, 7, "31/02/2026")
    workbook.save(source)
    result = _run("convert", str(source), "-o", str(tmp_path / "data.json"))
    assert result.exit_code == 2
    assert "Contracts!G4: the end date 31/02/2026 is not a date." in result.output
    assert not (tmp_path / "data.json").exists()


def test_convert_broken_json_exits_2_with_the_place(tmp_path):
    (tmp_path / "broken.json").write_text('{"releases": [')
    result = _run("convert", str(tmp_path / "broken.json"), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2
    assert "Cannot read the input" in result.output
    assert "line 1" in result.output


def test_convert_a_full_profile_workbook_without_full_exits_2_and_suggests_full(tmp_path):
    _run("template", "--full", "-o", str(tmp_path / "full.xlsx"))
    result = _run("convert", str(tmp_path / "full.xlsx"), "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 2
    assert "is not the social-care template" in result.output
    assert "--full" in result.output


def test_convert_to_an_unknown_extension_exits_2(tmp_path):
    source = filled_template(tmp_path / "filled.xlsx")
    result = _run("convert", str(source), "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 2
    assert "End the output file name with .json" in result.output


def test_review_reads_a_filled_template(tmp_path):
    result = _run("review", str(filled_template(tmp_path / "filled.xlsx")))
    assert result.exit_code == 0, result.output
    assert "No errors" in result.output
    assert "2 releases" in result.output


def test_review_of_a_template_with_bad_cells_exits_2_naming_each_cell(tmp_path):
    source = filled_template(tmp_path / "filled.xlsx")
    workbook = openpyxl.load_workbook(source)
    workbook["Targets"].cell(4, 2, "Visits late")
    workbook["Monthly figures"].cell(5, 4, "=1+1")
    workbook.save(source)
    result = _run("review", str(source))
    assert result.exit_code == 2
    assert "Targets!B4: 'Visits late' is not a measure in the list." in result.output
    assert "Monthly figures!D5: this cell has a formula (=1+1)." in result.output


PASSWORD_PROTECTED = Path(__file__).parent.parent / "fixtures" / "spreadsheets" / "password-protected.xlsx"


def test_convert_json_to_a_csv_zip_template_and_back_and_review_it(tmp_path):
    _run("convert", str(filled_template(tmp_path / "filled.xlsx")), "-o", str(tmp_path / "data.json"))
    result = _run("convert", str(tmp_path / "data.json"), "-o", str(tmp_path / "care.zip"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "care.zip") as archive:
        assert "Contracts.csv" in archive.namelist()
    result = _run("convert", str(tmp_path / "care.zip"), "-o", str(tmp_path / "back.json"))
    assert result.exit_code == 0, result.output
    package, back = (json.loads((tmp_path / name).read_text()) for name in ("data.json", "back.json"))
    assert [r["id"] for r in back["releases"]] == [r["id"] for r in package["releases"]]
    result = _run("review", str(tmp_path / "care.zip"))
    assert result.exit_code == 0, result.output
    assert "2 releases" in result.output


def test_template_writes_the_blank_template_as_a_zip_of_csv_files(tmp_path):
    result = _run("template", "-o", str(tmp_path / "care.zip"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "care.zip") as archive:
        assert "About the publisher.csv" in archive.namelist()


def test_convert_and_review_of_a_password_protected_workbook_exit_2_saying_to_remove_the_password(tmp_path):
    for arguments in (("convert", str(PASSWORD_PROTECTED), "-o", str(tmp_path / "out.json")),
                      ("review", str(PASSWORD_PROTECTED))):  # fmt: skip
        result = _run(*arguments)
        assert result.exit_code == 2
        assert "This workbook is password-protected (encrypted), so it cannot be read" in result.output
        assert "remove the password" in result.output
    assert not (tmp_path / "out.json").exists()


def test_convert_a_template_with_a_hidden_sheet_exits_2_naming_the_sheet(tmp_path):
    source = filled_template(tmp_path / "filled.xlsx")
    workbook = openpyxl.load_workbook(source)
    workbook["Documents"].sheet_state = "hidden"
    workbook.save(source)
    result = _run("convert", str(source), "-o", str(tmp_path / "data.json"))
    assert result.exit_code == 2
    assert "Documents!A1: this sheet is hidden" in result.output
    assert not (tmp_path / "data.json").exists()
