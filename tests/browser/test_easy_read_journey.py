"""Easy read all the way, in a browser: a contract's page, its easy read version, the easy read feedback form (sent
empty first, to read its errors, then filled in) and the easy read thank-you page; at 320 px and 1280 px, with axe
finding nothing on any page and screenshots of each step (test-artifacts/screenshots/easy-read-journey-*.png).

The journey runs in English and in Welsh (/cy): every address is the language prefix + the path, and every expected
word is looked up by prefix in TEXTS.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.participation.models import Feedback

from .test_accessibility import _axe_problems, _wait_for_images
from .test_journeys import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

#: The words the journey expects, by language prefix.
TEXTS = {
    "": {
        "easy_read_heading": "Easy read: Home care in North Borsetdale",
        "form_heading": "Tell us about your care",
        "error_title": re.compile(r"^Error:"),
        "errors": [
            "Tell us who you are.",
            "Tell us if your care workers came on time in the last 4 weeks.",
            "Tell us if you saw the same care workers in the last 4 weeks.",
            "Tell us if you would tell a friend to use this care.",
        ],
        "story": "The morning care worker is kind. She is often late.",
        "thanks_heading": "Thank you for telling us",
    },
    "/cy": {
        "easy_read_heading": "Hawdd ei ddeall: Home care in North Borsetdale",  # the title stays as published
        "form_heading": "Dywedwch wrthym am eich gofal",
        "error_title": re.compile(r"^Gwall:"),
        "errors": [
            "Dywedwch wrthym pwy ydych chi.",
            "Dywedwch wrthym a oedd eich gweithwyr gofal yn dod ar amser yn y 4 wythnos diwethaf.",
            "Dywedwch wrthym a oeddech chi'n gweld yr un gweithwyr gofal yn y 4 wythnos diwethaf.",
            "Dywedwch wrthym a fyddech chi'n dweud wrth ffrind am ddefnyddio'r gofal hwn.",
        ],
        "story": "Mae gweithiwr gofal y bore yn garedig. Mae hi'n aml yn hwyr.",
        "thanks_heading": "Diolch am ddweud wrthym",
    },
}
#: The answers a person gives, by field name and value (the same in every language).
ANSWERS = {
    "respondent_type": "personGettingSupport",
    "q__sc-feedback-on-time": "mostly",
    "q__sc-feedback-same-care-workers": "dontKnow",
    "q__sc-feedback-recommend": "yes",
}


@pytest.fixture
def easy_read_site(settings, live_server) -> str:
    """One demo contract that people can give feedback on, served by the live server."""
    settings.OPENCARE_FEEDBACK_MIN_SECONDS = 0  # the time check itself is tested in tests/participation
    stored_borsetdale(NORTH)
    return NORTH


def _step(page: Page, width: int, number: int, name: str) -> None:
    """Check the page as a person would meet it: in the journey's language, accessible (no axe violations and no
    incomplete contrast items), no sideways scrolling, and a screenshot kept."""
    language = page.locator("html").get_attribute("lang")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _wait_for_images(page)  # the contract page's charts load lazily
    drawn = "pictures => pictures.every(picture => picture.naturalWidth > 0)"
    assert page.locator("img.opencare-easy-read__picture").evaluate_all(drawn), "an easy read picture did not load"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at a {width}px viewport"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"easy-read-journey-{language}-{width}-{number}-{name}.png", full_page=True)
    assert _axe_problems(page) == [], page.url


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_a_person_goes_from_a_contract_to_its_easy_read_page_and_gives_feedback_in_easy_read(
    easy_read_site: str, live_server, page: Page, prefix: str, width: int
):
    ocid, words = easy_read_site, TEXTS[prefix]
    base = live_server.url + prefix
    page.set_viewport_size({"width": width, "height": 900})

    # 1. The contract's page links to its easy read version.
    page.goto(f"{base}/contracts/{ocid}/")
    expect(page.locator("html")).to_have_attribute("lang", "cy" if prefix == "/cy" else "en-gb")
    _step(page, width, 1, "contract")
    page.locator(f'a[href="{prefix}/contracts/{ocid}/easy-read/"]').first.click()

    # 2. The easy read page: a picture beside each idea, large type, and a clear way to the easy read form.
    expect(page.get_by_role("heading", level=1)).to_have_text(words["easy_read_heading"])
    easy_read = page.locator(".opencare-easy-read")
    expect(easy_read.locator("section h2").first).to_be_visible()
    for section in easy_read.locator("section").all():
        expect(section.locator("img.opencare-easy-read__picture:not([alt=''])").first).to_be_attached()
    sentence = easy_read.locator("section p").first
    font_size = float(sentence.evaluate("element => parseFloat(getComputedStyle(element).fontSize)"))
    assert font_size >= (19 if width == 320 else 24), f"easy read text is {font_size}px at {width}px"
    _step(page, width, 2, "easy-read")
    form_links = page.locator(f'a[href="{prefix}/contracts/{ocid}/feedback/easy-read/"]')
    expect(form_links.last).to_have_class(re.compile(r"\bgovuk-button\b"))
    form_links.last.click()

    # 3. The easy read form, sent empty: one error for each question, each naming its question, each different.
    expect(page.get_by_role("heading", level=1)).to_have_text(words["form_heading"])
    _step(page, width, 3, "form")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_title(words["error_title"])
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary, so it is read out first
    expect(summary.locator("a")).to_have_text(words["errors"])
    assert len(set(words["errors"])) == len(words["errors"])
    for name in ANSWERS:
        expect(page.locator(f"#{name}-error")).to_be_visible()
    _step(page, width, 4, "form-errors")
    summary.locator("a").first.click()
    expect(page.locator("#respondent_type-1")).to_be_focused()

    # 4. Filled in and sent: the easy read thank-you page, with what happens next and the way back.
    for name, value in ANSWERS.items():
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.locator('textarea[name="story"]').fill(words["story"])
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks_heading"])
    thanks = page.locator(".opencare-easy-read")
    expect(thanks.locator("img.opencare-easy-read__picture").first).to_be_visible()
    _step(page, width, 5, "thank-you")
    feedback = Feedback.objects.get()
    assert (feedback.respondent_type, feedback.story) == ("personGettingSupport", words["story"])
    assert feedback.answers == {"sc-feedback-on-time": "mostly", "sc-feedback-recommend": "yes"}
    thanks.locator(f'a[href="{prefix}/contracts/{ocid}/easy-read/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["easy_read_heading"])
