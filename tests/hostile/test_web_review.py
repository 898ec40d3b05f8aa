"""The Data Review Tool on the web (`/review/`) and its API (`POST /api/review`) given hostile uploads: refused at once
(400/413) or answered 422 with what is wrong and where; no 500, no traceback; an upload refused at once leaves no
row and no file, and one that cannot be read leaves only its explanation (its files are deleted).

Cases (20): a CSV zip bomb, an XLSX bomb, an XLSX with a DOCTYPE (entity expansion), a gzip bomb, a zip that lies about
its sizes and one with 10,001 files; zip members named `../../etc/passwd.csv`, `/etc/passwd.csv` and
`C:\\Windows\\x.csv`; pasted text over the limit; 3 unreadable JSON bodies on the API (UTF-16 without a BOM, 10,000
levels, a NUL byte); a 400-digit number on the API (an error at its path, the rest reviewed); a file named
`../../../etc/passwd` (shown only as its last part, stored only under the review's token); script in a value, a field
name, a buyer's name and the file name, shown as text on the report page; NUL characters in the data, kept out of the
stored report as U+FFFD; formulas in an uploaded workbook (reported, never worked out) and formula text in uploaded CSV
files (neutralised in the downloads); 20,000 tiny items on the API past an item limit of 1,000 (a partial report that
says where it stopped).
"""

from __future__ import annotations

import copy
import io
import struct
import zipfile

import openpyxl
import orjson
import pytest
from django.urls import reverse

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.reviews.models import ReviewRequest

from .conftest import assert_answered, assert_no_traceback, assert_refused, files_under, readable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_review_store(review_store):
    return review_store


@pytest.fixture(scope="module")
def package() -> dict:
    demo = borsetdale_release_package()
    return {**demo, "releases": copy.deepcopy(demo["releases"][:4])}


def upload(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def post_upload(client, name: str, data: bytes):
    return client.post(reverse("reviews:upload"), {"file": upload(name, data)})


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_nothing_kept(review_store) -> None:
    assert ReviewRequest.objects.count() == 0
    assert files_under(review_store) == []


def test_a_csv_zip_bomb_is_refused_before_anything_unpacks_it(client, review_store, settings):
    settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES = 50_000_000
    bomb = zip_bytes({"releases.csv": b"ocid,id\n" + b"0" * 60_000_000})
    assert len(bomb) < 1_000_000
    assert_refused(post_upload(client, "bomb.zip", bomb), 413, "unpack to too much data")
    assert_nothing_kept(review_store)


def test_an_xlsx_bomb_on_the_api_is_refused(client, review_store, settings):
    settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES = 30_000_000
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                      "xl/worksheets/sheet1.xml": b"\0" * 40_000_000})  # fmt: skip
    response = client.post("/api/review", {"file": upload("bomb.xlsx", bomb)})
    assert_refused(response, 413, "unpack to too much data")
    assert_nothing_kept(review_store)


def test_a_gzip_bomb_on_the_api_leaves_only_its_explanation(client, review_store, settings):
    import gzip

    settings.OPENCARE_REVIEW_MAX_EXPANDED_BYTES = 5_000_000
    body = gzip.compress(b'{"releases": [' + b" " * 20_000_000 + b"]}", compresslevel=9)
    response = client.post("/api/review", data=body, content_type="application/json")
    assert_refused(response, 422, "zip bomb")
    assert ReviewRequest.objects.get().status == ReviewRequest.Status.FAILED
    assert files_under(review_store) == []


