"""A notice's own Welsh (OCDS language variants, as a bilingual Sell2Wales notice gives them) on the Welsh page."""

from __future__ import annotations

import pytest
from tests.builders.processes import stored
from tests.builders.releases import release

from opencare.explore.contract_words import published_in_language

OCID = "ocds-kuma6s-900001"


def _bilingual_notice() -> None:
    notice = release(OCID, title="Home care in Ynys Môn", buyer="Isle of Anglesey County Council")
    notice["tender"] |= {
        "title_cy": "Gofal cartref yn Ynys Môn",
        "description": "Care and support at home for adults.",
        "description_cy": "Gofal a chymorth yn y cartref i oedolion.",
    }
    stored(notice)


@pytest.mark.django_db
def test_the_welsh_page_shows_the_notices_own_welsh_title_and_description(client):
    _bilingual_notice()
    page = client.get(f"/cy/contracts/{OCID}/").content.decode()
    assert "<h1" in page
    assert "Gofal cartref yn Ynys Môn</h1>" in page
    assert "Gofal a chymorth yn y cartref i oedolion." in page


@pytest.mark.django_db
def test_the_english_page_keeps_the_notices_english(client):
    _bilingual_notice()
    page = client.get(f"/contracts/{OCID}/").content.decode()
    assert "Home care in Ynys Môn</h1>" in page
    assert "Gofal cartref yn Ynys Môn" not in page


def test_a_language_variant_is_read_from_the_tender_then_the_release_and_never_for_english():
    compiled = {"title_cy": "Teitl", "tender": {"description_CY": "Disgrifiad"}}
    assert published_in_language(compiled, "title", "cy") == "Teitl"
    assert published_in_language(compiled, "description", "cy") == "Disgrifiad"
    assert published_in_language(compiled, "title", "en-gb") == ""
    assert published_in_language({"tender": {"title_cy": "  "}}, "title", "cy") == ""
