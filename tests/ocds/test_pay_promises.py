"""Pay judged against every promise (agreed target, promised wage floors, the legal minimum), price benchmarks said
in words, and method statements that contradict the contract terms."""

from __future__ import annotations

import pytest

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.merge import compile_releases
from opencare.ocds.pay_promises import (
    ALL_WORKING_TIME,
    CONTACT_TIME,
    CONTRACT_TERMS,
    METHOD_STATEMENT,
    WagePromise,
    named_floor,
    pay_contradictions,
)
from opencare.ocds.performance import metric_progress, signal
from opencare.ocds.reference_rates import LONDON_LIVING_WAGE, NATIONAL_LIVING_WAGE, REAL_LIVING_WAGE

HOUR = {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"}
RLW_TERMS = "The provider must pay every care worker at least the Real Living Wage for all working time."

Y24, Y25 = "2024\N{EN DASH}25", "2025\N{EN DASH}26"


def _year(start: str, end: str) -> dict:
    return {"startDate": f"{start}T00:00:00Z", "endDate": f"{end}T23:59:59Z"}


def _money(metric_id: str, amount: float, period: dict, **extra) -> dict:
    observation = {"id": period["startDate"], "period": period, "value": {"amount": amount, "currency": "GBP"}}
    return {"id": metric_id, "observations": [observation | {"unit": HOUR} | extra]}


def _compiled(
    pay: list[dict], *, target: float | None = None, terms: str = "", method_statement: str = "", metric=None
) -> dict:
    agreed = [_money("sc-worker-pay-per-hour", target, _year("2024-04-01", "2025-03-31"))] if target else []
    documents = (
        [{"id": "ms", "documentType": "submissionDocuments", "title": f"Method statement: {method_statement}"}]
        if method_statement
        else []
    )
    return {
        "buyer": {"name": "Council"},
        "tender": {"contractTerms": {"socialStandards": terms}} if terms else {},
        "awards": [{"id": "a1", "suppliers": [{"name": "Provider Ltd"}], "agreedMetrics": agreed}],
        "contracts": [
            {
                "id": "c1",
                "awardID": "a1",
                "title": "Home care",
                "documents": documents,
                "implementation": {"metrics": [metric or {"id": "sc-worker-pay-per-hour", "observations": pay}]},
            }
        ],
    }


def _pay(amount: float, start: str = "2024-04-01", end: str = "2025-03-31", **extra) -> dict:
    return _money("sc-worker-pay-per-hour", amount, _year(start, end), **extra)["observations"][0]


def _only_reading(compiled: dict):
    [metric] = metric_progress(compiled)
    [reading] = metric.actuals
    return metric, reading


def test_pay_that_meets_its_target_but_not_the_promised_real_living_wage_is_below_and_says_why():
    metric, reading = _only_reading(_compiled([_pay(11.44)], target=11.44, terms=RLW_TERMS))
    assert (reading.classification, reading.classified_by) == ("below", "opencare")
    assert [shortfall.sentence for shortfall in reading.shortfalls] == [
        f"£11.44 is below the Real Living Wage for {Y24}, £12.00, which the contract terms promise."
    ]
    assert (metric.met_count, metric.below_count) == (0, 1)
    assert signal([metric]).below_titles == ("Care worker pay per hour",)


def test_a_figure_exactly_at_every_floor_is_met():
    _, reading = _only_reading(_compiled([_pay(12.00)], target=12.00, terms=RLW_TERMS))
    assert (reading.classification, reading.shortfalls) == ("met", ())


def test_pay_below_the_legal_minimum_is_below_even_when_the_publisher_says_met_and_nothing_else_was_promised():
    _, reading = _only_reading(_compiled([_pay(11.00, measureClassification={"id": "met"})]))
    assert (reading.classification, reading.classified_by) == ("below", "opencare")
    assert [shortfall.sentence for shortfall in reading.shortfalls] == [
        f"£11.00 is below the National Living Wage for {Y24}, £11.44, the legal minimum."
    ]


def test_pay_with_no_target_or_promise_is_judged_against_the_legal_minimum_alone():
    _, reading = _only_reading(_compiled([_pay(11.44)]))
    assert (reading.classification, reading.classified_by, reading.shortfalls) == ("met", "opencare", ())


def test_a_missed_target_and_a_missed_floor_are_both_said():
    _, reading = _only_reading(_compiled([_pay(11.50)], target=12.50, terms=RLW_TERMS))
    assert [shortfall.kind for shortfall in reading.shortfalls] == ["target", "promise"]
    assert reading.shortfalls[0].sentence == "£11.50 is below the agreed target of £12.50."


def test_self_employed_workers_pay_is_not_judged_against_the_legal_minimum():
    _, reading = _only_reading(_compiled([_pay(10.00, dimensions={"employmentType": "independent"})]))
    assert (reading.classification, reading.shortfalls) == ("", ())


def test_a_period_spanning_april_is_judged_against_the_rate_in_force_on_its_first_day():
    # January to June 2025: the National Living Wage rose from £11.44 to £12.21 on 1 April; the older rate applies.
    _, reading = _only_reading(_compiled([_pay(11.50, "2025-01-01", "2025-06-30")]))
    assert reading.classification == "met"
    _, reading = _only_reading(_compiled([_pay(11.50, "2025-04-01", "2025-06-30")]))
    assert reading.shortfalls[0].sentence == (
        f"£11.50 is below the National Living Wage for {Y25}, £12.21, the legal minimum."
    )


def test_a_promise_in_the_method_statement_is_judged_and_named_as_the_providers():
    _, reading = _only_reading(
        _compiled([_pay(12.10, "2024-04-01", "2025-03-31")], method_statement="we pay the London Living Wage")
    )
    assert [shortfall.sentence for shortfall in reading.shortfalls] == [
        f"£12.10 is below the London Living Wage for {Y24}, £13.15, which the provider's method statement promises."
    ]


def test_a_price_below_the_homecare_association_minimum_is_a_benchmark_in_words_not_a_verdict():
    price = _money("sc-price-per-hour", 21.90, _year("2024-04-01", "2025-03-31"))
    [metric] = metric_progress(_compiled([], metric=price))
    [reading] = metric.actuals
    assert (reading.classification, reading.shortfalls) == ("", ())
    assert [benchmark.sentence for benchmark in reading.benchmarks] == [
        f"£21.90 is below the Homecare Association's minimum price for {Y24} of £28.53 — a benchmark, not a "
        "legal minimum."
    ]
    assert signal([metric]).code == "no-figures"


def test_pay_in_another_currency_is_not_judged_against_pounds():
    euros = {"id": "x", "period": _year("2024-04-01", "2025-03-31"), "value": {"amount": 5, "currency": "EUR"}}
    _, reading = _only_reading(_compiled([euros]))
    assert (reading.classification, reading.shortfalls) == ("", ())


@pytest.mark.parametrize(
    ("text", "promise"),
    [
        (RLW_TERMS, WagePromise(REAL_LIVING_WAGE, CONTRACT_TERMS, ALL_WORKING_TIME)),
        ("paid the Living Wage Foundation rate, including travel time", WagePromise(REAL_LIVING_WAGE, CONTRACT_TERMS,
                                                                                     ALL_WORKING_TIME)),
        ("at least the real  Living Wage (London rate)", WagePromise(LONDON_LIVING_WAGE, CONTRACT_TERMS)),
        ("the National Living Wage for contact time", WagePromise(NATIONAL_LIVING_WAGE, CONTRACT_TERMS, CONTACT_TIME)),
        ("the National Minimum Wage", WagePromise(NATIONAL_LIVING_WAGE, CONTRACT_TERMS)),
        ("fair pay and good training", None),
    ],
)  # fmt: skip
def test_a_promise_names_a_wage_floor_and_the_time_it_covers(text, promise):
    assert named_floor(text, CONTRACT_TERMS) == promise


def test_a_method_statement_that_promises_a_lower_wage_for_less_time_than_the_terms_is_a_contradiction():
    compiled = _compiled(
        [], terms=RLW_TERMS, method_statement="care workers get the National Living Wage for contact time"
    )
    [contradiction] = pay_contradictions(compiled)
    assert contradiction.method_statement == WagePromise(NATIONAL_LIVING_WAGE, METHOD_STATEMENT, CONTACT_TIME)
    assert contradiction.sentence == (
        "Provider Ltd's method statement promises the National Living Wage for contact time only, but the contract "
        "terms promise the Real Living Wage for all working time."
    )


def test_a_method_statement_that_repeats_the_terms_promise_is_no_contradiction():
    compiled = _compiled([], terms=RLW_TERMS, method_statement="the Real Living Wage for all working time")
    assert pay_contradictions(compiled) == []


def test_wendmoor_demo_pay_is_below_the_promised_real_living_wage_in_both_years():
    package = borsetdale_release_package()
    releases = [release for release in package["releases"] if release["ocid"].endswith("hc-wendmoor")]
    compiled = compile_releases(releases)
    [pay] = [metric for metric in metric_progress(compiled) if metric.metric_id == "sc-worker-pay-per-hour"]
    assert (pay.met_count, pay.below_count) == (0, 2)
    assert [shortfall.sentence for reading in pay.actuals for shortfall in reading.shortfalls] == [
        f"£11.44 is below the Real Living Wage for {Y24}, £12.00, which the contract terms promise.",
        f"£12.21 is below the Real Living Wage for {Y25}, £12.60, which the contract terms promise.",
    ]
    assert len(pay_contradictions(compiled)) == 1


def test_a_method_statement_that_promises_more_than_the_terms_is_a_contradiction_and_pay_is_judged_against_it():
    terms = "Care workers are paid at least the National Living Wage for all working time."
    compiled = _compiled(
        [_pay(11.44)], terms=terms, method_statement="we pay the Real Living Wage for all working time"
    )
    [contradiction] = pay_contradictions(compiled)
    assert contradiction.sentence == (
        "Provider Ltd's method statement promises the Real Living Wage for all working time, but the contract terms "
        "promise the National Living Wage for all working time."
    )
    _, reading = _only_reading(compiled)
    assert reading.classification == "below"
    assert reading.shortfalls[0].source == METHOD_STATEMENT
