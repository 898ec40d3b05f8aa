"""Linking the parties of each process to one organisation per council, NHS body or provider.

Identifiers are (scheme, id) pairs from a party's `identifier` and `additionalIdentifiers`. A party whose
identifiers name two organisations already held shows they are one: they are merged. A party with no usable
identifier is linked by its normalised name, under the scheme ``name``, and never merged with an identified one.

Only trusted evidence links identifiers: the parties of processes whose releases all came from official sources
(import, harvest, the demo data). A process with a release posted by a publisher (forms or API) links each party by
its main identifier alone, so what a publisher posts can never join two organisations or give one an identifier;
each identifier keeps its evidence (process, party, source, trusted or not) for administrators to see and split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from opencare.ocds.json_values import as_objects
from opencare.registry.bulk_insert import insert_rows
from opencare.registry.models import Organisation, OrganisationIdentifier, Process, ProcessParty, Release, Source
from opencare.registry.storable import usable_key

NAME_SCHEME = "name"
#: The start of the key of every source of releases posted by a publisher (forms or API): untrusted evidence of
#: who is who.
POSTED_SOURCE_PREFIX = "opencare:publisher:"
_NOT_WORD = re.compile(r"[^\w]+")


#: Identifiers looked up per query (well under SQLite's parameter limit).
LOOKUP_CHUNK = 400


@dataclass(frozen=True)
class PartyMention:
    """One party as a process's compiled release names it: what linking it to an organisation needs."""

    name: str
    keys: list[tuple[str, str]]
    roles: list[str]
    party_id: str


@dataclass
class _Mention:
    """One party of one process, and the organisation it turns out to be."""

    process: Process
    party: PartyMention
    trusted: bool = True

    @property
    def name(self) -> str:
        return self.party.name

    @property
    def keys(self) -> list[tuple[str, str]]:
        """The keys that link this party: all of them on trusted evidence, else its main identifier alone."""
        return self.party.keys if self.trusted else self.party.keys[:1]


def party_mentions(parties: Any) -> list[PartyMention]:
    """The parties of a compiled release that can be linked (those with an identifier or a name), in order.

    No database: an import works them out in its second process (registry.prepared).
    """
    found = []
    for party in as_objects(parties):
        if keys := party_identifiers(party):
            found.append(PartyMention(
                name=party.get("name") if isinstance(party.get("name"), str) else "",
                keys=keys,
                roles=[role for role in _list(party.get("roles")) if isinstance(role, str)],
                party_id=str(party["id"]) if party.get("id") is not None else "",
            ))  # fmt: skip
    return found


def link_parties_of(
    processes: list[tuple[Process, list[PartyMention]]],
    *,
    new: list[Process] | None = None,
    untrusted: set[str] | frozenset[str] = frozenset(),
    source_key: str = "",
) -> None:
    """Replace the processes' links to organisations with those their compiled releases' parties give, in bulk.

    Keys that appear together in one party of a trusted process are one organisation (a union-find over the chunk's
    keys); each such group takes the organisation already holding any of its keys (merging if several do), or a new
    one. The parties of processes in ``untrusted`` (ocids with releases posted by a publisher) link by their main
    identifier only. Processes in ``new`` were created just now, so have no links to replace. ``source_key`` is the
    source whose releases caused this linking, kept as evidence.
    """
    created_now = {id(process) for process in new or []}
    ProcessParty.objects.filter(process__in=[p for p, _ in processes if id(p) not in created_now]).delete()
    mentions = [
        _Mention(process, party, trusted=process.ocid not in untrusted)
        for process, parties in processes
        for party in parties
    ]
    if not mentions:
        return
    groups = _groups(mentions)
    known = _known_identifiers({key for mention in mentions for key in mention.keys})
    organisation_of: dict[tuple[str, str], Organisation] = {}
    new_identifiers: list[tuple[Any, ...]] = []  # IDENTIFIER_COLUMNS
    evidence = _Evidence(source_key=source_key, at=timezone.now())
    renamed: dict[int, Organisation] = {}
    merged_into: dict[int, Organisation] = {}  # an organisation merged away earlier in this chunk -> the one kept
    unheld: list[tuple[list[tuple[str, str]], list[_Mention]]] = []
    for keys, group_mentions in groups:
        held_by_pk = {org.pk: org for key in keys if key in known for org in [_kept(known[key], merged_into)]}
        if not held_by_pk:
            unheld.append((keys, group_mentions))
            continue
        organisation = held_by_pk[min(held_by_pk)]
        for pk in sorted(held_by_pk)[1:]:
            _merge(held_by_pk[pk], into=organisation, by=_joining(group_mentions), evidence=evidence)
            merged_into[pk] = organisation
            renamed.pop(pk, None)
        # The latest name official data gives: a posted release cannot rename another organisation.
        latest = next((mention.name for mention in reversed(group_mentions) if mention.trusted), "")
        if latest and organisation.name != latest:
            organisation.name = latest
            renamed[organisation.pk] = organisation
        _claim(keys, group_mentions, organisation, known, organisation_of, new_identifiers, evidence)
    created = Organisation.objects.bulk_create([
        Organisation(name=mentions_[-1].name, matched_by_name=all(key[0] == NAME_SCHEME for key in keys))
        for keys, mentions_ in unheld
    ])  # fmt: skip
    for (keys, unheld_mentions), organisation in zip(unheld, created, strict=True):
        _claim(keys, unheld_mentions, organisation, known, organisation_of, new_identifiers, evidence)
    insert_rows(OrganisationIdentifier, IDENTIFIER_COLUMNS, new_identifiers, ignore_conflicts=True)
    Organisation.objects.bulk_update(renamed.values(), ["name"])
    insert_rows(ProcessParty, ["process", "organisation", "party_id", "name", "roles"], [
        (mention.process.pk, organisation_of[mention.keys[0]].pk, mention.party.party_id, mention.name,
         mention.party.roles)
        for mention in mentions
    ])  # fmt: skip


