"""What the Data Review Tool tells people when input is wrong never shows where the server keeps files, nor a
library's raw message or an exception's class name: only what is wrong and how to fix it."""

from __future__ import annotations

import builtins
import gzip
import io
import re
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db

#: Every built-in exception's name, and those of the libraries the review reads with.
EXCEPTION_NAMES = {name for name, value in vars(builtins).items() if isinstance(value, type)
                   and issubclass(value, BaseException)} | {"BadZipFile", "DTDForbidden", "EntitiesForbidden",
                   "ParseError", "InvalidFileException", "JSONDecodeError", "IncompleteJSONError",
                   "MultiPartParserError", "FlattenToolError", "InputError", "SpreadsheetError"}  # fmt: skip
#: Words of the libraries' own messages (zlib, gzip, Django's form parser, openpyxl), which are never shown.
LIBRARY_WORDS = ("Error -", "while decompressing", "end-of-stream marker", "Invalid boundary", "most probably because")
CLASS_NAME = re.compile(r"\b(" + "|".join(sorted(EXCEPTION_NAMES)) + r")\b|\bzlib\.error\b|<class ")


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "releases"
    sheet.append(["ocid", "id", "date", "tag", "initiationType"])
    sheet.append(["ocds-213czf-1", "1", "2024-01-01T00:00:00Z", "planning", "tender"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def changed_member(workbook: bytes, member: str, change) -> bytes:
    """The workbook with one of its XML parts changed."""
    original = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            archive.writestr(info.filename, change(data) if info.filename == member else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
BAD_INPUTS = {
    "an XLSX with a DOCTYPE": lambda: changed_member(
        workbook_bytes(), SHEET, lambda xml: b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml
    ),
    "an XLSX with a DOCTYPE in its workbook part": lambda: changed_member(
        workbook_bytes(), "xl/workbook.xml", lambda xml: b"<!DOCTYPE workbook>" + xml
    ),
    "an XLSX whose sheet is not XML": lambda: changed_member(workbook_bytes(), SHEET, lambda xml: b"<worksheet><"),
    "an XLSX with no workbook part": lambda: changed_member(workbook_bytes(), "xl/workbook.xml", lambda xml: b""),
    "a gzip file cut short": lambda: (lambda data: data[: len(data) // 2])(gzip.compress(many_releases())),
    "a gzip file with a broken middle": lambda: (lambda data: data[:40] + b"\xff" * 40 + data[80:])(
        gzip.compress(many_releases())
    ),
    "broken JSON": lambda: b'{"releases": [{"ocid": }]}',
    "a zip that is not a spreadsheet": lambda: zipfile_with({"notes.txt": b"hello"}),
}


def many_releases() -> bytes:
    return b'{"releases": [' + b",".join(b'{"ocid": "ocds-x-%d"}' % i for i in range(5000)) + b"]}"


def zipfile_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_shows_nothing_of_the_server(text: str) -> None:
    for folder in (settings.OPENCARE_REVIEW_DIR, settings.FILE_UPLOAD_TEMP_DIR):
        assert str(folder) not in text, text
    assert "/tmp/" not in text, text
    assert not CLASS_NAME.search(text), (CLASS_NAME.search(text), text)
    for words in LIBRARY_WORDS:
        assert words not in text, text


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_no_message_about_bad_input_shows_a_server_path_or_an_exception_class(client, case):
    data = BAD_INPUTS[case]()
    name = "data.xlsx" if data.startswith(b"PK") else "data.json.gz" if data[:2] == b"\x1f\x8b" else "data.json"
    page = client.post(reverse("reviews:upload"), {"file": upload(name, data)}, follow=True)
    api = client.post("/api/review", {"file": upload(name, data)})
    assert 400 <= page.status_code < 500, page.status_code
    assert 400 <= api.status_code < 500, api.status_code
    shown = [page.content.decode(), api.content.decode()]
    shown += [str(review.error) for review in ReviewRequest.objects.all()]
    for text in shown:
        assert_shows_nothing_of_the_server(text)


def test_an_xlsx_with_a_doctype_is_refused_at_once_in_plain_words(client):
    data = BAD_INPUTS["an XLSX with a DOCTYPE"]()
    response = client.post("/api/review", {"file": upload("data.xlsx", data)})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("This spreadsheet contains a DOCTYPE declaration, which opencare does not accept")
    assert ReviewRequest.objects.count() == 0


def test_a_form_that_cannot_be_read_is_explained_without_the_parsers_words(client):
    response = client.generic("POST", "/api/review", b"--x\r\nnonsense", content_type="multipart/form-data")
    assert response.status_code == 400
    assert_shows_nothing_of_the_server(response.content.decode())
    assert response.json()["message"].startswith("The form could not be read")
