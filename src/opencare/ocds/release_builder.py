"""Build OCDS releases from what a publisher enters in plain terms: a process, an award and contract, targets,
actuals, interim reviews, performance failures, method-statement commitments and amendments.

Each function returns one release holding only what that publish adds or changes, in the shape the social-care
profile and the UK notices use (metrics with ``measureClassification``, documents with page references); the
registry compiles the releases of a process into its record. Arrays of objects carry stable ids, so a later release
adds observations, milestones or documents to the same contract instead of replacing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

#: The extensions every package we publish declares: those the social-care profile holds, by their usual addresses.
PUBLISHED_EXTENSIONS = (
    # tender.legalBasis, tender.classification and tender.deliveryAddresses come from the EU profile, as in Find a
    # Tender's packages.
    "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_documentation_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_process_title_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contractTerms_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_options_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_milestone_documents_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/master/extension.json",
    "https://raw.githubusercontent.com/OpenDataServices/ocds_award_buyer_extension/main/extension.json",
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
)
#: The UK extension's measureClassification codes as its notices describe them.
CLASSIFICATION_DESCRIPTIONS = {
    "met": "Met: the target was met",
    "slightlyBelow": "Slightly below the target",
    "below": "Below the target",
    "significantlyBelow": "Significantly below the target",
}
LIGHT_TOUCH_LEGAL_BASIS = {
    "scheme": "UKPGA",
    "id": "2023/54",
    "description": "Procurement Act 2023 (light touch contract)",
    "uri": "https://www.legislation.gov.uk/ukpga/2023/54/contents",
}
HOUR = {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"}


@dataclass(frozen=True)
class Party:
    """A council, NHS body or provider, identified by an org-id scheme (e.g. GB-LAE, GB-COH) and its id there."""

    scheme: str
    identifier: str
    name: str
    street: str = ""
    locality: str = ""
    postcode: str = ""
    contact_name: str = ""
    email: str = ""

    @property
    def id(self) -> str:
        """The party id: scheme and identifier, as OCDS recommends, so every release names it the same way."""
        return f"{self.scheme}-{self.identifier}"

    def reference(self) -> dict[str, str]:
        """An OrganizationReference to this party."""
        return {"id": self.id, "name": self.name}

    def as_party(self, roles: list[str]) -> dict[str, Any]:
        """This party as an entry of a release's ``parties``."""
        party: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "identifier": {"scheme": self.scheme, "id": self.identifier, "legalName": self.name},
            "roles": roles,
        }
        address = {"streetAddress": self.street, "locality": self.locality, "postalCode": self.postcode}
        address = {key: value for key, value in address.items() if value}
        if address:
            party["address"] = address | {"countryName": "United Kingdom"}
        contact = {key: value for key, value in (("name", self.contact_name), ("email", self.email)) if value}
        if contact:
            party["contactPoint"] = contact
        return party


@dataclass(frozen=True)
class Document:
    """A document: uploaded to opencare or published elsewhere, with the pages a commitment is on."""

    id: str
    document_type: str
    title: str
    url: str
    date_published: str
    format: str = ""
    description: str = ""
    page_start: str = ""
    page_end: str = ""
    author: str = ""

    def as_ocds(self) -> dict[str, Any]:
        """The OCDS Document object (with the documentation extension's page fields)."""
        document = {
            "id": self.id,
            "documentType": self.document_type,
            "title": self.title,
            "url": self.url,
            "datePublished": self.date_published,
            "format": self.format,
            "description": self.description,
            "pageStart": self.page_start,
            "pageEnd": self.page_end,
            "author": self.author,
            "language": "en",
        }
        return {key: value for key, value in document.items() if value}


