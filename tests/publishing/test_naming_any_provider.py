"""A council names any provider: one in published data, or a new one by its Companies House or charity number; the
provider claims it later, and rights come only from an account an administrator approved, never from a release."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from opencare.publishing import services
from opencare.publishing.claims import ClaimRefused, approve_claim, request_claim
from opencare.publishing.models import Membership, ProviderClaim, Publisher
from opencare.publishing.permissions import decide
from opencare.publishing.providers import nameable_providers, register_number
from opencare.registry.models import Process

from .conftest import signed_in
from .test_publishing_flows import contract_answers, create_process, publish_flow

NEW_PROVIDER = {
    "provider": "new",
    "new_provider_name": "Saltmarsh Care Ltd",
    "new_provider_register": "coh",
    "new_provider_number": "0123 4567",
}


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize(
    ("register", "typed", "scheme", "identifier"),
    [
        ("coh", "01234567", "GB-COH", "01234567"),
        ("coh", "1234567", "GB-COH", "01234567"),
        ("coh", "sc123456", "GB-COH", "SC123456"),
        ("chc", "1123456", "GB-CHC", "1123456"),
        ("chc", "219830", "GB-CHC", "219830"),
        ("sc", "SC012345", "GB-SC", "SC012345"),
        ("nic", "100002", "GB-NIC", "NIC100002"),
        ("nic", "NIC100002", "GB-NIC", "NIC100002"),
    ],
)
def test_a_register_number_of_the_right_shape_gives_the_org_id_scheme(register, typed, scheme, identifier):
    assert register_number(register, typed) == (scheme, identifier)


@pytest.mark.parametrize(
    ("register", "typed"),
    [("coh", "123456789"), ("coh", "ABC"), ("chc", "12345"), ("chc", "12345678"), ("sc", "SC123456"), ("nic", "12")],
)
def test_a_register_number_of_the_wrong_shape_is_refused_with_an_example(register, typed):
    with pytest.raises(ValidationError) as refused:
        register_number(register, typed)
    assert "It looks like" in refused.value.messages[0]


def _publish_contract_naming_a_new_provider(client, council) -> str:
    signed_in(client, "commissioner")
    ocid = create_process(client, council)
    answers = contract_answers(0) | NEW_PROVIDER
    publish_flow(client, council, ocid, "publish-contract", answers)
    return ocid


def test_a_council_names_a_new_provider_by_its_companies_house_number(client, demo_publishing):
    council = demo_publishing["council"]
    ocid = _publish_contract_naming_a_new_provider(client, council)

    compiled = Process.objects.get(ocid=ocid).compiled_release
    supplier = next(p for p in compiled["parties"] if "supplier" in p["roles"])
    assert supplier["id"] == "GB-COH-01234567"
    assert (supplier["identifier"]["scheme"], supplier["identifier"]["id"]) == ("GB-COH", "01234567")
    assert supplier["name"] == "Saltmarsh Care Ltd"
    page = client.get(reverse("publishing:process", args=[council.pk, ocid])).content.decode()
    assert "No one from this provider has an account yet: Saltmarsh Care Ltd" in page


def test_a_provider_named_in_published_data_is_offered_to_every_council(client, demo_publishing):
    _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    offered = {(provider.key, provider.name) for provider in nameable_providers()}
    assert ("GB-COH|01234567", "Saltmarsh Care Ltd") in offered
    provider = demo_publishing["provider"]
    assert (f"{provider.scheme}|{provider.identifier}", provider.name) in offered


def test_a_new_provider_with_a_number_of_the_wrong_shape_is_refused_on_the_form(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    ocid = create_process(client, council)
    answers = contract_answers(0) | NEW_PROVIDER | {"new_provider_register": "chc", "new_provider_number": "12"}
    response = client.post(reverse("publishing:flow", args=[council.pk, ocid, "publish-contract"]), answers)
    assert response.status_code == 400
    assert "12 is not a Charity Commission for England and Wales number. It looks like 1123456." in (
        response.content.decode()
    )


def test_the_provider_claims_it_and_publishes_once_an_administrator_approves(client, demo_publishing):
    ocid = _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    person = get_user_model().objects.create_user("saltmarsh-manager", password="x")
    signed_in(client, "saltmarsh-manager")
    asked = client.post(
        reverse("publishing:claim_request"),
        {"name": "Saltmarsh Care Ltd", "register": "coh", "number": "01234567", "note": "Registered manager"},
    )
    assert asked.status_code == 302
    claim = ProviderClaim.objects.get(requested_by=person)
    assert claim.status == ProviderClaim.Status.PENDING
    assert not Publisher.objects.filter(scheme="GB-COH", identifier="01234567").exists()

    signed_in(client, "administrator")
    decided = client.post(reverse("publishing:claims"), {"claim": claim.pk, "decision": "approve", "reason": "Phoned"})
    assert decided.status_code == 302

    account = Publisher.objects.get(scheme="GB-COH", identifier="01234567")
    assert account.kind == Publisher.Kind.PROVIDER
    assert decide(person, "publish-actuals", account, ocid)
    assert decide(person, "publish-method-statement", account, ocid)
    assert not decide(person, "publish-contract", account, ocid)
    signed_in(client, "saltmarsh-manager")
    page = client.get(reverse("publishing:process", args=[account.pk, ocid])).content.decode()
    assert "Publish actuals" in page
    assert "No one from this provider has an account yet" not in page


def test_an_account_an_administrator_makes_for_the_identifier_gets_the_providers_rights(client, demo_publishing):
    ocid = _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    account = Publisher.objects.create(
        name="Saltmarsh Care Ltd", kind=Publisher.Kind.PROVIDER, scheme="GB-COH", identifier="01234567"
    )
    person = get_user_model().objects.create_user("saltmarsh-admin-made")
    Membership.objects.create(user=person, publisher=account, role=Membership.Role.PUBLISHER)
    assert decide(person, "publish-actuals", account, ocid)


def test_a_provider_with_a_different_identifier_cannot_publish_for_the_contract(client, demo_publishing):
    ocid = _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    kestrel = Publisher.objects.get(memberships__user__username="kestrel")
    assert not decide(_user("kestrel"), "publish-actuals", kestrel, ocid)
    signed_in(client, "kestrel")
    response = client.get(reverse("publishing:flow", args=[kestrel.pk, ocid, "publish-actuals"]))
    assert response.status_code == 403


def test_a_release_that_claims_the_identifier_gives_no_rights(client, demo_publishing):
    ocid = _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    kestrel = Publisher.objects.get(memberships__user__username="kestrel")
    compiled = Process.objects.get(ocid=ocid).compiled_release
    release = {
        "ocid": ocid,
        "id": "kestrel-claims-saltmarsh",
        "date": "2026-05-01T00:00:00Z",
        "tag": ["implementation"],
        "initiationType": "tender",
        "parties": [
            {
                "id": kestrel.party_id,
                "name": kestrel.name,
                "identifier": {"scheme": kestrel.scheme, "id": kestrel.identifier},
                "additionalIdentifiers": [{"scheme": "GB-COH", "id": "01234567"}],
                "roles": ["supplier"],
            }
        ],
        "contracts": [{"id": compiled["contracts"][0]["id"], "implementation": {}}],
    }
    with pytest.raises(services.NotAllowed):
        services.store_reviewed(
            user=_user("kestrel"), publisher=kestrel, action="post-release", release=release, via="api"
        )
    assert not decide(_user("kestrel"), "publish-actuals", kestrel, ocid)


def test_a_provider_cannot_claim_by_itself_without_an_administrator(client, demo_publishing):
    ocid = _publish_contract_naming_a_new_provider(client, demo_publishing["council"])
    kestrel_user = _user("kestrel")
    claim = request_claim(
        user=kestrel_user, name="Saltmarsh Care Ltd", scheme="GB-COH", identifier="01234567", note=""
    )
    signed_in(client, "kestrel")
    response = client.post(reverse("publishing:claims"), {"claim": claim.pk, "decision": "approve"})
    assert response.status_code == 403
    with pytest.raises(ClaimRefused):
        approve_claim(user=kestrel_user, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ProviderClaim.Status.PENDING
    assert not Publisher.objects.filter(scheme="GB-COH", identifier="01234567").exists()
    assert not any(
        decide(kestrel_user, "publish-actuals", membership.publisher, ocid)
        for membership in Membership.objects.filter(user=kestrel_user)
    )
    assert Membership.objects.filter(user=kestrel_user).exists()


def test_a_claim_on_a_councils_identifier_cannot_be_approved(demo_publishing):
    council = demo_publishing["council"]
    claim = request_claim(
        user=_user("kestrel"), name="Not a council", scheme=council.scheme, identifier=council.identifier, note=""
    )
    with pytest.raises(ClaimRefused):
        approve_claim(user=_user("administrator"), claim=claim)
    assert not Membership.objects.filter(user__username="kestrel", publisher=council).exists()
