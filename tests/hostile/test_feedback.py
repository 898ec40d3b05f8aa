"""The feedback form (no account needed, so the most open door) given hostile answers: 400 saying what to fix, no
traceback, nothing stored; what is stored is shown to moderators as text, never run.

Cases (8): a NUL in the story; a story over 3,000 characters; an answer that is not one of the choices (an SQL
injection); an email address carrying a second header; a month that is not one offered; feedback about an ocid
that is an SQL injection (404); script in a story, shown escaped on the moderation page; and formula text in a
story, neutralised in the open-data CSV once published.
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from opencare.participation.forms import recent_months
from opencare.participation.models import Feedback
from opencare.participation.submission_checks import form_stamp

from .conftest import assert_refused, signed_in

pytestmark = pytest.mark.django_db


def answers(**overrides) -> dict[str, str]:
    """A filled-in feedback form, shown 10 seconds ago."""
    filled = {
        "respondent_type": "personGettingSupport",
        "about_month": recent_months(timezone.localdate())[0][0],
        "q__sc-feedback-on-time": "mostly",
        "story": "My care workers are kind but often rushed in the mornings.",
        "email": "",
        "website": "",
        "stamp": form_stamp(time.time() - 10),
    }
    return filled | overrides


def give(client, ocid: str, **overrides):
    return client.post(f"/contracts/{ocid}/feedback/", answers(**overrides))


HOSTILE_ANSWERS = [
    ({"story": "Kind\x00 staff"}, "Null characters are not allowed"),
    ({"story": "x" * 3001}, "Ensure this value has at most 3000 characters"),
    ({"respondent_type": "' OR 1=1 --"}, "Select a valid choice"),
    ({"email": "me@example.org\r\nBcc: everyone@example.org"}, "Enter a valid email address"),
    ({"about_month": "1900-01"}, "Select a valid choice"),
]


IDS = ["NUL", "3,001 characters", "SQL injection", "header injection", "a month not offered"]


@pytest.mark.parametrize(("overrides", "words"), HOSTILE_ANSWERS, ids=IDS)
def test_hostile_answers_are_400_saying_what_to_fix_and_nothing_stored(client, publishing, overrides, words):
    assert_refused(give(client, publishing["ocid"], **overrides), 400, "There is a problem", words)
    assert Feedback.objects.count() == 0


def test_feedback_about_an_ocid_that_is_an_injection_is_not_found(client, publishing):
    response = client.post("/contracts/' OR 1=1 --/feedback/", answers())
    assert_refused(response, 404, "No contracting process has that OCID")
    assert Feedback.objects.count() == 0


def test_script_in_a_story_is_shown_to_moderators_as_text(client, publishing):
    give(client, publishing["ocid"], story="<script>alert('story')</script> The visits are late.")
    feedback = Feedback.objects.get()
    html = signed_in(client, "administrator").get(f"/feedback/moderation/{feedback.key}/").content.decode()
    assert "<script>alert('story')" not in html
    assert "&lt;script&gt;alert(&#x27;story&#x27;)&lt;/script&gt;" in html


def test_formula_text_in_a_published_story_is_neutralised_in_the_open_data_csv(client, publishing):
    give(client, publishing["ocid"], story='=HYPERLINK("http://evil.example","click") The visits are late.')
    feedback = Feedback.objects.get()
    feedback.status, feedback.published_story = Feedback.Status.PUBLISHED, feedback.story
    feedback.save()
    text = client.get("/feedback/stories.csv").content.decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert '"=HYPERLINK' not in text
