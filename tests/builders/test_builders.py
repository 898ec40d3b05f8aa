"""The builders make what the product itself would: processes compiled by the registry, people the product's rules
recognise, feedback held for moderation as the form's would be."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from tests.builders.accounts import administrator, user
from tests.builders.feedback import feedback
from tests.builders.organisations import member, organisation
from tests.builders.processes import (
    NORTH,
    stored_borsetdale,
    stored_north_with_the_demo_accounts,
    stored_process,
    stored_processes,
)

from opencare.accounts.roles import is_administrator, is_moderator
from opencare.participation.models import Feedback
from opencare.publishing.models import Membership
from opencare.publishing.permissions import decide
from opencare.registry.models import Release

pytestmark = pytest.mark.django_db


def test_a_stored_process_is_compiled_and_summarised_by_the_registry():
    process = stored_process("ocds-built-1", title="Home care in Builtshire")
    assert process.release_count == Release.objects.filter(ocid="ocds-built-1").count() == 1
    assert process.compiled_release["tender"]["title"] == "Home care in Builtshire"
    assert process.is_social_care


def test_stored_processes_are_as_many_as_asked_with_different_buyers():
    processes = stored_processes(8)
    assert len(processes) == 8
    assert len({process.buyer_name for process in processes}) == 7


def test_a_borsetdale_process_is_stored_with_every_release_and_as_invented():
    (process,) = stored_borsetdale(NORTH)
    assert process.release_count == Release.objects.filter(ocid=NORTH).count() > 1
    assert process.is_invented


def test_north_with_the_demo_accounts_has_its_council_and_provider_publishing_through_their_accounts():
    north = stored_north_with_the_demo_accounts()
    assert north.ocid == NORTH
    commissioner = get_user_model().objects.get(username="commissioner")
    provider = get_user_model().objects.get(username="provider")
    assert decide(commissioner, "record-review", Membership.objects.get(user=commissioner).publisher, NORTH)
    assert decide(provider, "publish-actuals", Membership.objects.get(user=provider).publisher, NORTH)
    assert not decide(provider, "record-review", Membership.objects.get(user=provider).publisher, NORTH)


def test_a_member_may_do_what_the_role_allows_in_the_organisation_only():
    council = organisation("Builtshire Council")
    other = organisation("Elsewhere Council", identifier="ELS")
    person = user("cleo")
    member(person, council)
    assert decide(person, "view-drafts", council)
    assert not decide(person, "view-drafts", other)


def test_an_administrator_has_the_site_roles():
    person = administrator()
    assert is_administrator(person)
    assert is_moderator(person)
    assert not is_administrator(user("someone"))


def test_feedback_is_held_for_moderation_as_the_forms_is():
    stored = feedback("ocds-built-1", "contract-1")
    assert stored.status == Feedback.Status.PENDING
    assert stored.address_hash
    assert stored.fingerprint