@dataclass(frozen=True)
class MetricTarget:
    """An agreed metric with its target: what the contract commits to."""

    metric_id: str
    title: str
    description: str
    target: Decimal
    unit: dict[str, str]
    currency: str = ""
    period_start: date | None = None
    period_end: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class Actual:
    """One period's figure for one metric, with how it compares to the target ("" when it cannot be said)."""

    metric_id: str
    title: str
    period_start: date
    period_end: date
    amount: Decimal
    unit: dict[str, str]
    currency: str = ""
    classification: str = ""
    notes: str = ""
    milestone_id: str = ""
    milestone_title: str = ""

    @property
    def observation_id(self) -> str:
        """Stable per metric and period, so a corrected figure replaces the earlier one when records compile."""
        return f"{self.metric_id}-{self.period_start.isoformat()}-{self.period_end.isoformat()}"


@dataclass(frozen=True)
class Lot:
    """A part of the process that is awarded separately, e.g. one area."""

    id: str
    title: str
    value: Decimal | None = None


@dataclass(frozen=True)
class ProcessFacts:
    """What a commissioner says about a new contracting process."""

    title: str
    description: str
    cpv_code: str
    cpv_description: str
    place: str
    currency: str
    value: Decimal | None
    start: date | None
    end: date | None
    lots: tuple[Lot, ...] = ()
    options: str = ""
    award_criteria: str = ""
    documents: tuple[Document, ...] = ()
    targets: tuple[MetricTarget, ...] = ()


@dataclass(frozen=True)
class ContractTerms:
    """The contract terms people most ask about, in the contractTerms extension's fields."""

    social_standards: str = ""
    performance_terms: str = ""
    financial_terms: str = ""
    rewards_and_penalties: str = ""

    def as_ocds(self) -> dict[str, str]:
        """The contractTerms object, without empty fields."""
        terms = {
            "socialStandards": self.social_standards,
            "performanceTerms": self.performance_terms,
            "financialTerms": self.financial_terms,
            "rewardsAndPenalties": self.rewards_and_penalties,
        }
        return {key: value for key, value in terms.items() if value}


@dataclass(frozen=True)
class ContractFacts:
    """An award and its signed contract: who provides, for how much, and what they commit to."""

    award_id: str
    contract_id: str
    supplier: Party
    title: str
    currency: str
    value: Decimal | None
    start: date
    end: date
    date_signed: date
    price_per_hour: Decimal | None
    worker_pay_per_hour: Decimal | None
    worker_pay_note: str = ""
    lot_id: str = ""
    terms: ContractTerms = field(default_factory=ContractTerms)
    targets: tuple[MetricTarget, ...] = ()
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class Review:
    """An interim review of the contract: a milestone met on a date, with its minutes or report."""

    id: str
    title: str
    description: str
    date_met: date
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class Failure:
    """A performance failure the buyer recorded, and what it did about it."""

    id: str
    period_start: date
    period_end: date
    category: str
    events: int | None
    requirement: str
    description: str
    decision_date: date | None
    penalty_contracted: str = ""
    penalty_imposed: str = ""
    penalty_paid: bool | None = None


@dataclass(frozen=True)
class Amendment:
    """A change to a signed contract: what changed and why."""

    id: str
    rationale: str
    description: str
    value: Decimal | None = None
    end: date | None = None


@dataclass(frozen=True)
class ReleaseHeader:
    """What every release of a process carries."""

    ocid: str
    release_id: str
    date: str
    tags: tuple[str, ...]
    buyer: Party
    title: str = ""
    description: str = ""


def release_package(
    releases: list[dict[str, Any]], *, uri: str, published_date: str, publisher: str, licence: str
) -> dict[str, Any]:
    """A release package of our releases, declaring the profile's extensions."""
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published_date,
        "publisher": {"name": publisher},
        "license": licence,
        "extensions": list(PUBLISHED_EXTENSIONS),
        "releases": releases,
    }


def _release(header: ReleaseHeader, parties: list[dict[str, Any]]) -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": header.ocid,
        "id": header.release_id,
        "date": header.date,
        "tag": list(header.tags),
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": header.buyer.reference(),
    }
    if header.title:
        release["title"] = header.title
    if header.description:
        release["description"] = header.description
    return release