#: The columns of a new identifier, in the order ``_claim`` gives them.
IDENTIFIER_COLUMNS = [
    "organisation", "scheme", "identifier", "trusted", "evidence_ocid", "evidence_party", "evidence_source",
    "linked_at",
]  # fmt: skip


@dataclass(frozen=True)
class _Evidence:
    source_key: str
    at: Any


def _claim(
    keys: list[tuple[str, str]],
    mentions: list[_Mention],
    organisation: Organisation,
    known: dict[tuple[str, str], Organisation],
    organisation_of: dict[tuple[str, str], Organisation],
    new_identifiers: list[tuple[Any, ...]],
    evidence: _Evidence,
) -> None:
    """Point every key of a group at its organisation, storing the identifiers it does not hold yet with the party
    that gave each (a trusted one when there is one)."""
    for scheme, value in keys:
        organisation_of[(scheme, value)] = organisation
        if (scheme, value) not in known:
            giving = [mention for mention in mentions if (scheme, value) in mention.keys]
            first = next((mention for mention in giving if mention.trusted), giving[0] if giving else None)
            new_identifiers.append((
                organisation.pk, scheme, value, first.trusted if first else True,
                first.process.ocid if first else "", first.party.party_id if first else "", evidence.source_key,
                evidence.at,
            ))  # fmt: skip


def _kept(organisation: Organisation, merged_into: dict[int, Organisation]) -> Organisation:
    while organisation.pk in merged_into:
        organisation = merged_into[organisation.pk]
    return organisation


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _groups(mentions: list[_Mention]) -> list[tuple[list[tuple[str, str]], list[_Mention]]]:
    """Mentions grouped by shared keys: each group's keys, and its mentions in order."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for mention in mentions:
        first = root(mention.keys[0])
        for key in mention.keys[1:]:
            parent[root(key)] = first
    groups: dict[tuple[str, str], tuple[list[tuple[str, str]], list[_Mention]]] = {}
    for key in parent:
        groups.setdefault(root(key), ([], []))[0].append(key)
    for mention in mentions:
        groups[root(mention.keys[0])][1].append(mention)
    return list(groups.values())


def _known_identifiers(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Organisation]:
    values = sorted({value for _, value in keys})
    known: dict[tuple[str, str], Organisation] = {}
    for start in range(0, len(values), LOOKUP_CHUNK):
        rows = OrganisationIdentifier.objects.filter(identifier__in=values[start : start + LOOKUP_CHUNK])
        for row in rows.select_related("organisation"):
            if (row.scheme, row.identifier) in keys:
                known[(row.scheme, row.identifier)] = row.organisation
    return known


def party_identifiers(party: dict[str, Any]) -> list[tuple[str, str]]:
    """The party's (scheme, id) pairs; or its normalised name under ``name`` when it has none.

    A scheme, id or name too long to be a real one (registry.storable) is not used: it could not be indexed.
    """
    keys: list[tuple[str, str]] = []
    for identifier in [party.get("identifier"), *_list(party.get("additionalIdentifiers"))]:
        if not isinstance(identifier, dict):
            continue
        scheme, value = identifier.get("scheme"), identifier.get("id")
        if isinstance(scheme, str) and scheme.strip() and isinstance(value, str | int) and str(value).strip():
            key = (scheme.strip().upper(), str(value).strip())
            if key not in keys and usable_key(key[0]) and usable_key(key[1]):
                keys.append(key)
    name = normalised_name(party["name"]) if isinstance(party.get("name"), str) else ""
    if not keys and name and usable_key(name):
        keys.append((NAME_SCHEME, name))
    return keys


def normalised_name(name: str) -> str:
    """A name for matching: lower case, '&' as 'and', 'limited' as 'ltd', punctuation and extra spaces gone."""
    text = name.casefold().replace("&", " and ")
    text = _NOT_WORD.sub(" ", text).strip()
    return re.sub(r"\blimited\b", "ltd", text)


def _joining(mentions: list[_Mention]) -> _Mention | None:
    """The party that joins a group's organisations: one naming several identifiers (only trusted ones do)."""
    return next((mention for mention in mentions if len(mention.keys) > 1), None)


