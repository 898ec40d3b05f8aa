"""Feedback end to end in a browser: a person gives feedback; a moderator publishes it after removing a name; the
provider responds; the person rates the response; the contract page shows the aggregate and the exchange.

Screenshots go beside the other journeys' (test-artifacts/screenshots/journey-feedback-*.png).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from opencare.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from opencare.demo.borsetdale import MOORSIDE
from opencare.demo.services import load_demo
from opencare.ocds.feedback_counts import quarter_of
from opencare.participation.forms import recent_months
from opencare.participation.models import CountsPublication, Feedback, Reply
from opencare.registry.selectors import parts_played_by

from .test_accessibility import _axe_problems
from .test_journeys import ARTIFACTS, _screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PERSON_EMAIL = "person@example.org"
PROVIDER_EMAIL = "manager@moorside.example.org"
STORY = "Mrs Patel was lovely but the 8am visit is often late."
DEIDENTIFIED = "The care worker was lovely but the 8am visit is often late."
REPLY = "Thank you for telling us. We have moved the first morning round earlier."
CHANGED = "From next month the first visit on this round starts at 7.45am."
HELPFUL = "It answered what I said"
#: Five more people, so the quarter's counts reach 5 and are published.
MORE_STORIES = (
    "Visits are mostly on time and the care workers are kind.",
    "The same two care workers come most days, which helps a lot.",
    "Sometimes a little late in the evening but always friendly.",
    "The office rings when a visit will be late, which I appreciate.",
    "Good care overall; the weekend visits could be more regular.",
)
SAME_ANSWERS = {
    "Did your care workers arrive on time last month?": "Mostly",
    "Do you usually see the same care workers?": "Yes",
    "Would you recommend this service?": "Yes",
}


@pytest.fixture
def feedback_site(settings, live_server, django_user_model) -> str:
    """The demo registry and accounts, served by the live server, with mail kept in django.core.mail.outbox."""
    settings.OPENCARE_DEMO_ACCOUNTS = True
    settings.OPENCARE_FEEDBACK_MIN_SECONDS = 0  # the time check itself is tested in tests/participation
    settings.OPENCARE_FEEDBACK_PER_ADDRESS_PER_HOUR = 20  # every browser here sends from 127.0.0.1
    settings.OPENCARE_SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    load_demo()
    create_demo_accounts()
    provider = django_user_model.objects.get(username="provider")
    provider.email = PROVIDER_EMAIL
    provider.save()
    return next(part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident))


def _ended_quarter_month() -> tuple[str, str]:
    """The newest month on the form whose quarter has ended, so its counts can be published today.

    The form offers the last three whole months, newest first; the oldest is always in an ended quarter, the newest
    only in a quarter's first month. Everyone here picks this month so the person's answers are in the published
    counts whatever day the test runs.
    """
    today = timezone.localdate()
    for value, label in recent_months(today):
        year, month = (int(part) for part in value.split("-"))
        if quarter_of(today.replace(year=year, month=month, day=1))[1] < today:
            return value, label
    raise AssertionError("No month on the form is in an ended quarter")  # pragma: no cover


def _fill_feedback(page: Page, month_label: str, story: str, email: str = "") -> None:
    """Fill the open feedback form as a person getting support, and send it."""
    page.get_by_label("I get support from this service").check()
    page.get_by_role("group", name="Which month are you telling us about?").get_by_label(month_label).check()
    for question, answer in SAME_ANSWERS.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("Tell us more (optional)").fill(story)
    if email:
        page.get_by_label("Your email address (optional)").fill(email)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your feedback")


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/account/sign-in/" not in url)


def _sign_out(page: Page, base_url: str) -> None:
    page.goto(base_url + "/account/sign-out/")
    page.get_by_role("main").get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def _link_in(message: mail.EmailMessage, path_part: str) -> str:
    found = re.search(rf"https?://\S+{re.escape(path_part)}\S*", message.body)
    assert found, f"No {path_part} link in the email: {message.body!r}"
    return found.group(0)


def _moderate(page: Page, decision: str, reason: str, story: str | None = None) -> None:
    """On a feedback's moderation page: edit the story (if given), choose the decision, give the reason, record."""
    if story is not None:
        page.get_by_label("The story as it will be published").fill(story)
    page.get_by_label(decision).check()
    page.get_by_label("Reason for the decision").fill(reason)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback to moderate")
    expect(page.get_by_text("Recorded:")).to_be_visible()


