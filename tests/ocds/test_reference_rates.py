"""The reference rates: versioned package data, each rate with its source and date, the rate in force on a day."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from opencare.ocds.metric_catalogue import metric_catalogue, read_catalogue_text
from opencare.ocds.reference_rates import (
    HOMECARE_MINIMUM_PRICE,
    LONDON_LIVING_WAGE,
    NATIONAL_LIVING_WAGE,
    REAL_LIVING_WAGE,
    ReferenceRatesError,
    parse_rates,
    read_rates_text,
    reference_rates,
)


@pytest.mark.parametrize(
    ("series_id", "day", "amount"),
    [
        (NATIONAL_LIVING_WAGE, date(2024, 4, 1), "11.44"),
        (NATIONAL_LIVING_WAGE, date(2025, 3, 31), "11.44"),
        (NATIONAL_LIVING_WAGE, date(2025, 4, 1), "12.21"),
        (NATIONAL_LIVING_WAGE, date(2026, 4, 1), "12.71"),
        (REAL_LIVING_WAGE, date(2025, 4, 1), "12.60"),
        (LONDON_LIVING_WAGE, date(2025, 4, 1), "13.85"),
        (HOMECARE_MINIMUM_PRICE, date(2024, 6, 1), "28.53"),
        (HOMECARE_MINIMUM_PRICE, date(2025, 4, 1), "32.14"),
    ],
)
def test_each_series_gives_the_rate_in_force_on_a_day(series_id, day, amount):
    assert reference_rates().get(series_id).on(day).amount == Decimal(amount)


Y25 = "2025\N{EN DASH}26"


def test_there_is_no_rate_before_the_first_and_the_last_keeps_applying_after_it():
    national = reference_rates().get(NATIONAL_LIVING_WAGE)
    assert national.on(date(2023, 3, 31)) is None
    assert national.on(date(2030, 1, 1)) == national.rates[-1]


def test_every_rate_names_its_year_source_address_and_publication_date():
    series_list = reference_rates().series
    assert series_list
    for series in series_list:
        assert series.rates, series
        for rate in series.rates:
            assert rate.year
            assert rate.source
            assert rate.url.startswith("https://")
            assert rate.published < rate.applies_from


def test_the_catalogue_benchmarks_for_price_and_pay_are_the_latest_reference_rates():
    price = metric_catalogue().get("sc-price-per-hour").benchmarks[0]
    assert (price["title"], price["value"], price["period"]) == (
        "Homecare Association Minimum Price for Homecare", Decimal("32.14"), Y25,
    )  # fmt: skip
    pay_titles = [benchmark["title"] for benchmark in metric_catalogue().get("sc-worker-pay-per-hour").benchmarks]
    assert pay_titles[:3] == ["National Living Wage", "Real Living Wage", "London Living Wage"]
    # One source of truth: the catalogue file no longer keeps its own copy of these rates.
    assert "32.14" not in read_catalogue_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s[0].update(kind="guess"), "series national-living-wage: kind must be"),
        (lambda s: s[0]["rates"].reverse(), "series national-living-wage: rates must be oldest first"),
        (lambda s: s[0]["rates"][0].pop("url"), "series national-living-wage: the field 'url' is missing"),
        (lambda s: s[0]["rates"][0].update(amount="lots"), "series national-living-wage: a date or amount cannot"),
        (lambda s: s[0].update(rates=[]), "series national-living-wage: it has no rates"),
    ],
)
def test_malformed_rates_are_refused_naming_the_series(change, message):
    data = json.loads(read_rates_text())
    change(data["series"])
    with pytest.raises(ReferenceRatesError, match=message):
        parse_rates(data)
