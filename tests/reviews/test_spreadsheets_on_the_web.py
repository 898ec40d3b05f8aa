"""Spreadsheets through the web Data Review Tool: upload, find the cell, download, the blank template."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

import openpyxl
import orjson
import pytest
from django.urls import reverse

from opencare.ocds.spreadsheets import json_to_spreadsheet
from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db


def small_package(demo_package: dict, count: int = 8) -> dict:
    return {**demo_package, "releases": copy.deepcopy(demo_package["releases"][:count])}


def as_spreadsheet(package: dict, tmp_path: Path, fmt: str) -> bytes:
    source = tmp_path / "package.json"
    source.write_bytes(orjson.dumps(package))
    output = tmp_path / ("sheet.xlsx" if fmt == "xlsx" else "sheet.zip")
    json_to_spreadsheet(source, output, fmt)
    return output.read_bytes()


def download(client, review: ReviewRequest, name: str) -> bytes:
    response = client.get(reverse("reviews:download", args=[review.token, name]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_xlsx_upload_is_converted_reviewed_and_downloadable_in_every_format(client, demo_package, tmp_path):
    package = small_package(demo_package)
    response = client.post(
        reverse("reviews:upload"), {"file": upload("care.xlsx", as_spreadsheet(package, tmp_path, "xlsx"))}
    )
    html = client.get(response["Location"]).content.decode()
    assert "converted from Excel spreadsheet (XLSX)" in html
    review = ReviewRequest.objects.get()
    assert review.input_kind == "xlsx"
    assert review.report["counts"]["releases"] == len(package["releases"])
    assert review.downloads == {"json": "ready", "xlsx": "ready", "csv": "ready"}
    assert orjson.loads(download(client, review, "json"))["releases"] == package["releases"]
    assert openpyxl.load_workbook(io.BytesIO(download(client, review, "xlsx")), read_only=True).sheetnames
    assert all(
        name.endswith(".csv") for name in zipfile.ZipFile(io.BytesIO(download(client, review, "csv"))).namelist()
    )


def test_a_spreadsheet_error_is_located_by_sheet_and_cell(client, demo_package, tmp_path):
    package = small_package(demo_package)
    package["releases"][0]["tender"]["status"] = "wibble"
    response = client.post(
        reverse("reviews:upload"), {"file": upload("care.xlsx", as_spreadsheet(package, tmp_path, "xlsx"))}
    )
    html = client.get(response["Location"]).content.decode()
    review = ReviewRequest.objects.get()
    finding = next(f for f in review.report["findings"] if f["path"] == "releases/tender/status")
    example = finding["examples"][0]
    assert example["sheet"]
    assert example["cell"][0].isalpha()
    assert example["cell"][-1].isdigit()
    assert f"Sheet &#x27;{example['sheet']}&#x27;, cell {example['cell']}" in html


def test_csv_files_in_a_zip_are_reviewed(client, demo_package, tmp_path):
    package = small_package(demo_package)
    client.post(reverse("reviews:upload"), {"file": upload("care.zip", as_spreadsheet(package, tmp_path, "csv"))})
    review = ReviewRequest.objects.get()
    assert review.input_kind == "csv"
    assert review.status == "ready"
    assert review.report["counts"]["releases"] == len(package["releases"])


def test_a_spreadsheet_whose_meta_sheet_gives_no_version_is_checked_as_the_template_s_ocds_1_1(
    client, demo_package, tmp_path
):
    package = {key: value for key, value in small_package(demo_package).items() if key != "version"}
    client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", as_spreadsheet(package, tmp_path, "xlsx"))})
    report = ReviewRequest.objects.get().report
    assert (report["version"], report["standard"]) == ("1.1", "1.1.5")
    assert "ocds.version-missing" not in {finding["check"] for finding in report["findings"]}


def test_a_damaged_spreadsheet_is_refused_at_once_and_nothing_is_kept(client, review_store):
    response = client.post(reverse("reviews:upload"), {"file": upload("bad.xlsx", b"PK\x03\x04" + b"\x00" * 200)})
    assert response.status_code == 400
    assert "not an XLSX or ODS spreadsheet or a zip file of CSV files, or it is damaged" in response.content.decode()
    assert ReviewRequest.objects.count() == 0
    assert list(review_store.iterdir()) == []


def test_formulas_in_the_data_never_become_formulas_in_the_xlsx_download(client, demo_package):
    package = small_package(demo_package, 1)
    package["releases"][0]["tender"]["title"] = '=HYPERLINK("http://evil.example","click")'
    client.post(reverse("reviews:upload"), {"file": upload("data.json", orjson.dumps(package))})
    review = ReviewRequest.objects.get()
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, review, "xlsx")))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    dangerous = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
    assert dangerous
    assert all(cell.data_type == "s" for cell in dangerous)
    csv_zip = zipfile.ZipFile(io.BytesIO(download(client, review, "csv")))
    text = "".join(csv_zip.read(name).decode() for name in csv_zip.namelist())
    assert "'=HYPERLINK" in text


def test_the_blank_template_has_plain_english_column_titles(client):
    response = client.get(reverse("reviews:template", args=["xlsx"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    first = workbook[workbook.sheetnames[0]]
    headings = [cell.value for cell in next(first.iter_rows(max_row=1))]
    assert workbook.sheetnames[0] == "releases"
    assert headings[:3] == ["Open Contracting ID", "Release ID", "Release Date"]
    csv_template = client.get(reverse("reviews:template", args=["zip"]))
    assert csv_template.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(csv_template.streaming_content))).namelist()
    assert client.get(reverse("reviews:template", args=["exe"])).status_code == 404


def test_a_spreadsheet_over_the_spreadsheet_limit_is_refused_at_once(client, settings, demo_package, tmp_path):
    settings.OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES = 1000
    data = as_spreadsheet(small_package(demo_package), tmp_path, "xlsx")
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", data)})
    assert response.status_code == 413
    assert "limit for spreadsheets" in response.content.decode()
    assert ReviewRequest.objects.count() == 0


def test_an_xlsx_bomb_is_refused_before_anything_unpacks_it(client, review_store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(40):
                member.write(b"\0" * 1_000_000)
    response = client.post(reverse("reviews:upload"), {"file": upload("bomb.xlsx", buffer.getvalue())})
    assert response.status_code == 413
    assert "unpack to too much data" in response.content.decode()
    assert ReviewRequest.objects.count() == 0
    assert list(review_store.iterdir()) == []


def bad_workbook() -> bytes:
    """A full-layout workbook with a formula, a cell showing an error, merged cells, a wrong type, a hidden sheet."""
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
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_formulas_errors_merged_cells_wrong_types_and_hidden_sheets_are_findings_naming_their_sheet_and_cell(client):
    response = client.post(reverse("reviews:upload"), {"file": upload("bad.xlsx", bad_workbook())})

    page = client.get(response["Location"])
    review = ReviewRequest.objects.get()
    assert review.status == "ready"
    places = {
        (finding["spreadsheet"]["sheet"], finding["spreadsheet"]["cell"]): finding["message"]
        for finding in review.report["findings"]
        if finding["check"] == "spreadsheet.conversion"
    }
    assert places[("releases", "D2")].startswith("Cell D2 has a formula (=SUM(1,2))")
    assert places[("releases", "E2")].startswith("Cell E2 shows an error (#N/A)")
    assert places[("releases", "C2")].startswith("Cells C2 to C3 are merged")
    assert places[("parties", "A1")].startswith("The sheet 'parties' is hidden")
    assert places[("releases", "E3")] == '"three" is not a whole number, so it was kept as text.'
    assert "Traceback" not in page.content.decode()


def test_a_workbook_with_a_value_on_excel_s_last_row_is_refused_naming_the_sheet_and_cell(client, review_store):
    book = openpyxl.Workbook()
    book.active.title = "releases"
    book.active.append(["ocid", "id"])
    buffer = io.BytesIO()
    book.save(buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    members = {name: original.read(name) for name in original.namelist()}
    far = b'<row r="1048576"><c r="B1048576"><v>1</v></c></row></sheetData>'
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", far)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, member in members.items():
            archive.writestr(name, member)

    response = client.post(reverse("reviews:upload"), {"file": upload("far.xlsx", data.getvalue())})
    page = client.get(response["Location"])

    assert page.status_code == 422
    html = page.content.decode()
    assert "The spreadsheet is too big: the sheet &#x27;releases&#x27; has more than 20,000,000 cells" in html
    assert "Sheet \N{LEFT SINGLE QUOTATION MARK}releases\N{RIGHT SINGLE QUOTATION MARK}, cell B1048576" in html
    assert "Traceback" not in html
