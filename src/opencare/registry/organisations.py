"""Linking the parties of each process to one organisation per council, NHS body or provider.

Identifiers are (scheme, id) pairs from a party's `identifier` and `additionalIdentifiers`. A party whose
identifiers name two organisations already held shows they are one: they are merged. A party with no usable
identifier is linked by its normalised name, under the scheme ``name``, and never merged with an identified one.
"""

from __future__ import annotations

import re
from typing import Any

from opencare.registry.models import Organisation, OrganisationIdentifier, Process, ProcessParty

NAME_SCHEME = "name"
_NOT_WORD = re.compile(r"[^\w]+")


def link_parties(process: Process, compiled: dict[str, Any]) -> None:
    """Replace the process's links to organisations with those its compiled release's parties give."""
    ProcessParty.objects.filter(process=process).delete()
    links = []
    for party in compiled.get("parties") or []:
        if not isinstance(party, dict):
            continue
        name = party.get("name") if isinstance(party.get("name"), str) else ""
        keys = party_identifiers(party)
        if not keys:
            continue
        organisation = _organisation_for(keys, name)
        roles = [role for role in party.get("roles") or [] if isinstance(role, str)]
        party_id = party.get("id")
        links.append(ProcessParty(process=process, organisation=organisation, name=name, roles=roles,
                                  party_id=str(party_id) if party_id is not None else ""))  # fmt: skip
    ProcessParty.objects.bulk_create(links)


def party_identifiers(party: dict[str, Any]) -> list[tuple[str, str]]:
    """The party's (scheme, id) pairs; or its normalised name under ``name`` when it has none."""
    keys: list[tuple[str, str]] = []
    for identifier in [party.get("identifier"), *(party.get("additionalIdentifiers") or [])]:
        if not isinstance(identifier, dict):
            continue
        scheme, value = identifier.get("scheme"), identifier.get("id")
        if isinstance(scheme, str) and scheme.strip() and isinstance(value, str | int) and str(value).strip():
            key = (scheme.strip().upper(), str(value).strip())
            if key not in keys:
                keys.append(key)
    if not keys and isinstance(party.get("name"), str) and normalised_name(party["name"]):
        keys.append((NAME_SCHEME, normalised_name(party["name"])))
    return keys


def normalised_name(name: str) -> str:
    """A name for matching: lower case, '&' as 'and', 'limited' as 'ltd', punctuation and extra spaces gone."""
    text = name.casefold().replace("&", " and ")
    text = _NOT_WORD.sub(" ", text).strip()
    return re.sub(r"\blimited\b", "ltd", text)


def _organisation_for(keys: list[tuple[str, str]], name: str) -> Organisation:
    known = list(
        OrganisationIdentifier.objects.filter(
            scheme__in={scheme for scheme, _ in keys}, identifier__in={value for _, value in keys}
        ).select_related("organisation")
    )
    known = [row for row in known if (row.scheme, row.identifier) in keys]
    organisations = sorted({row.organisation for row in known}, key=lambda org: org.pk)
    if organisations:
        organisation = organisations[0]
        for other in organisations[1:]:
            _merge(other, into=organisation)
    else:
        organisation = Organisation.objects.create(name=name, matched_by_name=keys[0][0] == NAME_SCHEME)
    held = {(row.scheme, row.identifier) for row in known}
    OrganisationIdentifier.objects.bulk_create(
        [
            OrganisationIdentifier(organisation=organisation, scheme=s, identifier=i)
            for s, i in keys
            if (s, i) not in held
        ]
    )
    if name and organisation.name != name:
        organisation.name = name  # the latest name given
        organisation.save(update_fields=["name", "updated_at"])
    return organisation


def _merge(other: Organisation, *, into: Organisation) -> None:
    OrganisationIdentifier.objects.filter(organisation=other).update(organisation=into)
    ProcessParty.objects.filter(organisation=other).update(organisation=into)
    other.delete()
