"""A provider claims its account: someone from a provider a contract names asks, and an administrator decides.

Rights on a contract follow a publishing organisation's scheme and identifier, which only administrators set
(publishing.permissions). So a claim by itself gives nothing; approving it makes the publishing organisation with
the claimed scheme and identifier (or finds the one that exists) and makes the person who asked its publisher.
From then on that organisation is the supplier of every contract that names its identifier, and may publish its
part of them. A claim never makes anyone a member of a council or NHS body.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencare.accounts.roles import is_administrator
from opencare.publishing.models import Membership, ProviderClaim, Publisher
from opencare.publishing.providers import account_of
from opencare.publishing.services import record


class ClaimRefused(Exception):
    """The claim cannot be decided so; the message says why."""


def request_claim(*, user: AbstractBaseUser, name: str, scheme: str, identifier: str, note: str) -> ProviderClaim:
    """Record that this person asks for the provider's account; it waits for an administrator (nothing is given).

    Asking again for the same provider while a claim waits returns that claim."""
    waiting = ProviderClaim.objects.filter(
        requested_by=user, scheme=scheme, identifier=identifier, status=ProviderClaim.Status.PENDING
    ).first()
    if waiting is not None:
        return waiting
    claim = ProviderClaim.objects.create(requested_by=user, name=name, scheme=scheme, identifier=identifier, note=note)
    record(user=user, publisher=None, action="request-provider-claim", claim=claim.pk, scheme=scheme, ident=identifier)
    return claim


def pending_claims() -> list[ProviderClaim]:
    """The claims waiting for an administrator, oldest first."""
    return list(
        ProviderClaim.objects.filter(status=ProviderClaim.Status.PENDING)
        .select_related("requested_by")
        .order_by("requested_at", "pk")
    )


def approve_claim(*, user: AbstractBaseUser, claim: ProviderClaim, reason: str = "") -> Publisher:
    """An administrator approves a claim: the provider's publishing organisation (made if need be) gets the person
    who asked as its publisher. Raises ClaimRefused if the user is no administrator, the claim is decided already,
    or the identifier is a council's or NHS body's."""
    if not is_administrator(user):
        raise ClaimRefused(_("Only site administrators decide claims."))
    with transaction.atomic():
        claim = _undecided(claim)
        publisher = account_of(claim.scheme, claim.identifier)
        if publisher is not None and publisher.is_buyer_kind:
            raise ClaimRefused(
                _(
                    "%(scheme)s %(identifier)s is the identifier of %(name)s, which buys care: a claim is only for "
                    "a provider."
                )
                % {"scheme": claim.scheme, "identifier": claim.identifier, "name": publisher.name}
            )
        if publisher is None:
            publisher = Publisher.objects.create(
                name=claim.name, kind=Publisher.Kind.PROVIDER, scheme=claim.scheme, identifier=claim.identifier
            )
        Membership.objects.get_or_create(
            user=claim.requested_by, publisher=publisher, defaults={"role": Membership.Role.PUBLISHER}
        )
        claim.status, claim.publisher = ProviderClaim.Status.APPROVED, publisher
        claim.decided_by, claim.decided_at, claim.reason = user, timezone.now(), reason
        claim.save()
        record(user=user, publisher=publisher, action="approve-provider-claim", claim=claim.pk, reason=reason)
    return publisher


def refuse_claim(*, user: AbstractBaseUser, claim: ProviderClaim, reason: str = "") -> None:
    """An administrator refuses a claim; nothing is given. Raises ClaimRefused as approve_claim does."""
    if not is_administrator(user):
        raise ClaimRefused(_("Only site administrators decide claims."))
    with transaction.atomic():
        claim = _undecided(claim)
        claim.status, claim.decided_by, claim.decided_at, claim.reason = (
            ProviderClaim.Status.REFUSED,
            user,
            timezone.now(),
            reason,
        )
        claim.save()
        record(user=user, publisher=None, action="refuse-provider-claim", claim=claim.pk, reason=reason)


def _undecided(claim: ProviderClaim) -> ProviderClaim:
    """The claim as it is now, locked until the decision is saved; ClaimRefused if someone decided it meanwhile."""
    claim = ProviderClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ProviderClaim.Status.PENDING:
        raise ClaimRefused(_("This claim has been decided already."))
    return claim
