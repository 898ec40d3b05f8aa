"""Fixtures for publishing tests: the demo registry with its demo organisations and accounts."""

from __future__ import annotations

import pytest
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import COUNCIL, MOORSIDE
from opencare.publishing.models import Publisher
from opencare.registry.selectors import parts_played_by


@pytest.fixture
def demo_publishing(db, settings):
    """The demo data and demo accounts; returns the council, the provider and a process they share."""
    settings.OPENCARE_DEMO_ACCOUNTS = True
    stored_borsetdale(NORTH)  # the contract Borsetdale buys from Moorside: all these tests need of the demo
    create_demo_accounts()
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
