"""People who sign in: a user with a password, and optionally the site roles (groups) the product grants."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS

PASSWORD = "a long test password 8472"


def user(username: str, *, email: str = "", password: str = PASSWORD, staff: bool = False) -> AbstractUser:
    """A user who can sign in with ``password``."""
    person = get_user_model().objects.create_user(username=username, email=email, password=password)
    if staff:
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    return person


def administrator(username: str = "administrator", *, email: str = "") -> AbstractUser:
    """A site administrator and moderator, staff as the admin site needs (what the product's roles grant)."""
    person = user(username, email=email, staff=True)
    # get_or_create: migration 0001 makes the groups, but a flushed database (transactional tests) has none.
    person.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in (ADMINISTRATORS, MODERATORS)))
    return person
