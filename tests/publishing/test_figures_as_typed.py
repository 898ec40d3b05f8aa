"""Publishing forms accept figures as people type them: thousands commas, a £ sign, a % sign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from opencare.publishing.forms import ActualsForm, FigureField, money_field


@pytest.mark.parametrize(
    ("typed", "figure"),
    [
        ("4,500,000", Decimal("4500000")),
        ("£4,500,000", Decimal("4500000")),
        (" £12.50 ", Decimal("12.50")),
        ("1,234.5", Decimal("1234.5")),
        ("12", Decimal("12")),
    ],
)
def test_an_amount_of_money_is_read_as_people_type_it(typed, figure):
    assert money_field("Contract value").clean(typed) == figure


@pytest.mark.parametrize(("typed", "figure"), [("2%", Decimal("2")), ("97.5 %", Decimal("97.5")), ("2", Decimal("2"))])
def test_a_percentage_target_is_read_with_or_without_its_sign(typed, figure):
    assert FigureField(required=False, max_digits=14, decimal_places=4).clean(typed) == figure


@pytest.mark.parametrize("typed", ["4,5", "1,23,456", "twelve", "12 pounds", "2%%"])
def test_a_figure_that_is_not_a_number_is_refused_with_an_example_of_what_works(typed):
    with pytest.raises(forms.ValidationError) as refused:
        money_field("Contract value").clean(typed)
    assert refused.value.messages == ["Enter a number, like 4,500,000, £12.50 or 2%"]


def test_monthly_figures_accept_commas_and_percent_signs():
    form = ActualsForm(
        data={"period": "2025-03", "figure__sc-hours-delivered": "1,250", "figure__sc-missed-visits": "1.5%"},
        metrics=[("sc-hours-delivered", "Hours delivered", ""), ("sc-missed-visits", "Missed visits", "")],
    )
    form.is_valid()
    assert form.cleaned_data["figure__sc-hours-delivered"] == Decimal("1250")
    assert form.cleaned_data["figure__sc-missed-visits"] == Decimal("1.5")
