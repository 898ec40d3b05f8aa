"""The Data Review Tool in Welsh under /cy/review/: its own text in Welsh, the findings explained in Welsh, and the
data it gives back (the JSON report, the downloads) the same in either language."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import orjson
import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import opencare
from opencare.ocds.review.messages import TEXTS
from opencare.ocds.review.messages_cy import TEXTS_CY
from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db

CATALOGUES = [Path(opencare.__file__).parent / package / "locale/cy/LC_MESSAGES/django.po"
              for package in ("reviews", "config")]  # fmt: skip
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%[sd]")
TAG = re.compile(r"<[^>]+>")


def welsh(name: str, *args: object) -> str:
    with translation.override("cy"):
        return reverse(name, args=args)


def english(name: str, *args: object) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


class _Text(HTMLParser):
    """The text a person reads on a page: no tags, scripts or styles; spaces collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in {"script", "style"}

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(text: str) -> list[str]:
    """Each English message of the reviews and config catalogues (over three words, translated differently) that
    the page's text still shows. A message with placeholders matches whatever fills them."""
    left = []
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            pairs = [(entry.msgid, entry.msgstr)]
            if entry.msgid_plural:
                pairs = [(entry.msgid, entry.msgstr_plural.get(0, "")),
                         (entry.msgid_plural, entry.msgstr_plural.get(2, ""))]  # fmt: skip
            for msgid, msgstr in pairs:
                words = unescape(TAG.sub("", msgid))
                if len(PLACEHOLDER.sub("", words).split()) <= 3 or msgid == msgstr:
                    continue
                pattern = r".{0,200}?".join(re.escape(" ".join(part.split())) for part in PLACEHOLDER.split(words))
                if re.search(pattern, text):
                    left.append(msgid)
    return left


def post_file(client, address: str, name: str, data: bytes):
    return client.post(address, {"file": upload(name, data)})


@pytest.fixture
def broken_bytes(demo_package) -> bytes:
    broken = copy.deepcopy(demo_package)
    broken["releases"][0]["date"] = "last Tuesday"
    broken["releases"][1]["tender"]["status"] = "wibble"
    del broken["releases"][2]["id"]
    return orjson.dumps(broken)


def test_the_welsh_upload_page_is_in_welsh(client):
    response = client.get(welsh("reviews:upload"))
    assert response.status_code == 200
    html = response.content.decode()
    assert welsh("reviews:upload") == "/cy/review/"
    assert '<html lang="cy"' in html
    text = page_text(html)
    assert "Gwirio eich data" in text
    assert english_left(text) == []


def test_a_refused_upload_is_explained_in_welsh(client):
    response = client.post(welsh("reviews:upload"), {})
    assert response.status_code == 400
    text = page_text(response.content.decode())
    assert "Dewiswch ffeil neu gludwch JSON" in text
    assert english_left(text) == []


def test_a_welsh_upload_leads_to_the_welsh_report(client, broken_bytes):
    response = post_file(client, welsh("reviews:upload"), "broken.json", broken_bytes)
    assert response.status_code == 302
    assert response["Location"].startswith("/cy/review/")


def test_the_welsh_report_shows_each_finding_and_its_fix_in_welsh(client, broken_bytes):
    post_file(client, english("reviews:upload"), "broken.json", broken_bytes)
    review = ReviewRequest.objects.get()
    html = client.get(welsh("reviews:review", review.token)).content.decode()
    assert '<html lang="cy"' in html
    text = page_text(html)
    assert "Nid yw 'date' yn ddyddiad ac amser yn y fformat y mae OCDS yn ei ddefnyddio." in text
    assert TEXTS_CY["schema.date-time"][1] in text
    assert "Nid oes gan bob datganiad 'id'. Mae OCDS yn ei gwneud yn ofynnol." in text
    assert "Mae gan 'status' werth nad yw'n cael ei ganiatáu." in text
    assert "Y gwerthoedd a ddefnyddiwyd: 'wibble'." in text
    assert "Gwallau" in text
    assert "Ddim yn ddilys" in text
    assert "Mae teitlau a disgrifiadau'r meysydd yn Saesneg, fel yn y safon." in text
    for check in ("schema.date-time", "schema.required", "schema.closed-codelist"):
        assert TEXTS[check][1].split("{")[0][:40] not in text
    assert "is not a date and time" not in text
    assert english_left(text) == []


