"""People give feedback on a contract without an account; moderators decide; the provider and council reply; the
person rates the reply; answers are published only as counts of 5 or more."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from tests.builders.feedback import feedback as sent_feedback

from opencare.demo.accounts import demo_publisher
from opencare.demo.borsetdale import MOORSIDE
from opencare.participation import services
from opencare.participation.forms import recent_months
from opencare.participation.models import CountsPublication, Feedback, Reply
from opencare.participation.submission_checks import form_stamp
from opencare.registry.models import Process, Release

from .conftest import feedback_answers

LAST_MONTH = recent_months(date.today())[0][0]


def send(client, ocid, address="10.0.0.1", **overrides):
    answers = feedback_answers(about_month=LAST_MONTH) | overrides
    return client.post(reverse("participation:give", args=[ocid]), answers, REMOTE_ADDR=address)


def sign_in(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))


@pytest.mark.django_db
def test_feedback_is_taken_without_an_account_and_waits_for_a_moderator(client, contract_ocid):
    response = send(client, contract_ocid, email="me@example.org")
    assert response.status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.status == "pending"
    assert feedback.answers == {
        "sc-feedback-on-time": "mostly",
        "sc-feedback-same-care-workers": "yes",
        "sc-feedback-recommend": "yes",
    }
    assert feedback.address_hash != "10.0.0.1"  # kept only as a keyed hash
    page = client.get(reverse("explore:contract", args=[contract_ocid])).content.decode()
    assert "often rushed" not in page
    assert "me@example.org" not in page


@pytest.mark.django_db
def test_the_feedback_form_and_its_easy_read_version_show(client, contract_ocid):
    for name, question in (
        ("participation:give", "Did your care workers arrive on time last month?"),
        ("participation:give_easy_read", "In the last 4 weeks, did your care workers come on time?"),
    ):
        page = client.get(reverse(name, args=[contract_ocid]))
        assert page.status_code == 200
        assert question in page.content.decode()
    assert client.get(reverse("participation:policy")).status_code == 200


@pytest.mark.django_db
def test_a_filled_in_honeypot_is_refused(client, contract_ocid):
    response = send(client, contract_ocid, website="https://spam.example")
    assert response.status_code == 400
    assert not Feedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (lambda: form_stamp(time.time()), "very quick"),
        (lambda: form_stamp(time.time() - 2 * 24 * 3600), "more than a day ago"),
        (lambda: "forged:stamp", "could not be checked"),
    ],
    ids=["sent-too-soon", "sent-too-late", "forged"],
)
def test_forms_sent_back_too_soon_too_late_or_forged_are_refused(client, contract_ocid, stamp, message):
    response = send(client, contract_ocid, stamp=stamp())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_one_address_is_limited_per_hour(client, contract_ocid, settings):
    settings.OPENCARE_FEEDBACK_PER_ADDRESS_PER_HOUR = 3
    for number in range(3):
        assert send(client, contract_ocid, story=f"Story number {number}").status_code == 201
    response = send(client, contract_ocid, story="One more")
    assert response.status_code == 429
    assert send(client, contract_ocid, address="10.0.0.2", story="Someone else").status_code == 201


@pytest.mark.django_db
def test_one_contract_is_limited_per_hour(client, contract_ocid, settings):
    settings.OPENCARE_FEEDBACK_PER_CONTRACT_PER_HOUR = 2
    assert send(client, contract_ocid, address="10.0.0.1", story="First").status_code == 201
    assert send(client, contract_ocid, address="10.0.0.2", story="Second").status_code == 201
    assert send(client, contract_ocid, address="10.0.0.3", story="Third").status_code == 429
    assert Feedback.objects.count() == 2


@pytest.mark.django_db
def test_the_same_feedback_twice_is_kept_once(client, contract_ocid):
    assert send(client, contract_ocid).status_code == 201
    response = send(
        client, contract_ocid, address="10.0.0.9", story="  my care workers are KIND but often rushed in the mornings."
    )
    assert response.status_code == 409
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_a_safeguarding_concern_is_held_routed_and_never_published(client, contract_ocid, django_user_model):
    response = send(client, contract_ocid, story="The carer shouted and hit me when I asked for my tablets.")
    assert response.status_code == 201
    assert "safeguarding" in response.content.decode()
    feedback = Feedback.objects.get()
    assert feedback.status == "safeguarding"
    assert mail.outbox
    assert "moderator@example.org" in mail.outbox[0].to
    assert "hit me" not in mail.outbox[0].body  # the story stays on the site, behind sign-in
    with pytest.raises(services.DecisionRefused):
        services.moderate(
            feedback=feedback,
            moderator=django_user_model.objects.get(username="administrator"),
            decision="published",
            reason="x",
            published_story="The carer shouted.",
        )


@pytest.mark.django_db
def test_a_moderator_must_remove_identifying_details_before_publishing(client, contract_ocid, django_user_model):
    send(client, contract_ocid, story="Call me on 07700 900123, Mrs Jones at 4 Mill Lane, BD0 4ML.")
    feedback = Feedback.objects.get()
    sign_in(client, django_user_model, "administrator")
    page = client.get(reverse("participation:moderate", args=[feedback.key])).content.decode()
    for flagged in ("07700 900123", "Mrs Jones", "4 Mill Lane", "BD0 4ML"):
        assert f"<mark>{flagged}" in page
    url = reverse("participation:moderate", args=[feedback.key])
    refused = client.post(url, {"decision": "published", "reason": "ok", "published_story": feedback.story})
    assert refused.status_code == 400
    assert "Remove them before publishing" in refused.content.decode()
    done = client.post(
        url,
        {
            "decision": "published",
            "reason": "Names and numbers removed",
            "published_story": "The office is hard to reach by phone.",
        },
    )
    assert done.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "published"
    assert feedback.decisions.get().reason == "Names and numbers removed"
    assert any("manager@moorside.example.org" in message.to for message in mail.outbox)  # the provider is told


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["commissioner", "provider", "viewer", None])
def test_only_moderators_see_the_queue_and_decide(client, contract_ocid, django_user_model, username):
    send(client, contract_ocid)
    feedback = Feedback.objects.get()
    if username:
        sign_in(client, django_user_model, username)
    expected = 403 if username else 302
    assert client.get(reverse("participation:queue")).status_code == expected
    response = client.post(
        reverse("participation:moderate", args=[feedback.key]),
        {"decision": "published", "reason": "x", "published_story": "x"},
    )
    assert response.status_code == expected
    feedback.refresh_from_db()
    assert feedback.status == "pending"


def _published_story(client, ocid, django_user_model, email="me@example.org"):
    send(client, ocid, email=email)
    feedback = Feedback.objects.get()
    services.moderate(
        feedback=feedback,
        moderator=django_user_model.objects.get(username="administrator"),
        decision="published",
        reason="Fine",
        published_story="Kind but rushed in the mornings.",
    )
    return feedback


@pytest.mark.django_db
def test_the_provider_replies_and_the_person_rates_the_reply(client, contract_ocid, django_user_model):
    feedback = _published_story(client, contract_ocid, django_user_model)
    mail.outbox.clear()
    sign_in(client, django_user_model, "provider")
    response = client.post(
        reverse("participation:reply", args=[feedback.key]),
        {
            "text": "Thank you. We have added a fourth morning round.",
            "what_we_changed": "A fourth morning round from May.",
        },
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["me@example.org"]
    link = re.search(r"http\S+/feedback/rate/\S+/", message.body).group(0)
    client.logout()
    rate_path = link.split("8000", 1)[-1]
    assert client.get(rate_path).status_code == 200
    assert client.post(rate_path, {"rating": "helpful"}).status_code == 200
    assert Reply.objects.get().rating == "helpful"
    page = client.get(reverse("explore:contract", args=[contract_ocid])).content.decode()
    for shown in ("Kind but rushed in the mornings.", "A fourth morning round from May.", "It answered what I said"):
        assert shown in page
    assert "me@example.org" not in page
    assert client.get("/feedback/rate/not-a-real-token/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["kestrel", "viewer", "administrator"])
def test_only_the_contracts_own_publishers_can_reply(client, contract_ocid, django_user_model, username):
    feedback = _published_story(client, contract_ocid, django_user_model)
    sign_in(client, django_user_model, username)
    response = client.post(reverse("participation:reply", args=[feedback.key]), {"text": "Not ours to answer"})
    assert response.status_code == 403
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_an_ended_quarters_counts_are_published_once_and_only_counts_of_5_or_more(contract_ocid, django_user_model):
    process = Process.objects.get(ocid=contract_ocid)
    contract_id = process.compiled_release["contracts"][0]["id"]
    moderator = django_user_model.objects.get(username="administrator")
    answers = ["yes"] * 6 + ["no"] * 2 + ["notSure"] * 1
    for number, answer in enumerate(answers):
        feedback = sent_feedback(
            contract_ocid,
            contract_id,
            answers={"sc-feedback-recommend": answer},
            about_month=date(2026, 5, 1),
            story=f"Story {number}",
            sender_address=f"192.0.2.{number}",
        )
        services.moderate(feedback=feedback, moderator=moderator, decision="answers-only", reason="ok")
    before = Release.objects.filter(ocid=contract_ocid).count()
    (publication,) = services.publish_ended_quarters(today=date(2026, 7, 2))
    assert publication.answers_counted == 9
    release = Release.objects.get(release_id=publication.release_id)
    assert release.schema_error_count == 0
    metric = release.data["contracts"][0]["implementation"]["metrics"][0]
    assert [(o["dimensions"]["answer"], o["measure"]) for o in metric["observations"]] == [("yes", 6)]
    assert services.publish_ended_quarters(today=date(2026, 7, 2)) == []  # never twice
    assert Release.objects.filter(ocid=contract_ocid).count() == before + 1
    assert CountsPublication.objects.count() == 1
    # A quarter that has not ended is not published.
    assert services.publish_ended_quarters(today=date(2026, 6, 30)) == []


@pytest.mark.django_db
def test_published_stories_and_replies_are_open_data_without_answers_or_emails(
    client, contract_ocid, django_user_model
):
    feedback = _published_story(client, contract_ocid, django_user_model, email="private@example.org")
    Reply.objects.create(
        feedback=feedback,
        publisher=demo_publisher(MOORSIDE),
        author=django_user_model.objects.get(username="provider"),
        text='=HYPERLINK("x")',
        at=timezone.now(),
    )
    csv_text = client.get(reverse("participation:stories_csv")).content.decode()
    api = client.get("/api/feedback/stories").json()
    assert api[0]["story"] == "Kind but rushed in the mornings."
    assert "'=HYPERLINK" in csv_text  # formulas are neutralised for spreadsheets
    for published in (csv_text, str(api)):
        assert "private@example.org" not in published
        assert "mostly" not in published  # an individual answer
        assert "10.0.0.1" not in published
