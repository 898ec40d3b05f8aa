"""Reads for a contract's pages: what was promised, how it is going, who is involved and its history.

Everything comes from the process's compiled release and its stored releases, through the Django-free engine
(opencare.ocds.promises, .performance, .release_changes): a fixed handful of queries per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language

from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.metric_catalogue import Metric, metric_catalogue
from opencare.ocds.pay_promises import TARGET, Contradiction, Shortfall, pay_contradictions
from opencare.ocds.performance import PRICE_PER_HOUR, WORKER_PAY, MetricProgress, Signal, metric_progress, signal
from opencare.ocds.procurement_act import (
    RATINGS,
    Notice,
    OfficialRating,
    Rating,
    Regime,
    notices_in,
    official_ratings,
    regime,
    statutory_metric_keys,
)
from opencare.ocds.promises import Failure, Promises, Review, failures, promises, reviews
from opencare.ocds.release_changes import Update, release_changes, release_headline, release_updates
from opencare.ocds.service_types import BY_CODE, ServiceType
from opencare.registry.models import Process, Release
from opencare.registry.organisations import POSTED_SOURCE_PREFIX
from opencare.registry.selectors import Involved, process_involved
from opencare.registry.services import is_posted


@dataclass(frozen=True)
class MetricGroup:
    """One metric across the process's contracts (one chart, one table)."""

    metric_id: str
    title: str
    catalogue: Metric | None
    contracts: tuple[MetricProgress, ...]

    @property
    def has_figures(self) -> bool:
        """Whether any contract has published a figure for this metric (else it is agreed, with no figures yet)."""
        return any(metric.actuals for metric in self.contracts)

    @property
    def chartable(self) -> bool:
        """Whether there is a series over time to draw (at least two figures)."""
        return sum(len(metric.series) for metric in self.contracts) >= 2


#: An update that says nothing new (the default of an entry made without its process's other releases).
NOTHING_NEW = Update(stage="")


@dataclass(frozen=True)
class HistoryEntry:
    """One stored release, in plain English."""

    release: Release
    headline: str
    changes: list[str]
    #: The Procurement Act notices the release is ("Contract details notice (UK7)"), if it came from an official
    #: source: a release posted through opencare is never taken for a notice, whatever its documents say.
    notices: tuple[Notice, ...] = ()
    #: What it changed that earlier releases did not already say, for the history's sentences.
    update: Update = NOTHING_NEW


@dataclass(frozen=True)
class Contact:
    """Who to ask about the contract at one of the organisations involved."""

    organisation: str
    name: str
    email: str
    telephone: str


@dataclass(frozen=True)
class ContractStory:
    """Everything the contract page shows."""

    process: Process
    service: ServiceType
    promises: Promises
    metrics: list[MetricGroup]
    signal: Signal
    reviews: list[Review]
    failures: list[Failure]
    involved: list[Involved]
    contacts: list[Contact]
    history: list[HistoryEntry]
    price_per_hour: Decimal | None
    worker_pay: Decimal | None
    pay_contradictions: list[Contradiction]
    #: The KPI ratings of the contract performance notices (UK9): official, never mixed with co-designed figures.
    official_ratings: list[OfficialRating]
    #: Light touch or the Provider Selection Regime: why the law asks for no KPIs or UK9 (code "" when it does).
    regime: Regime
    #: Whether any release of the contract is a Procurement Act notice from an official source.
    is_procurement_act: bool

    @property
    def data_language(self) -> str:
        """The language the publisher wrote its text in (the release's ``language``; English when it does not say),
        so that a Welsh page marks the council's English words as English for screen readers."""
        return as_text(self.process.compiled_release.get("language")) or "en"

    @property
    def latest_official_ratings(self) -> list[OfficialRating]:
        """The ratings of the latest contract performance notice (the easy read shows only these)."""
        if not self.official_ratings:
            return []
        latest = self.official_ratings[-1].notice
        return [rating for rating in self.official_ratings if rating.notice == latest]

    @property
    def rating_scale(self) -> list[Rating]:
        """The statutory rating scale, best first, with what each rating means."""
        return list(RATINGS.values())

    @property
    def latest_pay_shortfalls(self) -> list[Shortfall]:
        """The promised wages and legal minimum the latest pay figure of each contract is below, once each."""
        found: dict[tuple[str, str], Shortfall] = {}
        for group in self.metrics:
            if group.metric_id != WORKER_PAY:
                continue
            for metric in group.contracts:
                for shortfall in metric.latest.shortfalls if metric.latest else ():
                    if shortfall.kind != TARGET:
                        found.setdefault((shortfall.floor_name, shortfall.year), shortfall)
        return list(found.values())

    @property
    def targets_without_figures(self) -> list[str]:
        """The titles of the agreed targets (other than price and pay) that have no figures yet."""
        return [
            group.title
            for group in self.metrics
            if group.metric_id not in (PRICE_PER_HOUR, WORKER_PAY) and not group.has_figures
        ]

    @property
    def committed_prices(self) -> list[MetricProgress]:
        """The price per hour and worker pay commitments, per contract."""
        return [
            m for group in self.metrics if group.metric_id in (PRICE_PER_HOUR, WORKER_PAY) for m in group.contracts
        ]


