"""Writes to the registry: store release packages (append-only) and recompile the processes they touch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from opencare.ocds.merge import compile_releases
from opencare.ocds.schema_check import release_schema_errors
from opencare.ocds.social_care import is_social_care
from opencare.ocds.summary import summarise
from opencare.registry.models import ContractMetric, ImportRun, Process, Release, Source
from opencare.registry.organisations import link_parties_of
from opencare.registry.performance_facts import PROCESS_FACT_FIELDS, process_facts
from opencare.registry.storable import check_storable, fit_decimal_fields

#: How many schema errors are kept with each stored release; the count is always exact.
KEPT_SCHEMA_ERRORS = 20
#: The fields a recompile changes.
PROCESS_FIELDS = [
    "compiled_release", "compile_error", "title", "description", "buyer_name", "supplier_names", "status",
    "value_amount", "value_currency", "period_start", "period_end", "cpv_codes", "metric_ids", "release_count",
    "schema_error_count", "last_release_date", "is_invented", "is_social_care", "updated_at",
    *PROCESS_FACT_FIELDS,
]  # fmt: skip
#: Releases looked up per query when checking what is already stored (well under SQLite's parameter limit).
LOOKUP_CHUNK = 500


@dataclass
class StoreResult:
    """What storing a package did: releases added, releases already there, and the processes that changed."""

    added: int = 0
    already_stored: int = 0
    flagged: int = 0
    ocids: set[str] = field(default_factory=set)


def get_or_create_source(*, key: str, title: str, **details: Any) -> Source:
    """The source with this key, created with the given details the first time."""
    source, _ = Source.objects.get_or_create(key=key, defaults={"title": title, **details})
    return source


def release_sha256(release: dict[str, Any]) -> str:
    """A fingerprint of the release's content that ignores key order and white space."""
    return hashlib.sha256(orjson.dumps(release, option=orjson.OPT_SORT_KEYS)).hexdigest()


def store_release_package(*, package: dict[str, Any], source: Source) -> StoreResult:
    """Store every release of a package that is not stored yet, then recompile the processes that gained one."""
    metadata = {key: value for key, value in package.items() if key != "releases"}
    releases = [release for release in package.get("releases") or [] if isinstance(release, dict)]
    return store_releases(releases=releases, metadata=metadata, source=source)


def store_releases(
    *,
    releases: list[dict[str, Any]],
    metadata: dict[str, Any],
    source: Source,
    import_run: ImportRun | None = None,
) -> StoreResult:
    """Store the releases not stored yet and recompile the processes that gained one, in one transaction.

    A failure part-way leaves nothing half-written, and running it again is safe and cheap (one lookup per chunk of
    releases, no recompiling). A release that fails the schema is stored all the same, with its errors: flagged,
    never dropped. A release the database cannot hold (registry.storable) raises NotStorable: nothing is stored.
    """
    check_storable(releases)
    result = StoreResult()
    with transaction.atomic():
        for start in range(0, len(releases), LOOKUP_CHUNK):
            chunk = [(release, _identity(release)) for release in releases[start : start + LOOKUP_CHUNK]]
            stored = _stored_identities([identity for _, identity in chunk])
            new = []
            for release, identity in chunk:
                if identity in stored:
                    result.already_stored += 1
                    continue
                stored.add(identity)
                new.append(_new_release(release, identity, metadata, source, import_run))
                result.ocids.add(identity[0])
            Release.objects.bulk_create(new)
            result.added += len(new)
            result.flagged += sum(1 for release in new if release.schema_error_count)
        recompile_processes(ocids=sorted(result.ocids), is_invented=source.is_invented)
    return result


def _identity(release: dict[str, Any]) -> tuple[str, str, str]:
    return _text(release.get("ocid")), _text(release.get("id")), release_sha256(release)


