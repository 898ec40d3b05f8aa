"""POST /api/review and GET /api/review/{token}: good, bad and hostile input."""

from __future__ import annotations

import copy

import orjson
import pytest

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services import checking

from .conftest import gzipped, upload

pytestmark = pytest.mark.django_db

URL = "/api/review"


def post_json(client, body: bytes, **extra):
    return client.post(URL, data=body, content_type="application/json", **extra)


def test_a_small_json_body_is_answered_at_once_with_the_report(client, demo_bytes, demo_package):
    response = post_json(client, demo_bytes)
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is True
    assert report["format"] == "release package"
    assert report["counts"]["releases"] == len(demo_package["releases"])
    assert report["key_facts"]["processes"] == 4  # the demo: three Borsetdale contracts and one in Wendmoor
    assert report["job"]["url"].startswith("/api/review/")


def test_a_file_in_a_form_is_reviewed(client, demo_bytes):
    response = client.post(URL, {"file": upload("data.json.gz", gzipped(demo_bytes))})
    assert response.status_code == 200
    assert response.json()["valid"] is True


def test_findings_come_with_check_ids_paths_and_examples(client, demo_package):
    broken = copy.deepcopy(demo_package)
    broken["releases"][0]["tender"]["status"] = "wibble"
    report = post_json(client, orjson.dumps(broken)).json()
    assert report["valid"] is False
    finding = next(f for f in report["findings"] if f["path"] == "releases/tender/status")
    assert finding["severity"] == "error"
    assert finding["examples"][0]["value"] == "wibble"
    assert finding["message"]
    assert finding["how_to_fix"]


def test_the_version_can_be_forced(client, demo_bytes):
    assert post_json(client, demo_bytes, QUERY_STRING="version=1.0").json()["version"] == "1.0"


def test_invalid_json_answers_422_with_line_and_column(client):
    response = post_json(client, b'{"releases": [\n {"ocid": }]}')
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["line"] == 2
    assert error["column"] > 0
    assert error["how_to_fix"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nest"),
        (b'"just a string"', "starts with"),
        (b'{"releases": [NaN]}', "NaN"),
        (b'{"releases": [{"ocid": "a"' + b"}" * 2, "closing ]"),
    ],
)
def test_hostile_bodies_answer_422_with_what_is_wrong_and_how_to_fix_it(client, body, words):
    response = post_json(client, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert words.lower() in error["message"].lower()
    assert error["how_to_fix"]


def test_an_empty_body_is_refused_with_400(client):
    response = post_json(client, b"")
    assert response.status_code == 400
    assert "no data" in response.json()["message"]
    assert ReviewRequest.objects.count() == 0


def test_a_body_over_the_limit_is_refused_with_413(client, settings, review_store):
    settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES = 100
    response = post_json(client, b"[" + b" " * 500 + b"]")
    assert response.status_code == 413
    assert ReviewRequest.objects.count() == 0
    assert list(review_store.iterdir()) == []


def test_a_form_without_a_file_field_is_refused(client):
    response = client.post(URL, {"other": upload("x.json", b"{}")})
    assert response.status_code == 400


def test_a_large_input_gets_a_job_to_poll_until_the_report_is_ready(client, settings, demo_bytes):
    settings.OPENCARE_REVIEW_API_SYNC_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = post_json(client, demo_bytes)
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued"
    assert client.get(job["url"]).status_code == 202
    checking.run_review(ReviewRequest.objects.get().token)
    ready = client.get(job["url"])
    assert ready.status_code == 200
    assert ready.json()["valid"] is True


def test_an_unknown_job_is_404(client):
    assert client.get(URL + "/nothing-here").status_code == 404


def test_get_on_the_review_endpoint_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_the_openapi_schema_documents_the_review_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/review"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "202", "400", "413", "422"} <= set(operation["responses"])
    assert "/api/review/{token}" in schema["paths"]


def test_the_api_documentation_page_uses_no_outside_scripts(client):
    html = client.get("/api/docs").content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html
    assert "unpkg" not in html


def test_a_malformed_content_length_is_refused_not_a_server_error(client, demo_bytes):
    response = client.post(URL, data=demo_bytes, content_type="application/json", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert response.json()["message"] == "The request has no data"
