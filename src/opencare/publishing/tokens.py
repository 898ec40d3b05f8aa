"""API tokens: what a publisher's own system uses to post releases and actuals for its organisation.

A token's text is shown once, when it is created; only its SHA-256 is kept, so a copy of the database cannot be
used to publish. Tokens belong to the organisation (not to the person who made them), carry scopes that limit what
they may post, and stop working the moment they are revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from opencare.publishing.models import ApiToken, Membership, Publisher
from opencare.publishing.permissions import role_in
from opencare.publishing.services import NotAllowed, record

#: Every token's text starts with this, so a leaked one is easy to recognise (and to search for in code).
TOKEN_PREFIX = "oc_"  # noqa: S105 (a label every token starts with, not a secret)
#: How many characters of the token are kept in the clear, to tell tokens apart in the list.
SHOWN_CHARACTERS = 10
#: Longer than any token we issue: text this long is refused without hashing it.
MAX_TOKEN_LENGTH = 200


def token_sha256(text: str) -> str:
    """The SHA-256 of a token's text, as hex: what is stored and looked up."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_token(
    *, user: AbstractBaseUser, publisher: Publisher, name: str, scopes: Iterable[str]
) -> tuple[ApiToken, str]:
    """Create a token for the organisation; returns it with its full text, which cannot be seen again.

    Only members with the publisher role may create one (NotAllowed otherwise). ValueError if the name is empty or a
    scope is unknown.
    """
    _require_publisher_role(user, publisher, "create API tokens")
    name = name.strip()
    chosen = sorted(set(scopes))
    if not name:
        raise ValueError("Give the token a name that says what uses it.")
    unknown = [scope for scope in chosen if scope not in ApiToken.Scope.values]
    if not chosen or unknown:
        raise ValueError(f"Choose at least one of the scopes {', '.join(ApiToken.Scope.values)}.")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        publisher=publisher,
        name=name,
        scopes=chosen,
        prefix=text[:SHOWN_CHARACTERS],
        token_sha256=token_sha256(text),
        created_by=user,
    )
    record(
        user=user,
        publisher=publisher,
        action="create-token",
        token_id=token.pk,
        token_name=token.name,
        prefix=token.prefix,
        scopes=chosen,
    )
    return token, text


def revoke_token(*, user: AbstractBaseUser, token: ApiToken) -> ApiToken:
    """Stop the token working from now on. Only members with the publisher role may (NotAllowed otherwise).

    Revoking a token that is already revoked changes nothing, so a form sent twice does no harm.
    """
    _require_publisher_role(user, token.publisher, "revoke API tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            user=user,
            publisher=token.publisher,
            action="revoke-token",
            token_id=token.pk,
            token_name=token.name,
            prefix=token.prefix,
        )
    return token


def token_for(text: str) -> ApiToken | None:
    """The live token with this text, or None if it is unknown or revoked. Notes when it was used."""
    if not text or len(text) > MAX_TOKEN_LENGTH or not text.startswith(TOKEN_PREFIX):
        return None
    digest = token_sha256(text)
    token = ApiToken.objects.select_related("publisher").filter(token_sha256=digest).first()
    # The lookup matched on the digest already; comparing again in constant time keeps the check correct even if the
    # database compared case-insensitively or with padding, and costs nothing.
    if token is None or not hmac.compare_digest(token.token_sha256, digest):
        return None
    if token.revoked_at is not None:
        return None
    token.last_used_at = timezone.now()
    # An update of the one column, so two requests at once cannot undo a revoke made between them.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(last_used_at=token.last_used_at)
    return token


def tokens_of(publisher: Publisher) -> list[ApiToken]:
    """The organisation's tokens, live ones first, newest first."""
    return sorted(
        ApiToken.objects.filter(publisher=publisher).select_related("created_by"),
        key=lambda token: (token.revoked_at is not None, -token.created_at.timestamp()),
    )


def _require_publisher_role(user: AbstractBaseUser | AnonymousUser, publisher: Publisher, what: str) -> None:
    role = role_in(user, publisher)
    if role != Membership.Role.PUBLISHER:
        if role:
            raise NotAllowed(f"You can see {publisher.name}'s API tokens, but only its publishers can {what}.")
        raise NotAllowed(f"You are not a member of {publisher.name}.")
