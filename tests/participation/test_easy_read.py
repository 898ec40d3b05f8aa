"""Easy read all the way (docs/easy-read.md): the easy read page has a picture for each section and a way to the easy
read form; the form asks about the last 4 weeks throughout and each error names its question; the thank-you page is
easy read too; the pictures are small, clean SVG made for opencare."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree, html

from opencare.participation.forms import EASY_DONT_KNOW
from opencare.participation.models import Feedback
from opencare.participation.submission_checks import form_stamp

PICTURES = Path(__file__).resolve().parents[2] / "src" / "opencare" / "frontend" / "static" / "opencare" / "easy-read"
#: What each easy read question is about: the words its error must use to name it.
QUESTION_WORDS = {
    "respondent_type": "who you are",
    "q__sc-feedback-on-time": "on time",
    "q__sc-feedback-same-care-workers": "same care workers",
    "q__sc-feedback-recommend": "tell a friend",
}


def _easy_read_answers(**overrides: str) -> dict[str, str]:
    """A filled-in easy read form, shown 10 seconds ago."""
    answers = {
        "respondent_type": "familyMember",
        "q__sc-feedback-on-time": "rarely",
        "q__sc-feedback-same-care-workers": EASY_DONT_KNOW,
        "q__sc-feedback-recommend": "notSure",
        "story": "",
        "email": "",
        "website": "",
        "stamp": form_stamp(time.time() - 10),
    }
    return answers | overrides


def _send_easy_read(client, ocid: str, **overrides: str):
    return client.post(reverse("participation:give_easy_read", args=[ocid]), _easy_read_answers(**overrides))


def _tree(response) -> html.HtmlElement:
    return html.fromstring(response.content.decode())


def _with_class(name: str) -> str:
    """An XPath test for an element with this class among its classes."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@pytest.mark.django_db
def test_every_section_of_the_easy_read_page_has_a_picture_with_alt_text_and_words_beside_pictures(
    client, contract_ocid
):
    page = _tree(client.get(reverse("explore:contract_easy_read", args=[contract_ocid])))

    sections = page.xpath(f"//*[{_with_class('opencare-easy-read')}]//section")
    headings = [section.xpath(".//h2")[0].text_content().strip() for section in sections]
    assert headings == [
        "Who pays and who gives the care",
        "Money",
        "What the provider promised",
        "Targets",
        "How it is going",
        "Meetings to check the care",
        "Questions",
        "Tell us what you think",
    ]
    for heading, section in zip(headings, sections, strict=True):
        described = [image.get("alt") for image in section.xpath(".//img") if (image.get("alt") or "").strip()]
        assert described, f"The section {heading!r} has no picture with a text alternative"
    # Every idea has a picture, and every picture has an alt attribute (empty where the words beside it say it all).
    ideas = page.xpath(f"//*[{_with_class('opencare-easy-read__idea')}]")
    assert len(ideas) > len(sections)
    for idea in ideas:
        (picture,) = idea.xpath(f"./img[{_with_class('opencare-easy-read__picture')}]")
        assert picture.get("alt") is not None
        assert re.search(r"/opencare/easy-read/[a-z-]+(\.[0-9a-f]+)?\.svg$", picture.get("src"))


@pytest.mark.django_db
def test_the_easy_read_page_links_to_the_easy_read_form_for_its_contract(client, contract_ocid):
    page = _tree(client.get(reverse("explore:contract_easy_read", args=[contract_ocid])))

    form_address = reverse("participation:give_easy_read", args=[contract_ocid])
    links = page.xpath(f'//a[@href="{form_address}"]')
    assert len(links) == 2  # one near the top, one as a button in "Tell us what you think"
    assert {link.text_content().strip() for link in links} == {"Tell us what you think about this care"}
    assert "govuk-button" in links[-1].get("class")


@pytest.mark.django_db
def test_every_easy_read_question_asks_about_the_last_4_weeks_and_none_about_a_month(client, contract_ocid):
    page = _tree(client.get(reverse("participation:give_easy_read", args=[contract_ocid])))

    legends = page.xpath("//form//legend")
    questions = [legend.text_content().strip() for legend in legends]
    assert all(legend.xpath(".//img[@alt='']") for legend in legends), "a question has no picture beside it"
    assert len(questions) == 1 + len(QUESTION_WORDS) - 1  # who you are, and the three questions
    for question in questions[1:]:
        assert "last 4 weeks" in question, question
    words = page.xpath(f"//*[{_with_class('opencare-easy-read')}]")[0].text_content()
    assert "The questions are about the last 4 weeks." in words
    assert "month" not in words.lower()
    assert not page.xpath('//input[@name="about_month"]')


