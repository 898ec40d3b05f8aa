"""Packages the API and the download serve declare the extensions their releases were published with, so the data
is checked against the same profile it was published for."""

from __future__ import annotations

import io

import orjson
import pytest
from tests.builders.processes import NORTH, stored_borsetdale
from tests.builders.shared_data import shared_data

from opencare.demo.services import load_demo
from opencare.ocds.release_builder import PUBLISHED_EXTENSIONS
from opencare.ocds.review.engine import review

OCID = NORTH


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The whole demo (real notices of two publishers and the invented contracts), loaded once for the module."""
    with shared_data(django_db_blocker, load_demo):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/api/records/{OCID}", f"/api/releases/{OCID}", f"/contracts/{OCID}/record.json"])
def test_a_process_package_declares_its_extensions_and_reviews_clean_as_served(client, path):
    stored_borsetdale(OCID)
    package = client.get(path).content
    assert orjson.loads(package)["extensions"] == list(PUBLISHED_EXTENSIONS)
    report = review(io.BytesIO(package))
    assert [f.check for f in report.findings if f.severity == "error" or f.check == "ocds.additional-field"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/records?limit=1000", "/api/releases?limit=1000", "/api/records/ocds-kuma6s-139455",
     "/api/releases/ocds-kuma6s-139455"],
)  # fmt: skip
def test_every_api_package_is_complete_and_reviews_with_no_error_or_unknown_field(client, settings, demo_site, path):
    """Lists mix publishers, and Sell2Wales's releases use the Links extension without declaring it."""
    package = client.get(path).content
    metadata = orjson.loads(package)
    assert metadata["uri"] == settings.OPENCARE_SITE_URL + path
    assert metadata["license"] == settings.OPENCARE_PUBLISHED_LICENCE_URL
    assert metadata["publicationPolicy"] == settings.OPENCARE_SITE_URL + "/about-the-data/"
    assert metadata["publisher"] == {"name": settings.OPENCARE_SERVICE_NAME}
    report = review(io.BytesIO(package))
    found = [(f.check, f.path) for f in report.findings if f.severity == "error" or f.check == "ocds.additional-field"]
    assert found == []