def contract_story(*, ocid: str, with_history: bool = True) -> ContractStory | None:
    """The contract page's content for one process, or None when the registry has no such process."""
    process = Process.objects.filter(ocid=ocid).first()
    if process is None:
        return None
    compiled = process.compiled_release
    releases = list(Release.objects.filter(ocid=ocid).select_related("source").order_by("date", "id"))
    # Only releases from official sources (imported or harvested) can be notices: see HistoryEntry.notices.
    official = [release.data for release in releases if not is_posted(release.source)]
    statutory = statutory_metric_keys(official)
    language = get_language() or "en"  # the catalogue's titles in the page's language
    progress = metric_progress(compiled, statutory, language)
    updates = release_updates([release.data for release in releases])
    history = [
        HistoryEntry(
            release,
            release_headline(release.tags),
            release_changes(release.data),
            tuple(notices_in(release.data)) if not is_posted(release.source) else (),
            update,
        )
        for release, update in zip(releases, updates, strict=True)
    ]
    return ContractStory(
        process=process,
        service=BY_CODE.get(process.service_type, BY_CODE["not-social-care"]),
        promises=promises(compiled, statutory, language),
        metrics=metric_groups(progress),
        signal=signal(progress),
        reviews=reviews(compiled, today=timezone.localdate()),
        failures=failures(compiled),
        involved=process_involved(process=process),
        contacts=contacts(compiled),
        history=history if with_history else [],
        price_per_hour=process.price_per_hour,
        worker_pay=process.worker_pay_per_hour,
        pay_contradictions=pay_contradictions(compiled),
        official_ratings=official_ratings(official, compiled),
        regime=regime(compiled),
        is_procurement_act=any(entry.notices for entry in history),
    )


def contacts(compiled: dict) -> list[Contact]:
    """The contact points of the parties, where they give a name, email or telephone."""
    found = []
    for party in as_objects(compiled.get("parties")):
        point = as_object(party.get("contactPoint"))
        email = as_text(point.get("email"))
        contact = Contact(
            organisation=as_text(party.get("name")),
            name=as_text(point.get("name")),
            email=email if "@" in email and " " not in email else "",
            telephone=as_text(point.get("telephone")),
        )
        if contact.name or contact.email or contact.telephone:
            found.append(contact)
    return found


def metric_groups(progress: list[MetricProgress]) -> list[MetricGroup]:
    """Progress grouped by metric, in the order the metrics first appear."""
    catalogue = metric_catalogue(get_language())  # titles and questions in the page's language
    grouped: dict[str, list[MetricProgress]] = {}
    for metric in progress:
        grouped.setdefault(metric.metric_id, []).append(metric)
    return [
        MetricGroup(metric_id, metrics[0].title, catalogue.get(metric_id), tuple(metrics))
        for metric_id, metrics in grouped.items()
    ]


def metric_groups_of(*, ocid: str, language: str = "en") -> list[MetricGroup] | None:
    """A process's co-designed metrics grouped for charts and downloads (two queries), or None when there is no
    such process. Catalogue titles are in ``language`` (the download keeps English)."""
    process = Process.objects.filter(ocid=ocid).only("compiled_release").first()
    if process is None:
        return None
    return metric_groups(metric_progress(process.compiled_release, statutory_keys_of(ocid=ocid), language))


def statutory_keys_of(*, ocid: str) -> frozenset[tuple[str, str]]:
    """The (contract id, metric id) of the process's KPIs and ratings published on Procurement Act notices by an
    official source (one query)."""
    releases = Release.objects.filter(ocid=ocid).exclude(source__key__startswith=POSTED_SOURCE_PREFIX)
    return statutory_metric_keys(releases.values_list("data", flat=True))


def metric_group(*, ocid: str, metric_id: str) -> MetricGroup | None:
    """One metric of one process (for its chart, titled in the page's language), or None."""
    groups = metric_groups_of(ocid=ocid, language=get_language() or "en") or []
    return next((group for group in groups if group.metric_id == metric_id), None)
