"""Site roles: moderators and administrators, as Django groups made by a migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS, is_administrator, is_moderator

pytestmark = pytest.mark.django_db


def make_user(username, *groups, **fields):
    user = get_user_model().objects.create_user(username=username, password="x", **fields)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def test_both_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {MODERATORS, ADMINISTRATORS}


def test_the_groups_migration_can_be_undone_and_done_again():
    migration = importlib.import_module("opencare.accounts.migrations.0001_site_role_groups")
    migration.delete_site_role_groups(django_apps, None)
    assert not Group.objects.filter(name__in=[MODERATORS, ADMINISTRATORS]).exists()
    migration.create_site_role_groups(django_apps, None)
    migration.create_site_role_groups(django_apps, None)  # running it twice makes no duplicates
    assert Group.objects.filter(name__in=[MODERATORS, ADMINISTRATORS]).count() == 2


def test_anonymous_users_have_no_role():
    assert not is_moderator(AnonymousUser())
    assert not is_administrator(AnonymousUser())


def test_a_user_with_no_group_has_no_role():
    user = make_user("plain")
    assert not is_moderator(user)
    assert not is_administrator(user)


def test_the_moderators_group_makes_a_moderator_but_not_an_administrator():
    user = make_user("mo", MODERATORS)
    assert is_moderator(user)
    assert not is_administrator(user)


def test_the_administrators_group_makes_an_administrator_but_not_a_moderator():
    user = make_user("ada", ADMINISTRATORS)
    assert is_administrator(user)
    assert not is_moderator(user)


def test_superusers_have_both_roles_without_any_group():
    user = get_user_model().objects.create_superuser(username="root", password="x")
    assert is_moderator(user)
    assert is_administrator(user)


def test_a_deactivated_account_loses_its_roles():
    user = make_user("gone", MODERATORS, ADMINISTRATORS, is_active=False, is_superuser=True)
    assert not is_moderator(user)
    assert not is_administrator(user)
