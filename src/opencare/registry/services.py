"""Writes to the registry: store release packages (append-only) and recompile the processes they touch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from opencare.registry import version
from opencare.registry.bulk_insert import insert_rows
from opencare.registry.models import ContractMetric, ImportRun, Process, Release, Source
from opencare.registry.organisations import POSTED_SOURCE_PREFIX, link_parties_of, with_posted_releases
from opencare.registry.performance_facts import PROCESS_FACT_FIELDS, SEARCH_FIELDS
from opencare.registry.prepared import (
    CompiledState,
    Identity,
    PreparedReleases,
    compiled_state,
    prepare_releases,
    process_version,
)
from opencare.registry.storable import fit_decimal_fields
from opencare.registry.tasks import request_rebuild

#: The fields a recompile changes.
PROCESS_FIELDS = [
    "compiled_release", "compile_error", "title", "description", "buyer_name", "supplier_names", "status",
    "value_amount", "value_currency", "period_start", "period_end", "cpv_codes", "metric_ids", "release_count",
    "schema_error_count", "last_release_date", "is_invented", "is_social_care", "updated_at",
    *PROCESS_FACT_FIELDS, *SEARCH_FIELDS,
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
    prepared = prepare_releases(releases, metadata=metadata, is_invented=source.is_invented)
    return store_prepared(prepared, source=source, import_run=import_run)


def store_prepared(prepared: PreparedReleases, *, source: Source, import_run: ImportRun | None = None) -> StoreResult:
    """Store prepared releases (registry.prepared) as ``store_releases`` does; ``prepared.compiled`` is used for
    the processes that had no release stored before, the others are compiled from all their stored releases."""
    result = StoreResult(already_stored=prepared.repeats)
    with transaction.atomic():
        held: set[str] = set()  # processes with releases stored before these
        rows: list[tuple[Any, ...]] = []
        now = timezone.now()
        for start in range(0, len(prepared.releases), LOOKUP_CHUNK):
            chunk = prepared.releases[start : start + LOOKUP_CHUNK]
            stored, stored_ocids = _stored_identities([release.identity for release in chunk])
            held |= stored_ocids
            for release in chunk:
                if release.identity in stored:
                    result.already_stored += 1
                    continue
                rows.append((*release.identity[:2], release.date, release.tags, release.data, prepared.metadata,
                             prepared.ocds_version, source.pk, import_run.pk if import_run else None,
                             release.identity[2], release.schema_error_count, release.schema_errors, now))  # fmt: skip
                result.ocids.add(release.identity[0])
                result.flagged += 1 if release.schema_error_count else 0
        insert_rows(Release, RELEASE_COLUMNS, rows)
        result.added = len(rows)
        ready = {ocid: prepared.compiled[ocid] for ocid in result.ocids if ocid not in held}
        recompile_processes(ocids=sorted(result.ocids), is_invented=source.is_invented, compiled=ready, source=source)
        if result.added:
            # Every publish, import and harvest comes through here. Robust: the change is stored whatever happens
            # to queueing the rebuild (a failure is logged), and the next change queues it again.
            transaction.on_commit(request_rebuild, robust=True)
    return result


#: The columns of a stored release, in the order ``store_prepared`` gives them.
RELEASE_COLUMNS = [
    "ocid", "release_id", "date", "tags", "data", "package_metadata", "ocds_version", "source", "import_run", "sha256",
    "schema_error_count", "schema_errors", "stored_at",
]  # fmt: skip


def _stored_identities(identities: list[Identity]) -> tuple[set[Identity], set[str]]:
    """Which of these releases are stored already, and which of their processes have any release stored."""
    # By ocid, which is indexed: a lookup by fingerprint alone would scan the whole table for every chunk.
    ocids = {ocid for ocid, _, _ in identities}
    wanted = set(identities)
    stored = list(Release.objects.filter(ocid__in=ocids).values_list("ocid", "release_id", "sha256"))
    return {identity for identity in stored if identity in wanted}, {ocid for ocid, _, _ in stored}


def locked_process(*, ocid: str) -> Process | None:
    """The process, its row locked until the caller's transaction ends (``select_for_update``), so that what is
    decided on its stored state stays true until the change is stored. Must be called inside ``transaction.atomic``;
    on SQLite, whose write transactions already run one at a time, it is a plain read."""
    return Process.objects.select_for_update().filter(ocid=ocid).first()


def recompile_process(*, ocid: str, is_invented: bool = False) -> Process:
    """Compile the process's stored releases and refresh its summary."""
    recompile_processes(ocids=[ocid], is_invented=is_invented)
    return Process.objects.get(ocid=ocid)


