"""XLSX sheets streamed from their XML a row at a time: the same values calamine reads, shared strings kept on disk
past a limit, and bad workbooks (far rows, errors, formulas, merged cells, hidden sheets) named by sheet and cell."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from opencare.ocds.spreadsheets import SpreadsheetError, spreadsheet_to_json, xlsx_values
from opencare.ocds.spreadsheets.xlsx_reader import XlsxReader
from opencare.ocds.spreadsheets.xlsx_values import DATE, DURATION, format_kind

OPENCARE = Path(sys.executable).with_name("opencare")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
INLINE_RE = re.compile(
    rb'(<c r="[A-Z]+\d+")(?: s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>'
)

#: Number formats with the kind of value a cell in them gives (DATE, DURATION or None: a number).
FORMATS = {
    "dd/mm/yyyy": DATE,
    "yyyy-mm-dd h:mm": DATE,
    "h:mm": DATE,
    "[h]:mm:ss": DURATION,
    '"Year" yyyy': DATE,
    "#,##0;[Red]-#,##0": None,
    "0.00%": None,
    "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy": DATE,
    "mmm-yy": DATE,
    '0.0" days"': None,
    "[Blue]0.00": None,
    "General": None,
}


def rewrite(path: Path, member: str, change: Any) -> None:
    """Change one part of a saved workbook."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = change(members[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def with_shared_strings(path: Path, sheet_member: str = "xl/worksheets/sheet1.xml") -> list[str]:
    """Move a sheet's inline strings (openpyxl writes text so) to a shared strings part, as Excel keeps them; the
    strings, in their order."""
    strings: list[str] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(2).decode())  # still XML text: entities as they were
        return match.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"

    rewrite(path, sheet_member, lambda xml: INLINE_RE.sub(shared, xml))
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    count = len(strings)
    table = f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'
    members = {"xl/sharedStrings.xml": table.encode()}
    relationship = (b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')  # fmt: skip
    override = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')  # fmt: skip
    rewrite(path, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace(b"</Relationships>", relationship))
    rewrite(path, "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", override))
    with zipfile.ZipFile(path, "a") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return strings


def streamed(path: Path, tmp_path: Path, sheet: str) -> list[list[Any]]:
    reader = XlsxReader(path, tmp_path)
    try:
        reader.sheet_names()
        return [list(row) for row in reader.rows(sheet, 1, 10_000)]
    finally:
        reader.close()


