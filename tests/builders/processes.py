"""Processes stored through the registry's services, so releases are checked, fingerprinted and compiled for real."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.services import DEMO_SOURCES, DemoSource
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


#: The invented process Borsetdale Council buys from Moorside Care Co-operative.
NORTH = "ocds-bdemo1-hc-north"
#: The invented process Borsetdale Council buys in its south, without Moorside.
SOUTH = "ocds-bdemo1-hc-south"
#: The invented process Borsetdale Council buys jointly with the NHS Borsetdale ICB, without Moorside.
DALES = "ocds-bdemo1-hc-dales"
#: The invented process of Wendmoor Council (another council) with Kestrel Homecare.
WENDMOOR = "ocds-bdemo1-hc-wendmoor"


def _demo_source(demo: DemoSource) -> Source:
    """The source a demo dataset is stored from, with the details the demo loader gives it."""
    return source(
        demo.key,
        demo.title,
        publisher_name=demo.publisher_name,
        url=demo.url,
        licence_name=demo.licence_name,
        licence_url=demo.licence_url,
        attribution=demo.attribution,
        is_invented=demo.is_invented,
    )


def stored_borsetdale(*ocids: str) -> list[Process]:
    """Only these processes of the invented Borsetdale data (every release of each), stored from the demo's own
    source as the demo loader stores them: for tests that need a realistic contract or two, not the whole demo."""
    (demo,) = (demo for demo in DEMO_SOURCES if demo.is_invented)
    package = demo.package()
    releases = [release for release in package["releases"] if release["ocid"] in ocids]
    assert {release["ocid"] for release in releases} == set(ocids), "not a Borsetdale process"
    metadata = {key: value for key, value in package.items() if key != "releases"}
    stored(*releases, from_source=_demo_source(demo), **metadata)
    return list(Process.objects.filter(ocid__in=ocids).order_by("ocid"))


def stored_north_with_the_demo_accounts() -> Process:
    """The contract Borsetdale Council buys from Moorside (NORTH), with the demo's organisations and accounts (the
    commissioner at the council, the provider at Moorside, the administrator...): what the publishing and
    participation tests start from."""
    with override_settings(OPENCARE_DEMO_ACCOUNTS=True):
        (north,) = stored_borsetdale(NORTH)
        create_demo_accounts()
    return north


def stored_real_notices() -> list[Process]:
    """The demo's real Contracts Finder and Sell2Wales notices (not the invented Borsetdale contracts), each from its
    own source as the demo loader stores them; returns every real (not invented) process stored."""
    for demo in DEMO_SOURCES:
        if not demo.is_invented:
            store_release_package(package=demo.package(), source=_demo_source(demo))
    return list(Process.objects.filter(is_invented=False).order_by("ocid"))
