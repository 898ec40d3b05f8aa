"""How it's going: targets beside actuals, classifications kept or worked out, and the one-line signal."""

from __future__ import annotations

from decimal import Decimal

from opencare.ocds.performance import latest_amount, metric_progress, signal

PERCENT = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}


def _month(year: int, month: int) -> dict:
    return {"startDate": f"{year}-{month:02d}-01T00:00:00Z", "endDate": f"{year}-{month:02d}-28T00:00:00Z"}


def _actual(year: int, month: int, measure: float, classification: str | None = None, **extra) -> dict:
    observation = {"id": f"{year}-{month}", "period": _month(year, month), "measure": measure, "unit": PERCENT}
    if classification:
        observation["measureClassification"] = {"id": classification}
    return observation | extra


def _compiled(actuals: list[dict], metric_id: str = "sc-missed-visits", target: float | None = 2.0) -> dict:
    agreed = [{"id": metric_id, "observations": [{"id": "t", "measure": target, "unit": PERCENT}]}] if target else []
    return {
        "buyer": {"name": "Council"},
        "awards": [{"id": "a1", "suppliers": [{"name": "Provider Ltd"}], "agreedMetrics": agreed}],
        "contracts": [
            {"id": "c1", "awardID": "a1", "implementation": {"metrics": [{"id": metric_id, "observations": actuals}]}}
        ],
    }


def test_target_comes_from_the_award_and_actuals_are_in_period_order():
    compiled = _compiled([_actual(2025, 3, 1.0, "met"), _actual(2025, 1, 3.0, "below")])
    [metric] = metric_progress(compiled)
    assert metric.target == Decimal("2.0")
    assert [reading.amount for reading in metric.actuals] == [Decimal("3.0"), Decimal("1.0")]
    assert (metric.buyer_name, metric.supplier_name, metric.title) == ("Council", "Provider Ltd", "Missed visits")
    assert metric.latest.amount == Decimal("1.0")


def test_publisher_classification_is_kept_and_a_missing_one_is_worked_out_from_the_catalogue_direction():
    compiled = _compiled([_actual(2025, 1, 3.0, "met"), _actual(2025, 2, 2.5), _actual(2025, 3, 1.5)])
    [metric] = metric_progress(compiled)
    # Missed visits: lower is better, so 2.5 against a target of 2 is below and 1.5 is met.
    assert [(r.classification, r.classified_by) for r in metric.actuals] == [
        ("met", "publisher"), ("below", "opencare"), ("met", "opencare"),
    ]  # fmt: skip
    assert (metric.met_count, metric.below_count) == (2, 1)


def test_no_classification_is_invented_without_a_target():
    [metric] = metric_progress(_compiled([_actual(2025, 1, 3.0)], target=None))
    assert metric.actuals[0].classification == ""
    assert signal([metric]).code == "no-figures"


def test_signal_is_below_when_any_period_in_the_last_year_missed_and_meeting_when_only_older_periods_missed():
    recent_miss = _compiled(
        [_actual(2024, 1, 1.0, "met"), _actual(2025, 6, 3.0, "below"), _actual(2025, 9, 1.0, "met")]
    )
    old_miss = _compiled([_actual(2023, 1, 3.0, "below"), _actual(2025, 6, 1.0, "met"), _actual(2025, 9, 1.0, "met")])
    below = signal(metric_progress(recent_miss))
    assert (below.code, below.measured, below.met, below.below_titles) == ("below", 1, 0, ("Missed visits",))
    assert signal(metric_progress(old_miss)).code == "meeting"


def test_survey_answers_split_by_dimension_have_no_main_series_and_do_not_count_in_the_signal():
    answers = [
        _actual(2025, 3, 27, dimensions={"answer": "yes"}),
        _actual(2025, 3, 8, dimensions={"answer": "no"}),
    ]
    [metric] = metric_progress(_compiled(answers, metric_id="sc-satisfaction", target=None))
    assert metric.has_breakdown
    assert metric.latest is None
    assert [r.dimensions for r in metric.actuals] == ["answer: yes", "answer: no"]


def test_one_breakdown_shared_by_every_reading_is_still_the_main_series():
    pay = [_actual(2025, 3, 12.6, dimensions={"payBasis": "allWorkingTime"})]
    [metric] = metric_progress(_compiled(pay, metric_id="sc-worker-pay-per-hour", target=None))
    assert metric.latest.amount == Decimal("12.6")


def test_latest_amount_averages_each_contracts_latest_figure():
    compiled = _compiled([_actual(2024, 4, 20.0), _actual(2025, 4, 24.0)], metric_id="sc-price-per-hour", target=None)
    second = _compiled([_actual(2025, 4, 26.0)], metric_id="sc-price-per-hour", target=None)["contracts"][0]
    compiled["contracts"].append(second | {"id": "c2"})
    assert latest_amount(metric_progress(compiled), "sc-price-per-hour") == Decimal("25.00")
    assert latest_amount(metric_progress(compiled), "sc-missed-visits") is None


def test_malformed_data_gives_no_progress_and_no_error():
    for compiled in ({}, {"contracts": "x"}, {"contracts": [{"implementation": {"metrics": [{"observations": 5}]}}]}):
        assert metric_progress(compiled) == []


def _agreed(metric_id: str, measure: float) -> dict:
    return {"id": metric_id, "observations": [{"id": f"{metric_id}-agreed", "measure": measure, "unit": PERCENT}]}


def test_every_agreed_target_is_shown_with_no_figures_until_actuals_arrive():
    compiled = _compiled([_actual(2025, 6, 1.0)])
    compiled["tender"] = {"targets": [_agreed("sc-referral-acceptance", 95)]}
    compiled["contracts"][0]["agreedMetrics"] = [_agreed("sc-punctuality", 90), _agreed("sc-continuity-of-carer", 80)]
    progress = {metric.metric_id: metric for metric in metric_progress(compiled)}
    assert set(progress) == {"sc-missed-visits", "sc-punctuality", "sc-continuity-of-carer", "sc-referral-acceptance"}
    punctuality = progress["sc-punctuality"]
    assert (punctuality.target, punctuality.better, punctuality.unit_id, punctuality.actuals) == (
        Decimal(90), "higher", "P1", (),
    )  # fmt: skip
    assert progress["sc-referral-acceptance"].target == Decimal(95)  # the tender's target binds the contract too
    # Only figures count in the signal: targets with none yet are not "met" or "below".
    assert (signal(progress.values()).measured, signal(progress.values()).met) == (1, 1)
