"""Fixtures for publishing tests: the demo registry with its demo organisations and accounts."""

from __future__ import annotations

import pytest
from tests.builders.processes import stored_north_with_the_demo_accounts
from tests.builders.shared_data import shared_data

from opencare.demo.borsetdale import COUNCIL, MOORSIDE
from opencare.publishing.models import Publisher
from opencare.registry.selectors import parts_played_by


@pytest.fixture(scope="module")
def demo_publishing_for_the_module(django_db_setup, django_db_blocker):
    """The data demo_publishing gives, stored once for the module and rolled back after it."""
    with shared_data(django_db_blocker, stored_north_with_the_demo_accounts):
        yield


@pytest.fixture
def demo_publishing(demo_publishing_for_the_module, db, settings):
    """The demo data and demo accounts; returns the council, the provider and a process they share. Stored once per
    module (tests.builders.shared_data); what a test writes is rolled back after it."""
    settings.OPENCARE_DEMO_ACCOUNTS = True
    council = Publisher.objects.get(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
    provider = Publisher.objects.get(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)
    supplied = {part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)}
    bought = [
        part.process.ocid
        for part in parts_played_by(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
        if part.process.ocid in supplied
    ]
    return {"council": council, "provider": provider, "shared_ocid": bought[0]}


def signed_in(client, username: str):
    """The client signed in as a demo user."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client
