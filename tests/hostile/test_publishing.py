"""Publishing given hostile input: the API (`POST /api/publish/releases` and actuals CSV, with a token) and the
publishing forms' uploads (documents and spreadsheets of actuals). Each refusal is a 4xx saying what is wrong, with
no traceback, and no release, document or draft is stored; what is accepted is shown as text, never run.

Cases (35): releases API — an empty body, truncated JSON, NaN, 1e400, a 400-digit number, a UTF-8 BOM, Latin-1,
UTF-16, 10,000 levels, duplicate keys, an array, a package of two, U+0000, a 5,000-character ocid, a form-encoded
body, a body over the limit, roles that are not role codes, contracts that are not a list (18), and script in a
title, published and then shown escaped; actuals CSV — Latin-1, a value over the csv module's limit, a broken
quote, a NUL, 1e400, too many rows (6); documents on the forms — a name that climbs folders, HTML named .txt (served
as a download that cannot run), an executable, an executable claiming to be a PDF, HTML claiming to be a PDF, a
double extension, a NUL in a CSV document, an empty file, a file over the limit (9); and an XLSX bomb of actuals.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencare.publishing.models import Draft, StoredDocument
from opencare.registry.models import Release

from .conftest import assert_refused, readable, signed_in

pytestmark = pytest.mark.django_db

RELEASES = "/api/publish/releases"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def nothing_stored(publishing):
    before = (Release.objects.count(), StoredDocument.objects.count(), Draft.objects.count())
    yield publishing
    assert (Release.objects.count(), StoredDocument.objects.count(), Draft.objects.count()) == before


def post(client, token: str, body: bytes, url: str = RELEASES, content_type: str = "application/json"):
    return client.post(url, data=body, content_type=content_type, headers={"Authorization": f"Bearer {token}"})


def council_release(world, **fields) -> dict:
    compiled = world["compiled"]
    buyer = next(party for party in compiled["parties"] if party["id"] == compiled["buyer"]["id"])
    now = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the latest release, so its values show
    return {"ocid": world["ocid"], "id": "hostile-1", "date": now, "tag": ["tenderUpdate"],
            "initiationType": "tender", "language": "en", "parties": [{**buyer, "roles": ["buyer"]}],
            "buyer": compiled["buyer"], "tender": {"id": compiled["tender"]["id"], "description": "Weekend visits."},
            } | fields  # fmt: skip


def good_body(world) -> bytes:
    return orjson.dumps(council_release(world))


BODIES = [
    ("empty", lambda w: b"", "The body is empty"),
    ("truncated", lambda w: good_body(w)[:40], "The body is not valid JSON"),
    ("NaN", lambda w: good_body(w).replace(b'"Weekend visits."', b"NaN"), "The body is not valid JSON"),
    ("1e400", lambda w: good_body(w).replace(b'"Weekend visits."', b"1e400"), "not valid JSON (number is infinity"),
    ("400 digits", lambda w: good_body(w).replace(b'"Weekend visits."', b"9" * 400), "The body is not valid JSON"),
    ("UTF-8 BOM", lambda w: b"\xef\xbb\xbf" + good_body(w), "byte order mark"),
    ("Latin-1", lambda w: good_body(w).replace(b"Weekend", b"Caf\xe9"), "The body is not valid JSON"),
    ("UTF-16", lambda w: good_body(w).decode().encode("utf-16"), "The body is not valid JSON"),
    ("10,000 levels", lambda w: b"[" * 10_000 + b"]" * 10_000, "The body is not valid JSON"),
    ("duplicate keys", lambda w: good_body(w).replace(b'"id":"hostile-1"', b'"id":"hostile-1","id":"hostile-2"'),
     "The key 'id' appears twice in one object"),
    ("an array", lambda w: b"[" + good_body(w) + b"]", "The body is an array, not a JSON object"),
    ("two releases", lambda w: orjson.dumps({"releases": [council_release(w), council_release(w, id="h2")]}),
     "must hold exactly one release"),
    ("U+0000", lambda w: orjson.dumps(council_release(w, tender={"id": "t", "description": "Week\x00end"})),
     "holds the character U+0000 (NUL) at /tender/description"),
    ("5,000-character ocid", lambda w: orjson.dumps(council_release(w, ocid="ocds-" + "x" * 5000)),
     "ocid is 5,005 characters long"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "words"), [(m, w) for _, m, w in BODIES], ids=[name for name, _, _ in BODIES])
def test_a_hostile_release_body_is_400_saying_what_to_fix_and_nothing_is_stored(client, nothing_stored, make, words):
    response = post(client, nothing_stored["council_token"], make(nothing_stored))
    assert_refused(response, 400, words)


def test_a_form_encoded_body_is_not_json(client, nothing_stored):
    response = post(
        client, nothing_stored["council_token"], b"ocid=x&id=y", content_type="application/x-www-form-urlencoded"
    )
    assert_refused(response, 400, "The body is not valid JSON", "Content-Type: application/json")


def test_a_body_over_the_limit_is_413(client, nothing_stored, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = orjson.dumps(council_release(nothing_stored, tender={"id": "t", "description": "x" * 20_000}))
    assert_refused(post(client, nothing_stored["council_token"], body), 413, "The body is too large")


def test_roles_that_are_not_role_codes_are_refused(client, nothing_stored):
    world = nothing_stored
    party = {"id": world["provider"].party_id, "name": world["provider"].name, "roles": [{"role": "buyer"}]}
    body = orjson.dumps({"ocid": world["ocid"], "id": "hostile-roles", "date": "2026-01-01T00:00:00Z",
                         "tag": ["contractUpdate"], "initiationType": "tender", "parties": [party]})  # fmt: skip
    assert_refused(post(client, world["provider_token"], body), 403, "roles must be a list of role codes")


def test_contracts_that_are_not_a_list_are_refused_by_the_review(client, nothing_stored):
    body = orjson.dumps(council_release(nothing_stored, contracts=5))
    assert_refused(post(client, nothing_stored["council_token"], body), 400, "The release was not stored")


def test_script_in_a_published_title_is_shown_as_text(client, publishing):
    script = "<script>alert('published')</script>"
    body = orjson.dumps(council_release(publishing, title=script))
    answer = post(client, publishing["council_token"], body)
    assert answer.status_code == 201, answer.content[:1000]
    html = client.get(f"/contracts/{publishing['ocid']}/").content.decode()
    assert "<script>alert('published')" not in html
    assert "&lt;script&gt;alert(&#x27;published&#x27;)&lt;/script&gt;" in html


# --- Actuals as CSV through the API --------------------------------------------------------------------------------

HEADER = "metric_id,period_start,period_end,value,notes\n"
CSV_CASES = [
    ("Latin-1", (HEADER + "sc-missed-visits,2026-04-01,2026-04-30,1,Tr\u00e8s\n").encode("latin-1"), "not UTF-8"),
    ("over-long value", (HEADER + 'sc-missed-visits,2026-04-01,2026-04-30,1,"' + "x" * 200_000 + '"\n').encode(),
     "cannot be read on line 2 (field larger than field limit"),
    ("broken quote", (HEADER + 'sc-missed-visits,2026-04-01,2026-04-30,1,"notes\n').encode(),
     "cannot be read on line 2"),
    ("NUL", (HEADER + "sc-missed-visits,2026-04-01,2026-04-30,1,no\x00tes\n").encode(), "NUL character on line 2"),
    ("1e400", (HEADER + "sc-missed-visits,2026-04-01,2026-04-30,1e400,\n").encode(), "is not a number we can publish"),
    ("too many rows", (HEADER + "sc-missed-visits,2026-04-01,2026-04-30,1,\n" * 10_001).encode(), "more than"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), [(b, w) for _, b, w in CSV_CASES], ids=[name for name, _, _ in CSV_CASES])
def test_hostile_actuals_csv_is_400_naming_the_line_and_nothing_is_stored(client, nothing_stored, body, words):
    world = nothing_stored
    url = f"/api/publish/processes/{world['ocid']}/contracts/{world['contract']['id']}/actuals"
    assert_refused(post(client, world["provider_token"], body, url=url, content_type="text/csv"), 400, words)


# --- Documents uploaded with the publishing forms -------------------------------------------------------------------

PROCESS_ANSWERS = {
    "title": "Home care in Saltmarsh (test)", "description": "Care and support at home for adults in Saltmarsh.",
    "service": "home-care", "place": "Saltmarsh", "value": "900000", "start": "2026-04-01", "end": "2029-03-31",
    "lots": "", "options": "", "award_criteria": "Quality 70%, price 30%", "spec_pages": "1",
    "outcomes_url": "", "outcomes_pages": "",
}  # fmt: skip


def post_document(client, world, name: str, data: bytes, content_type: str = "application/octet-stream"):
    signed_in(client, "commissioner")
    spec = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(
        reverse("publishing:new_process", args=[world["council"].pk]), PROCESS_ANSWERS | {"spec_file": spec}
    )


DOCUMENTS = [
    ("setup.exe", b"MZ\x90\x00\x03", "application/octet-stream", "is not a type of document we accept"),
    ("setup.exe", b"MZ\x90\x00\x03", "application/pdf", "is not a type of document we accept"),
    ("spec.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "does not look like a .pdf file"),
    ("spec.pdf.exe", PDF, "application/pdf", "is not a type of document we accept"),
    ("figures.csv", b"a,b\n1,\x002\n", "text/csv", "is not plain text in UTF-8"),
    ("empty.pdf", b"", "application/pdf", "The submitted file is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "content_type", "words"), DOCUMENTS,
                         ids=["an executable", "an executable claiming PDF", "HTML claiming PDF", "double extension",
                              "NUL in a CSV", "empty"])  # fmt: skip
def test_a_document_that_is_not_what_it_says_is_refused_and_nothing_kept(client, nothing_stored, name, data,
                                                                         content_type, words):  # fmt: skip
    assert_refused(post_document(client, nothing_stored, name, data, content_type), 400, words)


def test_a_document_over_the_limit_is_refused(client, nothing_stored, settings):
    settings.OPENCARE_DOCUMENT_MAX_BYTES = 1_000_000
    response = post_document(client, nothing_stored, "big.pdf", PDF + b"0" * 1_100_000, "application/pdf")
    assert_refused(response, 413, "larger than the 1 MB")


def test_a_document_name_that_climbs_folders_is_kept_by_its_last_part_in_the_store(client, publishing):
    response = post_document(client, publishing, "../../etc/passwd.pdf", PDF, "application/pdf")
    assert response.status_code == 302, readable(response.content.decode())[:500]
    stored = StoredDocument.objects.get()
    assert stored.filename == "passwd.pdf"
    assert stored.file.name.endswith(f"/{stored.key}.pdf")  # the storage's name is ours, never the uploader's
    assert ".." not in stored.file.name


def test_html_named_txt_is_served_as_a_download_that_cannot_run(client, publishing):
    response = post_document(client, publishing, "notes.txt", b"<script>alert(1)</script>", "text/html")
    assert response.status_code == 302
    stored = StoredDocument.objects.get()
    download = client.get(reverse("publishing:document", args=[stored.key, stored.filename]))
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == b"<script>alert(1)</script>"


def test_an_xlsx_bomb_of_actuals_is_refused(client, nothing_stored):
    world = nothing_stored
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    signed_in(client, "provider")
    url = reverse("publishing:actuals_upload", args=[world["provider"].pk, world["ocid"]])
    upload = SimpleUploadedFile("actuals.xlsx", buffer.getvalue())
    response = client.post(url + f"?contract={world['contract']['id']}", {"spreadsheet": upload})
    assert_refused(response, 400, "expands to far more data than a sheet of actuals holds")
