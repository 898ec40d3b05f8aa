"""Identity that cannot be claimed: a publisher cannot take another organisation's identifier by posting a release,
no posted release merges two organisations, and what a publisher may do never follows a link between organisations.

The attack these tests replay: a provider's API token posted a release whose own party carried the council's
identifier in `additionalIdentifiers`; the registry merged provider and council, and the provider's token could then
post a `tenderUpdate` to another council process and its sign-in offered buyer actions on every council process.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from tests.builders.processes import DALES, NORTH, WENDMOOR, stored_borsetdale

from opencare.publishing.models import AuditEntry, Membership, Publisher
from opencare.publishing.permissions import Side, decide, sides_in_process
from opencare.publishing.tokens import create_token
from opencare.registry.models import Organisation, OrganisationIdentifier, Release
from opencare.registry.selectors import parts_played_by, process_by_ocid
from opencare.registry.services import get_or_create_source, store_release_package

pytestmark = pytest.mark.django_db

RELEASES_URL = "/api/publish/releases"
COUNCIL_KEY = ("GB-LAE", "BSD")
PROVIDER_KEY = ("GB-MPR", "IP99001")


@pytest.fixture
def demo(db):
    """The invented contract Borsetdale Council buys from Moorside, which claims are made about; one it buys
    without Moorside (dales); and Wendmoor Council's, whose identifier a claim names."""
    stored_borsetdale(NORTH, DALES, WENDMOOR)


def _publisher(name, kind, scheme, identifier):
    return Publisher.objects.create(name=name, kind=kind, scheme=scheme, identifier=identifier, is_invented=True)


@pytest.fixture
def council(demo):
    return _publisher("Borsetdale Council (invented sample)", Publisher.Kind.COUNCIL, *COUNCIL_KEY)


@pytest.fixture
def provider(demo):
    return _publisher("Moorside Care Co-operative (invented)", Publisher.Kind.PROVIDER, *PROVIDER_KEY)


def _member(username, publisher):
    user = get_user_model().objects.create_user(username=username, password="a long and unusual passphrase 7")
    Membership.objects.create(user=user, publisher=publisher, role=Membership.Role.PUBLISHER)
    return user


@pytest.fixture
def provider_user(provider):
    return _member("pip.provider", provider)


@pytest.fixture
def council_user(council):
    return _member("cleo.council", council)


@pytest.fixture
def provider_token(provider, provider_user):
    _, text = create_token(user=provider_user, publisher=provider, name="rostering", scopes=["releases", "actuals"])
    return text


@pytest.fixture
def council_token(council, council_user):
    _, text = create_token(user=council_user, publisher=council, name="care system", scopes=["releases"])
    return text


def _ocids(key, role):
    return {part.process.ocid for part in parts_played_by(scheme=key[0], identifier=key[1]) if role in part.roles}


@pytest.fixture
def shared_ocid(demo):
    """A process Borsetdale buys and Moorside supplies."""
    return sorted(_ocids(COUNCIL_KEY, "buyer") & _ocids(PROVIDER_KEY, "supplier"))[0]


@pytest.fixture
def other_council_ocid(demo):
    """A process Borsetdale buys in which Moorside plays no part."""
    return sorted(_ocids(COUNCIL_KEY, "buyer") - _ocids(PROVIDER_KEY, "supplier") - _ocids(PROVIDER_KEY, "buyer"))[0]


