"""Every place that names a contract to a person (the moderation queue and page, e-mails to the public and to
publishers) uses its title and council, never only its OCID."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from opencare.participation.models import Feedback
from opencare.participation.selectors import contract_labels
from opencare.registry.models import Process

from .test_feedback import _published_story, send, sign_in


def _label(ocid: str) -> str:
    process = Process.objects.get(ocid=ocid)
    assert process.title
    assert process.buyer_name
    return f"{process.title} — {process.buyer_name}"


@pytest.mark.django_db
def test_the_moderation_queue_and_page_name_the_contract_by_title_and_council(
    client, contract_ocid, django_user_model
):
    send(client, contract_ocid)
    feedback = Feedback.objects.get()
    sign_in(client, django_user_model, "administrator")
    for address in (reverse("participation:queue"), reverse("participation:moderate", args=[feedback.key])):
        html = client.get(address).content.decode()
        assert _label(contract_ocid) in html
        assert contract_ocid not in html.replace(f"/{contract_ocid}/", "")


@pytest.mark.django_db
def test_e_mails_name_the_contract_by_title_and_council(client, contract_ocid, django_user_model):
    label = _label(contract_ocid)
    feedback = _published_story(client, contract_ocid, django_user_model)
    (to_publishers,) = [message for message in mail.outbox if "manager@moorside.example.org" in message.to]
    assert label in to_publishers.subject
    assert label in to_publishers.body
    assert contract_ocid not in to_publishers.body.replace(f"/{contract_ocid}/", "")
    mail.outbox.clear()
    sign_in(client, django_user_model, "provider")
    client.post(reverse("participation:reply", args=[feedback.key]), {"text": "Thank you."})
    (to_person,) = mail.outbox
    assert label in to_person.subject
    assert label in to_person.body


@pytest.mark.django_db
def test_a_safeguarding_e_mail_names_the_contract(client, contract_ocid):
    send(client, contract_ocid, story="The carer shouted and hit me when I asked for my tablets.")
    (message,) = [message for message in mail.outbox if message.subject.startswith("Safeguarding")]
    assert _label(contract_ocid) in message.body


@pytest.mark.django_db
def test_an_ocid_the_registry_does_not_hold_keeps_its_ocid():
    assert contract_labels(["ocds-nothing-here"]) == {"ocds-nothing-here": "ocds-nothing-here"}
