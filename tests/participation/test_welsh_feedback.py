"""Feedback given in Welsh: the form and its answers in Welsh, and the e-mail a reply sends back in Welsh too."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from opencare.participation import services
from opencare.participation.models import Feedback

from .test_feedback import LAST_MONTH, feedback_answers, sign_in


def _send_in_welsh(client, ocid: str) -> None:
    with translation.override("cy"):
        address = reverse("participation:give", args=[ocid])
    assert address.startswith("/cy/")
    answers = feedback_answers(about_month=LAST_MONTH) | {"email": "fi@example.org"}
    response = client.post(address, answers, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 201
    assert 'lang="cy"' in response.content.decode()


@pytest.mark.django_db
def test_feedback_sent_from_the_welsh_form_is_kept_with_its_language(client, contract_ocid):
    _send_in_welsh(client, contract_ocid)
    assert Feedback.objects.get().language == "cy"


@pytest.mark.django_db
def test_feedback_sent_from_the_english_form_is_kept_as_english(client, contract_ocid):
    client.post(reverse("participation:give", args=[contract_ocid]), feedback_answers(about_month=LAST_MONTH),
                REMOTE_ADDR="10.0.0.8")  # fmt: skip
    assert Feedback.objects.get().language == "en-gb"


@pytest.mark.django_db
def test_a_reply_to_welsh_feedback_is_e_mailed_in_welsh_with_a_welsh_rating_link(
    client, contract_ocid, django_user_model
):
    _send_in_welsh(client, contract_ocid)
    feedback = Feedback.objects.get()
    services.moderate(feedback=feedback, moderator=django_user_model.objects.get(username="administrator"),
                      decision="published", reason="Fine", published_story="Caredig ond ar frys.")  # fmt: skip
    mail.outbox.clear()
    sign_in(client, django_user_model, "provider")  # the provider works in English
    client.post(reverse("participation:reply", args=[feedback.key]), {"text": "Diolch."})
    (message,) = mail.outbox
    assert message.to == ["fi@example.org"]
    assert "replied" not in message.subject
    assert "wedi ymateb" in message.subject
    assert "/cy/" in message.body
    assert "Did the reply answer" not in message.body
