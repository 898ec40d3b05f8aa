"""Spreadsheets: OCDS JSON to XLSX/CSV and back without loss, templates, source maps, and refusing unsafe files."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.readers import InputError
from opencare.ocds.spreadsheets import (
    MAX_MEMBERS,
    SPREADSHEET_FORMATS,
    SpreadsheetError,
    check_archive,
    detect_spreadsheet,
    json_to_spreadsheet,
    spreadsheet_to_json,
    write_template,
)
from opencare.ocds.spreadsheets.csv_reader import extract_csvs

Json = dict[str, Any]
SUFFIX = {"xlsx": ".xlsx", "csv": ".zip", "ods": ".ods"}
FORMULA = '=HYPERLINK("http://evil.example/","click")'
#: Text that a spreadsheet program would take for a formula or a number, and text that already starts with the
#: apostrophe used to neutralise it.
TRICKY = [FORMULA, "+1", "-x", "@SUM(1)", "\tx", "\rx", "'=x", "''=x", "'abc", "'-5", "'", "5", "True", "007"]


def canonical(value: Any) -> str:
    """JSON text with sorted keys: equal only if every value, and every number's int/float kind, is equal."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def write_json(path: Path, value: Json) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def round_trip(tmp_path: Path, package: Json, fmt: str, *, use_titles: bool = False) -> tuple[Json, Any]:
    source = write_json(tmp_path / "package.json", package)
    sheet = tmp_path / f"package{SUFFIX[fmt]}"
    json_to_spreadsheet(source, sheet, fmt, use_titles=use_titles)
    back = tmp_path / "back.json"
    source_map = spreadsheet_to_json(sheet, fmt, back)
    return json.loads(back.read_text(encoding="utf-8")), source_map


def release(ocid: str = "ocds-abc123-1", release_id: str = "r1", **fields: Any) -> Json:
    return {"ocid": ocid, "id": release_id, "date": "2024-01-01T00:00:00Z", "tag": ["tender"], **fields}


def package(*releases: Json) -> Json:
    metadata = {"uri": "https://example.org/p.json", "version": "1.1", "publishedDate": "2024-01-01T00:00:00Z"}
    return {**metadata, "publisher": {"name": "Example council"}, "releases": list(releases)}


def measures(value: Any) -> list[Any]:
    if isinstance(value, dict):
        found = [value["measure"]] if "measure" in value else []
        return found + [m for item in value.values() for m in measures(item)]
    if isinstance(value, list):
        return [m for item in value for m in measures(item)]
    return []


def xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path


