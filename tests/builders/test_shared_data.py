"""Data shared by the tests of a class is there for each of them, unchanged by what any of them writes, and gone after
the class."""

from __future__ import annotations

import pytest
from tests.builders.processes import stored_process
from tests.builders.shared_data import shared_data

from opencare.registry.models import Process

pytestmark = pytest.mark.django_db

SHARED = "ocds-shared-1"


@pytest.fixture(scope="class")
def shared_process(django_db_setup, django_db_blocker):
    with shared_data(django_db_blocker, lambda: stored_process(SHARED, title="Shared home care")) as process:
        yield process


class TestSharedByAClass:
    def test_the_shared_data_is_there_for_a_test_that_changes_it(self, shared_process):
        assert Process.objects.get(ocid=SHARED).title == "Shared home care"
        Process.objects.filter(ocid=SHARED).update(title="Changed by one test")
        stored_process("ocds-written-by-one-test")

    def test_what_another_test_wrote_is_not_seen(self, shared_process):
        assert Process.objects.get(ocid=SHARED).title == "Shared home care"
        assert not Process.objects.filter(ocid="ocds-written-by-one-test").exists()


def test_the_shared_data_is_gone_after_its_class():
    assert not Process.objects.filter(ocid=SHARED).exists()
