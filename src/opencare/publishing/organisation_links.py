"""The links between organisations in the audit log: those an import or the demo made, with their evidence; an
administrator's confirmation or split of one; and the repair of the merges that posted releases made before posted
releases stopped linking organisations.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q

from opencare.publishing.models import AuditEntry
from opencare.publishing.services import record
from opencare.registry.models import Organisation, OrganisationIdentifier, Release, Source
from opencare.registry.organisations import NAME_SCHEME, POSTED_SOURCE_PREFIX, split_organisation, trusted_groups

#: The audit action that marks the repair as done: `opencare setup` runs it once.
REPAIRED = "repair-organisation-links"
#: The links listed in full in one audit entry (an import of a whole publisher's data can make thousands).
LINKS_LISTED = 1000


class LinkRefused(Exception):
    """The link cannot be changed so; the message says why."""


def record_links_made(*, since: datetime, via: str = "command") -> int:
    """Log the links between organisations made since then (identifiers linked to an organisation that holds others),
    with their evidence, in one audit entry; returns how many there were (no entry if none)."""
    rows = (
        OrganisationIdentifier.objects.filter(linked_at__gte=since)
        .annotate(held=Count("organisation__identifiers"))
        .filter(held__gte=2)
        .select_related("organisation")
        .order_by("organisation_id", "scheme", "identifier")
    )
    count = rows.count()
    if count:
        links = [_described(row) for row in rows[:LINKS_LISTED]]
        record(user=None, publisher=None, action="link-organisations", via=via, links=links, count=count)
    return count


def confirm_link(*, user: AbstractBaseUser, identifier: OrganisationIdentifier) -> None:
    """An administrator confirms that the identifier is its organisation's: trusted evidence from now on."""
    with transaction.atomic():
        identifier.trusted = True
        identifier.evidence_source = f"confirmed by administrator {user.get_username()}"
        identifier.save(update_fields=["trusted", "evidence_source"])
        record(user=user, publisher=None, action="confirm-organisation-link", via="admin", **_described(identifier))


def split_link(*, user: AbstractBaseUser, identifier: OrganisationIdentifier) -> Organisation:
    """Take the identifier out of its organisation into a new one, with the parts its parties play; logged."""
    organisation = identifier.organisation
    if organisation.identifiers.count() < 2:
        raise LinkRefused(f"{identifier.scheme} {identifier.identifier} is {organisation.name}'s only identifier.")
    with transaction.atomic():
        detail = _described(identifier)
        (new,) = split_organisation(organisation, [{(identifier.scheme, identifier.identifier)}])
        record(user=user, publisher=None, action="split-organisation", via="admin", **detail, new_organisation=new.pk)
    return new


def repair_posted_merges() -> int:
    """Split every organisation that posted releases joined: its identifiers grouped by trusted evidence alone
    (registry.organisations.trusted_groups), each group but the first made an organisation of its own. Run once
    (by `opencare setup`); returns how many organisations were split."""
    if AuditEntry.objects.filter(action=REPAIRED).exists():
        return 0
    split = 0
    with transaction.atomic():
        for organisation in _touched_by_posted_releases():
            groups = sorted(trusted_groups(organisation), key=min)
            if len(groups) < 2:
                continue
            created = split_organisation(organisation, groups[1:], trusted_processes=True)
            split += 1
            record(
                user=None, publisher=None, action="split-organisation", via="command", organisation=organisation.pk,
                name=organisation.name, kept=sorted(map(list, groups[0])),
                split_off=[[new.pk, sorted(map(list, group))] for new, group in zip(created, groups[1:], strict=True)],
                reason="joined only by releases posted through opencare",
            )  # fmt: skip
        record(user=None, publisher=None, action=REPAIRED, via="command", organisations_split=split)
    return split


def _touched_by_posted_releases() -> list[Organisation]:
    """Organisations with two or more identifiers that play a part in a process with a posted release."""
    posted_sources = Source.objects.filter(key__startswith=POSTED_SOURCE_PREFIX).values("pk")
    ocids = Release.objects.filter(source__in=posted_sources).values("ocid")
    return list(
        Organisation.objects.filter(process_parties__process__ocid__in=ocids)
        .annotate(keys=Count("identifiers", filter=~Q(identifiers__scheme=NAME_SCHEME), distinct=True))
        .filter(keys__gte=2)
        .distinct()
        .order_by("pk")
    )


def _described(identifier: OrganisationIdentifier) -> dict[str, object]:
    return {
        "organisation": identifier.organisation_id,
        "name": identifier.organisation.name,
        "identifier": f"{identifier.scheme} {identifier.identifier}",
        "trusted": identifier.trusted,
        "evidence": {
            "ocid": identifier.evidence_ocid,
            "party": identifier.evidence_party,
            "source": identifier.evidence_source,
        },
    }
