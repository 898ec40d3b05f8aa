"""Reads for participation pages, exports and the API. Only published stories and replies leave this module for
the public; the moderation queue is for moderators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from opencare.explore.contract_words import contract_label
from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.performance import contracts_on_record
from opencare.participation.models import Feedback
from opencare.publishing.models import Publisher
from opencare.registry.models import OrganisationIdentifier, Process, ProcessParty

#: OCDS contract statuses of a contract that was never signed, so no care is given under it (yet): "pending" is not
#: in force yet, "cancelled" was cancelled before it was signed. A contract with no status counts as signed: it is
#: on record, and publishers often leave the status out.
NOT_SIGNED = frozenset({"pending", "cancelled"})


@dataclass(frozen=True)
class BuyerContact:
    """Who to contact at the organisation buying the care, as far as the data says (any part may be blank)."""

    organisation: str
    name: str
    email: str
    telephone: str
    url: str

    @property
    def has_contact_point(self) -> bool:
        """Whether the data gives any way to reach the buyer."""
        return bool(self.email or self.telephone or self.url)


@dataclass(frozen=True)
class FeedbackOpening:
    """Whether people can give feedback on a process: the signed contracts they can give it on, and, for when there
    are none yet, who to contact instead. The feedback pages and every link to them follow this one rule."""

    ocid: str
    contracts: tuple[tuple[str, str], ...]
    buyer: BuyerContact

    @property
    def is_open(self) -> bool:
        """Whether there is a signed contract to give feedback on."""
        return bool(self.contracts)


def feedback_opening(process: Process) -> FeedbackOpening:
    """Whether feedback can be given on a process (a contract has been signed) and, if not, who to ask instead."""
    compiled = process.compiled_release or {}
    signed = {
        as_text(contract.get("id"))
        for contract in as_objects(compiled.get("contracts"))
        if as_text(contract.get("status")) not in NOT_SIGNED
    }
    contracts = tuple((c.contract_id, c.title) for c in contracts_on_record(compiled) if c.contract_id in signed)
    return FeedbackOpening(ocid=process.ocid, contracts=contracts, buyer=buyer_contact(compiled))


def buyer_contact(compiled: dict[str, Any]) -> BuyerContact:
    """The buyer's name and contact point from a compiled release: the party the buyer names, else the first party
    in the buyer role. Only email addresses and web addresses that are safe to link to are kept."""
    buyer = as_object(compiled.get("buyer"))
    parties = as_objects(compiled.get("parties"))
    buyer_id = as_text(buyer.get("id"))
    party = next((p for p in parties if buyer_id and as_text(p.get("id")) == buyer_id), None)
    party = party or next((p for p in parties if "buyer" in _roles(p)), {})
    point = as_object(party.get("contactPoint"))
    email = as_text(point.get("email"))
    url = as_text(point.get("url"))
    return BuyerContact(
        organisation=as_text(buyer.get("name")) or as_text(party.get("name")),
        name=as_text(point.get("name")),
        email=email if "@" in email and not any(c.isspace() or c in '<>"?' for c in email) else "",
        telephone=as_text(point.get("telephone")),
        # Only web addresses: a "javascript:" or other scheme from published data must never become a link.
        url=url if url.lower().startswith(("https://", "http://")) else "",
    )


def publishers_of_process(ocid: str) -> list[Publisher]:
    """The publishing organisations that are the buyer or a supplier of the process."""
    organisations = [
        part.organisation_id
        for part in ProcessParty.objects.filter(process__ocid=ocid)
        if {"buyer", "supplier"} & set(part.roles or [])
    ]
    identifiers = OrganisationIdentifier.objects.filter(organisation_id__in=organisations)
    query = Q(pk__in=[])
    for identifier in identifiers:
        query |= Q(scheme__iexact=identifier.scheme, identifier=identifier.identifier)
    return list(Publisher.objects.filter(query))


def published_stories(ocid: str | None = None) -> QuerySet[Feedback]:
    """Published stories with their replies, newest first; one contract's or all."""
    stories = Feedback.objects.filter(status=Feedback.Status.PUBLISHED).prefetch_related("replies__publisher")
    return stories.filter(ocid=ocid) if ocid else stories.order_by("-published_at")


def _roles(party: dict[str, Any]) -> list[str]:
    roles = party.get("roles")
    return [as_text(role) for role in roles] if isinstance(roles, list) else []


def contract_labels(ocids: Iterable[str]) -> dict[str, str]:
    """How each contract is named to a moderator, a publisher or the person who gave feedback: its title and council
    ("Home care in the Dales — Borsetdale Council"), by OCID (one query). An OCID the registry does not hold keeps
    the OCID, the only name there is."""
    wanted = set(ocids)
    found = {
        ocid: contract_label(title=title, buyer=buyer)
        for ocid, title, buyer in Process.objects.filter(ocid__in=wanted).values_list("ocid", "title", "buyer_name")
    }
    return {ocid: found.get(ocid, ocid) for ocid in wanted}


def moderation_queue() -> QuerySet[Feedback]:
    """Feedback waiting for a decision, and safeguarding holds, oldest first."""
    undecided_hold = Q(status=Feedback.Status.SAFEGUARDING, decisions__isnull=True)
    return (
        Feedback.objects.filter(Q(status=Feedback.Status.PENDING) | undecided_hold).distinct().order_by("created_at")
    )


def story_rows() -> list[dict[str, str]]:
    """The export's rows: published stories and their replies, nothing else."""
    rows = []
    for story in published_stories():
        base = {
            "story_id": str(story.key),
            "ocid": story.ocid,
            "contract_id": story.contract_id,
            "respondent_type": story.respondent_type,
            "about_month": story.about_month.strftime("%Y-%m"),
            "published_at": story.published_at.isoformat() if story.published_at else "",
            "story": story.published_story,
        }
        replies = list(story.replies.all()) or [None]
        for answer in replies:
            rows.append(
                base
                | {
                    "reply_from": answer.publisher.name if answer else "",
                    "reply": answer.text if answer else "",
                    "what_we_changed": answer.what_we_changed if answer else "",
                    "reply_date": answer.at.isoformat() if answer else "",
                    "reply_rating": answer.rating if answer else "",
                }
            )
    return rows
