"""Who may do what: the one table of publishing actions, and the rule that decides each request.

An organisation publishes only for processes where it is the buyer (a council or NHS body: the process, the contract,
targets, reviews, failures, amendments) or the supplier (a provider: its method statement and actuals). Only members
with the publisher role publish; viewers see their organisation's drafts and history. Site moderators and
administrators run the site; they publish nothing for an organisation unless they are its members too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from opencare.publishing.models import Membership, Publisher
from opencare.registry.selectors import parts_played_by


class Side(StrEnum):
    """The part an organisation must play in a process to take an action."""

    BUYER = "buyer"
    SUPPLIER = "supplier"
    EITHER = "either"


@dataclass(frozen=True)
class Action:
    """Something a member of an organisation can do."""

    key: str
    name: str
    side: Side
    publishes: bool = True


ACTIONS: dict[str, Action] = {
    action.key: action
    for action in (
        Action("create-process", "Create a contracting process", Side.BUYER),
        Action("update-process", "Update the process (tender)", Side.BUYER),
        Action("publish-contract", "Publish the award and contract", Side.BUYER),
        Action("set-targets", "Set or change agreed targets", Side.BUYER),
        Action("record-review", "Record an interim review", Side.BUYER),
        Action("record-failure", "Record a performance failure", Side.BUYER),
        Action("amend-contract", "Amend the contract", Side.BUYER),
        Action("publish-method-statement", "Publish the method statement", Side.SUPPLIER),
        Action("publish-actuals", "Publish actuals", Side.SUPPLIER),
        Action("reply-to-feedback", "Reply to published feedback", Side.EITHER),
        Action("view-drafts", "See drafts and publishing history", Side.EITHER, publishes=False),
    )
}


@dataclass(frozen=True)
class Decision:
    """Whether a request is allowed, and if not, why (shown to the person)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def role_in(user: AbstractBaseUser | AnonymousUser, publisher: Publisher) -> str:
    """The user's role in the organisation ("publisher", "viewer"), or "" if they are not a member."""
    if not user.is_authenticated or not user.is_active:
        return ""
    membership = Membership.objects.filter(user=user, publisher=publisher).values_list("role", flat=True).first()
    return membership or ""


def sides_in_process(publisher: Publisher, ocid: str) -> set[Side]:
    """The sides the organisation is on in a process: the roles of its own party there, the one whose id is its
    confirmed identifier and which the registry links to the organisation holding that identifier.

    A link between organisations (registry/organisations.py) never lends one the other's parts: the party must be
    the publisher's own, whatever organisation it was linked to.
    """
    roles = {
        role
        for part in parts_played_by(
            scheme=publisher.scheme, identifier=publisher.identifier, ocid=ocid, party_id=publisher.party_id
        )
        for role in part.roles
    }
    sides = set()
    if "buyer" in roles:
        sides.add(Side.BUYER)
    if "supplier" in roles:
        sides.add(Side.SUPPLIER)
    return sides


def decide(
    user: AbstractBaseUser | AnonymousUser, action_key: str, publisher: Publisher, ocid: str | None = None
) -> Decision:
    """May this user take this action for this organisation (on this process, when the action needs one)?"""
    action = ACTIONS[action_key]
    role = role_in(user, publisher)
    if not role:
        return Decision(False, f"You are not a member of {publisher.name}.")
    if action.publishes and role != Membership.Role.PUBLISHER:
        return Decision(False, f"You can see {publisher.name}'s drafts, but only its publishers can publish.")
    if action.key == "create-process":
        if publisher.is_buyer_kind:
            return Decision(True)
        return Decision(False, "Only councils and NHS bodies create contracting processes; providers add to them.")
    if ocid is None:
        return Decision(action.side == Side.EITHER)
    sides = sides_in_process(publisher, ocid)
    if action.side == Side.EITHER and sides:
        return Decision(True)
    if action.side in sides:
        return Decision(True)
    part = "buyer" if action.side == Side.BUYER else "provider"
    return Decision(False, f"{publisher.name} is not the {part} in this contracting process, so it cannot do this.")
