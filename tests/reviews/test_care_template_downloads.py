"""The social-care template is offered first on /review/, the full-profile one "for experts"."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_care_template_downloads_as_xlsx_and_ods(client):
    response = client.get(reverse("reviews:care_template", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('opencare-care-contracts-template.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) <= 10
    assert workbook.sheetnames[1:3] == ["About the publisher", "Contracts"]
    ods = client.get(reverse("reviews:care_template", args=["ods"]))
    assert ods.status_code == 200
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert b"".join(ods.streaming_content).startswith(b"PK")  # read whole, so the file is closed
    assert client.get(reverse("reviews:care_template", args=["zip"])).status_code == 404


def test_the_review_page_offers_the_care_template_before_the_full_one_for_experts(client):
    page = client.get(reverse("reviews:upload")).content.decode()
    care = page.index(reverse("reviews:care_template", args=["xlsx"]))
    full = page.index(reverse("reviews:template", args=["xlsx"]))
    assert care < full
    assert "Full template for experts (Excel, XLSX)" in page