def is_posted(source: Source | None) -> bool:
    """Whether the source holds releases a publisher posted through opencare (not an official source)."""
    return source is not None and source.key.startswith(POSTED_SOURCE_PREFIX)


def recompile_processes(
    *,
    ocids: list[str],
    is_invented: bool = False,
    compiled: dict[str, CompiledState] | None = None,
    source: Source | None = None,
) -> None:
    """Compile each process's stored releases, refresh its summary and its links to organisations, in bulk.

    One query reads every release of the processes (but those already compiled in ``compiled``), one writes the new
    processes and one the changed ones, so a chunk of an import costs a handful of queries, not several per process.
    ``source`` is the source of the releases just stored: the parties of a process with any posted release are
    linked by their main identifier only.
    """
    compiled = compiled or {}
    for start in range(0, len(ocids), LOOKUP_CHUNK):
        batch = ocids[start : start + LOOKUP_CHUNK]
        unread: dict[str, list[tuple[dict[str, Any], datetime | None, int]]] = {
            o: [] for o in batch if o not in compiled
        }
        versions: dict[str, list[str]] = {ocid: [] for ocid in unread}
        for ocid, data, date, error_count, ocds_version in Release.objects.filter(ocid__in=list(unread)) \
                .values_list("ocid", "data", "date", "schema_error_count", "ocds_version") \
                .order_by("ocid", "date", "id"):  # fmt: skip
            unread[ocid].append((data, date, error_count))
            versions[ocid].append(ocds_version)
        states = {
            ocid: compiled.get(ocid)
            or compiled_state(unread[ocid], is_invented=is_invented, ocds_version=process_version(versions[ocid]))
            for ocid in batch
        }
        held = {process.ocid: process for process in Process.objects.filter(ocid__in=batch)}
        had_metrics = [process.pk for process in held.values() if process.metric_ids]
        now = timezone.now()
        processes = [_with_state(held.get(ocid) or Process(ocid=ocid), states[ocid], now) for ocid in batch]
        new = [process for process in processes if process.pk is None]
        insert_rows(Process, ["ocid", *PROCESS_FIELDS], [_process_row(process) for process in new])
        Process.objects.bulk_update([process for process in processes if process.ocid in held], PROCESS_FIELDS)
        if new:
            keys = dict(Process.objects.filter(ocid__in=[process.ocid for process in new]).values_list("ocid", "id"))
            for process in new:
                process.pk = keys[process.ocid]
                process._state.adding = False
        # An import's new processes have no release but those it brings: none is looked up for them.
        untrusted = set(batch) if is_posted(source) else with_posted_releases([o for o in batch if o not in compiled])
        link_parties_of(
            [(process, states[process.ocid].parties) for process in processes],
            new=new,
            untrusted=untrusted,
            source_key=source.key if source is not None else "",
        )
        metrics = {ocid: state.contract_metrics for ocid, state in states.items()}
        _replace_contract_metrics(processes, metrics, had_metrics)
    if ocids:
        version.mark_changed()  # last: every server's kept pages and API answers are renewed once this commits


def _with_state(process: Process, state: CompiledState, now: datetime) -> Process:
    for name, value in state.fields.items():
        setattr(process, name, value)
    process.updated_at = now
    return fit_decimal_fields(process)


def _process_row(process: Process) -> list[Any]:
    return [process.ocid, *(getattr(process, name) for name in PROCESS_FIELDS)]


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
