"""Each target shows its unit (a £ before, a % or "hours" after the box) and which way is better, from the metric
catalogue, on the form and on check-your-answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import html

from opencare.publishing.catalogue import current_metrics
from opencare.publishing.forms import TargetsForm
from opencare.publishing.target_units import direction_hint, target_in_words, unit_of

from .conftest import signed_in


@pytest.fixture
def metrics(db):
    return current_metrics()


@pytest.mark.parametrize(
    ("metric_id", "prefix", "suffix", "better"),
    [
        ("sc-missed-visits", "", "%", "lower"),
        ("sc-punctuality", "", "%", "higher"),
        ("sc-hours-delivered", "", "hours", "neither"),
        ("sc-hand-backs", "", "", "lower"),
        ("sc-price-per-hour", "\u00a3", "an hour", "neither"),
    ],
)
def test_each_metric_has_the_unit_of_its_target_box(metrics, metric_id, prefix, suffix, better):
    unit = unit_of(metrics[metric_id])
    assert (unit.prefix, unit.suffix, unit.better) == (prefix, suffix, better)


def test_the_hint_asks_the_metrics_question_and_says_lower_is_better(metrics):
    assert direction_hint(metrics["sc-missed-visits"]) == (
        "How often does a planned visit not happen? Lower is better: the target is the most allowed each month."
    )


@pytest.mark.parametrize(
    ("metric_id", "target", "words"),
    [
        ("sc-missed-visits", "2", "Target: 2%. Lower is better."),
        ("sc-punctuality", "95.0", "Target: 95%. Higher is better."),
        ("sc-hours-delivered", "1200", "Target: 1200 hours"),
        ("sc-worker-pay-per-hour", "12.6", "Target: \u00a312.60 an hour. Higher is better."),
    ],
)
def test_a_target_is_written_with_its_unit_and_direction(metrics, metric_id, target, words):
    assert target_in_words(metrics[metric_id], Decimal(target)) == words


def test_the_targets_form_takes_a_target_typed_with_its_sign(metrics):
    form = TargetsForm(data={"target__sc-missed-visits": "2%"}, metrics=metrics)
    assert form.is_valid(), form.errors
    assert form.chosen() == [("sc-missed-visits", Decimal("2"))]


def test_the_set_targets_page_shows_each_boxs_unit_and_which_way_is_better(client, demo_publishing):
    council, ocid = demo_publishing["council"], demo_publishing["shared_ocid"]
    signed_in(client, "commissioner")
    response = client.get(reverse("publishing:flow", args=[council.pk, ocid, "set-targets"]))
    assert response.status_code == 200
    page = html.fromstring(response.content)
    box = page.get_element_by_id("id_target__sc-missed-visits")
    group = box.getparent().getparent()
    assert group.find_class("govuk-label")[0].text_content().strip().startswith("Missed visits: target (percent)")
    assert box.getnext().text_content() == "%"
    assert "Lower is better: the target is the most allowed each month." in group.find_class("govuk-hint")[0].text
    on_time = page.get_element_by_id("id_target__sc-punctuality").getparent().getparent()
    assert "Higher is better: the target is the least expected each month." in on_time.find_class("govuk-hint")[0].text


def test_check_your_answers_shows_each_target_with_its_unit_and_direction(client, demo_publishing):
    council, ocid = demo_publishing["council"], demo_publishing["shared_ocid"]
    signed_in(client, "commissioner")
    url = reverse("publishing:flow", args=[council.pk, ocid, "set-targets"])
    response = client.post(url, {"target__sc-missed-visits": "1.5%", "target__sc-punctuality": "95"})
    assert response.status_code == 302, response.content.decode()[:2000]
    check = client.get(response["Location"]).content.decode()
    assert "Target: 1.5%. Lower is better." in check
    assert "Target: 95%. Higher is better." in check
