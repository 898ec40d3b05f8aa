"""The finish of every page: a favicon, and the downloads page's times in words."""

from __future__ import annotations

import re

import pytest
from tests.builders.processes import stored_process

from opencare.registry.bulk import write_bulk_downloads


@pytest.mark.django_db
def test_every_page_names_its_icon_and_browsers_asking_for_favicon_ico_are_sent_to_it(client):
    page = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/opencare/favicon[^"]*\.ico"', page)
    assert re.search(r'<link rel="icon" href="/static/opencare/favicon[^"]*\.svg" type="image/svg\+xml"', page)
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert re.fullmatch(r"/static/opencare/favicon[^/]*\.ico", answer["Location"])


@pytest.mark.django_db
def test_the_downloads_page_says_when_the_files_were_made_in_words_not_as_an_iso_time(client, settings, tmp_path):
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    stored_process("ocds-test00-000001")
    write_bulk_downloads()
    text = client.get("/downloads/").content.decode()
    assert re.search(r"at \d\d:\d\d on \d{1,2} [A-Z][a-z]+ 20\d\d\.", text)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)
    welsh = client.get("/cy/downloads/").content.decode()
    months = "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffenaf|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
    assert re.search(rf"\d{{1,2}} ({months}) 20\d\d", welsh)
