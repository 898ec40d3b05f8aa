"""Site roles: who may moderate what publishers publish, and who may run the site.

A role is a Django group, so administrators can give and take it away in the admin site without code changes. The
groups themselves are created by migration 0001_site_role_groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

#: The group of people who moderate what publishers publish.
MODERATORS = "moderators"
#: The group of people who run the site.
ADMINISTRATORS = "administrators"


def _has_role(user: AbstractUser | AnonymousUser, group_name: str) -> bool:
    # Inactive accounts keep their groups so an administrator can reactivate them, but must not act on them meanwhile.
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=group_name).exists()


def is_moderator(user: AbstractUser | AnonymousUser) -> bool:
    """Whether the user may moderate: an active member of the moderators group, or a superuser.

    Anonymous users and inactive accounts are never moderators. Being an administrator does not make someone a
    moderator: each role is given on its own.
    """
    return _has_role(user, MODERATORS)


def is_administrator(user: AbstractUser | AnonymousUser) -> bool:
    """Whether the user may run the site: an active member of the administrators group, or a superuser.

    Anonymous users and inactive accounts are never administrators.
    """
    return _has_role(user, ADMINISTRATORS)