def _assert_accessible(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _axe_problems(page) == [], page.url


def test_a_person_gives_feedback_a_moderator_publishes_it_the_provider_replies_and_the_person_rates_the_reply(
    feedback_site: str, live_server, page: Page
):
    ocid, base = feedback_site, live_server.url
    month_value, month_label = _ended_quarter_month()

    # 1. A person, without an account, gives feedback from the contract's page.
    page.goto(f"{base}/contracts/{ocid}/")
    expect(page.get_by_role("heading", name="What people say")).to_be_visible()
    page.get_by_role("button", name="Tell us how it's going").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how the service is going")
    _assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"The feedback form is {scroll_width}px wide at a 320px viewport"
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("link", name="Easy read version of this form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your care")
    _assert_accessible(page)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how the service is going")
    page.reload()  # a fresh form, without axe's script

    page.get_by_label("I get support from this service").check()
    page.get_by_role("group", name="Which month are you telling us about?").get_by_label(month_label).check()
    for question, answer in SAME_ANSWERS.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_label("Tell us more (optional)").fill(STORY)
    page.get_by_label("Your email address (optional)").fill(PERSON_EMAIL)
    _screenshot(page, "feedback-1-form")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your feedback")
    feedback = Feedback.objects.get()
    assert (feedback.status, feedback.about_month.strftime("%Y-%m"), feedback.email) == (
        "pending",
        month_value,
        PERSON_EMAIL,
    )
    page.goto(f"{base}/contracts/{ocid}/")
    assert "Patel" not in page.content()  # nothing is public before a moderator decides

    # 2. A moderator sees the name flagged, removes it and publishes the story.
    _sign_in(page, base, "administrator")
    page.goto(base + "/feedback/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback to moderate")
    _assert_accessible(page)
    page.get_by_role("link", name="Moderate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderate feedback")
    expect(page.locator("mark", has_text="Mrs Patel")).to_be_visible()
    _assert_accessible(page)
    page.get_by_label("The story as it will be published").fill(DEIDENTIFIED)
    page.get_by_label("Publish the story (as edited below) and count the answers").check()
    page.get_by_label("Reason for the decision").fill("Removed a care worker's name.")
    _screenshot(page, "feedback-2-moderation")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Recorded: Story published, answers counted.")).to_be_visible()
    feedback.refresh_from_db()
    assert (feedback.status, feedback.published_story) == ("published", DEIDENTIFIED)
    _sign_out(page, base)

    # 3. The provider follows the link in the email it was sent and replies.
    (told,) = [message for message in mail.outbox if PROVIDER_EMAIL in message.to]
    reply_link = _link_in(told, f"/feedback/{feedback.key}/reply/")
    _sign_in(page, base, "provider")
    page.goto(reply_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to feedback")
    expect(page.get_by_text("Replying for Moorside Care Co-operative")).to_be_visible()
    expect(page.locator(".govuk-inset-text")).to_have_text(DEIDENTIFIED)
    _assert_accessible(page)
    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_label("What we changed (optional)").fill(CHANGED)
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_text("Your reply is published on the contract's page.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.rstrip("/").endswith(f"/contracts/{ocid}")
    _sign_out(page, base)

    # 4. The person follows the link in the email they were sent and rates the reply.
    (answered,) = [message for message in mail.outbox if message.to == [PERSON_EMAIL]]
    page.goto(_link_in(answered, "/feedback/rate/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Did the reply answer what you said?")
    expect(page.get_by_text(REPLY)).to_be_visible()
    page.get_by_label(HELPFUL, exact=True).check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Reply.objects.get().rating == "helpful"

    # 5. Five more people give feedback about the same month, and a moderator counts their answers.
    for number, story in enumerate(MORE_STORIES):
        page.goto(f"{base}/contracts/{ocid}/feedback/")
        _fill_feedback(page, month_label, story, email=f"someone{number}@example.org")
    assert Feedback.objects.filter(status="pending").count() == len(MORE_STORIES)
    _sign_in(page, base, "administrator")
    for _ in MORE_STORIES:
        page.goto(base + "/feedback/moderation/")
        page.get_by_role("link", name="Moderate").first.click()
        _moderate(page, "Count the answers, do not publish the story", "Fine to count; nothing to add to the story.")
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()
    page.get_by_role("button", name="Publish counts for ended quarters").click()
    expect(page.get_by_text("Published the counts of 1 contract quarters.")).to_be_visible()
    (publication,) = CountsPublication.objects.all()
    assert publication.answers_counted == 3 * (1 + len(MORE_STORIES))
    assert publication.release_id, "the quarter's counts were not published as a release"
    _sign_out(page, base)

    # 6. The contract's page shows the counts under "How it's going" and the exchange under "What people say".
    page.goto(f"{base}/contracts/{ocid}/")
    going = page.get_by_role("heading", level=2, name="How it's going")
    expect(going).to_be_visible()
    counted = page.locator("section", has=page.get_by_role("heading", level=3, name=re.compile(r"^Feedback:")))
    assert counted.count() >= 1, "No 'Feedback:' metric under 'How it's going'"
    figures = []
    for section in counted.all():
        section.locator("details").evaluate_all("all => all.forEach(details => { details.open = true; })")
        figures += [
            int(text.strip()) for text in section.locator("td.opencare-numeric").all_inner_texts() if text.strip()
        ]
    assert figures, "The 'Feedback:' metrics show no figures"
    assert max(figures) >= 5, figures
    assert min(figures) >= 5, f"A count under 5 is published: {figures}"

    said = page.locator(".govuk-summary-card", has_text=DEIDENTIFIED)
    expect(said).to_have_count(1)
    expect(said.get_by_role("heading", level=3)).to_have_text(f"Someone who gets support, about {month_label}")
    expect(said).to_contain_text("Moorside Care Co-operative (invented) replied")
    expect(said).to_contain_text(REPLY)
    expect(said).to_contain_text(f"What we changed: {CHANGED}")
    expect(said.locator(".govuk-tag")).to_have_text(HELPFUL)
    content = page.content()
    assert "Patel" not in content
    assert PERSON_EMAIL not in content
    _screenshot(page, "feedback-3-contract")
    page.evaluate("document.getElementById('what-people-say').scrollIntoView()")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "journey-feedback-4-what-people-say.png")