def tender_release(header: ReleaseHeader, facts: ProcessFacts) -> dict[str, Any]:
    """A new (or updated) contracting process: the tender with its specification, targets, lots and terms."""
    release = _release(header, [header.buyer.as_party(["buyer"])])
    classification = {"scheme": "CPV", "id": facts.cpv_code, "description": facts.cpv_description}
    tender: dict[str, Any] = {
        "id": f"{header.ocid}-tender",
        "title": facts.title,
        "description": facts.description,
        "status": "active",
        "procurementMethod": "open",
        "procurementMethodDetails": "Light touch contract",
        "mainProcurementCategory": "services",
        "classification": classification,
        "legalBasis": LIGHT_TOUCH_LEGAL_BASIS,
        "specialRegime": ["lightTouch"],
        "items": _items(facts, classification),
    }
    if facts.place:
        tender["deliveryAddresses"] = [{"region": facts.place, "countryName": "United Kingdom"}]
    if facts.value is not None:
        tender["value"] = _money(facts.value, facts.currency)
    if facts.start and facts.end:
        tender["contractPeriod"] = _period(facts.start, facts.end)
    if facts.lots:
        tender["lots"] = [_lot(lot, facts.currency) for lot in facts.lots]
    if facts.options:
        tender |= {"hasOptions": True, "options": {"description": facts.options}}
    if facts.award_criteria:
        tender["awardCriteriaDetails"] = facts.award_criteria
    if facts.targets:
        tender["targets"] = [_target_metric(target, "target") for target in facts.targets]
    if facts.documents:
        tender["documents"] = [document.as_ocds() for document in facts.documents]
    release["tender"] = tender
    return release


def contract_release(header: ReleaseHeader, facts: ContractFacts) -> dict[str, Any]:
    """The award and the signed contract at once, as light-touch contracts are usually published."""
    release = _release(header, [header.buyer.as_party(["buyer"]), facts.supplier.as_party(["supplier"])])
    period = _period(facts.start, facts.end)
    agreed = [_target_metric(target, "agreed") for target in facts.targets]
    year = _year_period(facts.start)
    if facts.price_per_hour is not None:
        agreed.insert(0, _money_metric("sc-price-per-hour", "Price per hour of care", facts, facts.price_per_hour, ""))
    if facts.worker_pay_per_hour is not None:
        pay = _money_metric(
            "sc-worker-pay-per-hour",
            "Care worker pay per hour",
            facts,
            facts.worker_pay_per_hour,
            facts.worker_pay_note,
        )
        agreed.insert(1 if facts.price_per_hour is not None else 0, pay)
    for metric in agreed:
        for observation in metric["observations"]:
            observation.setdefault("period", year)
    award: dict[str, Any] = {
        "id": facts.award_id,
        "title": facts.title,
        "status": "active",
        "date": _datetime(facts.date_signed),
        "buyer": header.buyer.reference(),
        "suppliers": [facts.supplier.reference()],
        "contractPeriod": period,
    }
    contract: dict[str, Any] = {
        "id": facts.contract_id,
        "awardID": facts.award_id,
        "title": facts.title,
        "status": "active",
        "period": period,
        "dateSigned": _datetime(facts.date_signed),
    }
    if facts.value is not None:
        award["value"] = contract["value"] = _money(facts.value, facts.currency)
    if facts.lot_id:
        award["relatedLots"] = [facts.lot_id]
    if agreed:
        contract["agreedMetrics"] = agreed
    if facts.documents:
        contract["documents"] = [document.as_ocds() for document in facts.documents]
    release["tender"] = {"id": f"{header.ocid}-tender", "status": "complete"}
    terms = facts.terms.as_ocds()
    if terms:  # the extension holds terms on the tender (and lots), where the contract's pages read them
        release["tender"]["contractTerms"] = terms
    release["awards"] = [award]
    release["contracts"] = [contract]
    return release


