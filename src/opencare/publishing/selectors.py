"""Reads for the publishing pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from opencare.publishing.models import AuditEntry, Membership, Publisher
from opencare.registry.models import Process
from opencare.registry.selectors import parts_played_by, process_by_ocid


@dataclass(frozen=True)
class ProcessPart:
    """A process an organisation plays a part in, and the part."""

    ocid: str
    title: str
    roles: tuple[str, ...]


def organisations_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The user's memberships, with their organisations."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("publisher").order_by("publisher__name")


def processes_of(publisher: Publisher) -> list[ProcessPart]:
    """The processes where the organisation is the buyer or a supplier as its own party, newest first."""
    parts: dict[str, ProcessPart] = {}
    for part in parts_played_by(scheme=publisher.scheme, identifier=publisher.identifier, party_id=publisher.party_id):
        roles = tuple(role for role in part.roles if role in ("buyer", "supplier"))
        if roles and part.process.ocid not in parts:
            parts[part.process.ocid] = ProcessPart(part.process.ocid, part.process.title or part.process.ocid, roles)
    return list(parts.values())


def history_of(publisher: Publisher) -> QuerySet[AuditEntry]:
    """What the organisation's members published, newest first."""
    return AuditEntry.objects.filter(publisher=publisher).select_related("user")


def audit_entries() -> QuerySet[AuditEntry]:
    """The whole audit log, newest first."""
    return AuditEntry.objects.select_related("user", "publisher")


def process_for_publishing(ocid: str) -> Process | None:
    """The process with its compiled release."""
    return process_by_ocid(ocid=ocid)
