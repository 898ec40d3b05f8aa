"""Procurement Act 2023 notices (UK1 to UK17) as Find a Tender publishes them in OCDS, in plain English.

Since 24 February 2025 each notice is an OCDS release whose documents carry the Cabinet Office UK extension's
``noticeType`` ("UK7") beside the OCDS ``documentType`` (a UK9 contract performance notice is an
``implementationNotice``). What the law makes official comes from those notices only:

- the **statutory KPIs** (s52): the ``contracts[].agreedMetrics`` a notice publishes, usually the UK7 contract
  details notice, or ``noAgreedMetricsRationale`` when there are none;
- the **official ratings** (s71): each KPI's rating in a UK9 contract performance notice, on the fixed scale Good,
  Approaching target, Requires improvement, Inadequate, Other (the UK extension's ``measureClassification`` ids
  met, slightlyBelow, below, significantlyBelow, other), with the period the assessment covers.

Which metrics are statutory is decided from the releases that are notices, not from the compiled release: a
compiled release mixes a notice's KPIs with the co-designed targets and monthly figures a council or provider
publishes through opencare (which use the same ``measureClassification`` codes), and the two must never be taken
for each other.

A light-touch contract (``tender.specialRegime`` holds ``lightTouch``: social care and other services to people,
s9 and Schedule 1) needs no KPIs and no UK9; neither does one arranged under the NHS Provider Selection Regime,
which is outside the Act.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from opencare.ocds.json_values import as_date, as_object, as_objects, as_text

#: Where the notice names come from.
NOTICE_TYPES_SOURCE = (
    "Find a Tender, 'Notice types and sequences' (https://www.find-tender.service.gov.uk/Home/NoticeTypes), "
    "the Procurement Act 2023 notice list (UK1 to UK17); UK13 to UK17 are the dynamic market notices of ss39 and 40."
)


@dataclass(frozen=True)
class NoticeType:
    """One Procurement Act notice type: its code ("UK7") and plain-English name."""

    code: str
    name: str
    purpose: str

    @property
    def label(self) -> str:
        """The name with its code, as a contract's history shows it: "Contract details notice (UK7)"."""
        return f"{self.name} ({self.code})"


#: The Procurement Act 2023 notice types, in the order of a procurement's life (NOTICE_TYPES_SOURCE).
NOTICE_TYPES: dict[str, NoticeType] = {
    notice.code: notice
    for notice in (
        NoticeType("UK1", "Pipeline notice", "Contracts the council plans to buy in the next 18 months"),
        NoticeType("UK2", "Preliminary market engagement notice", "How the council is talking to providers first"),
        NoticeType("UK3", "Planned procurement notice", "Early warning that a tender is coming"),
        NoticeType("UK4", "Tender notice", "The tender is open for bids"),
        NoticeType("UK5", "Transparency notice", "The council means to award the contract without a tender"),
        NoticeType("UK6", "Contract award notice", "Who the council means to award the contract to"),
        NoticeType("UK7", "Contract details notice", "The contract as signed, with its KPIs"),
        NoticeType("UK8", "Payments compliance notice", "How quickly the council pays its providers"),
        NoticeType("UK9", "Contract performance notice", "The official rating of the provider against each KPI"),
        NoticeType("UK10", "Contract change notice", "A change to the contract"),
        NoticeType("UK11", "Contract termination notice", "The contract has ended"),
        NoticeType("UK12", "Procurement termination notice", "The council stopped the procurement"),
        NoticeType("UK13", "Dynamic market notice: intention to establish", "A dynamic market is planned"),
        NoticeType("UK14", "Dynamic market notice: establishment", "A dynamic market is open"),
        NoticeType("UK15", "Dynamic market notice: modification", "A dynamic market was changed"),
        NoticeType("UK16", "Dynamic market notice: cessation", "A dynamic market was closed"),
        NoticeType("UK17", "Utilities dynamic market notice", "A utility's dynamic market"),
    )
}
#: The UK extension's documentType for a contract performance notice, used when a document has no noticeType.
IMPLEMENTATION_NOTICE = "implementationNotice"
CONTRACT_PERFORMANCE = "UK9"
_NOTICE_CODE = re.compile(r"UK(?:[1-9]|1[0-7])")