def _stored_identities(identities: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    # By ocid, which is indexed: a lookup by fingerprint alone would scan the whole table for every chunk.
    ocids = {ocid for ocid, _, _ in identities}
    wanted = set(identities)
    stored = Release.objects.filter(ocid__in=ocids).values_list("ocid", "release_id", "sha256")
    return {identity for identity in stored if identity in wanted}


def _new_release(
    release: dict[str, Any],
    identity: tuple[str, str, str],
    metadata: dict[str, Any],
    source: Source,
    import_run: ImportRun | None,
) -> Release:
    ocid, release_id, sha256 = identity
    errors = release_schema_errors(release)
    return Release(
        ocid=ocid,
        release_id=release_id,
        date=_datetime(release.get("date")),
        tags=release.get("tag") if isinstance(release.get("tag"), list) else [],
        data=release,
        package_metadata=metadata,
        source=source,
        import_run=import_run,
        sha256=sha256,
        schema_error_count=len(errors),
        schema_errors=[{"pointer": e.pointer, "message": e.message} for e in errors[:KEPT_SCHEMA_ERRORS]],
    )


def recompile_process(*, ocid: str, is_invented: bool = False) -> Process:
    """Compile the process's stored releases and refresh its summary."""
    recompile_processes(ocids=[ocid], is_invented=is_invented)
    return Process.objects.get(ocid=ocid)


def recompile_processes(*, ocids: list[str], is_invented: bool = False) -> None:
    """Compile each process's stored releases, refresh its summary and its links to organisations, in bulk.

    One query reads every release of the processes, one writes the new processes and one the changed ones, so a
    chunk of an import costs a handful of queries, not several per process.
    """
    for start in range(0, len(ocids), LOOKUP_CHUNK):
        batch = ocids[start : start + LOOKUP_CHUNK]
        by_ocid: dict[str, list[Release]] = {ocid: [] for ocid in batch}
        for release in Release.objects.filter(ocid__in=batch).only("ocid", "data", "date", "schema_error_count") \
                .order_by("ocid", "date", "id"):  # fmt: skip
            by_ocid[release.ocid].append(release)
        held = {process.ocid: process for process in Process.objects.filter(ocid__in=batch)}
        had_metrics = [process.pk for process in held.values() if process.metric_ids]
        metrics: dict[str, list[dict[str, Any]]] = {}
        processes = [_compiled_process(held.get(ocid) or Process(ocid=ocid), releases, is_invented, metrics)
                     for ocid, releases in by_ocid.items()]  # fmt: skip
        Process.objects.bulk_create([process for process in processes if process.pk is None])
        Process.objects.bulk_update([process for process in processes if process.ocid in held], PROCESS_FIELDS)
        if any(process.pk is None for process in processes):  # a backend that cannot return new keys
            processes = list(Process.objects.filter(ocid__in=batch))
        link_parties_of([(process, process.compiled_release) for process in processes])
        _replace_contract_metrics(processes, metrics, had_metrics)


def _replace_contract_metrics(
    processes: list[Process], metrics: dict[str, list[dict[str, Any]]], had_metrics: list[int]
) -> None:
    """The processes' comparison rows, replaced; no query at all for a chunk where no process has metrics."""
    if had_metrics:
        ContractMetric.objects.filter(process_id__in=had_metrics).delete()
    rows = [fit_decimal_fields(ContractMetric(process=process, **row))
            for process in processes for row in metrics.get(process.ocid, [])]  # fmt: skip
    if rows:
        ContractMetric.objects.bulk_create(rows)


def _compiled_process(
    process: Process, releases: list[Release], is_invented: bool, metrics: dict[str, list[dict[str, Any]]]
) -> Process:
    compile_error = ""
    try:
        compiled = compile_releases([release.data for release in releases])
    except Exception as error:
        compiled, compile_error = {}, f"{type(error).__name__}: {error}"
    for name, value in summarise(compiled).__dict__.items():
        setattr(process, name, value)
    process.compiled_release = compiled
    process.compile_error = compile_error
    process.release_count = len(releases)
    process.schema_error_count = sum(release.schema_error_count for release in releases)
    process.last_release_date = max((r.date for r in releases if r.date), default=None)
    process.is_invented = is_invented
    process.is_social_care = is_social_care(compiled)
    facts = process_facts(compiled, social_care=process.is_social_care, has_metrics=bool(process.metric_ids))
    metrics[process.ocid] = facts.pop("contract_metrics")
    for name, value in facts.items():
        setattr(process, name, value)
    process.updated_at = timezone.now()
    return fit_decimal_fields(process)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None
