import csv
import io
import json

import pytest
from django.urls import reverse

from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.profile import social_care_profile


@pytest.fixture
def page(client) -> str:
    response = client.get(reverse("standard:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_data_standard_page_shows_every_metric(page):
    metrics = metric_catalogue().metrics.values()
    assert metrics
    for metric in metrics:
        assert f'id="metric-{metric.id}"' in page


def test_data_standard_page_shows_every_definition_and_extension(page):
    assert social_care_profile().release_schema["definitions"]
    for name in social_care_profile().release_schema["definitions"]:
        assert f'id="definition-{name}"' in page
    assert social_care_profile().extensions
    for extension in social_care_profile().extensions:
        assert extension.repository in page


@pytest.mark.parametrize("name", ["release-schema.json", "release-package-schema.json", "record-package-schema.json"])
def test_extended_schemas_download_as_json(client, name):
    response = client.get(reverse("standard:schema", args=[name]))
    assert response.status_code == 200
    assert "definitions" in json.loads(response.content)


def test_catalogue_downloads_as_json_and_csv(client):
    data = json.loads(client.get(reverse("standard:catalogue_json")).content)
    assert [m["id"] for m in data["metrics"]] == list(metric_catalogue().metrics)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("standard:catalogue_csv")).content.decode())))
    assert len(rows) == len(metric_catalogue().metrics)


def test_codelist_and_field_downloads(client):
    text = client.get(reverse("standard:codelist", args=["documentType.csv"])).content.decode()
    assert "implementationNotice" in text  # a UK-extension code, merged in
    fields = client.get(reverse("standard:fields_csv")).content.decode()
    assert fields.startswith("definition,field,title")


def test_unknown_schema_or_codelist_is_a_404(client):
    assert client.get(reverse("standard:schema", args=["nope.json"])).status_code == 404
    assert client.get(reverse("standard:codelist", args=["nope.csv"])).status_code == 404


def test_data_standard_page_refuses_writes(client):
    assert client.post(reverse("standard:index")).status_code == 405
