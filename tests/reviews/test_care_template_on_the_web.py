"""A filled social-care template uploaded to /review/ is read with its own reader: its releases are reviewed, and
a template with bad cells fails with every cell to correct listed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from tests.builders.care_template import filled_template

from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db


def test_a_filled_care_template_is_reviewed_as_the_releases_it_makes(client, tmp_path):
    data = filled_template(tmp_path / "care.xlsx").read_bytes()
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", data)})
    client.get(response["Location"])
    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.READY, review.error
    assert review.report["counts"]["releases"] == 2
    assert review.report["valid"] is True


def test_a_care_template_with_bad_cells_lists_every_cell_to_correct(client, tmp_path):
    path = filled_template(tmp_path / "care.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Contracts"].cell(4, 7, "31/02/2026")
    workbook["Monthly figures"].cell(5, 4, "=1+1")
    workbook.save(path)
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", path.read_bytes())})
    html = client.get(response["Location"]).content.decode()
    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.FAILED
    assert [(p["sheet"], p["cell"]) for p in review.error["problems"]] == [
        ("Contracts", "G4"),
        ("Monthly figures", "D5"),
    ]
    assert "Sheet \u2018Contracts\u2019, cell G4: the end date 31/02/2026 is not a date." in html
    assert "Sheet \u2018Monthly figures\u2019, cell D5: this cell has a formula (=1+1)." in html


def test_a_password_protected_workbook_is_refused_at_once_saying_to_remove_the_password(client, review_store):
    data = (Path(__file__).parent.parent / "fixtures" / "spreadsheets" / "password-protected.xlsx").read_bytes()
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", data)})
    assert response.status_code == 400
    assert "This workbook is password-protected (encrypted), so it cannot be read" in response.content.decode()
    assert ReviewRequest.objects.count() == 0
    assert list(review_store.iterdir()) == []


def test_a_care_template_as_a_zip_of_csv_files_is_reviewed_as_the_releases_it_makes(client, tmp_path):
    from opencare.ocds.spreadsheets.care_template import care_template_to_package, package_to_care_template

    package = care_template_to_package(filled_template(tmp_path / "care.xlsx"))
    package_to_care_template(package, tmp_path / "care.zip", "csv")
    response = client.post(
        reverse("reviews:upload"), {"file": upload("care.zip", (tmp_path / "care.zip").read_bytes())}
    )
    client.get(response["Location"])
    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.READY, review.error
    assert review.report["counts"]["releases"] == 2


def test_a_care_template_with_a_hidden_sheet_fails_naming_the_sheet(client, tmp_path):
    path = filled_template(tmp_path / "care.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Targets"].sheet_state = "hidden"
    workbook.save(path)
    response = client.post(reverse("reviews:upload"), {"file": upload("care.xlsx", path.read_bytes())})
    page = client.get(response["Location"])
    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.FAILED
    assert [(p["sheet"], p["cell"]) for p in review.error["problems"]] == [("Targets", "A1")]
    assert "this sheet is hidden" in page.content.decode()
    assert page.status_code == 422
