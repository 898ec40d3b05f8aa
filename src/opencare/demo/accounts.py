"""Demo publishing accounts for local runs: an invented council's commissioner, a provider's manager, a viewer and
a site administrator, so the publishing flows can be tried from `make run`. Never created in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS
from opencare.demo.borsetdale import COUNCIL, KESTREL, MOORSIDE, WENDMOOR_COUNCIL, Body
from opencare.publishing.models import Membership, Publisher

#: The one password of every demo account: shown on the sign-in page of local runs, so never use it elsewhere.
DEMO_PASSWORD = settings.OPENCARE_DEMO_PASSWORD


@dataclass(frozen=True)
class DemoAccount:
    """A demo person: their username, what they do, and their organisation and role (if any)."""

    username: str
    description: str
    body: Body | None = None
    role: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("commissioner", "Publisher for Borsetdale Council (a buyer)", COUNCIL, Membership.Role.PUBLISHER),
    DemoAccount(
        "provider", "Publisher for Moorside Care Co-operative (a provider)", MOORSIDE, Membership.Role.PUBLISHER
    ),
    DemoAccount(
        "kestrel", "Publisher for Kestrel Homecare (a provider in Wendmoor)", KESTREL, Membership.Role.PUBLISHER
    ),
    DemoAccount(
        "viewer", "Viewer at Borsetdale Council: sees drafts, cannot publish", COUNCIL, Membership.Role.VIEWER
    ),
    DemoAccount("administrator", "Site administrator: the metric catalogue and the audit log"),
)
KINDS = {COUNCIL: Publisher.Kind.COUNCIL, WENDMOOR_COUNCIL: Publisher.Kind.COUNCIL}


def create_demo_accounts() -> list[DemoAccount]:
    """Create (or reset) the demo organisations and accounts; refuses to run when demo accounts are switched off."""
    if not settings.OPENCARE_DEMO_ACCOUNTS:
        raise RuntimeError("Demo accounts are switched off (OPENCARE_DEMO_ACCOUNTS, and never in production).")
    user_model = get_user_model()
    # Hashed once for every account: the password is the same, published one, and each hash takes a tenth of a second
    # on purpose (0.8 s of every `opencare demo`).
    hashed = make_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.password = hashed
        user.save()
        if account.body is not None:
            Membership.objects.update_or_create(
                user=user, publisher=demo_publisher(account.body), defaults={"role": account.role}
            )
        else:  # staff too, so they can manage accounts and memberships in the admin site
            user.is_staff = True
            user.save()
            # get_or_create: migration 0001 makes the groups, but a flushed database (transactional tests) has none.
            user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in (ADMINISTRATORS, MODERATORS)))
    demo_publisher(WENDMOOR_COUNCIL)
    return list(DEMO_ACCOUNTS)


def demo_publisher(body: Body) -> Publisher:
    """The demo body as a publishing organisation."""
    publisher, _ = Publisher.objects.update_or_create(
        scheme=body.scheme,
        identifier=body.ident,
        defaults={
            "name": body.name,
            "kind": KINDS.get(body, Publisher.Kind.PROVIDER),
            "street": body.street,
            "locality": body.locality,
            "postcode": body.postcode,
            "contact_name": body.contact,
            "email": body.email,
            "is_invented": True,
        },
    )
    return publisher
