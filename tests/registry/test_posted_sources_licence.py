"""Sources of releases posted through opencare name their licence (migration 0015 names it where it was left out)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from opencare.registry.models import Source

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.mark.django_db
def test_the_migration_names_the_licence_of_posted_sources_only_where_it_was_left_out():
    unnamed = Source.objects.create(key="opencare:publisher:7", title="A provider", licence_url=OGL_URL)
    imported = Source.objects.create(key="contracts-finder", title="Contracts Finder", licence_url=OGL_URL)
    other = Source.objects.create(key="opencare:publisher:8", title="B", licence_url="https://example.org/licence")
    migration = importlib.import_module("opencare.registry.migrations.0015_name_the_licence_of_posted_sources")
    migration.name_the_licence(apps, None)
    names = {
        source.pk: source.licence_name for source in Source.objects.filter(pk__in=[unnamed.pk, imported.pk, other.pk])
    }
    assert names == {unnamed.pk: "Open Government Licence v3.0", imported.pk: "", other.pk: ""}
