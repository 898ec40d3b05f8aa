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