def targets_release(header: ReleaseHeader, contract_id: str, award_id: str, targets: list[MetricTarget]) -> dict:
    """New or changed agreed metrics of a signed contract (a target replaces the earlier one of the same metric)."""
    release = _release(header, [header.buyer.as_party(["buyer"])])
    release["contracts"] = [
        {
            "id": contract_id,
            "awardID": award_id,
            "agreedMetrics": [_target_metric(target, "agreed") for target in targets],
        }
    ]
    return release


def actuals_release(
    header: ReleaseHeader, supplier: Party, contract_id: str, award_id: str, actuals: list[Actual]
) -> dict[str, Any]:
    """The provider's figures for one or more periods, one observation per metric and period."""
    release = _release(header, [header.buyer.as_party(["buyer"]), supplier.as_party(["supplier"])])
    metrics: dict[str, dict[str, Any]] = {}
    for actual in actuals:
        metric = metrics.setdefault(
            actual.metric_id, {"id": actual.metric_id, "title": actual.title, "observations": []}
        )
        metric["observations"].append(_actual_observation(actual))
    release["contracts"] = [
        {"id": contract_id, "awardID": award_id, "implementation": {"metrics": list(metrics.values())}}
    ]
    return release


def review_release(header: ReleaseHeader, contract_id: str, award_id: str, review: Review) -> dict[str, Any]:
    """An interim review, as a met reporting milestone of the contract's implementation with its documents."""
    release = _release(header, [header.buyer.as_party(["buyer"])])
    milestone: dict[str, Any] = {
        "id": review.id,
        "title": review.title,
        "type": "reporting",
        "description": review.description,
        "status": "met",
        "dueDate": _datetime(review.date_met),
        "dateMet": _datetime(review.date_met),
    }
    if review.documents:
        milestone["documents"] = [document.as_ocds() for document in review.documents]
    release["contracts"] = [{"id": contract_id, "awardID": award_id, "implementation": {"milestones": [milestone]}}]
    return release


def failure_release(
    header: ReleaseHeader, supplier: Party, contract_id: str, award_id: str, failure: Failure
) -> dict[str, Any]:
    """A performance failure (performance failures extension) and what the buyer decided."""
    release = _release(header, [header.buyer.as_party(["buyer"]), supplier.as_party(["supplier"])])
    entry: dict[str, Any] = {
        "id": failure.id,
        "period": _period(failure.period_start, failure.period_end),
        "category": failure.category,
        "requirement": failure.requirement,
        "description": failure.description,
        "suppliers": [supplier.reference()],
    }
    if failure.events is not None:
        entry["events"] = failure.events
    if failure.decision_date:
        entry["decisionDate"] = _datetime(failure.decision_date)
    if failure.penalty_contracted:
        entry |= {"penaltyType": "contracted", "penaltyContracted": failure.penalty_contracted}
    if failure.penalty_imposed:
        entry["penaltyImposed"] = failure.penalty_imposed
    if failure.penalty_paid is not None:
        entry["penaltyPaid"] = failure.penalty_paid
    release["contracts"] = [
        {"id": contract_id, "awardID": award_id, "implementation": {"performanceFailures": [entry]}}
    ]
    return release


def documents_release(
    header: ReleaseHeader, supplier: Party, contract_id: str, award_id: str, documents: list[Document]
) -> dict[str, Any]:
    """Documents added to a contract, e.g. the provider's method statement, one entry per commitment and its pages."""
    release = _release(header, [header.buyer.as_party(["buyer"]), supplier.as_party(["supplier"])])
    release["contracts"] = [
        {"id": contract_id, "awardID": award_id, "documents": [document.as_ocds() for document in documents]}
    ]
    return release


def amendment_release(
    header: ReleaseHeader, contract_id: str, award_id: str, amendment: Amendment, currency: str, start: date | None
) -> dict[str, Any]:
    """A change to the contract, with its rationale, and the changed value or end date."""
    release = _release(header, [header.buyer.as_party(["buyer"])])
    contract: dict[str, Any] = {
        "id": contract_id,
        "awardID": award_id,
        "amendments": [
            {
                "id": amendment.id,
                "date": header.date,
                "rationale": amendment.rationale,
                "description": amendment.description,
            }
        ],
    }
    if amendment.value is not None:
        contract["value"] = _money(amendment.value, currency)
    if amendment.end is not None:
        contract["period"] = {"endDate": _end_of_day(amendment.end)}
        if start is not None:
            contract["period"] = _period(start, amendment.end)
    release["contracts"] = [contract]
    return release