@dataclass(frozen=True)
class Rating:
    """One point of the statutory rating scale (s71(2); Procurement Regulations 2024, reg. 39)."""

    code: str  # the UK extension's measureClassification id
    name: str
    meaning: str


#: The statutory rating scale, best first: the UK extension's ids and the words the law and guidance use.
RATINGS: dict[str, Rating] = {
    rating.code: rating
    for rating in (
        Rating("met", "Good", "The provider met or beat the KPI."),
        Rating("slightlyBelow", "Approaching target", "The provider was close to meeting the KPI."),
        Rating("below", "Requires improvement", "The provider was below the KPI and must improve."),
        Rating("significantlyBelow", "Inadequate", "The provider was well below the KPI."),
        Rating("other", "Other", "The council rated the KPI another way and says why in the notice."),
    )
}


@dataclass(frozen=True)
class Notice:
    """A Procurement Act notice a release publishes: its type, the notice's id on Find a Tender and address."""

    code: str
    name: str
    notice_id: str
    url: str
    published: date | None

    @property
    def label(self) -> str:
        """ "Contract details notice (UK7)"."""
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class OfficialRating:
    """One KPI's rating in a contract performance notice (UK9), for the period the assessment covers."""

    notice: Notice
    contract_id: str
    contract_title: str
    kpi_id: str
    kpi_title: str
    kpi_description: str
    rating: str  # a RATINGS code, or the publisher's id when it is not one of them, or "" when none was given
    period_start: date | None
    period_end: date | None
    notes: str

    @property
    def rating_name(self) -> str:
        """The rating in the law's words ("Good"), or the id as published when it is not on the scale."""
        known = RATINGS.get(self.rating)
        return known.name if known else self.rating

    @property
    def on_scale(self) -> bool:
        """Whether the rating is one of the five on the statutory scale."""
        return self.rating in RATINGS


@dataclass(frozen=True)
class Regime:
    """Why a contract needs no KPIs or contract performance notices under the Act ("" code when it does)."""

    code: str  # "light-touch", "provider-selection-regime" or ""

    @property
    def exempt_from_kpis(self) -> bool:
        """Whether the law requires no KPIs and no UK9 for this contract."""
        return bool(self.code)


MetricKey = tuple[str, str]  # (contract id, metric id)


def notices_in(release: dict[str, Any]) -> list[Notice]:
    """The Procurement Act notices a release publishes, once each, in the order of its documents."""
    release = as_object(release)
    documents = as_objects(as_object(release.get("planning")).get("documents"))
    documents += as_objects(as_object(release.get("tender")).get("documents"))
    for section in ("awards", "contracts"):
        for item in as_objects(release.get(section)):
            documents += as_objects(item.get("documents"))
    found: dict[tuple[str, str], Notice] = {}
    for document in documents:
        code = notice_code(document)
        if not code:
            continue
        url = as_text(document.get("url"))
        notice = Notice(
            code=code,
            name=NOTICE_TYPES[code].name,
            notice_id=as_text(document.get("id")),
            # Only web addresses become links: a javascript: or data: address in published data must not.
            url=url if url.lower().startswith(("https://", "http://")) else "",
            published=as_date(document.get("datePublished")),
        )
        found.setdefault((code, notice.notice_id), notice)
    return list(found.values())


def notice_code(document: dict[str, Any]) -> str:
    """A document's Procurement Act notice type ("UK7"), or "" when it is not such a notice."""
    code = as_text(document.get("noticeType")).upper()
    if _NOTICE_CODE.fullmatch(code):
        return code
    if not code and as_text(document.get("documentType")) == IMPLEMENTATION_NOTICE:
        return CONTRACT_PERFORMANCE
    return ""


def statutory_metric_keys(releases: Iterable[dict[str, Any]]) -> frozenset[MetricKey]:
    """The (contract id, metric id) of every KPI and rating published on a Procurement Act notice.

    Only releases that are notices count: the same contract's co-designed targets and figures, published in other
    releases, stay co-designed even when the compiled release holds both."""
    keys: set[MetricKey] = set()
    for release in releases:
        if not notices_in(release):
            continue
        for contract in as_objects(as_object(release).get("contracts")):
            contract_id = as_text(contract.get("id"))
            metrics = as_objects(contract.get("agreedMetrics"))
            metrics += as_objects(as_object(contract.get("implementation")).get("metrics"))
            keys.update((contract_id, as_text(m.get("id"))) for m in metrics if as_text(m.get("id")))
    return frozenset(keys)


