"""Messages for spreadsheet users: every finding names its sheet and cell, package details name the Meta sheet's
cells, the advice speaks of cells and columns (never JSON syntax), and field descriptions are text with working
links."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import orjson
import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from tests.builders.care_template import filled_template

from opencare.ocds.spreadsheets import json_to_spreadsheet
from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db

JSON_WORDS = ("[ ]", "{", "quotes", "JSON")


def as_xlsx(package: dict, tmp_path: Path) -> bytes:
    source = tmp_path / "package.json"
    source.write_bytes(orjson.dumps(package))
    output = tmp_path / "sheet.xlsx"
    json_to_spreadsheet(source, output, "xlsx")
    return output.read_bytes()


@pytest.fixture
def broken_package(demo_package) -> dict:
    """Two releases with a missing publisher, a missing tender id, a wrong type, a date in the wrong form and a code
    not in its codelist."""
    package = {**demo_package, "releases": copy.deepcopy(demo_package["releases"][:2])}
    del package["publisher"]
    tender = package["releases"][0]["tender"]
    del tender["id"]
    tender["value"]["amount"] = "about 500"
    package["releases"][1]["date"] = "31/03/2025"
    package["releases"][1]["tender"]["status"] = "wibble"  # its description links to the tenderStatus codelist
    return package


@pytest.fixture
def reviewed(client, broken_package, tmp_path) -> tuple[ReviewRequest, str]:
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", as_xlsx(broken_package, tmp_path))})
    page = client.get(response["Location"]).content.decode()
    return ReviewRequest.objects.get(), page


def finding(review: ReviewRequest, check: str, path: str) -> dict:
    return next(f for f in review.report["findings"] if f["check"] == check and f["path"] == path)


def test_every_finding_of_a_spreadsheet_names_its_sheet_and_cell_on_the_report_page(reviewed):
    review, page = reviewed
    findings = review.report["findings"]
    assert {f["check"] for f in findings} >= {"schema.required", "schema.type", "schema.date-time"}
    for each in findings:
        place = each["spreadsheet"]
        assert re.fullmatch(r"[A-Z]+[0-9]+", place["cell"]), each
        assert html.escape(f"Sheet '{place['sheet']}', cell {place['cell']}") in page, each


def test_a_missing_publisher_names_the_meta_sheet_cell_to_fill_in(reviewed):
    review, page = reviewed
    missing = finding(review, "schema.required", "publisher")
    assert missing["spreadsheet"]["sheet"] == "Meta"
    assert missing["spreadsheet"]["how_to_fix"].startswith(
        f"Fill in the Meta sheet, cell {missing['spreadsheet']['cell']} (publisher/name)"
    )
    assert 'id="package-sheet"' in page
    assert "They go on the 'Meta' sheet" in page


def test_a_missing_tender_id_is_advised_about_tender_ids_in_its_own_column(reviewed):
    review, _ = reviewed
    missing = finding(review, "schema.required", "releases/tender/id")
    advice = missing["spreadsheet"]["how_to_fix"]
    assert "tender id" in advice
    assert "release id" not in advice
    assert missing["spreadsheet"]["sheet"] == "releases"


def test_no_advice_for_a_spreadsheet_speaks_of_json_syntax(reviewed):
    review, page = reviewed
    advice = [f["spreadsheet"].get("how_to_fix") for f in review.report["findings"] if f.get("context") is not None]
    assert advice
    for text in advice:
        assert not any(word in text for word in JSON_WORDS), text
    shown = re.findall(r"How to fix it</dt><dd[^>]*>(.*?)</dd>", page, flags=re.S)
    assert len(shown) == len(review.report["findings"])
    for text in shown:
        assert not any(word in html.unescape(text) for word in JSON_WORDS), text


def test_the_json_report_keeps_its_json_advice_and_adds_the_spreadsheet_advice(reviewed):
    review, _ = reviewed
    wrong_type = finding(review, "schema.type", "releases/tender/value/amount")
    assert "lists use [ ]" in wrong_type["how_to_fix"]
    assert "cell" in wrong_type["spreadsheet"]["how_to_fix"]


def test_field_descriptions_are_shown_as_text_with_working_links(reviewed):
    _, page = reviewed
    descriptions = re.findall(r"What the field is for</dt><dd[^>]*>(.*?)</dd>", page, flags=re.S)
    assert descriptions
    for text in descriptions:
        assert "{{" not in text
        assert "](" not in text
    links = re.findall(r'<a href="(https://standard\.open-contracting\.org/[^"]+)" class="govuk-link">', page)
    assert links
    assert all("/1.1/en/" in link for link in links)


def test_the_welsh_report_gives_the_spreadsheet_advice_in_welsh(client, reviewed):
    review, _ = reviewed
    with translation.override("cy"):
        address = reverse("reviews:review", args=[review.token])
    page = client.get(address).content.decode()
    assert html.escape("Llenwch y ddalen Meta, cell") in page
    assert "[ ]" not in page


def test_a_code_not_in_its_codelist_is_advised_with_the_columns_drop_down(reviewed):
    review, _ = reviewed
    wrong = finding(review, "schema.closed-codelist", "releases/tender/status")
    assert "drop-down" in wrong["spreadsheet"]["how_to_fix"]


def test_the_api_report_of_a_spreadsheet_gives_each_findings_place_and_spreadsheet_advice(client, broken_package,
                                                                                          tmp_path):  # fmt: skip
    response = client.post("/api/review", {"file": upload("care.xlsx", as_xlsx(broken_package, tmp_path))})
    assert response.status_code == 200
    findings = response.json()["findings"]
    missing = next(f for f in findings if f["check"] == "schema.required" and f["path"] == "publisher")
    assert missing["spreadsheet"]["sheet"] == "Meta"
    assert missing["spreadsheet"]["how_to_fix"].startswith("Fill in the Meta sheet, cell")
    assert missing["how_to_fix"].startswith("Add 'publisher' to the package")


def test_every_finding_of_a_filled_social_care_template_names_the_cell_of_its_row(client, tmp_path):
    path = filled_template(tmp_path / "care.xlsx", contracts=3)
    workbook = load_workbook(path)
    workbook["Reviews"]["B6"] = "1/1/2031"  # a review held in the future: an error of the data, not of the cell
    workbook.save(path)

    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", path.read_bytes())})
    page = html.unescape(client.get(response["Location"]).content.decode())
    findings = ReviewRequest.objects.get().report["findings"]

    assert findings
    assert all(f.get("spreadsheet") for f in findings), [f["check"] for f in findings if not f.get("spreadsheet")]
    dates = next(f for f in findings if f["path"].endswith("milestones/dateMet"))
    assert (dates["spreadsheet"]["sheet"], dates["spreadsheet"]["cell"]) == ("Reviews", "B6")
    assert dates["spreadsheet"]["how_to_fix"].startswith("Change the date in this cell to the day the review was held")
    assert "Sheet 'Reviews', cell B6" in page
