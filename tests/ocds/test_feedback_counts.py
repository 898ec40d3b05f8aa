"""Feedback counts are published only as counts of 5 or more, each answer in at most one count."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from opencare.ocds.feedback_counts import (
    MIN_COUNT,
    QUESTIONS,
    RESPONDENT_TYPES,
    Answer,
    observations,
    quarter_of,
    safe_counts,
)

answers = st.builds(
    Answer,
    metric_id=st.sampled_from(sorted(QUESTIONS)),
    respondent_type=st.sampled_from(sorted(RESPONDENT_TYPES)),
    answer=st.sampled_from(["yes", "no", "sometimes", "notSure"]),
)


@given(st.lists(answers, max_size=120))
def test_no_count_under_5_is_ever_published(given_answers):
    assert all(count.count >= MIN_COUNT for count in safe_counts(given_answers))


@given(st.lists(answers, max_size=120))
def test_each_answer_is_counted_at_most_once_so_no_count_can_be_worked_out_by_subtraction(given_answers):
    counts = safe_counts(given_answers)
    for metric_id in QUESTIONS:
        published = sum(c.count for c in counts if c.metric_id == metric_id)
        assert published <= sum(1 for a in given_answers if a.metric_id == metric_id)
    keys = [(c.metric_id, c.respondent_type, c.answer) for c in counts]
    assert len(keys) == len(set(keys))


def test_small_groups_are_combined_before_they_are_withheld():
    given_answers = (
        [Answer("sc-feedback-recommend", "personGettingSupport", "yes")] * 6
        + [Answer("sc-feedback-recommend", "personGettingSupport", "no")] * 2
        + [Answer("sc-feedback-recommend", "personGettingSupport", "notSure")] * 3
        + [Answer("sc-feedback-recommend", "careWorker", "yes")] * 3
        + [Answer("sc-feedback-recommend", "familyMember", "no")] * 2
    )
    counts = Counter({(c.respondent_type, c.answer): c.count for c in safe_counts(given_answers)})
    # 6 yes; no + not sure combined (5); care workers and family (5 in all) as "other", their answers combined.
    assert counts == Counter(
        {
            ("personGettingSupport", "yes"): 6,
            ("personGettingSupport", "otherAnswers"): 5,
            ("other", "otherAnswers"): 5,
        }
    )


def test_a_single_answer_is_never_published():
    assert safe_counts([Answer("sc-feedback-on-time", "personGettingSupport", "rarely")]) == []


def test_counts_become_observations_for_the_quarter():
    counts = safe_counts([Answer("sc-feedback-on-time", "careWorker", "mostly")] * 5)
    found = observations(counts, quarter_of(date(2026, 5, 20)))
    (observation,) = found["sc-feedback-on-time"]
    assert observation["measure"] == 5
    assert observation["period"]["startDate"] == "2026-04-01T00:00:00Z"
    assert observation["period"]["endDate"] == "2026-06-30T23:59:59Z"
    assert observation["dimensions"] == {"respondentType": "careWorker", "answer": "mostly"}
    assert quarter_of(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))


def test_a_metric_of_counts_by_answer_says_which_answer_each_count_is_for():
    from opencare.ocds.performance import metric_progress

    counts = safe_counts([Answer("sc-feedback-recommend", "careWorker", "yes")] * 6)
    compiled = {
        "contracts": [{"id": "c", "implementation": {"metrics": [
            {"id": "sc-feedback-recommend", "observations": observations(counts, quarter_of(date(2026, 5, 1)))[
                "sc-feedback-recommend"]}
        ]}}]
    }  # fmt: skip
    (progress,) = metric_progress(compiled)
    assert progress.shows_breakdown
    assert "answer: yes" in progress.actuals[0].dimensions
