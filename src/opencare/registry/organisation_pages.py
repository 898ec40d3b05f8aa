"""Reads for an organisation's page: a council's commissioning or a provider's contracts, with performance.

One organisation has one page whatever its role; the page shows what it buys (as buyer or procuring entity) and
what it provides (as supplier), each with the figures that matter for that role. A fixed handful of queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from opencare.ocds.performance import PRICE_PER_HOUR
from opencare.ocds.service_types import BY_CODE
from opencare.registry.cqc import ratings_for
from opencare.registry.models import ContractMetric, CqcLocation, Organisation, Process

BUYER_ROLES = {"buyer", "procuringEntity", "payer"}
SUPPLIER_ROLES = {"supplier", "tenderer", "payee"}
#: Contracts listed per role on the page (all are counted; the search page lists the rest).
LISTED = 50


@dataclass(frozen=True)
class ServiceSpend:
    """A council's contracts of one service type and their total value."""

    name: str
    code: str
    contracts: int
    value: Decimal


@dataclass(frozen=True)
class OrganisationPage:
    """Everything an organisation's page shows."""

    organisation: Organisation
    bought: list[Process]
    bought_total: int
    provided: list[Process]
    provided_total: int
    spend: list[ServiceSpend]
    signals: dict[str, int]
    prices: list[ContractMetric]
    provider_metrics: list[ContractMetric]
    ratings: list[CqcLocation]

    @property
    def no_figures(self) -> int:
        """Contracts it buys with no performance figures published."""
        return self.signals.get("no-figures", 0)

    @property
    def is_buyer(self) -> bool:
        """Whether it buys care (a council, NHS body...)."""
        return self.bought_total > 0


def organisation_page(*, pk: int) -> OrganisationPage | None:
    """The page's content for one organisation, or None when there is none with that key."""
    organisation = Organisation.objects.prefetch_related("identifiers").filter(pk=pk).first()
    if organisation is None:
        return None
    parts = list(
        organisation.process_parties.select_related("process")
        .defer("process__compiled_release", "process__description")
        .order_by("-process__last_release_date", "process__ocid")
    )
    bought = _unique(part.process for part in parts if BUYER_ROLES & set(part.roles))
    provided = _unique(part.process for part in parts if SUPPLIER_ROLES & set(part.roles))
    names = {organisation.name.casefold(), *(part.name.casefold() for part in parts if part.name)}
    metrics = list(
        ContractMetric.objects.filter(process__in=[p.pk for p in {*bought, *provided}])
        .select_related("process")
        .only("process__ocid", "process__title", *[f.name for f in ContractMetric._meta.concrete_fields])
        .order_by("process__title", "contract_id", "pk")
    )
    bought_pks = {process.pk for process in bought}
    return OrganisationPage(
        organisation=organisation,
        bought=bought[:LISTED],
        bought_total=len(bought),
        provided=provided[:LISTED],
        provided_total=len(provided),
        spend=_spend(bought),
        signals=dict(Counter(process.signal for process in bought)),
        prices=[m for m in metrics if m.metric_id == PRICE_PER_HOUR and m.process_id in bought_pks],
        provider_metrics=[m for m in metrics if m.supplier_name.casefold() in names and m.target is not None],
        ratings=ratings_for(organisation),
    )


def _unique(processes: Iterable[Process]) -> list[Process]:
    seen: dict[int, Process] = {}
    for process in processes:
        seen.setdefault(process.pk, process)
    return list(seen.values())


def _spend(processes: list[Process]) -> list[ServiceSpend]:
    totals: dict[str, tuple[int, Decimal]] = {}
    for process in processes:
        count, value = totals.get(process.service_type, (0, Decimal(0)))
        same_currency = process.value_currency in ("GBP", "")
        amount = process.value_amount if process.value_amount is not None and same_currency else Decimal(0)
        totals[process.service_type] = (count + 1, value + amount)
    return [
        ServiceSpend(BY_CODE[code].name if code in BY_CODE else code, code, count, value)
        for code, (count, value) in sorted(totals.items(), key=lambda item: -item[1][1])
    ]
