"""The metric catalogue is co-designed: administrators add and retire metrics, saying who asked and why, and every
change is a new version anyone can read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencare.publishing.catalogue import current_metrics
from opencare.publishing.flows.targets import target_metrics
from opencare.publishing.models import AuditEntry, CatalogueChange

from .conftest import signed_in

NEW_METRIC = {
    "id": "sc-visits-cut-short",
    "title": "Visits cut short",
    "question": "How many visits ended before the planned time?",
    "description": "The share of visits that ended more than 10 minutes early, from call monitoring.",
    "why_it_matters": "Rushed visits are the first thing people getting care tell us about.",
    "unit": "P1",
    "better": "lower",
    "asked_for_by": "Care workers at the Moorside forum, May 2026",
    "reason": "People getting care and care workers both raised it.",
}


@pytest.mark.django_db
def test_an_administrator_adds_a_metric_that_publishers_can_then_choose(client, demo_publishing):
    signed_in(client, "administrator")
    response = client.post(reverse("publishing:catalogue"), NEW_METRIC | {"change": "add"})
    assert response.status_code == 302
    change = CatalogueChange.objects.get(metric_id="sc-visits-cut-short")
    assert (change.version, change.change, change.changed_by.username) == (1, "added", "administrator")
    assert change.asked_for_by == NEW_METRIC["asked_for_by"]
    assert "sc-visits-cut-short" in target_metrics()
    assert AuditEntry.objects.filter(action="add-metric").exists()
    page = client.get(reverse("publishing:catalogue")).content.decode()
    assert "Care workers at the Moorside forum" in page  # who asked is public


@pytest.mark.django_db
def test_retiring_a_metric_keeps_it_readable_but_stops_offering_it(client, demo_publishing):
    signed_in(client, "administrator")
    response = client.post(
        reverse("publishing:catalogue"),
        {"change": "retire", "metric_id": "sc-compliments", "asked_for_by": "Commissioners", "reason": "Unused"},
    )
    assert response.status_code == 302
    assert "sc-compliments" not in current_metrics()
    assert current_metrics(include_retired=True)["sc-compliments"]["status"] == "retired"
    assert "sc-compliments" not in target_metrics()
    # The vendored metric is version 1, so the first change made here is version 2.
    assert CatalogueChange.objects.get(metric_id="sc-compliments").version == 2


@pytest.mark.django_db
def test_a_metric_id_cannot_be_taken_twice(client, demo_publishing):
    signed_in(client, "administrator")
    response = client.post(reverse("publishing:catalogue"), NEW_METRIC | {"id": "sc-missed-visits", "change": "add"})
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert not CatalogueChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["commissioner", "provider", "viewer", None])
def test_only_administrators_change_the_catalogue(client, demo_publishing, username):
    if username:
        signed_in(client, username)
    response = client.post(reverse("publishing:catalogue"), NEW_METRIC | {"change": "add"})
    assert response.status_code == 403
    assert not CatalogueChange.objects.exists()
    assert client.get(reverse("publishing:catalogue")).status_code == 200  # anyone can read it
