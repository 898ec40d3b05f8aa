"""Publishing forms accept dates and months as people in the UK type them, day first, and refuse anything else with
a message that names the question and gives an example that works."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from opencare.publishing.forms import ActualsForm, FailureForm, ProcessForm
from opencare.publishing.typed_dates import UKDateField

MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


#: Every way of writing a date the forms accept, each a function of the date.
DATE_WRITINGS = [
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d:%d/%m/%Y}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}",
    lambda d: f"{_ordinal(d.day)} {MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: f"{d:%Y-%m-%d}",
]
MONTH_WRITINGS = [
    lambda d: f"{MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: f"{MONTH_NAMES[d.month - 1][:3]} {d.year}",
    lambda d: f"{d:%m/%Y}",
    lambda d: f"{d:%Y-%m}",
]


@pytest.mark.parametrize(
    "typed",
    [
        "31/3/2025",
        "31/03/2025",
        "31-3-2025",
        "31.3.2025",
        "31 March 2025",
        "31 Mar 2025",
        "2025-03-31",
        " 31 march 2025 ",
    ],
)
def test_the_last_day_of_march_is_read_in_every_common_uk_form(typed):
    assert UKDateField(label="Contract starts").clean(typed) == date(2025, 3, 31)


def test_an_ordinal_day_is_read():
    assert UKDateField(label="Contract starts").clean("1st April 2025") == date(2025, 4, 1)


def test_a_date_is_read_day_first_never_month_first():
    assert UKDateField(label="Contract starts").clean("3/4/2025") == date(2025, 4, 3)


@pytest.mark.parametrize("typed", ["March 2025", "Mar 2025", "03/2025", "2025-03", "march 2025"])
def test_a_month_is_read_in_every_common_form(typed):
    assert UKDateField(month=True, label="Month the figures are for").clean(typed) == date(2025, 3, 1)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)), st.sampled_from(DATE_WRITINGS))
def test_any_date_written_any_accepted_way_is_read_back_as_that_date(day, write):
    assert UKDateField(label="Contract starts").clean(write(day)) == day


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)), st.sampled_from(MONTH_WRITINGS))
def test_any_month_written_any_accepted_way_is_read_back_as_its_first_day(day, write):
    assert UKDateField(month=True, label="Month").clean(write(day)) == day.replace(day=1)


@given(st.text(max_size=30))
def test_whatever_is_typed_is_read_or_refused_with_a_message_naming_the_question(typed):
    field = UKDateField(label="Contract starts", required=False)
    messages = []
    try:
        field.clean(typed)
    except forms.ValidationError as refused:
        messages = refused.messages
    assert all(message.startswith("Contract starts: ") for message in messages)


@pytest.mark.parametrize("typed", ["3/31/2025", "next Tuesday", "31/3/25", "March 2025", "2025/03/31", "31 Marc 2025"])
def test_a_date_in_no_common_form_is_refused_naming_the_field_with_an_example(typed):
    with pytest.raises(forms.ValidationError) as refused:
        UKDateField(label="Contract starts").clean(typed)
    message = refused.value.messages[0]
    assert message.startswith("Contract starts: ")
    assert "31/3/2025" in message or "not a real date" in message


def test_an_impossible_day_is_refused_as_not_a_real_date():
    with pytest.raises(forms.ValidationError) as refused:
        UKDateField(label="Contract ends").clean("31/2/2025")
    assert refused.value.messages == ["Contract ends: 31/2/2025 is not a real date. Check the day, month and year."]


@pytest.mark.parametrize("typed", ["13/2025", "31 March 2025", "2025"])
def test_a_month_in_no_common_form_is_refused_with_an_example(typed):
    with pytest.raises(forms.ValidationError) as refused:
        UKDateField(month=True, label="Month the figures are for").clean(typed)
    assert refused.value.messages[0].startswith("Month the figures are for: ")


def test_the_process_form_takes_the_contract_dates_as_typed():
    form = ProcessForm(
        data={
            "title": "Home care in North Borsetdale",
            "description": "Care at home.",
            "service": "home-care",
            "place": "North Borsetdale",
            "value": "£4,500,000",
            "start": "1st April 2026",
            "end": "31/3/2029",
            "spec_url": "https://example.org/spec.pdf",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == (date(2026, 4, 1), date(2029, 3, 31))


def test_the_failure_form_names_the_date_it_cannot_read():
    form = FailureForm(
        data={
            "period_start": "1.3.2025",
            "period_end": "the end of March",
            "category": "Missed visits",
            "requirement": "No missed visits",
            "description": "Visits were missed.",
        }
    )
    assert not form.is_valid()
    assert form.cleaned_data["period_start"] == date(2025, 3, 1)
    assert form.errors["period_end"] == ["Failure period ends: enter a date, for example 31/3/2025 or 31 March 2025."]


def test_monthly_figures_take_the_month_as_typed():
    form = ActualsForm(
        data={"month": "Mar 2025", "figure__sc-missed-visits": "1.5%"},
        metrics=[("sc-missed-visits", "Missed visits", "")],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["month"] == date(2025, 3, 1)