@pytest.mark.django_db
def test_each_easy_read_error_names_its_question_and_no_two_errors_are_the_same(client, contract_ocid):
    response = client.post(
        reverse("participation:give_easy_read", args=[contract_ocid]),
        {"stamp": form_stamp(time.time() - 10), "website": ""},
    )

    assert response.status_code == 400
    page = _tree(response)
    summary = page.xpath(f"//*[{_with_class('govuk-error-summary')}]//a")
    messages = {link.get("href").removeprefix("#"): link.text_content().strip() for link in summary}
    assert set(messages) == {f"{name}-1" for name in QUESTION_WORDS}
    for name, words in QUESTION_WORDS.items():
        message = messages[f"{name}-1"]
        assert message.startswith("Tell us"), message
        assert words in message, f"{message!r} does not name the question about {words}"
        assert page.xpath(f'//input[@id="{name}-1"]'), f"the summary links to #{name}-1, which is not on the page"
        (beside,) = page.xpath(f'//*[@id="{name}-error"]')
        assert message in beside.text_content()
    assert len(set(messages.values())) == len(messages)
    assert "This field is required." not in response.content.decode()


@pytest.mark.django_db
def test_easy_read_errors_for_a_long_story_and_a_wrong_email_say_what_to_do(client, contract_ocid):
    response = _send_easy_read(client, contract_ocid, story="x" * 3001, email="not an address")

    assert response.status_code == 400
    summary = _tree(response).xpath(f"//*[{_with_class('govuk-error-summary')}]//a")
    errors = [link.text_content().strip() for link in summary]
    assert errors == [
        "What you wrote is too long. Please write less than 3,000 letters.",
        "Write your email address like this: name@example.com",
    ]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_i_do_not_know_to_every_easy_read_question_and_nothing_written_asks_for_something(client, contract_ocid):
    dont_know = {f"q__{metric}": EASY_DONT_KNOW for metric in ("sc-feedback-on-time", "sc-feedback-recommend")}
    response = _send_easy_read(client, contract_ocid, **dont_know)

    assert response.status_code == 400
    (error,) = _tree(response).xpath(f"//*[{_with_class('govuk-error-summary')}]//li")
    assert "I do not know" in error.text_content()
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_easy_read_answers_are_counted_like_the_ordinary_form_s_about_the_month_of_the_last_4_weeks(
    client, contract_ocid
):
    response = _send_easy_read(client, contract_ocid, story="The evening visits are late.")

    assert response.status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.respondent_type == "familyMember"
    # "I do not know" is not counted, as the ordinary form's empty answer is not.
    assert feedback.answers == {"sc-feedback-on-time": "rarely", "sc-feedback-recommend": "notSure"}
    two_weeks_ago = timezone.localdate() - timedelta(weeks=2)
    assert feedback.about_month == two_weeks_ago.replace(day=1)


@pytest.mark.django_db
def test_the_thank_you_page_after_the_easy_read_form_is_easy_read_and_links_back(client, contract_ocid):
    response = _send_easy_read(client, contract_ocid)

    assert response.status_code == 201
    page = _tree(response)
    (easy_read,) = page.xpath(f"//*[{_with_class('opencare-easy-read')}]")
    assert easy_read.xpath(".//h1")[0].text_content().strip() == "Thank you for telling us"
    pictures = easy_read.xpath(f".//img[{_with_class('opencare-easy-read__picture')}]")
    assert len(pictures) >= 4
    assert any((picture.get("alt") or "").strip() for picture in pictures)
    assert "What happens next" in easy_read.text_content()
    back = reverse("explore:contract_easy_read", args=[contract_ocid])
    assert [link.text_content() for link in easy_read.xpath(f'.//a[@href="{back}"]')] == [
        "Go back to the easy read page about this care"
    ]


@pytest.mark.django_db
def test_the_thank_you_page_after_the_ordinary_form_is_unchanged(client, contract_ocid):
    from .conftest import feedback_answers
    from .test_feedback import LAST_MONTH

    response = client.post(
        reverse("participation:give", args=[contract_ocid]), feedback_answers(about_month=LAST_MONTH)
    )

    assert response.status_code == 201
    page = _tree(response)
    assert page.xpath("//h1")[0].text_content() == "Thank you: we have your feedback"
    assert not page.xpath(f"//*[{_with_class('opencare-easy-read')}]")


def test_the_easy_read_pictures_are_small_clean_svg_made_for_opencare_with_their_licence():
    pictures = sorted(PICTURES.glob("*.svg"))
    assert len(pictures) >= 11
    for picture in pictures:
        assert picture.stat().st_size < 2048, f"{picture.name} is {picture.stat().st_size} bytes"
        svg = etree.parse(str(picture)).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert svg.get("viewBox") == "0 0 64 64", picture.name
        assert svg.get("role") == "img", picture.name
        assert not svg.findall(".//{http://www.w3.org/2000/svg}text"), f"{picture.name} has text in it"
        assert not "".join(svg.itertext()).strip(), f"{picture.name} has text in it"
    readme = (PICTURES / "README.md").read_text(encoding="utf-8")
    assert "drawn for opencare" in readme
    assert "MIT License" in readme
    for picture in pictures:
        assert f"`{picture.name}`" in readme, f"{picture.name} is not in the pictures' README"
