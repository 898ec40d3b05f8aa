"""Reads from the registry, for pages, the API and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from opencare.registry.models import Process, Release, Source


@dataclass(frozen=True)
class RegistryCounts:
    """Headline numbers for the home page."""

    processes: int
    releases: int
    sources: int
    invented_processes: int


def registry_counts() -> RegistryCounts:
    """How much the registry holds."""
    return RegistryCounts(
        processes=Process.objects.count(),
        releases=Release.objects.count(),
        sources=Source.objects.count(),
        invented_processes=Process.objects.filter(is_invented=True).count(),
    )


def process_list(*, invented: bool | None = None) -> QuerySet[Process]:
    """Processes, most recently updated first; ``invented`` keeps only demo (True) or only real (False) ones."""
    processes = Process.objects.defer("compiled_release")
    if invented is not None:
        processes = processes.filter(is_invented=invented)
    return processes


def process_by_ocid(*, ocid: str) -> Process | None:
    """One process, or None."""
    return Process.objects.filter(ocid=ocid).first()


def process_releases(*, ocid: str) -> QuerySet[Release]:
    """A process's releases in date order, with their source."""
    return Release.objects.filter(ocid=ocid).select_related("source").order_by("date", "id")


def sources_with_counts() -> QuerySet[Source]:
    """Every source with how many releases it gave, for the page about where the data comes from."""
    return Source.objects.annotate(release_total=Count("releases")).order_by("is_invented", "title")
