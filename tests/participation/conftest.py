"""Fixtures for participation tests: the demo registry and accounts, and a way to send feedback as a person would."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from tests.builders.processes import stored_north_with_the_demo_accounts
from tests.builders.shared_data import shared_data

from opencare.demo.borsetdale import MOORSIDE
from opencare.participation.submission_checks import form_stamp
from opencare.registry.selectors import parts_played_by


def _north_with_a_moderator_and_a_provider() -> None:
    stored_north_with_the_demo_accounts()
    users = get_user_model().objects
    users.filter(username="administrator").update(email="moderator@example.org")
    users.filter(username="provider").update(email="manager@moorside.example.org")


@pytest.fixture(scope="module")
def contract_for_the_module(django_db_setup, django_db_blocker):
    """The data contract_ocid gives, stored once for the module and rolled back after it."""
    with shared_data(django_db_blocker, _north_with_a_moderator_and_a_provider):
        yield


@pytest.fixture
def contract_ocid(contract_for_the_module, db, settings):
    """A Borsetdale demo process whose provider (Moorside) and council publish here, with a moderator. Stored once
    per module (tests.builders.shared_data); what a test writes is rolled back after it."""
    settings.OPENCARE_DEMO_ACCOUNTS = True
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
