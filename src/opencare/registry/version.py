"""The registry's version: what kept answers (answer_cache) are keyed by, so that a change on one server shows on
every server within a second.

Writes that change what pages and the API show call ``mark_changed()`` inside their transaction; the version is read
as the newest release's key with the count of such changes (``current()``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from opencare.registry.models import RegistryVersion, Release

NAME = "registry"


def mark_changed() -> None:
    """Move the version on, in the caller's transaction: seen by everyone when, and only if, the change is committed.

    Call it last in the transaction: the row stays locked until the commit, so concurrent changes queue here briefly.
    """
    with transaction.atomic():
        if RegistryVersion.objects.filter(name=NAME).update(number=F("number") + 1):
            return
        try:
            with transaction.atomic():
                RegistryVersion.objects.create(name=NAME, number=1)
        except IntegrityError:  # another transaction made the row first
            RegistryVersion.objects.filter(name=NAME).update(number=F("number") + 1)


def current() -> str:
    """The version now: the newest release's key and the number of committed changes."""
    newest = Release.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    changes = RegistryVersion.objects.filter(name=NAME).values_list("number", flat=True).first() or 0
    return f"{newest}.{changes}"
