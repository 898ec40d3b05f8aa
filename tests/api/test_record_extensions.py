"""Packages the API and the download serve declare the extensions their releases were published with, so the data
is checked against the same profile it was published for."""

from __future__ import annotations

import io

import orjson
import pytest

from opencare.demo.services import load_demo
from opencare.ocds.release_builder import PUBLISHED_EXTENSIONS
from opencare.ocds.review.engine import review

OCID = "ocds-bdemo1-hc-north"


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/api/records/{OCID}", f"/api/releases/{OCID}", f"/contracts/{OCID}/record.json"])
def test_a_process_package_declares_its_extensions_and_reviews_clean_as_served(client, path):
    load_demo()
    package = client.get(path).content
    assert orjson.loads(package)["extensions"] == list(PUBLISHED_EXTENSIONS)
    report = review(io.BytesIO(package))
    assert [f.check for f in report.findings if f.severity == "error" or f.check == "ocds.additional-field"] == []
