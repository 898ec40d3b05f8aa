"""Processes stored through the registry's services, so releases are checked, fingerprinted and compiled for real."""

from __future__ import annotations

from typing import Any

from opencare.registry.models import Process, Source
from opencare.registry.services import StoreResult, get_or_create_source, store_release_package

from .releases import release, release_package


def source(key: str = "test:builders", title: str = "Test notices", **details: Any) -> Source:
    """The source releases are stored from, created the first time it is asked for."""
    return get_or_create_source(key=key, title=title, **details)


def stored(*releases: dict[str, Any], from_source: Source | None = None, **metadata: Any) -> StoreResult:
    """Store these releases as one package, as an import would, and recompile their processes."""
    return store_release_package(package=release_package(*releases, **metadata), source=from_source or source())


def stored_process(ocid: str, *, from_source: Source | None = None, **release_fields: Any) -> Process:
    """One process of one release (``release_fields`` as ``releases.release`` takes them), stored and compiled."""
    stored(release(ocid, **release_fields), from_source=from_source)
    return Process.objects.get(ocid=ocid)


def stored_processes(count: int, *, start: int = 0, prefix: str = "ocds-test00") -> list[Process]:
    """``count`` social-care processes with different buyers and titles, stored in one package."""
    ocids = [f"{prefix}-{number}" for number in range(start, start + count)]
    stored(
        *(
            release(ocid, buyer=f"Council {number % 7}", title=f"Home care lot {number}")
            for number, ocid in zip(range(start, start + count), ocids, strict=True)
        )
    )
    return list(Process.objects.filter(ocid__in=ocids).order_by("ocid"))
