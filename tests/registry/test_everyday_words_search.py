"""Search understands everyday words: a measure's words find the contracts that have that measure, service words
the contracts of that service, places and providers' names (with or without "Ltd") their contracts; the page's
search and the API's give the same processes in the same order, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.builders.processes import stored
from tests.builders.releases import release
from tests.builders.shared_data import shared_data

from opencare.registry.models import Process
from opencare.registry.search import Search, matched_measures, search_processes
from opencare.registry.selectors import ProcessFilter, filtered_processes

pytestmark = pytest.mark.django_db

TURNOVER = "ocds-words-turnover"
LIVING = "ocds-words-living"
DAY = "ocds-words-day"
HOME = "ocds-words-home"
OTHER = "ocds-words-other"


def _contract(*metric_ids: str) -> list[dict]:
    return [
        {
            "id": "c1",
            "awardID": "a1",
            "agreedMetrics": [
                {"id": metric_id, "title": metric_id, "observations": [{"id": "1", "measure": 5}]}
                for metric_id in metric_ids
            ],
        }
    ]


def _award(supplier: str) -> list[dict]:
    return [{"id": "a1", "suppliers": [{"id": "S", "name": supplier}]}]


def _build() -> None:
    stored(
        release(
            TURNOVER,
            title="Care and support in Borchester",
            buyer="Borchester Council",
            awards=_award("Acme Care Ltd"),
            contracts=_contract("sc-staff-turnover"),
            date="2025-01-05T00:00:00Z",
        ),
        release(
            LIVING,
            title="Supported living for adults",
            buyer="Felpersham Council",
            awards=_award("Fellside Support CIC"),
            contracts=_contract("sc-missed-visits", "sc-continuity-of-carer"),
            date="2025-01-04T00:00:00Z",
        ),
        release(
            DAY,
            title="Day services for older people",
            buyer="Felpersham Council",
            parties=[{"id": "B", "name": "Felpersham Council", "roles": ["buyer"], "address": {"locality": "Loxley"}}],
            date="2025-01-03T00:00:00Z",
        ),
        release(
            HOME,
            title="Domiciliary care, north",
            buyer="Borchester Council",
            awards=_award("Smith & Jones Homecare LLP"),
            contracts=_contract("sc-worker-pay-per-hour", "sc-punctuality"),
            tender={
                "id": "t",
                "title": "Domiciliary care, north",
                "classification": {"scheme": "CPV", "id": "85312400"},
                "items": [{"id": "1", "deliveryAddresses": [{"locality": "Penny Hassett"}]}],
            },
            date="2025-01-02T00:00:00Z",
        ),
        release(OTHER, title="Advocacy for adults", buyer="Borchester Council", date="2025-01-01T00:00:00Z"),
    )


@pytest.fixture(scope="module")
def processes(django_db_setup, django_db_blocker):
    with shared_data(django_db_blocker, _build):
        yield


def found(words: str) -> list[str]:
    """The OCIDs the search page lists for these words, having checked that the API lists the same in that order."""
    page = list(search_processes(Search(q=words, social_care=False)).values_list("ocid", flat=True))
    api = list(filtered_processes(ProcessFilter(q=words)).values_list("ocid", flat=True))
    assert page == api
    return page


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("pay", [HOME]),
        ("wages", [HOME]),
        ("care worker pay", [HOME]),
        ("late", [HOME]),
        ("on time", [HOME]),
        ("missed visits", [LIVING]),
        ("same carers", [LIVING]),
        ("familiar care workers", [LIVING]),
        ("turnover", [TURNOVER]),
        ("staff leaving", [TURNOVER]),
        ("Staff leaving Borchester", [TURNOVER]),
        ("missed visits Borchester", []),
    ],
)
def test_a_measure_in_everyday_words_finds_the_contracts_that_have_it(processes, words, expected):
    assert found(words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("home care", [HOME]),
        ("domiciliary care", [HOME]),
        ("care at home", [HOME]),
        ("homecare", [HOME]),
        ("supported living", [LIVING]),
        ("day services", [DAY]),
        ("day opportunities", [DAY]),
        ("reablement", []),
    ],
)
def test_service_words_find_the_contracts_of_that_service(processes, words, expected):
    assert found(words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Loxley", [DAY]),
        ("Penny Hassett", [HOME]),
        ("Felpersham", [LIVING, DAY]),
        ("day services in Loxley", [DAY]),
        ("supported living in Loxley", []),
    ],
)
def test_places_find_the_contracts_that_name_them(processes, words, expected):
    assert found(words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Fellside Support", [LIVING]),
        ("Fellside Support CIC", [LIVING]),
        ("acme care limited", [TURNOVER]),
        ("Acme Care Ltd", [TURNOVER]),
        ("acme care", [TURNOVER]),
        ("Smith and Jones", [HOME]),
        ("smith & jones homecare ltd", [HOME]),
    ],
)
def test_providers_are_found_with_or_without_ltd_and_with_and_or_ampersand(processes, words, expected):
    assert found(words) == expected


@pytest.mark.parametrize("words", ["zzyzx", "the", "missed visits zzyzx", "wages zzyzx"])
def test_words_that_mean_nothing_still_find_nothing(processes, words):
    assert found(words) == []


def test_the_results_say_which_measure_matched(processes):
    home = Process.objects.get(ocid=HOME)
    assert matched_measures("care worker pay", home.metric_ids) == ["Care worker pay per hour"]
    assert matched_measures("late", home.metric_ids) == ["Visits on time"]
    assert matched_measures("home care", home.metric_ids) == []


def test_a_recompiled_process_keeps_its_search_words_and_tags_up_to_date(processes):
    stored(
        release(
            OTHER,
            release_id="2",
            date="2025-02-01T00:00:00Z",
            title="Advocacy for adults",
            buyer="Borchester Council",
            awards=_award("Newcomer Advocacy Ltd"),
            contracts=_contract("sc-staff-turnover"),
        )
    )
    assert found("Newcomer Advocacy") == [OTHER]
    assert found("turnover") == [OTHER, TURNOVER]


def test_on_postgresql_everyday_words_are_matched_through_the_full_text_index(processes):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no full-text index")
    with connection.cursor() as cursor:  # as on a large registry, where reading every row costs most
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_processes(Search(q="missed visits in Felpersham, Fellside Ltd", social_care=False)).explain()
    assert "process_search" in plan
