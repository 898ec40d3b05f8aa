"""Feedback is offered only where it can be given: on a signed contract. Elsewhere the pages say why, and who to
contact instead; the contract page, the easy read page and the feedback forms follow one rule."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.builders.processes import stored_real_notices

from opencare.participation.models import Feedback
from opencare.participation.selectors import feedback_opening
from opencare.registry.models import Process

from .conftest import feedback_answers

NOT_YET = "You can give feedback once"


def _process(contracts: list[dict], parties: list[dict] | None = None) -> Process:
    compiled = {
        "ocid": "ocds-test-1",
        "buyer": {"id": "GB-CFS-1", "name": "Borsetdale Council"},
        "parties": parties if parties is not None else [],
        "awards": [{"id": "a1", "suppliers": [{"id": "GB-COH-1", "name": "Moorside Care"}]}],
        "contracts": contracts,
    }
    return Process(ocid="ocds-test-1", compiled_release=compiled)


def _links(html: str, ocid: str) -> tuple[bool, bool]:
    return (
        f'href="{reverse("participation:give", args=[ocid])}"' in html,
        f'href="{reverse("participation:give_easy_read", args=[ocid])}"' in html,
    )


@pytest.mark.parametrize(
    ("status", "is_open"),
    [(None, True), ("active", True), ("terminated", True), ("pending", False), ("cancelled", False)],
)
def test_feedback_opens_only_once_a_contract_is_signed(status, is_open):
    contract = {"id": "c1", "awardID": "a1", "title": "Home care"} | ({"status": status} if status else {})
    opening = feedback_opening(_process([contract]))
    assert opening.is_open is is_open
    assert opening.contracts == ((("c1", "Home care"),) if is_open else ())


def test_a_process_with_no_contract_is_not_open_and_names_the_buyers_contact_point():
    parties = [
        {"id": "GB-CFS-9", "name": "Another buyer", "roles": ["buyer"], "contactPoint": {"email": "no@example.org"}},
        {
            "id": "GB-CFS-1",
            "name": "Borsetdale Council",
            "roles": ["buyer"],
            "contactPoint": {
                "name": "Commissioning team",
                "email": "care@borsetdale.example",
                "telephone": "01632 960000",
            },
        },
    ]
    opening = feedback_opening(_process([], parties))
    assert not opening.is_open
    assert opening.buyer.organisation == "Borsetdale Council"
    assert (opening.buyer.name, opening.buyer.email, opening.buyer.telephone) == (
        "Commissioning team",
        "care@borsetdale.example",
        "01632 960000",
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "//evil.example"])
def test_a_contact_address_that_is_not_a_web_address_is_never_offered_as_a_link(url):
    parties = [{"id": "GB-CFS-1", "roles": ["buyer"], "contactPoint": {"url": url, "email": "a b@example.org"}}]
    buyer = feedback_opening(_process([], parties)).buyer
    assert (buyer.url, buyer.email) == ("", "")
    assert not buyer.has_contact_point


@pytest.fixture
def real_notice(db) -> Process:
    """A real demo notice with no contract yet, whose buyer gives an email address."""
    for process in stored_real_notices():
        opening = feedback_opening(process)
        if not opening.is_open and opening.buyer.email:
            return process
    raise AssertionError("the demo has no real notice without a contract")


def test_a_notice_without_a_contract_says_why_there_is_no_feedback_form_and_who_to_contact(client, real_notice):
    buyer = feedback_opening(real_notice).buyer
    for name in ("explore:contract", "explore:contract_easy_read"):
        html = client.get(reverse(name, args=[real_notice.ocid])).content.decode()
        assert _links(html, real_notice.ocid) == (False, False), f"{name} links to a form that cannot be used"
        assert "has not signed a contract" in html or NOT_YET in html
        assert f'href="mailto:{buyer.email}"' in html
    contract_page = client.get(reverse("explore:contract", args=[real_notice.ocid])).content.decode()
    assert f"{NOT_YET} {buyer.organisation} has signed a contract with a provider." in contract_page
    assert f"Until then you can contact {buyer.organisation}:" in contract_page


def test_the_feedback_form_of_a_notice_without_a_contract_explains_instead_of_a_bare_not_found(client, real_notice):
    buyer = feedback_opening(real_notice).buyer
    for name in ("participation:give", "participation:give_easy_read"):
        response = client.get(reverse(name, args=[real_notice.ocid]))
        assert response.status_code == 404
        html = response.content.decode()
        assert "No contract to give feedback on yet" in html
        assert f'href="mailto:{buyer.email}"' in html


@pytest.mark.django_db
def test_a_signed_contract_offers_both_forms_on_the_contract_and_easy_read_pages(client, contract_ocid):
    contract_page = client.get(reverse("explore:contract", args=[contract_ocid])).content.decode()
    assert _links(contract_page, contract_ocid) == (True, True)
    assert NOT_YET not in contract_page
    easy_read = client.get(reverse("explore:contract_easy_read", args=[contract_ocid])).content.decode()
    assert _links(easy_read, contract_ocid)[1]


@pytest.mark.django_db
def test_a_contract_not_signed_yet_is_offered_nowhere_and_its_form_takes_nothing(client, contract_ocid):
    process = Process.objects.get(ocid=contract_ocid)
    for contract in process.compiled_release["contracts"]:
        contract["status"] = "pending"
    process.save(update_fields=["compiled_release"])
    for name in ("explore:contract", "explore:contract_easy_read"):
        html = client.get(reverse(name, args=[contract_ocid])).content.decode()
        assert _links(html, contract_ocid) == (False, False)
    response = client.post(reverse("participation:give", args=[contract_ocid]), feedback_answers())
    assert response.status_code == 404
    assert not Feedback.objects.exists()