def _now():
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _post(client, token, release):
    return client.post(
        RELEASES_URL, data=orjson.dumps(release), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def _provider_party(*additional):
    party = {
        "id": "GB-MPR-IP99001",
        "name": "Moorside Care Co-operative (invented)",
        "identifier": {"scheme": "GB-MPR", "id": "IP99001"},
        "roles": ["supplier"],
    }
    if additional:
        party["additionalIdentifiers"] = [{"scheme": scheme, "id": value} for scheme, value in additional]
    return party


def _claiming_release(ocid, release_id="moorside-claim-1", party=None):
    return {
        "ocid": ocid,
        "id": release_id,
        "date": _now(),
        "tag": ["contractUpdate"],
        "initiationType": "tender",
        "language": "en",
        "parties": [party or _provider_party(COUNCIL_KEY)],
    }


def _organisation_of(key):
    return OrganisationIdentifier.objects.get(scheme=key[0], identifier=key[1]).organisation_id


def _tender_update(ocid, release_id, title):
    compiled = process_by_ocid(ocid=ocid).compiled_release
    return {
        "ocid": ocid,
        "id": release_id,
        "date": _now(),
        "tag": ["tenderUpdate"],
        "initiationType": "tender",
        "language": "en",
        "tender": {"id": compiled["tender"]["id"], "title": title},
    }


# --- Attack (a): the provider claims the council's identifier ----------------------------------------------------


def test_provider_claiming_the_councils_identifier_is_refused_403_and_nothing_is_stored_or_merged(
    client, provider, provider_token, shared_ocid
):
    before = Release.objects.filter(ocid=shared_ocid).count()
    assert _organisation_of(PROVIDER_KEY) != _organisation_of(COUNCIL_KEY)

    answer = _post(client, provider_token, _claiming_release(shared_ocid))

    assert answer.status_code == 403, answer.content
    detail = answer.json()["detail"]
    assert "GB-LAE BSD" in detail
    assert "another organisation" in detail
    assert Release.objects.filter(ocid=shared_ocid).count() == before
    assert _organisation_of(PROVIDER_KEY) != _organisation_of(COUNCIL_KEY)
    refusal = AuditEntry.objects.get(action="refused:post-release", publisher=provider)
    assert "GB-LAE BSD" in refusal.detail["reason"]


def test_provider_naming_itself_with_an_unknown_identifier_is_refused_too(client, provider_token, shared_ocid):
    release = _claiming_release(shared_ocid, party=_provider_party(("GB-COH", "99999999")))

    answer = _post(client, provider_token, release)

    assert answer.status_code == 403, answer.content
    assert "GB-COH 99999999" in answer.json()["detail"]
    assert not OrganisationIdentifier.objects.filter(scheme="GB-COH", identifier="99999999").exists()


def test_provider_giving_its_own_party_another_main_identifier_is_refused(client, provider_token, shared_ocid):
    party = _provider_party() | {"identifier": {"scheme": "GB-LAE", "id": "BSD"}}

    answer = _post(client, provider_token, _claiming_release(shared_ocid, party=party))

    assert answer.status_code == 403, answer.content
    assert "GB-LAE BSD" in answer.json()["detail"]


def test_council_adding_identifiers_to_its_providers_party_is_refused(client, council_token, shared_ocid):
    compiled = process_by_ocid(ocid=shared_ocid).compiled_release
    recorded = next(party for party in compiled["parties"] if party["id"] == "GB-MPR-IP99001")
    release = _claiming_release(shared_ocid, "council-claim-1")
    release["parties"] = [recorded | {"additionalIdentifiers": [{"scheme": "GB-LAE", "id": "WDM"}]}]

    answer = _post(client, council_token, release)

    assert answer.status_code == 403, answer.content
    assert "not its own" in answer.json()["detail"]
    assert _organisation_of(PROVIDER_KEY) != _organisation_of(("GB-LAE", "WDM"))


def test_a_release_restating_its_own_party_as_recorded_is_still_accepted(client, provider_token, shared_ocid):
    answer = _post(client, provider_token, _claiming_release(shared_ocid, "moorside-self-1", _provider_party()))

    assert answer.status_code == 201, answer.content


# --- Attack (b): even when organisations are linked, no writes to another council's process --------------------


def _link_provider_and_council_by_an_official_release():
    """An official source names one party with both identifiers: the registry links them as one organisation."""
    source = get_or_create_source(key="test:official-register", title="An official register")
    party = _provider_party(COUNCIL_KEY) | {"id": "linked-party"}
    release = {"ocid": "ocds-test-linked-1", "id": "1", "date": _now(), "tag": ["tender"], "parties": [party]}
    store_release_package(package={"releases": [release]}, source=source)
    assert _organisation_of(PROVIDER_KEY) == _organisation_of(COUNCIL_KEY)


def test_linked_organisations_give_the_provider_token_no_buyer_rights_in_another_council_process(
    client, provider, provider_token, other_council_ocid
):
    _link_provider_and_council_by_an_official_release()
    before = process_by_ocid(ocid=other_council_ocid)

    answer = _post(client, provider_token, _tender_update(other_council_ocid, "moorside-takeover-1", "Taken over"))

    assert answer.status_code == 403, answer.content
    assert "neither the buyer nor a provider" in answer.json()["detail"]
    after = process_by_ocid(ocid=other_council_ocid)
    assert after.release_count == before.release_count
    assert after.title == before.title
    assert sides_in_process(provider, other_council_ocid) == set()


def test_linked_organisations_give_the_providers_sign_in_no_buyer_actions(
    client, provider, provider_user, other_council_ocid, shared_ocid
):
    _link_provider_and_council_by_an_official_release()
    client.force_login(provider_user)

    page = client.get(reverse("publishing:organisation", args=[provider.pk]))
    update = client.get(reverse("publishing:flow", args=[provider.pk, other_council_ocid, "publish-contract"]))

    assert other_council_ocid not in page.content.decode()
    assert update.status_code == 403
    assert not decide(provider_user, "update-process", provider, other_council_ocid)
    assert not decide(provider_user, "update-process", provider, shared_ocid)
    assert sides_in_process(provider, shared_ocid) == {Side.SUPPLIER}


# --- Posted releases never merge organisations -----------------------------------------------------------------


def test_a_posted_release_from_before_the_fix_does_not_merge_organisations_when_it_is_stored(provider, shared_ocid):
    """Defence in depth: even a posted release that slipped past the checks links parties only by their main
    identifier, so it cannot join two organisations."""
    from opencare.publishing.services import _package_metadata, _source_of
    from opencare.registry.services import store_releases

    store_releases(
        releases=[_claiming_release(shared_ocid, "legacy-claim")],
        metadata=_package_metadata(provider),
        source=_source_of(provider),
    )

    assert _organisation_of(PROVIDER_KEY) != _organisation_of(COUNCIL_KEY)
    assert Organisation.objects.filter(pk=_organisation_of(COUNCIL_KEY)).exists()


def test_a_posted_release_does_not_rename_another_organisation(client, council_token, shared_ocid):
    compiled = process_by_ocid(ocid=shared_ocid).compiled_release
    recorded = next(party for party in compiled["parties"] if party["id"] == "GB-MPR-IP99001")
    organisation = OrganisationIdentifier.objects.get(scheme="GB-MPR", identifier="IP99001").organisation
    release = _claiming_release(shared_ocid, "council-renames-1", recorded | {"name": "Someone Else Ltd"})

    answer = _post(client, council_token, release)

    assert answer.status_code == 201, answer.content
    organisation.refresh_from_db()
    assert organisation.name != "Someone Else Ltd"


# --- A posted release cannot pass itself off as a Procurement Act notice --------------------------------------------


def test_a_posted_release_claiming_to_be_a_contract_performance_notice_is_refused(client, council_token, shared_ocid):
    release = _tender_update(shared_ocid, "borsetdale-uk9-1", "Home care")
    release["tender"]["documents"] = [
        {"id": "038915-2027", "documentType": "implementationNotice", "url": "https://example.org/uk9"}
    ]
    answer = _post(client, council_token, release)

    assert answer.status_code == 403, answer.content
    assert "Contract performance notice (UK9) '038915-2027'" in answer.json()["detail"]
    assert "remove 'noticeType'" in answer.json()["detail"]
    assert not Release.objects.filter(release_id="borsetdale-uk9-1").exists()
