"""Fixtures for participation tests: the demo registry and accounts, and a way to send feedback as a person would."""

from __future__ import annotations

import time

import pytest
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import MOORSIDE
from opencare.participation.submission_checks import form_stamp
from opencare.registry.selectors import parts_played_by


@pytest.fixture
def contract_ocid(db, settings, django_user_model):
    """A Borsetdale demo process whose provider (Moorside) and council publish here, with a moderator."""
    settings.OPENCARE_DEMO_ACCOUNTS = True
    stored_borsetdale(NORTH)  # the contract Borsetdale buys from Moorside: all these tests need of the demo
    create_demo_accounts()
    moderator = django_user_model.objects.get(username="administrator")
    moderator.email = "moderator@example.org"
    moderator.save()
    provider = django_user_model.objects.get(username="provider")
    provider.email = "manager@moorside.example.org"
    provider.save()
    return next(part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident))


def feedback_answers(**overrides) -> dict[str, str]:
    """A filled-in feedback form, shown 10 seconds ago."""
    answers = {
        "respondent_type": "personGettingSupport",
        "about_month": "",
        "q__sc-feedback-on-time": "mostly",
        "q__sc-feedback-same-care-workers": "yes",
        "q__sc-feedback-recommend": "yes",
        "story": "My care workers are kind but often rushed in the mornings.",
        "email": "",
        "website": "",
        "stamp": form_stamp(time.time() - 10),
    }
    return answers | overrides