def calamine_rows(path: Path, sheet: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return [list(row) for row in book.get_sheet_by_name(sheet).iter_rows()]
    finally:
        book.close()


def trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without blank cells at their ends, nor blank rows at the end: calamine pads them to its grid."""
    rows = [list(row) for row in rows]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def test_streamed_rows_hold_what_calamine_reads_for_every_kind_of_cell(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "kinds"
    sheet.append(["text", 1, 2.5, True, False, -0.0, 1e20, 12345678901234567890, " spaces ", "a&b<c>", "é 😀"])
    sheet.append([datetime.date(2024, 1, 31), datetime.datetime(2024, 1, 31, 13, 45, 7), datetime.time(13, 45),
                  datetime.timedelta(hours=30), datetime.datetime(1900, 1, 1),
                  datetime.datetime(2024, 2, 29, 0, 0, 1)])  # fmt: skip
    for column, (number_format, value) in enumerate(
        [(code, 45322.25) for code in FORMATS] + [("dd/mm/yyyy", 59), ("dd/mm/yyyy", 61), ("h:mm", 0.999)], start=1
    ):
        cell = sheet.cell(row=3, column=column, value=value)
        cell.number_format = number_format
    sheet["A4"] = CellRichText("rich ", TextBlock(InlineFont(b=True), "text"))
    sheet["C4"] = "=1+1"
    sheet["E4"] = "after a gap"
    sheet["B6"] = "after an empty row"
    path = tmp_path / "kinds.xlsx"
    book.save(path)
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v></v>", b"<v>2</v>", 1))

    rows = streamed(path, tmp_path, "kinds")

    assert trimmed(rows) == trimmed(calamine_rows(path, "kinds"))
    assert rows[3][:3] == ["rich text", "", 2.0]
    assert rows[4] == []


def test_inline_strings_errors_and_1904_dates_are_read_as_calamine_reads_them(tmp_path):
    path = tmp_path / "in.xlsx"
    openpyxl.Workbook().save(path)
    cells = (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r><rPh><t>x</t>'
             b'</rPh></is></c><c r="B1" t="e"><v>#N/A</v></c><c r="C1" s="1"><v>1000.5</v></c><c r="D1" t="str">'
             b'<f>"a"</f><v>a</v></c><c r="E1" t="b"><v>1</v></c></row></sheetData>')  # fmt: skip
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData></sheetData>", cells))
    rewrite(path, "xl/workbook.xml", lambda xml: xml.replace(b"<workbookPr", b'<workbookPr date1904="1"', 1))
    rewrite(path, "xl/styles.xml", lambda xml: xml.replace(b"</cellXfs>", b'<xf numFmtId="22"/></cellXfs>', 1))

    rows = streamed(path, tmp_path, "Sheet")

    assert rows == [["inline", "", datetime.datetime(1906, 9, 27, 12, 0), "a", True]]
    assert trimmed(rows) == trimmed(calamine_rows(path, "Sheet"))


@pytest.mark.parametrize(("code", "kind"), FORMATS.items())
def test_a_number_format_says_whether_a_number_is_a_date_or_a_duration(code, kind):
    assert format_kind(code) == kind


def test_shared_strings_past_the_memory_limit_are_read_back_from_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_values, "STRINGS_IN_MEMORY", 64)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "releases"
    sheet.append(["ocid", "id", "title"])
    titles = [f"Home care lot {number} \N{EN DASH} {'x' * (number % 7)} & <more>" for number in range(300)]
    for number, title in enumerate(titles):
        sheet.append([f"ocds-1-{number}", f"r{number}", title])
    path = tmp_path / "in.xlsx"
    book.save(path)
    assert len(with_shared_strings(path)) == 903

    spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")

    releases = json.loads((tmp_path / "out.json").read_text())["releases"]
    assert [release["title"] for release in releases] == titles
    assert trimmed(streamed(path, tmp_path, "releases")) == trimmed(calamine_rows(path, "releases"))
    assert not (tmp_path / "shared-strings.bin").exists()


def test_shared_strings_with_rich_text_and_phonetic_guides_are_read_as_calamine_reads_them(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["plain", "second"])
    book.save(path)
    with_shared_strings(path)
    rich = (
        b'<si><r><t>ri</t></r><r><rPr><b/></rPr><t xml:space="preserve">ch </t></r>'
        b'<rPh sb="0" eb="1"><t>guide</t></rPh></si>'
    )
    rewrite(path, "xl/sharedStrings.xml", lambda xml: xml.replace(b"<si><t>second</t></si>", rich))

    rows = streamed(path, tmp_path, "Sheet")

    assert rows == [["plain", "rich "]]
    assert trimmed(rows) == trimmed(calamine_rows(path, "Sheet"))


def test_a_formatted_empty_row_at_excel_s_last_row_is_read_not_refused(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "releases"
    book.active.append(["ocid", "id", "title"])
    book.active.append(["o-1", "r1", "Care"])
    book.save(path)
    empty = b'<row r="1048576" s="1" customFormat="1"><c r="Z1048576" s="1"/></row></sheetData>'
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>", empty))

    source_map = spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")

    releases = json.loads((tmp_path / "out.json").read_text())["releases"]
    assert releases == [{"ocid": "o-1", "id": "r1", "title": "Care"}]
    assert source_map.warnings == []


def test_a_value_on_excel_s_last_row_is_refused_naming_its_sheet_and_cell(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "releases"
    book.active.append(["ocid", "id", "title"])
    book.save(path)
    far = b'<row r="1048576"><c r="C1048576" t="inlineStr"><is><t>stray</t></is></c></row></sheetData>'
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>", far))

    with pytest.raises(SpreadsheetError) as refused:
        spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")

    assert (refused.value.sheet, refused.value.cell, refused.value.too_big) == ("releases", "C1048576", True)
    assert "its cell C1048576 has a value" in refused.value.message
    assert not (tmp_path / "out.json").exists()


def test_a_cell_showing_an_error_is_read_as_empty_with_a_warning_naming_it(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "releases"
    book.active.append(["ocid", "id", "tender/value/amount"])
    book.active.append(["o-1", "r1", "#DIV/0!"])
    book.active["C2"].data_type = "e"
    book.save(path)

    source_map = spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")

    assert "tender" not in json.loads((tmp_path / "out.json").read_text())["releases"][0]
    [warning] = source_map.warnings
    assert (warning["sheet"], warning["cell"]) == ("releases", "C2")
    assert warning["message"].startswith("Cell C2 shows an error (#DIV/0!), so it was read as empty.")


def test_a_sheet_that_is_not_well_formed_xml_is_refused_naming_its_part(tmp_path):
    path = tmp_path / "in.xlsx"
    openpyxl.Workbook().save(path)
    damaged = b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ocid</t></is></c></row><row><c r=</sheetData>'
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData></sheetData>", damaged))

    with pytest.raises(SpreadsheetError, match=r"its part xl/worksheets/sheet1\.xml is damaged"):
        spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")


def test_opencare_review_names_the_sheet_and_cell_of_each_formula_merge_error_and_hidden_sheet(tmp_path):
    book = openpyxl.Workbook()
    releases = book.active
    releases.title = "releases"
    releases.append(["ocid", "id", "tender/title", "tender/value/amount", "tender/numberOfTenderers"])
    releases.append(["o-1", "r1", "Home care", "=SUM(1,2)", "#N/A"])
    releases.append(["o-2", "r2", None, 5, "three"])
    releases["E2"].data_type = "e"
    releases.merge_cells("C2:C3")
    parties = book.create_sheet("parties")
    parties.append(["ocid", "id", "parties/0/id"])
    parties.append(["o-1", "r1", "p1"])
    parties.sheet_state = "hidden"
    path = tmp_path / "bad.xlsx"
    book.save(path)

    result = subprocess.run([OPENCARE, "review", str(path)], capture_output=True, check=False)

    output = result.stderr.decode()
    assert result.returncode in (0, 1)  # read and reviewed: the findings say what to fix
    assert "Traceback" not in output
    assert "(sheet 'releases', cell D2): Cell D2 has a formula (=SUM(1,2))" in output
    assert "(sheet 'releases', cell E2): Cell E2 shows an error (#N/A)" in output
    assert "(sheet 'releases', cell C2): Cells C2 to C3 are merged" in output
    assert "(sheet 'parties', cell A1): The sheet 'parties' is hidden" in output
    assert "(sheet 'releases', cell E3): \"three\" is not a whole number" in output


def test_opencare_review_of_a_value_on_excel_s_last_row_exits_2_naming_the_sheet_and_cell(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "releases"
    book.active.append(["ocid", "id"])
    book.save(path)
    far = b'<row r="1048576"><c r="B1048576"><v>1</v></c></row></sheetData>'
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>", far))

    result = subprocess.run([OPENCARE, "review", str(path)], capture_output=True, check=False)

    assert result.returncode == 2
    output = (result.stdout + result.stderr).decode()
    assert "sheet 'releases', cell B1048576" in output
    assert "Traceback" not in output


def test_a_date_written_as_iso_text_is_read_as_that_date_and_other_text_is_kept(tmp_path):
    path = tmp_path / "in.xlsx"
    openpyxl.Workbook().save(path)
    cells = (
        b'<sheetData><row r="1"><c r="A1" t="d"><v>2024-01-31T13:45:00</v></c>'
        b'<c r="B1" t="d"><v>soon</v></c></row></sheetData>'
    )
    rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData></sheetData>", cells))

    assert streamed(path, tmp_path, "Sheet") == [[datetime.datetime(2024, 1, 31, 13, 45), "soon"]]