def classification_against(amount: Decimal, target: Decimal | None, better: str) -> str:
    """ "met" or "below" for a figure against its target when the metric says which way is better, else ""."""
    if target is None or better not in ("higher", "lower"):
        return ""
    met = amount >= target if better == "higher" else amount <= target
    return "met" if met else "below"


def _items(facts: ProcessFacts, classification: dict[str, str]) -> list[dict[str, Any]]:
    if not facts.lots:
        return [{"id": "1", "description": facts.title, "classification": classification}]
    return [
        {"id": lot.id, "description": lot.title, "classification": classification, "relatedLot": lot.id}
        for lot in facts.lots
    ]


def _lot(lot: Lot, currency: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": lot.id, "title": lot.title, "status": "active"}
    if lot.value is not None:
        entry["value"] = _money(lot.value, currency)
    return entry


def _target_metric(target: MetricTarget, kind: str) -> dict[str, Any]:
    observation: dict[str, Any] = {"id": f"{target.metric_id}-{kind}", "unit": target.unit}
    if target.currency:
        observation["value"] = _money(target.target, target.currency)
    else:
        observation["measure"] = _number(target.target)
    if target.period_start and target.period_end:
        observation["period"] = _period(target.period_start, target.period_end)
    if target.notes:
        observation["notes"] = target.notes
    metric = {"id": target.metric_id, "title": target.title, "observations": [observation]}
    if target.description:
        metric["description"] = target.description
    return metric


def _money_metric(metric_id: str, title: str, facts: ContractFacts, amount: Decimal, notes: str) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "id": f"{metric_id}-agreed",
        "value": _money(amount, facts.currency),
        "unit": HOUR,
    }
    if notes:
        observation["notes"] = notes
    return {"id": metric_id, "title": title, "observations": [observation]}


def _actual_observation(actual: Actual) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "id": actual.observation_id,
        "period": _period(actual.period_start, actual.period_end),
        "unit": actual.unit,
    }
    if actual.currency:
        observation["value"] = _money(actual.amount, actual.currency)
    else:
        observation["measure"] = _number(actual.amount)
    if actual.classification:
        observation["measureClassification"] = {
            "id": actual.classification,
            "description": CLASSIFICATION_DESCRIPTIONS[actual.classification],
        }
    if actual.notes:
        observation["notes"] = actual.notes
    if actual.milestone_id:
        observation["relatedImplementationMilestone"] = {"id": actual.milestone_id, "title": actual.milestone_title}
    return observation


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": _number(amount), "currency": currency}


def _number(amount: Decimal) -> int | float:
    """A JSON number: whole numbers stay whole (so 95 is not published as 95.0)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _period(start: date, end: date) -> dict[str, str]:
    return {"startDate": _datetime(start), "endDate": _end_of_day(end)}


def _year_period(start: date) -> dict[str, str]:
    """The contract's first year, the period an agreed rate is for."""
    try:
        end = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, day=28)
    return {"startDate": _datetime(start), "endDate": _end_of_day(date.fromordinal(end.toordinal() - 1))}


def _datetime(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _end_of_day(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def counts_release(
    header: ReleaseHeader, contract_id: str, award_id: str, metrics: dict[str, tuple[str, list[dict[str, Any]]]]
) -> dict[str, Any]:
    """Counts of feedback answers (metric id → its title and observations) on a contract's implementation."""
    release = _release(header, [header.buyer.as_party(["buyer"])])
    release["contracts"] = [
        {
            "id": contract_id,
            "awardID": award_id,
            "implementation": {
                "metrics": [
                    {"id": metric_id, "title": title, "observations": observations}
                    for metric_id, (title, observations) in metrics.items()
                ]
            },
        }
    ]
    return release
