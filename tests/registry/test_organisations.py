"""One organisation per council or provider, linked across processes by identifier (or, lacking one, by name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencare.registry.imports import import_paths
from opencare.registry.models import Organisation, OrganisationIdentifier, ProcessParty
from opencare.registry.organisations import normalised_name
from opencare.registry.services import get_or_create_source, store_release_package

pytestmark = pytest.mark.django_db

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"


def store(ocid: str, *parties: dict) -> None:
    source = get_or_create_source(key="test:orgs", title="Test")
    release = {"ocid": ocid, "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"], "parties": list(parties)}
    store_release_package(package={"releases": [release]}, source=source)


def party(name: str, scheme: str | None = None, identifier: str | None = None, *additional: tuple[str, str]) -> dict:
    result = {"id": name, "name": name, "roles": ["buyer"]}
    if scheme:
        result["identifier"] = {"scheme": scheme, "id": identifier}
    if additional:
        result["additionalIdentifiers"] = [{"scheme": s, "id": i} for s, i in additional]
    return result


def test_the_same_identifier_in_two_processes_is_one_organisation():
    store("ocds-a-1", party("Borsetdale Council", "GB-LAE", "BOR"))
    store("ocds-a-2", party("Borsetdale County Council", "GB-LAE", "BOR"))
    organisation = Organisation.objects.get()
    assert organisation.process_parties.count() == 2
    assert organisation.name == "Borsetdale County Council"  # the latest name given


def test_an_additional_identifier_links_a_party_known_by_another_scheme():
    store("ocds-a-1", party("Care Co", "GB-COH", "123"))
    store("ocds-a-2", party("Care Co CIC", "GB-CHC", "999", ("GB-COH", "123")))
    organisation = Organisation.objects.get()
    assert set(organisation.identifiers.values_list("scheme", "identifier")) == {("GB-COH", "123"), ("GB-CHC", "999")}


def test_a_party_naming_two_known_organisations_merges_them():
    store("ocds-a-1", party("Care Co", "GB-COH", "123"))
    store("ocds-a-2", party("Care Charity", "GB-CHC", "999"))
    assert Organisation.objects.count() == 2
    store("ocds-a-3", party("Care Co", "GB-COH", "123", ("GB-CHC", "999")))
    organisation = Organisation.objects.get()
    assert organisation.process_parties.count() == 3


def test_parties_without_identifiers_are_linked_by_name_only_among_themselves():
    store("ocds-a-1", party("Brightwater Home Care Ltd"))
    store("ocds-a-2", party("BRIGHTWATER HOME CARE LIMITED."))
    store("ocds-a-3", party("Brightwater Home Care Ltd", "GB-COH", "555"))
    by_name = Organisation.objects.get(matched_by_name=True)
    assert by_name.process_parties.count() == 2
    assert Organisation.objects.filter(matched_by_name=False).count() == 1


def test_names_are_normalised_for_matching():
    assert normalised_name("Smith & Sons  Limited.") == normalised_name("SMITH AND SONS LTD") == "smith and sons ltd"


def test_real_notices_link_a_buyer_across_its_processes_and_reimporting_adds_no_links():
    import_paths([REALDATA])
    welland = OrganisationIdentifier.objects.get(identifier="sid4gov.cabinetoffice.gov.uk/SjTw969a").organisation
    assert welland.process_parties.values("process").distinct().count() == 3
    links = ProcessParty.objects.count()
    assert Organisation.objects.count() < links
    import_paths([REALDATA])
    assert ProcessParty.objects.count() == links


def _posted_source():
    return get_or_create_source(key="opencare:publisher:1", title="Published through opencare")


def test_a_posted_release_naming_two_known_organisations_does_not_merge_them():
    store("ocds-a-1", party("Care Co", "GB-COH", "123"))
    store("ocds-a-2", party("Borsetdale Council", "GB-LAE", "BOR"))
    posted = {"ocid": "ocds-a-2", "id": "2", "date": "2025-02-01T00:00:00Z", "tag": ["tenderUpdate"],
              "parties": [party("Care Co", "GB-COH", "123", ("GB-LAE", "BOR"))]}  # fmt: skip
    store_release_package(package={"releases": [posted]}, source=_posted_source())
    assert Organisation.objects.count() == 2
    assert OrganisationIdentifier.objects.get(identifier="123").organisation.name == "Care Co"


def test_official_data_added_later_to_a_process_with_posted_releases_does_not_merge_through_them():
    store("ocds-a-1", party("Care Co", "GB-COH", "123"))
    store("ocds-a-2", party("Borsetdale Council", "GB-LAE", "BOR"))
    posted = {"ocid": "ocds-a-2", "id": "2", "date": "2025-02-01T00:00:00Z", "tag": ["tenderUpdate"],
              "parties": [party("Care Co", "GB-COH", "123", ("GB-LAE", "BOR"))]}  # fmt: skip
    store_release_package(package={"releases": [posted]}, source=_posted_source())
    official = {"ocid": "ocds-a-2", "id": "3", "date": "2025-03-01T00:00:00Z", "tag": ["award"],
                "parties": [party("Borsetdale Council", "GB-LAE", "BOR")]}  # fmt: skip
    store_release_package(package={"releases": [official]}, source=get_or_create_source(key="test:orgs", title="T"))
    assert Organisation.objects.count() == 2