def test_a_zip_that_lies_about_its_sizes_is_refused(client, review_store):
    data = bytearray(zip_bytes({"releases.csv": b"ocid,id\n" + b"x" * 5_000_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # claim 1,000 bytes unpacked
        at = data.index(signature) + offset
        data[at : at + 4] = struct.pack("<I", 1000)
    assert_refused(post_upload(client, "liar.zip", bytes(data)), 400, "does not hold what the zip file says")
    assert_nothing_kept(review_store)


def test_a_zip_of_10001_files_is_refused(client, review_store):
    many = zip_bytes({f"{number}.csv": b"" for number in range(10_001)})
    assert_refused(post_upload(client, "many.zip", many), (400, 413), "files inside it")
    assert_nothing_kept(review_store)


@pytest.mark.parametrize("name", ["../../etc/passwd.csv", "/etc/passwd.csv", "C:\\Windows\\x.csv"])
def test_a_zip_member_named_outside_the_archive_is_refused(client, review_store, name):
    assert_refused(post_upload(client, "evil.zip", zip_bytes({name: b"ocid,id\n"})), 400, "unsafe name")
    assert_nothing_kept(review_store)


def test_pasted_text_over_the_limit_is_413(client, review_store, settings):
    settings.OPENCARE_REVIEW_MAX_PASTE_BYTES = 1000
    response = client.post(reverse("reviews:upload"), {"pasted": '{"releases": [' + " " * 2000 + "]}"})
    assert_refused(response, 413, "more than the 1 KB that can be pasted", "upload the file instead")
    assert_nothing_kept(review_store)


API_UNREADABLE = [
    ('{"releases": []}'.encode("utf-16-le"), "encoded as UTF-16 (without a byte order mark)"),
    (b'{"releases": [' + b"[" * 10_000 + b"]" * 10_000 + b"]}", "nested more than 256 levels deep"),
    (b'{"releases": [{"ocid": "x\x00"}]}', "a control character"),
]


@pytest.mark.parametrize(("body", "words"), API_UNREADABLE, ids=["UTF-16", "10,000 levels", "NUL byte"])
def test_unreadable_json_on_the_api_is_422_saying_what_and_where(client, review_store, body, words):
    response = client.post("/api/review", data=body, content_type="application/json")
    assert_refused(response, 422, words)
    assert response.json()["error"]["how_to_fix"]
    assert files_under(review_store) == []


def test_a_file_named_to_climb_out_of_the_store_is_kept_only_under_its_token(client, review_store, tmp_path):
    response = post_upload(client, "../../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n")
    page = client.get(response["Location"])
    assert_refused(page, 422, "The data starts with 'r', not with { or [")
    assert ReviewRequest.objects.get().file_name == "passwd"
    assert files_under(review_store) == []
    assert not (tmp_path / "etc").exists()


def test_script_in_values_field_names_names_and_the_file_name_is_shown_as_text(client, package):
    hostile = copy.deepcopy(package)
    script = "<script>alert(1)</script>"
    first = hostile["releases"][0]
    first["tender"]["title"] = script
    first["tender"]["status"] = script  # not in the codelist: quoted in a finding
    first[script] = "an unknown field"  # a field name, quoted in a finding
    first.setdefault("buyer", {})["name"] = script  # a key fact
    response = post_upload(client, f"{script}.json", orjson.dumps(hostile))
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert_no_traceback(html)


def test_a_400_digit_number_on_the_api_is_an_error_at_its_path_and_the_rest_is_reviewed(client, review_store):
    body = b'{"releases": [{"ocid": "x", "date": "2024", "id": ' + b"9" * 400 + b"}]}"
    response = client.post("/api/review", data=body, content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    report = response.json()
    (finding,) = [finding for finding in report["findings"] if finding["check"] == "ocds.unreadable-number"]
    assert (finding["path"], finding["examples"][0]["pointer"]) == ("releases/id", "/releases/0/id")
    assert "(400 characters)" in finding["message"]
    assert "releases/date" in {finding["path"] for finding in report["findings"]}  # the rest was checked
    assert_no_traceback(response.content.decode())


def test_nul_characters_in_the_data_are_reported_and_stored_as_replacement_characters(client, package):
    hostile = copy.deepcopy(package)
    hostile["releases"][0]["tender"]["status"] = "active\x00"
    hostile["releases"][0].setdefault("buyer", {})["name"] = "Borsetdale\x00 Council"
    response = client.post("/api/review", data=orjson.dumps(hostile), content_type="application/json")
    assert response.status_code == 200, response.content[:500]
    stored = orjson.dumps(ReviewRequest.objects.get().report)
    assert b"\\u0000" not in stored
    assert "active\ufffd" in stored.decode()


def test_formulas_in_an_uploaded_workbook_are_reported_never_worked_out(client, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "main"
    sheet.append(["ocid", "id", "date", "tender/title"])
    sheet.append(["ocds-abcdef-1", "1", "2024-01-01T00:00:00Z", '=HYPERLINK("http://evil.example","x")'])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    response = post_upload(client, "formula.xlsx", path.read_bytes())
    shown = readable(client.get(response["Location"]).content.decode())
    assert "has a formula" in shown
    assert "Formulas are not worked out here" in shown


def test_formula_text_in_uploaded_csv_files_is_neutralised_in_the_downloads(client):
    csv_text = b"ocid,id,date,tender/title\nocds-abcdef-1,1,2024-01-01T00:00:00Z,\"=cmd|' /C calc'!A0\"\n"
    post_upload(client, "releases.zip", zip_bytes({"main.csv": csv_text}))
    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.READY, review.error
    download = client.get(reverse("reviews:download", args=[review.token, "csv"]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "'=cmd" in text
    assert ",=cmd" not in text


def test_an_xlsx_with_an_entity_expansion_doctype_is_refused_in_plain_words(client, review_store):
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    members = {name: original.read(name) for name in original.namelist()}
    members["xl/worksheets/sheet1.xml"] = laughs + members["xl/worksheets/sheet1.xml"]
    body = assert_refused(post_upload(client, "laughs.xlsx", zip_bytes(members)), 400, "DOCTYPE declaration",
                          "does not accept for safety", "save it again")  # fmt: skip
    assert str(review_store) not in body
    assert_nothing_kept(review_store)


def test_a_flood_of_tiny_items_on_the_api_stops_at_the_item_limit_with_a_partial_report(client, settings):
    settings.OPENCARE_REVIEW_MAX_ITEMS = 1000
    body = b'{"releases": [' + b",".join([b"{}"] * 20_000) + b"]}"
    response = client.post("/api/review", data=body, content_type="application/json")
    assert_answered(response, "This file has more than 1,000 releases", "the review stopped there")
    report = response.json()
    assert report["complete"] is False
    assert report["counts"]["releases"] == 1000