def test_the_english_report_is_unchanged(client, broken_bytes):
    post_file(client, english("reviews:upload"), "broken.json", broken_bytes)
    review = ReviewRequest.objects.get()
    html = client.get(english("reviews:review", review.token)).content.decode()
    assert '<html lang="en' in html
    text = page_text(html)
    assert "'date' is not a date and time in the format OCDS uses." in text
    assert "'id' is missing from each release. OCDS requires it." in text
    assert "Errors" in text
    assert "Not valid" in text
    assert "Nid yw 'date'" not in text
    assert "Saesneg" not in text
    assert "The field titles and descriptions are in English" not in text


def test_a_valid_report_in_welsh_has_no_english_of_its_own(client, demo_bytes):
    post_file(client, welsh("reviews:upload"), "borsetdale.json", demo_bytes)
    review = ReviewRequest.objects.get()
    text = page_text(client.get(welsh("reviews:review", review.token)).content.decode())
    assert "Dim gwallau wedi'u canfod" in text
    assert "Pecyn datganiadau" in text
    assert english_left(text) == []


def test_a_report_kept_before_the_welsh_stays_english_and_says_so(client, broken_bytes):
    post_file(client, english("reviews:upload"), "broken.json", broken_bytes)
    review = ReviewRequest.objects.get()
    for finding in review.report["findings"]:
        finding.pop("context", None)
    review.save(update_fields=["report"])
    text = page_text(client.get(welsh("reviews:review", review.token)).content.decode())
    assert "'date' is not a date and time in the format OCDS uses." in text
    assert "Mae rhai canfyddiadau yn yr adroddiad hwn yn Saesneg yn unig" in text


def test_the_progress_text_and_a_missing_report_are_in_welsh(client, settings, demo_bytes):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    post_file(client, welsh("reviews:upload"), "borsetdale.json", demo_bytes)
    review = ReviewRequest.objects.get()
    page = client.get(welsh("reviews:review", review.token))
    text = page_text(page.content.decode())
    assert "Yn aros i gael ei wirio." in text
    assert english_left(text) == []
    assert client.get(welsh("reviews:status", review.token)).json()["progress_text"] == "Yn aros i gael ei wirio."
    missing = client.get(welsh("reviews:review", "no-such-report"))
    assert missing.status_code == 404
    assert "Does dim adroddiad yn y cyfeiriad hwn." in page_text(missing.content.decode())


def test_the_json_report_is_the_same_in_either_language(client, broken_bytes):
    post_file(client, english("reviews:upload"), "broken.json", broken_bytes)
    review = ReviewRequest.objects.get()
    in_english = client.get(english("reviews:report_json", review.token))
    in_welsh = client.get(welsh("reviews:report_json", review.token))
    assert in_welsh.status_code == 200
    assert in_welsh.content == in_english.content
    assert any(f["message"] == "'date' is not a date and time in the format OCDS uses."
               for f in in_welsh.json()["findings"])  # fmt: skip


def test_the_report_and_downloads_do_not_depend_on_the_language_they_were_checked_in(client, broken_bytes):
    post_file(client, english("reviews:upload"), "broken.json", broken_bytes)
    post_file(client, welsh("reviews:upload"), "broken.json", broken_bytes)
    checked_in_english, checked_in_welsh = ReviewRequest.objects.order_by("pk")
    assert checked_in_welsh.report == checked_in_english.report
    for name in ("json", "csv"):
        files = [b"".join(client.get(english("reviews:download", review.token, name)).streaming_content)
                 for review in (checked_in_english, checked_in_welsh)]  # fmt: skip
        if name == "csv":
            files = [{info.filename: archive.read(info) for info in archive.infolist()}
                     for archive in (zipfile.ZipFile(io.BytesIO(data)) for data in files)]  # fmt: skip
            assert files[0], "the CSV zip has files"
        assert files[0] == files[1]


def test_a_file_that_cannot_be_read_gets_a_welsh_page_that_says_its_explanation_is_english(client):
    response = post_file(client, welsh("reviews:upload"), "bad.json", b'{"releases": [\n  {"ocid": "x",,}\n]}')
    page = client.get(response["Location"])
    assert page.status_code == 422
    html = page.content.decode()
    assert '<html lang="cy"' in html
    text = page_text(html)
    assert "Nid oeddem yn gallu darllen eich data" in text
    assert "Llinell 2, colofn" in text
    assert "wedi'u hesbonio yn Saesneg yn unig" in text
    assert english_left(text) == []
