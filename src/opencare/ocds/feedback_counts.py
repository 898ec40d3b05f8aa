"""Counts of feedback answers that are safe to publish: never one person's answer, never a count under 5.

The rule, applied to each question in each quarter:

1. Answers are counted by who answered (person getting support, family member, care worker...) and the answer.
2. Kinds of people with fewer than 5 answers in all are counted together as "other".
3. Within each kind of people, answers given fewer than 5 times are counted together as "otherAnswers".
4. Any count still under 5 is withheld.

Every answer is counted in at most one published count, and no total is published beside its parts, so no count can
be worked out from others by subtraction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

#: The smallest count ever published.
MIN_COUNT = 5
OTHER_RESPONDENTS = "other"
OTHER_ANSWERS = "otherAnswers"
#: The feedback questions, each a metric of the catalogue, with their answers in order.
QUESTIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sc-feedback-on-time": (
        "Did your care workers arrive on time last month?",
        (("always", "Always or nearly always"), ("mostly", "Mostly"), ("rarely", "Rarely or never")),
    ),
    "sc-feedback-same-care-workers": (
        "Do you usually see the same care workers?",
        (("yes", "Yes"), ("sometimes", "Sometimes"), ("no", "No")),
    ),
    "sc-feedback-recommend": (
        "Would you recommend this service?",
        (("yes", "Yes"), ("notSure", "Not sure"), ("no", "No")),
    ),
}
RESPONDENT_TYPES = {
    "personGettingSupport": "I get support from this service",
    "familyMember": "I am a family member or friend of someone who does",
    "careWorker": "I am a care worker for this service",
    "socialWorker": "I am a social worker or health professional",
    "other": "Someone else",
}


@dataclass(frozen=True)
class Answer:
    """One person's answer to one question, about one quarter."""

    metric_id: str
    respondent_type: str
    answer: str


@dataclass(frozen=True)
class Count:
    """A count that is safe to publish."""

    metric_id: str
    respondent_type: str
    answer: str
    count: int


def safe_counts(answers: Iterable[Answer]) -> list[Count]:
    """The publishable counts of a quarter's answers, by the rule in this module's docstring."""
    by_metric: dict[str, Counter[tuple[str, str]]] = {}
    for answer in answers:
        by_metric.setdefault(answer.metric_id, Counter())[(answer.respondent_type, answer.answer)] += 1
    counts: list[Count] = []
    for metric_id in sorted(by_metric):
        for group, answer_counts in _respondent_groups(by_metric[metric_id]).items():
            counts += [Count(metric_id, group, answer, n) for answer, n in _answer_groups(answer_counts).items()]
    return counts


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter a day falls in, as its first and last days."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def observations(counts: list[Count], period: tuple[date, date]) -> dict[str, list[dict]]:
    """The counts as OCDS observations by metric id, with stable ids per quarter, group and answer."""
    start, end = period
    found: dict[str, list[dict]] = {}
    for count in counts:
        found.setdefault(count.metric_id, []).append({
            "id": f"{count.metric_id}-{start.isoformat()}-{count.respondent_type}-{count.answer}",
            "period": {"startDate": f"{start.isoformat()}T00:00:00Z", "endDate": f"{end.isoformat()}T23:59:59Z"},
            "measure": count.count,
            "unit": {"scheme": "UNCEFACT", "id": "C62", "name": "one"},
            "dimensions": {"respondentType": count.respondent_type, "answer": count.answer},
        })  # fmt: skip
    return found


def _respondent_groups(counts: Counter[tuple[str, str]]) -> dict[str, Counter[str]]:
    totals: Counter[str] = Counter()
    for (respondent, _), n in counts.items():
        totals[respondent] += n
    groups: dict[str, Counter[str]] = {}
    for (respondent, answer), n in counts.items():
        group = (
            respondent if totals[respondent] >= MIN_COUNT and respondent != OTHER_RESPONDENTS else OTHER_RESPONDENTS
        )
        groups.setdefault(group, Counter())[answer] += n
    return groups


def _answer_groups(counts: Counter[str]) -> dict[str, int]:
    published = {answer: n for answer, n in counts.items() if n >= MIN_COUNT}
    rest = sum(n for answer, n in counts.items() if n < MIN_COUNT)
    if rest >= MIN_COUNT:
        published[OTHER_ANSWERS] = rest
    return published