def official_ratings(releases: Iterable[dict[str, Any]], compiled: dict[str, Any]) -> list[OfficialRating]:
    """Every KPI rating in the contract performance notices (UK9) among the releases, oldest notice first.

    Each notice keeps its own ratings and period (a later notice does not replace an earlier one, as it would in
    the compiled release); a KPI's title is the notice's, else the one its contract details notice gave."""
    titles = _kpi_titles(compiled)
    found: list[OfficialRating] = []
    for release in releases:
        performance = [notice for notice in notices_in(release) if notice.code == CONTRACT_PERFORMANCE]
        if not performance:
            continue
        notice = performance[0]
        for contract in as_objects(as_object(release).get("contracts")):
            contract_id = as_text(contract.get("id"))
            for metric in as_objects(as_object(contract.get("implementation")).get("metrics")):
                metric_id = as_text(metric.get("id"))
                agreed_title, agreed_description, contract_title = titles.get((contract_id, metric_id), ("", "", ""))
                for observation in as_objects(metric.get("observations")):
                    period = as_object(observation.get("period"))
                    found.append(
                        OfficialRating(
                            notice=notice,
                            contract_id=contract_id,
                            contract_title=as_text(contract.get("title")) or contract_title,
                            kpi_id=metric_id,
                            kpi_title=as_text(metric.get("title")) or agreed_title or metric_id or "KPI",
                            kpi_description=as_text(metric.get("description")) or agreed_description,
                            rating=as_text(as_object(observation.get("measureClassification")).get("id")),
                            period_start=as_date(period.get("startDate")),
                            period_end=as_date(period.get("endDate")),
                            notes=as_text(observation.get("notes")),
                        )
                    )
    return sorted(found, key=lambda rating: (rating.notice.published or date.min, rating.notice.notice_id))


def regime(compiled: dict[str, Any]) -> Regime:
    """Whether the contract is light touch or under the Provider Selection Regime, from what the notices say.

    Light touch is ``tender.specialRegime`` holding ``lightTouch``. The UK extension has no code for the Provider
    Selection Regime, so it is recognised by a special regime naming it, or by the regulations' legal basis (SI
    2023/1348) or name in the tender's legal basis, title, description or procurement method details."""
    tender = as_object(compiled.get("tender"))
    special = tender.get("specialRegime")
    regimes = [as_text(item).lower() for item in special] if isinstance(special, list) else []
    if "lighttouch" in regimes:
        return Regime("light-touch")
    legal_basis = as_object(tender.get("legalBasis"))
    words = " ".join(
        as_text(value).lower()
        for value in (
            legal_basis.get("id"),
            legal_basis.get("description"),
            legal_basis.get("uri"),
            tender.get("title"),
            tender.get("description"),
            tender.get("procurementMethodDetails"),
            tender.get("procurementMethodRationale"),
        )
    )
    if any(code in ("psr", "providerselectionregime") for code in regimes) or (
        "provider selection regime" in words or "2023/1348" in words
    ):
        return Regime("provider-selection-regime")
    return Regime("")


def no_kpis_rationales(compiled: dict[str, Any]) -> list[tuple[str, str]]:
    """Each contract's reason for setting no KPIs (the UK extension's ``noAgreedMetricsRationale``): (contract
    title, reason)."""
    found = []
    for contract in as_objects(compiled.get("contracts")):
        reason = as_text(contract.get("noAgreedMetricsRationale"))
        if reason:
            found.append((as_text(contract.get("title")) or as_text(contract.get("id")), reason))
    return found


def _kpi_titles(compiled: dict[str, Any]) -> dict[MetricKey, tuple[str, str, str]]:
    """(contract id, metric id) → (KPI title, description, contract title) as the compiled release agrees them."""
    titles: dict[MetricKey, tuple[str, str, str]] = {}
    for contract in as_objects(compiled.get("contracts")):
        contract_id, contract_title = as_text(contract.get("id")), as_text(contract.get("title"))
        for metric in as_objects(contract.get("agreedMetrics")):
            metric_id = as_text(metric.get("id"))
            if metric_id:
                titles[(contract_id, metric_id)] = (
                    as_text(metric.get("title")),
                    as_text(metric.get("description")),
                    contract_title,
                )
    return titles