def _merge(other: Organisation, *, into: Organisation, by: _Mention | None, evidence: _Evidence) -> None:
    """Join two organisations; the identifiers moved keep as evidence the party that joined them."""
    moved = OrganisationIdentifier.objects.filter(organisation=other)
    if by is None:
        moved.update(organisation=into)
    else:
        moved.update(
            organisation=into, trusted=by.trusted, evidence_ocid=by.process.ocid, evidence_party=by.party.party_id,
            evidence_source=evidence.source_key, linked_at=evidence.at,
        )  # fmt: skip
    ProcessParty.objects.filter(organisation=other).update(organisation=into)
    other.delete()


def with_posted_releases(ocids: list[str]) -> set[str]:
    """Which of these processes have a release posted by a publisher through opencare."""
    found: set[str] = set()
    if not ocids:
        return found
    # The sources first (a handful): a registry that only imports has none, and looks up no release.
    sources = list(Source.objects.filter(key__startswith=POSTED_SOURCE_PREFIX).values_list("pk", flat=True))
    for start in range(0, len(ocids) if sources else 0, LOOKUP_CHUNK):
        posted = Release.objects.filter(ocid__in=ocids[start : start + LOOKUP_CHUNK], source__in=sources)
        found |= set(posted.values_list("ocid", flat=True).distinct())
    return found


def split_organisation(
    organisation: Organisation, parts: list[set[tuple[str, str]]], *, trusted_processes: bool = False
) -> list[Organisation]:
    """Move each group of the organisation's identifiers to a new organisation, then link the parties of its
    processes again: each party follows its main identifier. With ``trusted_processes``, the parties of processes
    with only official releases link by all their identifiers again (the repair of old merges, whose groups hold
    what those parties link); otherwise every party links by its main identifier alone, so what an administrator
    split stays split until official data names the two together again."""
    processes = list(Process.objects.filter(parties__organisation=organisation).distinct())
    created = []
    for keys in parts:
        new = Organisation.objects.create(name=organisation.name, matched_by_name=organisation.matched_by_name)
        moving = [row.pk for row in organisation.identifiers.all() if (row.scheme, row.identifier) in keys]
        OrganisationIdentifier.objects.filter(pk__in=moving).update(organisation=new)
        created.append(new)
    ocids = [process.ocid for process in processes]
    untrusted = with_posted_releases(ocids) if trusted_processes else set(ocids)
    link_parties_of(
        [(process, party_mentions(process.compiled_release.get("parties"))) for process in processes],
        untrusted=untrusted,
    )
    return created


def trusted_groups(organisation: Organisation) -> list[set[tuple[str, str]]]:
    """The organisation's identifiers grouped by trusted evidence alone: those that a party of official data (a
    process with no posted release, or the official releases of one that has some) names together.

    One group: the organisation is one on trusted evidence. Several: posted releases joined it (the old merges).
    """
    keys = set(organisation.identifiers.values_list("scheme", "identifier"))
    parent = {key: key for key in keys}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while parent[key] != key:
            key = parent[key]
        return key

    processes = list(Process.objects.filter(parties__organisation=organisation).distinct())
    posted = with_posted_releases([process.ocid for process in processes])
    parties: list[Any] = []
    for process in processes:
        if process.ocid not in posted:
            parties.extend(as_objects(process.compiled_release.get("parties")))
    official = Release.objects.filter(ocid__in=sorted(posted)).exclude(source__key__startswith=POSTED_SOURCE_PREFIX)
    for data in official.values_list("data", flat=True):
        parties.extend(as_objects(data.get("parties") if isinstance(data, dict) else None))
    for party in parties:
        named = [key for key in party_identifiers(party) if key in keys]
        for key in named[1:]:
            parent[root(key)] = root(named[0])
    groups: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for key in sorted(keys):
        groups.setdefault(root(key), set()).add(key)
    return list(groups.values())
