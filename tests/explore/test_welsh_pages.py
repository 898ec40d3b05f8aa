"""The public pages in Welsh under /cy/: lang="cy", a switch to the same page in English, and none of the site's own
English left (every message of the catalogues that has its Welsh is shown in Welsh). English stays at the usual
addresses, whatever the browser prefers; publishing and the API have no Welsh addresses.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest

from opencare.config.language import TRANSLATED_PACKAGES
from opencare.demo.services import load_demo
from opencare.registry.models import Organisation

SOURCE = Path(__file__).resolve().parents[2] / "src" / "opencare"
SOUTH = "ocds-bdemo1-hc-south"


def _pages() -> dict[str, str]:
    council = Organisation.objects.get(name="Borsetdale Council (invented sample)")
    return {
        "home": "/",
        "contracts": "/contracts/?q=home+care",
        "contract": f"/contracts/{SOUTH}/",
        "easy read": f"/contracts/{SOUTH}/easy-read/",
        "feedback form": f"/contracts/{SOUTH}/feedback/",
        "easy read feedback form": f"/contracts/{SOUTH}/feedback/easy-read/",
        "moderation policy": "/feedback/moderation-policy/",
        "council": f"/organisations/{council.pk}/",
        "organisations": "/organisations/",
        "compare": f"/compare/?ocid={SOUTH}&ocid=ocds-bdemo1-hc-north",
        "glossary": "/glossary/",
        "about the data": "/about-the-data/",
        "downloads": "/downloads/",
        "data standard": "/data-standard/",
        "check your data": "/review/",
    }


def _english_messages() -> list[str]:
    """The catalogues' English messages that have a different Welsh, long enough not to be mistaken for data, and
    shown as written (no placeholders or markup)."""
    found = set()
    for package in TRANSLATED_PACKAGES:
        for entry in polib.pofile(str(SOURCE / package / "locale" / "cy" / "LC_MESSAGES" / "django.po")):
            text = entry.msgid
            if entry.msgstr and entry.msgstr != text and len(text.split()) >= 3 and not re.search(r"[%{<]", text):
                found.add(" ".join(text.split()))
    return sorted(found)


def _text(page: str) -> str:
    """The words a person reads: no scripts, tags or attributes; entities unescaped; white space collapsed."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _site_text(page: str) -> str:
    """The page's own words: its text less the parts it marks as written in English by someone else (lang="en":
    what a council or provider published, a source's own name), which are data, not the site's text."""
    return _text(re.sub(r'<(\w+)\b[^>]*\blang="en[^"]*"[^>]*>.*?</\1>', " ", page, flags=re.S))


@pytest.mark.django_db
def test_every_public_page_in_welsh_has_lang_cy_and_none_of_the_sites_own_english(client):
    load_demo()
    english = _english_messages()
    assert len(english) > 300
    left = {}
    for name, path in _pages().items():
        response = client.get("/cy" + path)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="cy"' in page, name
        text = _site_text(page)
        found = [message for message in english if message in text]
        if found:
            left[name] = found
    assert left == {}, "\n".join(f"{name}: {found}" for name, found in left.items())


@pytest.mark.django_db
def test_the_language_switch_keeps_the_person_on_the_same_page_and_search(client):
    load_demo()
    welsh = client.get("/cy/contracts/?q=home+care").content.decode()
    assert 'href="/contracts/?q=home+care" hreflang="en-gb" lang="en-gb">English</a>' in welsh
    english = client.get(f"/contracts/{SOUTH}/").content.decode()
    assert f'href="/cy/contracts/{SOUTH}/" hreflang="cy" lang="cy">Cymraeg</a>' in english


@pytest.mark.django_db
def test_english_stays_at_the_usual_addresses_whatever_the_browser_prefers(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="en-gb"' in page
    assert "Skip to main content" in page


@pytest.mark.django_db
def test_publishing_and_the_api_have_no_welsh_addresses_and_no_language_switch(client):
    assert client.get("/cy/publish/").status_code == 404
    assert client.get("/cy/api/releases").status_code == 404
    sign_in = client.get("/account/sign-in/").content.decode()
    assert "opencare-language-switch" not in sign_in


@pytest.mark.django_db
def test_a_welsh_contract_page_shows_the_catalogues_welsh_questions_and_dates_in_welsh(client):
    load_demo()
    text = _text(client.get(f"/cy/contracts/{SOUTH}/").content.decode())
    assert "Pa mor aml nad yw ymweliad a gynlluniwyd yn digwydd?" in text  # the missed visits question
    assert "How often does a planned visit not happen?" not in text
    months = "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Gorffenaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
    assert re.search(rf"\d+ ({months}) 20\d\d", text)


@pytest.mark.django_db
def test_words_the_code_builds_are_welsh_on_welsh_pages_and_charts(client):
    load_demo()
    contracts = _text(client.get("/cy/contracts/?q=home+care").content.decode())
    assert "Ymweliadau a gollwyd" in contracts  # a measure below target, stored in English, shown in Welsh
    assert "Missed visits" not in contracts
    compare = _text(client.get(f"/cy/compare/?ocid={SOUTH}&ocid=ocds-bdemo1-hc-north").content.decode())
    assert "Brightwater Home Care Ltd (invented) ar gyfer Borsetdale Council (invented sample)" in compare
    assert "£ yr awr" in compare
    assert "£ per hour" not in compare
    chart = client.get(f"/cy/contracts/{SOUTH}/charts/sc-missed-visits.svg").content.decode()
    assert "Diwedd y cyfnod" in chart
    assert "End of period" not in chart
    assert "Ymweliadau a gollwyd" in chart
    form = _text(client.get(f"/cy/contracts/{SOUTH}/feedback/").content.decode())
    assert "Pwy ydych chi?" in form
    assert "Rydw i'n weithiwr gofal i'r gwasanaeth hwn" in form
    assert "Wnaeth eich gweithwyr gofal gyrraedd ar amser y mis diwethaf?" in form
    standard = _text(client.get("/cy/data-standard/").content.decode())
    assert "Nifer yr atebion i gwestiwn am fodlonrwydd" in standard  # a catalogue description in Welsh


@pytest.mark.django_db
def test_english_pages_and_charts_keep_their_english_words(client):
    load_demo()
    chart = client.get(f"/contracts/{SOUTH}/charts/sc-missed-visits.svg").content.decode()
    assert "End of period" in chart
    assert "Missed visits" in chart
    contracts = _text(client.get("/contracts/?q=home+care").content.decode())
    assert "Missed visits" in contracts
