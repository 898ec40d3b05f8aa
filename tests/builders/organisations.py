"""Publishing organisations and the people in them, as the admin site makes them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser

from opencare.publishing.models import Membership, Publisher


def organisation(
    name: str,
    *,
    kind: str = Publisher.Kind.COUNCIL,
    scheme: str = "GB-LAE",
    identifier: str = "BSD",
    **details: object,
) -> Publisher:
    """A publishing organisation identified as its OCDS party is (``scheme``-``identifier``)."""
    return Publisher.objects.create(name=name, kind=kind, scheme=scheme, identifier=identifier, **details)


def member(person: AbstractUser, of: Publisher, *, role: str = Membership.Role.PUBLISHER) -> Membership:
    """``person`` given ``role`` in the organisation."""
    return Membership.objects.create(user=person, publisher=of, role=role)
