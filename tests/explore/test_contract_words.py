"""Codes in people's words: when a contract runs, roles, breakdowns, names, and the history in sentences grouped by
year when it is long."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from opencare.explore.contract_words import (
    breakdown_words,
    contract_label,
    history_groups,
    role_names,
    status_name,
    update_sentences,
    when_sentence,
)
from opencare.ocds.release_changes import Figures, Update

TODAY = date(2026, 12, 7)


def test_when_a_contract_runs_is_a_sentence_from_its_dates_and_today():
    started = when_sentence(start=date(2024, 4, 1), end=date(2027, 3, 31), status="active", today=TODAY)
    assert started == "The contract started on 1 April 2024 and runs to 31 March 2027."
    starts = when_sentence(start=date(2027, 4, 1), end=date(2030, 3, 31), status="active", today=TODAY)
    assert starts == "The contract starts on 1 April 2027 and runs to 31 March 2030."
    ended = when_sentence(start=date(2020, 4, 1), end=date(2023, 3, 31), status="active", today=TODAY)
    assert ended == "The contract started on 1 April 2020 and ended on 31 March 2023."
    assert when_sentence(start=None, end=None, status="planning", today=TODAY) == (
        "The council is getting ready to buy this service."
    )
    assert status_name("active") == "Under way"
    assert status_name("someNewStatus") == "some new status"


def test_roles_and_breakdowns_are_words_not_codes():
    assert role_names(["buyer", "payer"]) == ["Buys the service", "Pays for the service"]
    assert role_names(["supplier", "payee", "leadBody"]) == ["Provides the care", "Is paid for the care", "Lead body"]
    pay = breakdown_words([("employmentType", "employed"), ("payBasis", "allWorkingTime")])
    assert ", ".join(pay) == "Care workers employed by the provider, paid for all working time, including travel"
    answers = breakdown_words([("answer", "yes"), ("respondentType", "personGettingSupport")])
    assert answers == ["People getting support", "answered yes"]
    assert breakdown_words([("timeOfDay", "earlyMorning")]) == ["Time of day: early morning"]


def test_a_contract_is_named_by_its_title_and_council_never_its_ocid():
    label = contract_label(title="Home care in the Dales", buyer="Borsetdale Council")
    assert label == "Home care in the Dales — Borsetdale Council"
    assert contract_label(title="", buyer="Borsetdale Council") == "A contract of Borsetdale Council"


def test_each_update_says_what_it_changed_in_a_sentence():
    assert update_sentences(Update("tender", tender_documents=2, tender_targets=3), "Tender published") == [
        "Tender published: 2 documents and 3 targets."
    ]
    assert update_sentences(Update("contract"), "Contract signed") == ["Contract signed."]
    assert update_sentences(Update("award", providers=("Moorside Care",)), "Contract awarded") == [
        "Contract awarded to Moorside Care."
    ]
    monthly = Update(
        "progress",
        figures=(Figures(date(2024, 4, 1), date(2025, 3, 31), 1), Figures(date(2025, 3, 1), date(2025, 3, 31), 4)),
        payments=2,
        reviews_held=1,
    )
    assert update_sentences(monthly, "Progress report") == [
        "Monthly figures for March 2025: 4 measures.",
        "Figures for April 2024 to March 2025: 1 measure.",
        "2 payments to the provider.",
        "1 review meeting held.",
    ]
    assert update_sentences(Update("progress"), "Progress report") == ["Progress report with nothing new."]
    assert update_sentences(Update(""), "Contract amended") == ["Contract amended."]


def _entry(day: date) -> SimpleNamespace:
    release = SimpleNamespace(date=datetime(day.year, day.month, day.day, 9))
    figures = (Figures(date(day.year, day.month, 1), day, 4),)
    return SimpleNamespace(
        release=release, headline="Progress report", notices=(), update=Update("progress", figures=figures)
    )


def test_a_short_history_is_one_table_and_a_long_one_is_grouped_by_year_latest_open():
    few = history_groups([_entry(date(2025, month, 28)) for month in range(1, 13)])
    assert [(group.year, len(group.rows)) for group in few] == [(None, 12)]
    many = history_groups([_entry(date(year, month, 28)) for year in (2024, 2025) for month in range(1, 13)])
    assert [(group.year, len(group.rows), group.is_latest) for group in many] == [(2024, 12, False), (2025, 12, True)]
    assert many[1].rows[2].sentences == ["Monthly figures for March 2025: 4 measures."]
    assert history_groups([]) == []
