"""The web Data Review Tool, end to end through Django's test client, with tasks run at once."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from datetime import timedelta

import orjson
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.expiry import delete_expired_reviews
from opencare.reviews.services.storage import review_folder

from .conftest import gzipped, upload

pytestmark = pytest.mark.django_db


def post_file(client, name: str, data: bytes, **extra):
    return client.post(reverse("reviews:upload"), {"file": upload(name, data), **extra})


def test_upload_page_shows_the_size_limit_and_how_long_reports_are_kept(client):
    html = client.get(reverse("reviews:upload")).content.decode()
    assert "smaller than 200 MB" in html
    assert "after 7 days" in html
    assert 'type="file"' in html


def test_a_good_file_gives_a_report_with_no_errors_counts_and_key_facts(client, demo_bytes, demo_package):
    response = post_file(client, "borsetdale.json", demo_bytes)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "No errors found" in html
    assert "Release package" in html
    assert "Borsetdale Council (invented sample)" in html  # key facts: buyers
    assert "sc-punctuality" in html  # key facts: metrics
    review = ReviewRequest.objects.get()
    assert review.status == "ready"
    assert review.report["counts"]["releases"] == len(demo_package["releases"])
    assert review.report["valid"] is True
    assert review.key_facts["processes"] == 4  # the demo: three Borsetdale contracts and one in Wendmoor


def test_the_report_json_follows_the_contract_and_adds_key_facts(client, demo_bytes):
    location = post_file(client, "borsetdale.json", demo_bytes)["Location"]
    review = ReviewRequest.objects.get()
    document = client.get(reverse("reviews:report_json", args=[review.token])).json()
    for key in ("format", "version", "standard", "extensions", "counts", "valid", "findings", "key_facts", "input"):
        assert key in document
    assert document["input"]["file_name"] == "borsetdale.json"
    assert location.endswith(f"/review/{review.token}/")


def test_errors_are_summarised_at_the_top_with_links_to_each_finding(client, demo_package):
    broken = copy.deepcopy(demo_package)
    broken["releases"][0]["date"] = "last Tuesday"
    broken["releases"][1]["tender"]["status"] = "wibble"
    response = post_file(client, "broken.json", orjson.dumps(broken))
    html = client.get(response["Location"]).content.decode()
    assert "govuk-error-summary" in html
    assert "Not valid" in html
    links = re.findall(r'<a href="#(finding-\d+)">', html)
    assert len(links) >= 2
    for anchor in links:
        assert f'id="{anchor}"' in html
    assert "last Tuesday" in html


def test_html_in_the_data_is_shown_as_text_never_run(client, demo_package):
    hostile = copy.deepcopy(demo_package)
    hostile["releases"][0]["date"] = "<script>alert('x')</script>"
    response = post_file(client, "<img src=x onerror=alert(1)>.json", orjson.dumps(hostile))
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html


def test_pasted_json_is_reviewed_like_a_file(client, demo_bytes):
    response = client.post(reverse("reviews:upload"), {"pasted": demo_bytes.decode()})
    assert response.status_code == 302
    review = ReviewRequest.objects.get()
    assert review.input_kind == "pasted"
    assert review.status == "ready"


def test_gzipped_json_is_expanded_and_reviewed(client, demo_bytes):
    post_file(client, "data.json.gz", gzipped(demo_bytes))
    review = ReviewRequest.objects.get()
    assert review.input_kind == "gzip"
    assert review.status == "ready"
    assert review.report["counts"]["releases"] > 0


def test_a_gzip_bomb_is_refused_with_a_clear_page_and_nothing_kept(client, settings):
    settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES = 1_000_000
    bomb = gzipped(b'{"releases": [' + b" " * 5_000_000 + b"]}")
    response = post_file(client, "bomb.json.gz", bomb)
    page = client.get(response["Location"])
    assert page.status_code == 422
    assert "zip bomb" in page.content.decode()
    review = ReviewRequest.objects.get()
    assert not review_folder(review).exists()


def test_invalid_json_gives_a_422_page_with_line_and_column_and_deletes_the_file(client):
    response = post_file(client, "bad.json", b'{"releases": [\n  {"ocid": "x",,}\n]}')
    page = client.get(response["Location"])
    assert page.status_code == 422
    html = page.content.decode()
    assert "Line 2, column" in html
    assert "We could not read your data" in html
    review = ReviewRequest.objects.get()
    assert review.status == "failed"
    assert not review_folder(review).exists()


def test_text_that_is_not_utf8_is_refused_with_the_byte_offset(client):
    response = post_file(client, "latin1.json", '{"releases": [{"ocid": "caf\u00e9"}]}'.encode("latin-1"))
    page = client.get(response["Location"])
    assert page.status_code == 422
    assert "UTF-8" in page.content.decode()


def test_deeply_nested_json_is_refused_clearly(client):
    response = post_file(client, "deep.json", b"[" * 10_000 + b"]" * 10_000)
    page = client.get(response["Location"])
    assert page.status_code == 422
    assert "nest" in page.content.decode().lower()


def test_an_empty_file_is_refused_at_once_and_nothing_is_stored(client, review_store):
    response = post_file(client, "empty.json", b"")
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert ReviewRequest.objects.count() == 0


def test_nothing_sent_asks_for_a_file(client):
    response = client.post(reverse("reviews:upload"), {})
    assert response.status_code == 400
    assert "Choose a file or paste some JSON" in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_left(client, settings, review_store):
    settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES = 1000
    response = post_file(client, "big.json", b"[" + b" " * 5000 + b"]")
    assert response.status_code == 413
    assert "larger than the 1 KB limit" in response.content.decode()
    assert ReviewRequest.objects.count() == 0
    assert list(review_store.iterdir()) == []


def test_a_zip_that_is_not_a_spreadsheet_is_refused_with_a_clear_page(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    response = post_file(client, "notes.zip", buffer.getvalue())
    page = client.get(response["Location"])
    assert page.status_code == 422
    assert "CSV" in page.content.decode()
    assert not review_folder(ReviewRequest.objects.get()).exists()


def test_the_upload_name_is_for_display_only(client, demo_bytes):
    post_file(client, "../../etc/passwd.json", demo_bytes)
    review = ReviewRequest.objects.get()
    assert review.file_name == "passwd.json"
    assert (review_folder(review) / "input").is_file()


def test_the_json_download_is_the_data_as_a_package(client, demo_bytes, demo_package):
    post_file(client, "borsetdale.json", demo_bytes)
    review = ReviewRequest.objects.get()
    response = client.get(reverse("reviews:download", args=[review.token, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert orjson.loads(b"".join(response.streaming_content))["releases"] == demo_package["releases"]


def test_json_lines_input_downloads_as_a_release_package(client, demo_package):
    lines = b"\n".join(orjson.dumps(release) for release in demo_package["releases"][:5])
    post_file(client, "data.jsonl", lines)
    review = ReviewRequest.objects.get()
    assert review.report["format"] == "JSON Lines or concatenated JSON"
    response = client.get(reverse("reviews:download", args=[review.token, "json"]))
    assert len(orjson.loads(b"".join(response.streaming_content))["releases"]) == 5


def test_status_json_says_where_the_review_has_got_to(client, demo_bytes):
    post_file(client, "borsetdale.json", demo_bytes)
    review = ReviewRequest.objects.get()
    status = client.get(reverse("reviews:status", args=[review.token])).json()
    assert status["status"] == "ready"
    assert status["url"] == reverse("reviews:review", args=[review.token])


def test_a_queued_review_shows_a_progress_page_that_works_without_javascript(client, settings, demo_bytes):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = post_file(client, "borsetdale.json", demo_bytes)
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Checking your data" in html
    assert "Check again" in html
    assert 'role="status"' in html
    assert client.get(reverse("reviews:report_json", args=[ReviewRequest.objects.get().token])).status_code == 409


def test_an_unknown_or_expired_address_is_not_found(client, demo_bytes):
    assert client.get(reverse("reviews:review", args=["not-a-real-token"])).status_code == 404
    post_file(client, "borsetdale.json", demo_bytes)
    review = ReviewRequest.objects.get()
    ReviewRequest.objects.filter(pk=review.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(reverse("reviews:review", args=[review.token])).status_code == 404


def test_addresses_are_long_and_random(client, demo_bytes):
    post_file(client, "a.json", demo_bytes)
    post_file(client, "b.json", demo_bytes)
    first, second = ReviewRequest.objects.order_by("pk")
    assert len(first.token) >= 43
    assert first.token != second.token


def test_expired_reviews_and_their_files_are_deleted_by_the_command(client, demo_bytes):
    post_file(client, "old.json", demo_bytes)
    post_file(client, "new.json", demo_bytes)
    old, new = ReviewRequest.objects.order_by("pk")
    ReviewRequest.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    call_command("delete_expired_reviews")
    assert list(ReviewRequest.objects.values_list("file_name", flat=True)) == ["new.json"]
    assert not review_folder(old).exists()
    assert review_folder(new).exists()
    assert delete_expired_reviews() == 0


def test_delete_now_removes_the_report_and_files(client, demo_bytes):
    post_file(client, "mine.json", demo_bytes)
    review = ReviewRequest.objects.get()
    response = client.post(reverse("reviews:delete", args=[review.token]))
    assert response.status_code == 200
    assert "Report deleted" in response.content.decode()
    assert ReviewRequest.objects.count() == 0
    assert not review_folder(review).exists()


def test_only_get_and_post_are_allowed_on_the_upload_page(client):
    assert client.put(reverse("reviews:upload")).status_code == 405
    assert client.delete(reverse("reviews:upload")).status_code == 405