def ods(path: Path, rows: list[list[Any]]) -> Path:
    document = OpenDocumentSpreadsheet()
    table = Table(name="releases")
    for values in rows:
        row = TableRow()
        for value in values:
            number = isinstance(value, int | float)
            cell = TableCell(valuetype="float", value=value) if number else TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def declare_size(path: Path, size: int) -> None:
    """Make a one-member zip file claim that its member unpacks to ``size`` bytes."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at : at + 4] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def demo() -> Json:
    return borsetdale_release_package()


# --- Round trips -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("use_titles", [False, True], ids=["field paths", "titles"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_demo_package_round_trips_with_every_value_and_type_kept(tmp_path, demo, fmt, use_titles, no_network):
    back, source_map = round_trip(tmp_path, demo, fmt, use_titles=use_titles)

    assert canonical(back) == canonical(demo)  # releases, package metadata, int/float kinds
    assert source_map.warnings == []
    observed = measures(back["releases"])
    assert observed == measures(demo["releases"])
    assert all(isinstance(measure, int | float) for measure in observed)
    assert 92.4 in observed or any(isinstance(m, float) and not m.is_integer() for m in observed)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_awkward_values_round_trip_exactly(tmp_path, fmt):
    awkward = release(
        description="line 1\r\nline 2\rline 3\n£ é ✓ \u2028",
        parties=[
            {"id": f"p{index}", "name": text, "roles": ["buyer", "a,b", "c"]} for index, text in enumerate(TRICKY)
        ],
        tender={
            "id": "t1",
            "value": {"amount": 1e20, "currency": "GBP"},
            "items": [{"id": "1", "quantity": 3.5}, {"id": "2", "quantity": 36}],
            "targets": [
                {
                    "id": "m1",
                    "observations": [
                        {"id": "o1", "measure": "92.4"},  # text that looks like a number, in a text-or-number field
                        {"id": "o2", "measure": 92.4},
                        {"id": "o3", "measure": "'92.4"},
                        {"id": "o4", "measure": "met"},
                        {"id": "o5", "measure": 3},
                        {"id": "o6", "measure": 2.0},
                        {"id": "o7", "measure": "-5"},
                    ],
                }
            ],
        },
        unknownExtension={"number": 1.5, "integer": 7, "flag": True, "text": "5", "formula": "=1+1"},
    )
    original = package(awkward)
    original["publisher"]["name"] = "=Example"

    back, source_map = round_trip(tmp_path, original, fmt)

    assert canonical(back) == canonical(original)
    assert source_map.warnings == []


def test_csv_files_in_alphabetical_order_still_round_trip(tmp_path, demo):
    # Zip tools list files alphabetically, where "par_additionalIdentifiers" comes before "parties": an object's
    # place in its list must come from its own sheet, not its children's.
    source = write_json(tmp_path / "package.json", demo)
    json_to_spreadsheet(source, tmp_path / "written.zip", "csv")
    with zipfile.ZipFile(tmp_path / "written.zip") as written:
        members = {name: written.read(name) for name in sorted(written.namelist())}
    zip_of(tmp_path / "sorted.zip", members)

    spreadsheet_to_json(tmp_path / "sorted.zip", "csv", tmp_path / "back.json")

    assert canonical(json.loads((tmp_path / "back.json").read_text())) == canonical(demo)


def test_integer_ids_keep_their_type_in_xlsx(tmp_path):
    original = package(release(tender={"id": 7, "items": [{"id": 1, "quantity": 2}]}))

    back, _ = round_trip(tmp_path, original, "xlsx")

    assert canonical(back) == canonical(original)


# --- Formula injection -----------------------------------------------------------------------------------------------


def test_formula_text_is_an_explicit_text_cell_in_xlsx_and_comes_back_exactly(tmp_path):
    original = package(release(title=FORMULA))
    source = write_json(tmp_path / "package.json", original)
    json_to_spreadsheet(source, tmp_path / "out.xlsx", "xlsx")

    worksheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["releases"]
    headings = [cell.value for cell in worksheet[1]]
    cell = worksheet.cell(row=2, column=headings.index("title") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")

    spreadsheet_to_json(tmp_path / "out.xlsx", "xlsx", tmp_path / "back.json")
    assert json.loads((tmp_path / "back.json").read_text())["releases"][0]["title"] == FORMULA


def test_formula_text_starts_with_an_apostrophe_in_csv_and_comes_back_exactly(tmp_path):
    original = package(release(title=FORMULA, description="'=already quoted"))
    source = write_json(tmp_path / "package.json", original)
    json_to_spreadsheet(source, tmp_path / "out.zip", "csv")

    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        text = archive.read("releases.csv").decode("utf-8-sig")
    assert "\"'=HYPERLINK(" in text
    assert "''=already quoted" in text

    spreadsheet_to_json(tmp_path / "out.zip", "csv", tmp_path / "back.json")
    back = json.loads((tmp_path / "back.json").read_text())["releases"][0]
    assert (back["title"], back["description"]) == (FORMULA, "'=already quoted")


def test_formula_in_an_xlsx_is_not_calculated_and_the_saved_value_is_used_with_a_warning(tmp_path):
    path = xlsx(
        tmp_path / "in.xlsx", {"releases": [["ocid", "id", "tender/value/amount"], ["o-1", "r1", "=SUM(1000,1000)"]]}
    )
    # The saved result is deliberately not the formula's: reading it proves nothing was calculated.
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"<v></v>", b"<v>1999</v>")
    zip_of(path, members)

    source_map = spreadsheet_to_json(path, "xlsx", tmp_path / "back.json")

    assert json.loads((tmp_path / "back.json").read_text())["releases"][0]["tender"]["value"]["amount"] == 1999
    [warning] = source_map.warnings
    assert (warning["sheet"], warning["cell"]) == ("releases", "C2")
    assert "formula" in warning["message"]
    assert "(1999)" in warning["message"]


def test_formula_without_a_saved_value_is_read_as_empty_with_a_warning(tmp_path):
    path = xlsx(tmp_path / "in.xlsx", {"releases": [["ocid", "id", "title"], ["o-1", "r1", "=A2&B2"]]})

    source_map = spreadsheet_to_json(path, "xlsx", tmp_path / "back.json")

    assert "title" not in json.loads((tmp_path / "back.json").read_text())["releases"][0]
    assert [(w["sheet"], w["cell"]) for w in source_map.warnings] == [("releases", "C2")]
    assert "no saved result" in source_map.warnings[0]["message"]


# --- Templates -------------------------------------------------------------------------------------------------------


def test_template_has_a_releases_sheet_headed_with_titles(tmp_path, no_network):
    write_template(tmp_path / "template.xlsx")

    workbook = openpyxl.load_workbook(tmp_path / "template.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "releases"
    headings = next(workbook["releases"].iter_rows(max_row=1, values_only=True))
    assert headings[:2] == ("Open Contracting ID", "Release ID")
    assert "Tender:Value:Amount" in headings
    assert not {"id", "ocid"} & set(headings)
    assert {"Parties", "Meta"} <= set(workbook.sheetnames)
    workbook.close()


def test_a_template_filled_with_one_row_becomes_a_release(tmp_path):
    write_template(tmp_path / "template.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "template.xlsx")
    worksheet = workbook["releases"]
    column = {cell.value: cell.column for cell in worksheet[1]}
    filled = {"Open Contracting ID": "ocds-abc123-1", "Release ID": "r1", "Release Tag": "tender",
              "Release Date": "2024-01-01T00:00:00Z", "Tender:Value:Amount": 1500.5}  # fmt: skip
    for heading, value in filled.items():
        worksheet.cell(row=2, column=column[heading], value=value)
    workbook.save(tmp_path / "filled.xlsx")

    spreadsheet_to_json(tmp_path / "filled.xlsx", "xlsx", tmp_path / "back.json")

    assert json.loads((tmp_path / "back.json").read_text()) == {
        "releases": [release("ocds-abc123-1", "r1", tender={"value": {"amount": 1500.5}})]
    }


def test_a_field_whose_title_another_field_shares_has_its_own_column_in_the_template(tmp_path):
    """The profile titles maximumLotsBidPerSupplier as maximumLotsAwardedPerSupplier is titled; the title column
    reads as the second, so the first has a column headed with its path."""
    write_template(tmp_path / "template.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "template.xlsx")
    worksheet = workbook["releases"]
    column = {cell.value: cell.column for cell in worksheet[1]}
    filled = {"Open Contracting ID": "ocds-abc123-1", "Release ID": "r1", "Release Date": "2024-01-01T00:00:00Z",
              "Tender:Lot Details:Maximum lots per supplier": 2,
              "tender/lotDetails/maximumLotsBidPerSupplier": 3}  # fmt: skip
    for heading, value in filled.items():
        worksheet.cell(row=2, column=column[heading], value=value)
    workbook.save(tmp_path / "filled.xlsx")

    spreadsheet_to_json(tmp_path / "filled.xlsx", "xlsx", tmp_path / "back.json")

    tender = json.loads((tmp_path / "back.json").read_text())["releases"][0]["tender"]
    assert tender["lotDetails"] == {"maximumLotsAwardedPerSupplier": 2, "maximumLotsBidPerSupplier": 3}


def test_csv_template_is_a_zip_with_a_releases_file_headed_with_titles(tmp_path):
    write_template(tmp_path / "template.zip", "csv")

    with zipfile.ZipFile(tmp_path / "template.zip") as archive:
        heading = archive.read("releases.csv").decode("utf-8-sig").splitlines()[0]
    assert heading.startswith("Open Contracting ID,Release ID,")


# --- Source maps and warnings ----------------------------------------------------------------------------------------


@pytest.fixture
def mapped(tmp_path) -> Any:
    path = xlsx(
        tmp_path / "in.xlsx",
        {
            "releases": [
                ["ocid", "id", "tender/id", "tender/title", "tender/value/amount", "tender/numberOfTenderers"],
                ["o-1", "r1", "t1", None, 100, "five"],
                ["o-2", "r2", None, None, None, 3],
            ],
            "parties": [["ocid", "id", "parties/0/id", "parties/0/name"], ["o-1", "r1", "p1", "Council"]],
        },
    )
    return spreadsheet_to_json(path, "xlsx", tmp_path / "back.json")


def test_locate_gives_the_sheet_and_cell_of_a_value(mapped):
    assert mapped.locate("/releases/0/tender/value/amount") == [("releases", "E2")]
    assert mapped.locate("/releases/0/parties/0/name") == [("parties", "D2")]


def test_locate_gives_the_row_of_an_object(mapped):
    assert mapped.locate("/releases/1") == [("releases", "B3")]  # the release's id cell
    assert mapped.locate("/releases/0/parties/0") == [("parties", "C2")]  # the party's id cell


def test_locate_gives_the_empty_cell_of_a_missing_field_if_its_column_exists(mapped):
    assert mapped.locate("/releases/0/tender/title") == [("releases", "D2")]
    assert mapped.locate("/releases/1/tender/id") == [("releases", "C3")]
    assert mapped.locate("/releases/0/awards/0/id") == [("releases", "B2")]  # no column: the release's id cell
    assert mapped.locate("/releases/0/tag") == [("releases", "B2")]
    assert mapped.locate("/releases/9/id") == []
    assert mapped.locate("/nothing") == []


def test_source_map_survives_pickling_from_a_worker_process(mapped):
    copy = pickle.loads(pickle.dumps(mapped))

    assert copy.locate("/releases/0/tender/value/amount") == [("releases", "E2")]
    assert copy.warnings == mapped.warnings


def test_a_value_that_is_not_a_number_is_kept_as_text_with_a_plain_english_warning(tmp_path, mapped):
    assert json.loads((tmp_path / "back.json").read_text())["releases"][0]["tender"]["numberOfTenderers"] == "five"
    assert mapped.warnings == [
        {"message": '"five" is not a whole number, so it was kept as text.', "sheet": "releases", "cell": "F2"}
    ]


def test_columns_for_the_same_field_are_reported_and_the_first_filled_is_read(tmp_path):
    path = xlsx(tmp_path / "in.xlsx", {"releases": [["ocid", "Release ID", "id"], ["o-1", None, "r1"]]})

    source_map = spreadsheet_to_json(path, "xlsx", tmp_path / "back.json")

    assert json.loads((tmp_path / "back.json").read_text())["releases"] == [{"ocid": "o-1", "id": "r1"}]
    assert source_map.locate("/releases/0/id") == [("releases", "C2")]
    assert "B (Release ID), C (id)" in source_map.warnings[0]["message"]


def test_an_ods_spreadsheet_becomes_a_release_package(tmp_path):
    path = ods(tmp_path / "in.ods", [["ocid", "id", "tender/value/amount", "title"], ["o-1", "r1", 92.4, "Home care"]])

    source_map = spreadsheet_to_json(path, "ods", tmp_path / "back.json")

    assert json.loads((tmp_path / "back.json").read_text()) == {
        "releases": [{"ocid": "o-1", "id": "r1", "tender": {"value": {"amount": 92.4}}, "title": "Home care"}]
    }
    assert source_map.locate("/releases/0/title") == [("releases", "D2")]


# --- Recognising files -----------------------------------------------------------------------------------------------


def test_detect_spreadsheet_recognises_each_format_by_its_content(tmp_path):
    write_template(tmp_path / "a.data")
    zip_of(tmp_path / "b.data", {"releases.csv": b"ocid,id\n"})
    ods(tmp_path / "c.data", [["ocid"]])
    write_json(tmp_path / "d.data", package())
    (tmp_path / "e.data").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))  # an Excel 97-2003 file

    found = [detect_spreadsheet(tmp_path / f"{name}.data") for name in "abcde"]

    assert found == ["xlsx", "csv", "ods", None, "xlsx"]
    assert set(found) - {None} <= set(SPREADSHEET_FORMATS)


# --- Unsafe and broken files -----------------------------------------------------------------------------------------


def test_check_archive_accepts_a_normal_xlsx(tmp_path, demo):
    json_to_spreadsheet(write_json(tmp_path / "package.json", demo), tmp_path / "demo.xlsx", "xlsx")

    check_archive(tmp_path / "demo.xlsx")


def test_check_archive_refuses_a_zip_bomb(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("releases.csv", "w", force_zip64=True) as member,
    ):
        block = bytes(1 << 20)
        for _ in range(300):  # 300 MB of zeros, about 300 KB on disk
            member.write(block)
    assert bomb.stat().st_size < 1_000_000

    with pytest.raises(SpreadsheetError, match="too much data") as refused:
        check_archive(bomb)
    assert refused.value.how_to_fix
    with pytest.raises(SpreadsheetError, match="too much data"):
        spreadsheet_to_json(bomb, "csv", tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_check_archive_refuses_a_huge_declared_size(tmp_path):
    path = zip_of(tmp_path / "big.zip", {"releases.csv": b"ocid,id\n"})
    declare_size(path, 3_000_000_000)

    with pytest.raises(SpreadsheetError, match="too much data"):
        check_archive(path)


def test_check_archive_refuses_a_total_over_the_limit(tmp_path):
    path = zip_of(tmp_path / "two.zip", {"a.csv": os.urandom(600), "b.csv": os.urandom(600)})

    check_archive(path)
    with pytest.raises(SpreadsheetError, match="1,200 bytes"):
        check_archive(path, max_total_bytes=1000)


def test_check_archive_refuses_a_member_that_holds_more_than_it_declares(tmp_path):
    path = zip_of(tmp_path / "liar.zip", {"releases.csv": b"ocid,id\n" + b"x" * 5_000_000})
    declare_size(path, 1000)

    with pytest.raises(SpreadsheetError, match="does not hold what the zip file says"):
        check_archive(path)


def test_csv_extraction_stops_at_the_declared_size_when_the_zip_lies(tmp_path):
    path = zip_of(tmp_path / "liar.zip", {"releases.csv": b"ocid,id\n" + b"x" * 5_000_000})
    declare_size(path, 1000)
    (tmp_path / "out").mkdir()

    with pytest.raises(SpreadsheetError, match="does not hold what the zip file says"):
        extract_csvs(path, tmp_path / "out")
    assert sum(file.stat().st_size for file in (tmp_path / "out").iterdir()) <= 1000


@pytest.mark.parametrize("name", ["../releases.csv", "/etc/releases.csv", "C:/releases.csv", "a/../../b.csv"])
def test_check_archive_refuses_a_name_with_path_traversal(tmp_path, name):
    path = zip_of(tmp_path / "evil.zip", {name: b"ocid,id\n"})

    with pytest.raises(SpreadsheetError, match="unsafe name"):
        check_archive(path)


def test_check_archive_refuses_too_many_members(tmp_path):
    path = zip_of(tmp_path / "many.zip", {f"{number}.csv": b"" for number in range(MAX_MEMBERS + 1)})

    with pytest.raises(SpreadsheetError, match="files inside it"):
        check_archive(path)


def test_check_archive_refuses_compression_that_cannot_be_read_in_bounded_steps(tmp_path):
    path = tmp_path / "bzip2.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("releases.csv", b"ocid,id\n")

    with pytest.raises(SpreadsheetError, match="kind of compression"):
        check_archive(path)


@pytest.mark.parametrize(
    ("make", "fmt", "message"),
    [
        (lambda path: path.write_bytes(os.urandom(4096)), "xlsx", "not an XLSX or ODS spreadsheet"),
        (lambda path: zip_of(path, {}), "csv", "no CSV files"),
        (lambda path: zip_of(path, {"notes.txt": b"hello", "report.pdf": b"%PDF"}), "csv", "not CSV files"),
        (
            lambda path: zip_of(path, {"[Content_Types].xml": b"<x/>", "xl/x.xml": b"<x/>"}),
            "xlsx",
            "could not be read",
        ),
        (lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), "xlsx", "Excel 97-2003"),
        (lambda path: write_template(path), "csv", "is an Excel workbook"),
        (lambda path: write_template(path), "xlsx", "no releases"),
        (lambda path: zip_of(path, {"releases.csv": b"ocid,id\n\xff\xfe\x81\n"}), "csv", "not in UTF-8"),
    ],
    ids=["random bytes", "empty zip", "no CSV files", "damaged xlsx", "old xls", "wrong format", "blank", "encoding"],
)
def test_a_file_that_cannot_be_converted_is_refused_clearly_and_leaves_no_output(tmp_path, make, fmt, message):
    source = tmp_path / "upload"
    make(source)
    output = tmp_path / "out.json"

    with pytest.raises(SpreadsheetError, match=message) as refused:
        spreadsheet_to_json(source, fmt, output)

    assert refused.value.how_to_fix
    assert not output.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["upload"]  # no temporary file left either


def test_a_windows_1252_csv_is_read_with_a_warning(tmp_path):
    path = zip_of(tmp_path / "in.zip", {"releases.csv": "ocid,id,title\no-1,r1,Caf\u00e9 \u00a3\n".encode("cp1252")})

    source_map = spreadsheet_to_json(path, "csv", tmp_path / "back.json")

    assert json.loads((tmp_path / "back.json").read_text())["releases"][0]["title"] == "Café £"
    assert "Windows-1252" in source_map.warnings[0]["message"]


def test_a_sheet_with_a_stray_cell_far_away_is_refused_before_it_exhausts_memory(tmp_path):
    path = xlsx(tmp_path / "in.xlsx", {"releases": [["ocid", "id"] + [f"x{n}" for n in range(200)], ["o", "r"]]})
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", far)
    zip_of(path, members)

    with pytest.raises(SpreadsheetError, match="too big"):
        spreadsheet_to_json(path, "xlsx", tmp_path / "out.json")


def test_an_ods_file_that_repeats_a_cell_too_often_is_refused_before_it_is_expanded(tmp_path):
    path = ods(tmp_path / "in.ods", [["ocid", "id"], ["o-1", "r1"]])
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["content.xml"] = members["content.xml"].replace(
        b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="2000000000" ', 1
    )
    zip_of(path, members)

    with pytest.raises(SpreadsheetError, match="too big"):
        spreadsheet_to_json(path, "ods", tmp_path / "out.json")


def test_json_to_spreadsheet_refuses_what_is_not_a_release_package_and_leaves_no_output(tmp_path):
    source = write_json(tmp_path / "records.json", {"records": [{"ocid": "o-1", "releases": []}]})

    with pytest.raises(InputError, match="not an uncompressed release package"):
        json_to_spreadsheet(source, tmp_path / "out.xlsx", "xlsx")
    with pytest.raises(ValueError, match="only 'xlsx' and 'csv'"):
        json_to_spreadsheet(source, tmp_path / "out.ods", "ods")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["records.json"]


def test_spreadsheet_error_keeps_its_details_through_pickling():
    error = SpreadsheetError("Bad cell", how_to_fix="Fix it.", sheet="releases", cell="C7")

    copy = pickle.loads(pickle.dumps(error))

    assert (copy.message, copy.how_to_fix, copy.sheet, copy.cell) == ("Bad cell", "Fix it.", "releases", "C7")
    assert str(copy) == "Bad cell (sheet 'releases', cell C7). Fix it."


def test_written_files_are_complete_zip_archives(tmp_path, demo):
    # A spreadsheet is written to a temporary name and renamed: what is at the output is always whole.
    source = write_json(tmp_path / "package.json", demo)
    json_to_spreadsheet(source, tmp_path / "out.zip", "csv")

    with zipfile.ZipFile(io.BytesIO((tmp_path / "out.zip").read_bytes())) as archive:
        assert archive.testzip() is None
        assert (archive.namelist()[0], archive.namelist()[-1]) == ("releases.csv", "Meta.csv")


def test_a_size_refusal_says_so_and_survives_pickling(tmp_path):
    import zipfile as zipfile_module

    bomb = tmp_path / "bomb.zip"
    with zipfile_module.ZipFile(bomb, "w", compression=zipfile_module.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"\0" * 5_000_000)
    with pytest.raises(SpreadsheetError) as caught:
        check_archive(bomb)
    assert caught.value.too_big
    assert pickle.loads(pickle.dumps(caught.value)).too_big
