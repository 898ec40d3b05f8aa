"""Releases made ready to store, without the database: fingerprints, schema errors, JSON text, and each contracting
process compiled from the releases in hand.

This is most of the work of storing releases and none of it needs the database, so ``opencare import`` does it in
a second process while the first writes the chunk before (registry.imports). ``registry.services`` stores what it
makes, and compiles processes that already had releases stored from all of them (``compiled_state``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from opencare.ocds.merge import OCDS_1_0, compile_releases, merger_for_version
from opencare.ocds.procurement_act import statutory_metric_keys
from opencare.ocds.schema_check import release_schema_errors
from opencare.ocds.social_care import is_social_care
from opencare.ocds.summary import summarise
from opencare.ocds.unreadable_numbers import unreadable_numbers
from opencare.registry.json_field import JsonText, dumps_json
from opencare.registry.organisations import PartyMention, party_mentions
from opencare.registry.performance_facts import process_facts, search_fields
from opencare.registry.storable import storage_problem

#: How many schema errors are kept with each stored release; the count is always exact.
KEPT_SCHEMA_ERRORS = 20

Identity = tuple[str, str, str]  # ocid, release id, fingerprint
ReleaseFacts = tuple[dict[str, Any], "datetime | None", int]  # what compiling needs of a release: data, date, errors


@dataclass(frozen=True)
class PreparedRelease:
    """One release as it will be stored."""

    identity: Identity
    date: datetime | None
    tags: list[Any]
    data: JsonText
    schema_error_count: int
    schema_errors: list[dict[str, str]]


@dataclass(frozen=True)
class CompiledState:
    """What a process's releases make of it: its Process fields, and what linking and comparing need."""

    fields: dict[str, Any]  # the Process fields of a recompile but ``updated_at``
    parties: list[PartyMention]  # the compiled release's parties, as linking them to organisations needs
    contract_metrics: list[dict[str, Any]] = field(default_factory=list)  # one per contract metric, for comparisons


@dataclass(frozen=True)
class PreparedReleases:
    """Releases ready to store: each once, in order, and each process compiled from these releases alone."""

    metadata: JsonText
    releases: list[PreparedRelease]
    compiled: dict[str, CompiledState]
    repeats: int = 0  # releases given more than once (same ocid, id and content), kept once
    ocds_version: str = "1.1"  # the OCDS version they came in (merge.package_version)


def release_sha256(release: dict[str, Any]) -> str:
    """A fingerprint of the release's content that ignores key order and white space."""
    return hashlib.sha256(orjson.dumps(release, option=orjson.OPT_SORT_KEYS)).hexdigest()


def prepare_releases(
    releases: list[dict[str, Any]], *, metadata: dict[str, Any], is_invented: bool, ocds_version: str = "1.1"
) -> PreparedReleases:
    """Prepare releases for ``services.store_prepared``; each process is compiled as if these were all it has.

    ``ocds_version`` is the version the releases came in (``merge.package_version``): "1.0" compiles with OCDS 1.0's
    merge rules.

    Raises storable.NotStorable for a release the database cannot hold (U+0000, an ocid or id too long to index).
    """
    seen: set[Identity] = set()
    kept: list[PreparedRelease] = []
    by_ocid: dict[str, list[ReleaseFacts]] = {}
    for release in releases:
        identity = (_text(release.get("ocid")), _text(release.get("id")), release_sha256(release))
        if identity in seen:
            continue
        seen.add(identity)
        prepared = _prepared(release, identity)
        kept.append(prepared)
        by_ocid.setdefault(identity[0], []).append((release, prepared.date, prepared.schema_error_count))
    compiled = {
        ocid: compiled_state(group, is_invented=is_invented, as_text=True, ocds_version=ocds_version)
        for ocid, group in by_ocid.items()
    }
    return PreparedReleases(
        JsonText(dumps_json(metadata)), kept, compiled, repeats=len(releases) - len(kept), ocds_version=ocds_version
    )


def _prepared(release: dict[str, Any], identity: Identity) -> PreparedRelease:
    data = JsonText(dumps_json(release))
    if (problem := storage_problem(release, json_text=data)) is not None:
        raise problem
    errors = release_errors(release)
    tags = release.get("tag") if isinstance(release.get("tag"), list) else []
    return PreparedRelease(
        identity=identity,
        date=parse_date(release.get("date")),
        tags=tags,
        data=data,
        schema_error_count=len(errors),
        schema_errors=errors[:KEPT_SCHEMA_ERRORS],
    )


def release_errors(release: dict[str, Any]) -> list[dict[str, str]]:
    """What is wrong with a release as stored: first each number that could not be read (kept as its text, the
    error naming its path), then its schema errors but the type errors those values being text cause."""
    numbers = unreadable_numbers(release)
    unreadable = {number.pointer for number in numbers}
    return [{"pointer": number.pointer, "message": number.message} for number in numbers] + [
        {"pointer": error.pointer, "message": error.message}
        for error in release_schema_errors(release)
        if not (error.keyword == "type" and error.pointer in unreadable)
    ]


def compiled_state(
    releases: list[ReleaseFacts], *, is_invented: bool, as_text: bool = False, ocds_version: str = "1.1"
) -> CompiledState:
    """Compile a process's releases (data, date, schema error count) and summarise it; ``as_text`` gives the
    compiled release as JSON text, ready to store and cheap to send to another process. ``ocds_version`` "1.0"
    (every release of the process came in OCDS 1.0) compiles with OCDS 1.0's merge rules."""
    compile_error = ""
    try:
        compiled = compile_releases([data for data, _, _ in releases], merger_for_version(ocds_version))
    except Exception as error:
        compiled, compile_error = {}, f"{type(error).__name__}: {error}"
    fields: dict[str, Any] = dict(summarise(compiled).__dict__)
    social_care = is_social_care(compiled)
    has_metrics = bool(fields["metric_ids"])
    # Which metrics are the Procurement Act's is known from the releases that are its notices, not the compile.
    statutory = statutory_metric_keys(data for data, _, _ in releases) if has_metrics else frozenset()
    facts = process_facts(compiled, social_care=social_care, has_metrics=has_metrics, statutory=statutory)
    contract_metrics = facts.pop("contract_metrics")
    fields |= (
        facts
        | search_fields(compiled, fields | facts)
        | {
            "compiled_release": JsonText(dumps_json(compiled)) if as_text else compiled,
            "compile_error": compile_error,
            "release_count": len(releases),
            "schema_error_count": sum(count for _, _, count in releases),
            "last_release_date": max((date for _, date, _ in releases if date), default=None),
            "is_invented": is_invented,
            "is_social_care": social_care,
        }
    )
    return CompiledState(fields, party_mentions(compiled.get("parties")), contract_metrics)


def process_version(versions: list[str]) -> str:
    """The OCDS version a process is compiled as: 1.0 only when every one of its releases came in 1.0."""
    return OCDS_1_0 if versions and all(version == OCDS_1_0 for version in versions) else "1.1"


def parse_date(value: Any) -> datetime | None:
    """A release's date as an aware datetime, or None when it is missing or not a date."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):  # OCDS dates carry a time zone; without one, as Django would
        parsed = timezone.make_aware(parsed)
    return parsed


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
