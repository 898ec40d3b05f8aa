"""Data built once and shared read-only by the tests of a module or class.

The data is made inside a transaction that is rolled back when the module or class is done; each test still runs
in a transaction of its own inside it (pytest-django's ``db``), rolled back after the test, so what one test writes
no other test sees, and the shared data is the same for every test. Each pytest-xdist worker has its own database,
so each builds its own copy. Not for ``transactional_db`` or ``live_server`` tests, which commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def shared_data(django_db_blocker: Any, build: Callable[[], Any]) -> Iterator[Any]:
    """Run ``build`` in a transaction that stays open until the context ends, then is rolled back; yields its result.

    ``django_db_blocker`` is pytest-django's fixture; the caller's fixture must also depend on ``django_db_setup``,
    so the test database exists first.
    """
    with django_db_blocker.unblock():
        outer = transaction.Atomic(using=None, savepoint=True, durable=False)
        # Code under test may open durable transactions: Django allows them directly inside a test case's
        # transactions, and this one stands where the test case's would otherwise be.
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
