"""The everyday word list and how a search is understood: normalised, phrases first, each term with its meaning."""

from __future__ import annotations

import pytest

from opencare.ocds.everyday_words import (
    WordListError,
    build_word_list,
    measure_tag,
    normalise,
    places,
    search_tags,
    service_tag,
    understand,
    word_list,
)
from opencare.ocds.metric_catalogue import metric_catalogue


def meanings(query: str) -> list[tuple[str, set[str], set[str]]]:
    return [(term.words, set(term.meaning.measures), set(term.meaning.service_types)) for term in understand(query)]


def test_the_vendored_word_list_loads_and_names_only_real_measures_and_service_types():
    known = word_list()
    assert ("missed", "visits") in known
    catalogue = metric_catalogue().metrics
    for meaning in known.values():
        assert set(meaning.measures) <= set(catalogue)


def test_every_catalogue_title_is_an_everyday_phrase_for_its_measure():
    known = word_list()
    for metric_id, metric in metric_catalogue().metrics.items():
        assert metric_id in known[tuple(normalise(metric.title))].measures


@pytest.mark.parametrize(
    ("query", "measure"),
    [
        ("pay", "sc-worker-pay-per-hour"),
        ("Wages", "sc-worker-pay-per-hour"),
        ("care worker pay", "sc-worker-pay-per-hour"),
        ("late", "sc-punctuality"),
        ("on time", "sc-punctuality"),
        ("missed visits", "sc-missed-visits"),
        ("same carers", "sc-continuity-of-carer"),
        ("familiar care workers", "sc-continuity-of-carer"),
        ("turnover", "sc-staff-turnover"),
        ("staff leaving", "sc-staff-turnover"),
    ],
)
def test_everyday_words_for_a_measure_are_one_term_meaning_it(query, measure):
    (term,) = understand(query)
    assert measure in term.meaning.measures
    assert measure_tag(measure) in term.tags


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("home care", "home-care"),
        ("Domiciliary care", "home-care"),
        ("care at home", "home-care"),
        ("homecare", "home-care"),
        ("home-care", "home-care"),
        ("supported living", "supported-living"),
        ("day services", "day-opportunities"),
        ("reablement", "reablement"),
        ("re-ablement", "reablement"),
    ],
)
def test_service_words_are_one_term_meaning_the_service_type(query, service):
    (term,) = understand(query)
    assert term.meaning.service_types == (service,)
    assert term.tags == (service_tag(service),)


def test_the_longest_phrase_is_found_first_and_other_words_stay_plain():
    assert meanings("Care worker pay in Wendmoor") == [
        ("care worker pay", {"sc-worker-pay-per-hour", "sc-share-of-rate-to-workers"}, set()),
        ("wendmoor", set(), set()),
    ]


def test_company_suffixes_ampersands_and_punctuation_are_set_aside():
    assert [term.words for term in understand("Acme Care Limited")] == ["acme", "care"]
    assert [term.words for term in understand("acme care ltd.")] == ["acme", "care"]
    assert [term.words for term in understand("Fellside Support CIC")] == ["fellside", "support"]
    assert [term.words for term in understand("Smith & Jones LLP")] == ["smith", "jones"]
    assert [term.words for term in understand("Smith and Jones plc")] == ["smith", "jones"]


def test_a_suffix_alone_is_still_searched_for_but_common_words_alone_are_not():
    assert [term.words for term in understand("Ltd")] == ["ltd"]
    assert understand("the") == []
    assert understand("?!") == []


def test_apostrophes_and_curly_quotes_are_normalised():
    assert normalise("Old People\u2019s Home") == ["old", "people", "home"]
    assert normalise("carers' support") == ["carers", "support"]
    (term,) = understand("old people's home")
    assert term.meaning.service_types == ("residential",)


def test_a_word_list_naming_an_unknown_measure_or_service_is_refused():
    with pytest.raises(WordListError, match="sc-no-such-measure"):
        build_word_list({"measures": {"sc-no-such-measure": ["pay"]}})
    with pytest.raises(WordListError, match="no-such-service"):
        build_word_list({"service_types": {"no-such-service": ["care"]}})
    with pytest.raises(WordListError, match="no words"):
        build_word_list({"measures": {"sc-missed-visits": ["..."]}})


def test_a_process_stores_tags_for_its_measures_and_service_type_only_for_real_types():
    assert search_tags(metric_ids=["sc-missed-visits"], service_type="home-care") == (
        " ocmeasurescmissedvisits ocservicehomecare "
    )
    assert search_tags(metric_ids=[], service_type="not-social-care") == ""


def test_places_come_from_buyers_and_delivery_locations_not_providers_or_region_codes():
    compiled = {
        "parties": [
            {"roles": ["buyer"], "address": {"locality": "Wendmoor", "region": "UKL17"}},
            {"roles": ["supplier"], "address": {"locality": "Far Away"}},
            {"roles": ["reviewBody"], "address": {"locality": "London"}},
            "not a party",
        ],
        "tender": {
            "items": [
                {
                    "deliveryAddresses": [{"locality": "Kettledale", "region": "North Borsetshire"}],
                    "deliveryLocations": [{"description": "Across the Dales"}],
                }
            ]
        },
        "contracts": [{"items": [{"deliveryAddress": {"locality": "Upper Moorside"}}]}],
    }
    assert places(compiled) == ["Wendmoor", "Kettledale", "North Borsetshire", "Across the Dales", "Upper Moorside"]
    assert places({"parties": "broken", "tender": []}) == []
