"""Writes to the registry: store release packages (append-only) and recompile the processes they touch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db import transaction
from django.utils.dateparse import parse_datetime

from opencare.ocds.merge import compile_releases
from opencare.ocds.schema_check import release_schema_errors
from opencare.ocds.social_care import is_social_care
from opencare.ocds.summary import summarise
from opencare.registry.models import ImportRun, Process, Release, Source
from opencare.registry.organisations import link_parties

#: How many schema errors are kept with each stored release; the count is always exact.
KEPT_SCHEMA_ERRORS = 20
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
    never dropped.
    """
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
        for ocid in sorted(result.ocids):
            recompile_process(ocid=ocid, is_invented=source.is_invented)
    return result


def _identity(release: dict[str, Any]) -> tuple[str, str, str]:
    return _text(release.get("ocid")), _text(release.get("id")), release_sha256(release)


def _stored_identities(identities: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    hashes = {sha256 for _, _, sha256 in identities}
    return set(Release.objects.filter(sha256__in=hashes).values_list("ocid", "release_id", "sha256"))


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
    releases = list(Release.objects.filter(ocid=ocid).order_by("date", "id"))
    compile_error = ""
    try:
        compiled = compile_releases([release.data for release in releases])
    except Exception as error:
        compiled, compile_error = {}, f"{type(error).__name__}: {error}"
    summary = summarise(compiled)
    process, _ = Process.objects.update_or_create(
        ocid=ocid,
        defaults={
            "compiled_release": compiled,
            "compile_error": compile_error,
            **summary.__dict__,
            "release_count": len(releases),
            "schema_error_count": sum(release.schema_error_count for release in releases),
            "last_release_date": max((r.date for r in releases if r.date), default=None),
            "is_invented": is_invented,
            "is_social_care": is_social_care(compiled),
        },
    )
    link_parties(process, compiled)
    return process


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None
