"""Borsetdale Council: an invented sample council and its home care contracts, as OCDS 1.1 releases.

Every body, person, number and document here is made up for demonstration, and every name a person would see
says so. The data follows one contracting process per area from tender to two years of monthly performance
(April 2024 to March 2026), so the platform can show commitments next to targets, actuals and payments.

Generation is deterministic: month-to-month variation comes from a hash of a fixed key, never from a clock or
an unseeded random generator, so two calls give identical output.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson

from opencare.ocds.release_builder import PUBLISHED_EXTENSIONS

OCID_PREFIX = "ocds-bdemo1"
PACKAGE_URI = "https://opencare.example/demo/borsetdale.json"
PUBLISHED_DATE = "2026-04-15T09:00:00Z"
DOCS_URL = "https://opencare.example/demo/docs/"
INVENTED = "Invented sample data for demonstration. "

# The demo declares the same extensions as everything published through opencare.
EXTENSIONS = PUBLISHED_EXTENSIONS

PERCENT = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
HOUR = {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"}
COUNT = {"scheme": "UNCEFACT", "id": "C62", "name": "one"}
CPV_HOME_CARE = {
    "scheme": "CPV",
    "id": "85312400",
    "description": "Welfare services not delivered through residential institutions",
}
# The tenders ran in autumn 2023, before the Procurement Act 2023 came into force (24 February 2025), so the legal
# basis is the Public Contracts Regulations 2015, which Find a Tender records by the directive's CELEX number.
LEGAL_BASIS = {
    "scheme": "CELEX",
    "id": "32014L0024",
    "description": "Public Contracts Regulations 2015 (light touch regime, regulations 74 to 76)",
    "uri": "https://www.legislation.gov.uk/uksi/2015/102/contents",
}

FIRST_MONTH = (2024, 4)
MONTH_COUNT = 24
CONTRACT_PERIOD = {"startDate": "2024-04-01T00:00:00Z", "endDate": "2027-03-31T23:59:59Z", "durationInMonths": 36}
OPTION_PERIOD = {"startDate": "2027-04-01T00:00:00Z", "endDate": "2029-03-31T23:59:59Z", "durationInMonths": 24}
WINTER_MONTHS = {12: 0.7, 1: 1.0, 2: 0.6}
AVERAGE_VISIT_MINUTES = 40


# --- Parties -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """An invented organisation. Postcodes use district BD0, which does not exist, so no address is real."""

    scheme: str
    ident: str
    name: str
    street: str
    locality: str
    postcode: str
    contact: str
    email: str
    cqc: str | None = None
    vcse: bool | None = None

    @property
    def id(self) -> str:
        """The party id: scheme and identifier, as OCDS recommends."""
        return f"{self.scheme}-{self.ident}"

    def reference(self) -> dict[str, str]:
        """An OrganizationReference to this body."""
        return {"id": self.id, "name": self.name}

    def party(self, roles: list[str]) -> dict[str, Any]:
        """This body as an entry in a release's parties, with the roles it plays in that release."""
        party: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "identifier": {"scheme": self.scheme, "id": self.ident, "legalName": self.name},
            "address": {
                "streetAddress": self.street,
                "locality": self.locality,
                "postalCode": self.postcode,
                "countryName": "United Kingdom",
            },
            "contactPoint": {"name": self.contact, "email": self.email},
            "roles": roles,
        }
        if self.cqc:
            party["additionalIdentifiers"] = [{"scheme": "GB-CQC", "id": self.cqc, "legalName": self.name}]
        if self.vcse is not None:
            party["details"] = {"scale": "sme", "vcse": self.vcse}
        return party


COUNCIL = Body(
    scheme="GB-LAE",
    ident="BSD",
    name="Borsetdale Council (invented sample)",
    street="Town Hall, Market Place",
    locality="Borsetdale",
    postcode="BD0 1TH",
    contact="Adult social care commissioning team",
    email="borsetdale.commissioning@example.org",
)
ICB = Body(
    scheme="GB-NHS",
    ident="QBD",
    name="NHS Borsetdale Integrated Care Board (invented)",
    street="Riverside House, Mill Street",
    locality="Borsetdale",
    postcode="BD0 2RH",
    contact="Continuing healthcare contracting team",
    email="borsetdale.icb.contracting@example.org",
)
MOORSIDE = Body(
    scheme="GB-MPR",
    ident="IP99001",
    name="Moorside Care Co-operative (invented)",
    street="Unit 3, Moor Lane Workshops",
    locality="Upper Moorside, Borsetdale",
    postcode="BD0 4ML",
    contact="Co-operative office",
    email="moorside.office@example.org",
    cqc="1-9990000001",
    vcse=True,
)
BRIGHTWATER = Body(
    scheme="GB-COH",
    ident="99000001",
    name="Brightwater Home Care Ltd (invented)",
    street="12 Station Road",
    locality="Brightwater, Borsetdale",
    postcode="BD0 7SR",
    contact="Contracts manager",
    email="brightwater.contracts@example.org",
    cqc="1-9990000002",
    vcse=False,
)
FELLSIDE = Body(
    scheme="GB-COH",
    ident="99000002",
    name="Fellside Support CIC (invented)",
    street="The Old Chapel, Fell Road",
    locality="Kettledale, Borsetdale",
    postcode="BD0 9FR",
    contact="Registered manager",
    email="fellside.office@example.org",
    cqc="1-9990000003",
    vcse=True,
)


# --- Targets and how actuals are classified ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A performance standard from the service specification, and the bands used to classify each month."""

    metric_id: str
    code: str
    title: str
    description: str
    target: float
    higher_is_better: bool
    slight: float
    below: float

    def shortfall(self, measure: float) -> float:
        """Percentage points by which a measure falls short of the target (zero or less when it is met)."""
        return self.target - measure if self.higher_is_better else measure - self.target

    def classify(self, measure: float) -> str:
        """The UK extension's measureClassification code for one month's measure."""
        gap = round(self.shortfall(measure), 6)
        if gap <= 0:
            return "met"
        if gap <= self.slight:
            return "slightlyBelow"
        if gap <= self.below:
            return "below"
        return "significantlyBelow"

    def bands(self) -> str:
        """Plain-English description of the classification bands, published with the actuals."""
        return (
            f"Each month is classed as met, slightly below (up to {self.slight:g} percentage points short of the "
            f"target), below (up to {self.below:g} points short) or significantly below (more than {self.below:g} "
            "points short)."
        )


MISSED_VISITS = Target(
    metric_id="sc-missed-visits",
    code="mv",
    title="Missed visits (provider fault)",
    description="Minimum standard: no more than 2% of planned visits missed each month because of the provider.",
    target=2.0,
    higher_is_better=False,
    slight=0.5,
    below=1.5,
)
PUNCTUALITY = Target(
    metric_id="sc-punctuality",
    code="pu",
    title="Visits on time",
    description="Minimum standard: at least 90% of visits start within 30 minutes of the planned time.",
    target=90.0,
    higher_is_better=True,
    slight=2.5,
    below=7.5,
)
CONTINUITY = Target(
    metric_id="sc-continuity-of-carer",
    code="cc",
    title="Continuity of carer",
    description="Minimum standard: at least 80% of visits are by a care worker the person knows (their regular team).",
    target=80.0,
    higher_is_better=True,
    slight=2.5,
    below=7.5,
)
TARGETS = (MISSED_VISITS, PUNCTUALITY, CONTINUITY)

CLASSIFICATION_NAMES = {
    "met": "Met: the target was met",
    "slightlyBelow": "Slightly below the target",
    "below": "Below the target",
    "significantlyBelow": "Significantly below the target",
}


# --- Contracts and processes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """How a monthly percentage moves: a typical level, a winter effect, a change over two years and some noise."""

    base: float
    winter: float
    change: float
    spread: float


@dataclass(frozen=True)
class LotContract:
    """One lot's award and contract: who buys, who provides, the prices, pay and how the provider performs."""

    lot: str
    lot_title: str
    buyer: Body
    supplier: Body
    prices: tuple[float, float]
    worker_pay: tuple[float, float]
    hours_per_month: float
    trends: dict[str, Trend]
    satisfaction: tuple[int, int]
    commitments: tuple[tuple[str, int, int], ...]

    def value(self) -> float:
        """Contract value: three years of the expected hours at the second year's price, plus 8% headroom."""
        estimate = self.hours_per_month * 36 * self.prices[1] * 1.08
        return float(round(estimate, -4))


@dataclass(frozen=True)
class Process:
    """One invented home care contracting process, from tender to two years of monthly reports."""

    short_id: str
    title: str
    summary: str
    area: str
    tender_ref: str
    tender_date: str
    tender_close: str
    award_date: str
    contract_date: str
    signed_date: str
    tenderers: int
    contracts: tuple[LotContract, ...]

    @property
    def ocid(self) -> str:
        """The process's OCID."""
        return f"{OCID_PREFIX}-{self.short_id}"

    @property
    def has_lots(self) -> bool:
        """Whether the process is divided into lots (one contract per lot)."""
        return len(self.contracts) > 1

    def description(self) -> str:
        """The plain-English process description, which always says the data is invented."""
        return INVENTED + self.summary

    def value(self) -> float:
        """The total of the lots' values."""
        return sum(contract.value() for contract in self.contracts)

    def doc_url(self, name: str) -> str:
        """The (invented) address of one of this process's documents."""
        return f"{DOCS_URL}{self.short_id}/{name}.pdf"


NORTH = Process(
    short_id="hc-north",
    title="Home care in North Borsetdale",
    summary=(
        "Borsetdale Council buys home care (help with washing, dressing, meals and medicines at home) for about "
        "300 adults in the north of the borough. The provider is a care co-operative whose members include the "
        "care workers and the people they support."
    ),
    area="North Borsetdale",
    tender_ref="BSD-ASC-2023-014",
    tender_date="2023-09-04T09:00:00Z",
    tender_close="2023-10-16T12:00:00Z",
    award_date="2024-01-22T09:00:00Z",
    contract_date="2024-03-04T09:00:00Z",
    signed_date="2024-03-01T00:00:00Z",
    tenderers=5,
    contracts=(
        LotContract(
            lot="1",
            lot_title="Home care in North Borsetdale",
            buyer=COUNCIL,
            supplier=MOORSIDE,
            prices=(24.60, 25.70),
            worker_pay=(13.10, 13.85),
            hours_per_month=6000,
            trends={
                "sc-missed-visits": Trend(base=0.9, winter=0.6, change=-0.2, spread=0.25),
                "sc-punctuality": Trend(base=94.0, winter=-4.5, change=0.5, spread=1.0),
                "sc-continuity-of-carer": Trend(base=87.0, winter=-2.0, change=1.0, spread=1.5),
            },
            satisfaction=(52, 7),
            commitments=(
                ("each person is supported by a small team of no more than four regular care workers", 4, 5),
                ("care workers are paid at least the Real Living Wage for all working time, including travel", 6, 6),
                ("no visit is shorter than 30 minutes", 7, 7),
                ("a missed or late visit is explained to the person or their family on the same day", 8, 8),
                ("people getting support and their families can join the co-operative and vote on its plans", 9, 9),
            ),
        ),
    ),
)

SOUTH = Process(
    short_id="hc-south",
    title="Home care in South Borsetdale",
    summary=(
        "Borsetdale Council buys home care (help with washing, dressing, meals and medicines at home) for about "
        "260 adults in the south of the borough, including the towns of Brightwater and Saltmarsh."
    ),
    area="South Borsetdale",
    tender_ref="BSD-ASC-2023-015",
    tender_date="2023-09-11T09:00:00Z",
    tender_close="2023-10-23T12:00:00Z",
    award_date="2024-01-29T09:00:00Z",
    contract_date="2024-03-11T09:00:00Z",
    signed_date="2024-03-08T00:00:00Z",
    tenderers=7,
    contracts=(
        LotContract(
            lot="1",
            lot_title="Home care in South Borsetdale",
            buyer=COUNCIL,
            supplier=BRIGHTWATER,
            prices=(23.80, 24.85),
            worker_pay=(12.60, 13.45),
            hours_per_month=5200,
            trends={
                "sc-missed-visits": Trend(base=1.5, winter=2.5, change=-0.3, spread=0.2),
                "sc-punctuality": Trend(base=92.0, winter=-7.0, change=0.5, spread=0.8),
                "sc-continuity-of-carer": Trend(base=83.0, winter=-2.0, change=0.0, spread=1.2),
            },
            satisfaction=(44, 10),
            commitments=(
                ("electronic call monitoring alerts the office when a visit is 15 minutes late", 5, 6),
                ("a winter plan with four-wheel-drive cars and standby care workers keeps visits going in snow", 7, 8),
                ("care workers are paid at least the Real Living Wage for all working time, including travel", 9, 9),
                ("every care worker is offered a guaranteed-hours contract after 12 weeks", 10, 10),
                ("no visit is shorter than 30 minutes unless the person's care plan says so", 11, 11),
            ),
        ),
    ),
)

DALES = Process(
    short_id="hc-dales",
    title="Home care and reablement in the Borsetdale Dales (rural)",
    summary=(
        "Borsetdale Council and NHS Borsetdale Integrated Care Board jointly buy home care for about 150 adults "
        "in the rural dales. Lot 1 is home care and reablement paid for by the council. Lot 2 is home care for "
        "people eligible for NHS Continuing Healthcare, paid for by the integrated care board."
    ),
    area="the Borsetdale Dales",
    tender_ref="BSD-ASC-2023-016",
    tender_date="2023-09-18T09:00:00Z",
    tender_close="2023-10-30T12:00:00Z",
    award_date="2024-02-05T09:00:00Z",
    contract_date="2024-03-18T09:00:00Z",
    signed_date="2024-03-15T00:00:00Z",
    tenderers=3,
    contracts=(
        LotContract(
            lot="1",
            lot_title="Lot 1: Home care and reablement (council)",
            buyer=COUNCIL,
            supplier=FELLSIDE,
            prices=(26.40, 27.55),
            worker_pay=(12.85, 13.60),
            hours_per_month=2400,
            trends={
                "sc-missed-visits": Trend(base=1.2, winter=1.0, change=-0.2, spread=0.3),
                "sc-punctuality": Trend(base=91.5, winter=-4.0, change=0.5, spread=1.0),
                "sc-continuity-of-carer": Trend(base=73.5, winter=-2.0, change=8.0, spread=1.5),
            },
            satisfaction=(27, 8),
            commitments=(
                ("zoned rotas in each dale cut travel and keep the same care workers with each person", 3, 4),
                ("travel time is paid and mileage is paid at 45p a mile", 5, 5),
                ("each person has a named keyworker who they can call directly", 6, 6),
                ("reablement goals are reviewed with the person every two weeks", 7, 8),
                ("care workers are recruited locally through village halls, aiming for 12 new starters a year", 9, 9),
            ),
        ),
        LotContract(
            lot="2",
            lot_title="Lot 2: NHS Continuing Healthcare at home (integrated care board)",
            buyer=ICB,
            supplier=FELLSIDE,
            prices=(26.40, 27.55),
            worker_pay=(12.85, 13.60),
            hours_per_month=650,
            trends={
                "sc-missed-visits": Trend(base=1.0, winter=0.8, change=-0.2, spread=0.3),
                "sc-punctuality": Trend(base=92.0, winter=-3.0, change=0.5, spread=1.0),
                "sc-continuity-of-carer": Trend(base=75.0, winter=-1.5, change=6.0, spread=2.0),
            },
            satisfaction=(15, 7),
            commitments=(
                ("care workers are trained in the person's health tasks by NHS nurses before their first visit", 4, 5),
                ("travel time is paid and mileage is paid at 45p a mile", 6, 6),
                ("each person has a named keyworker who they can call directly", 7, 7),
                ("visits with two care workers are always made by two people the person knows", 8, 8),
            ),
        ),
    ),
)

# A neighbouring invented council, so comparisons run across councils: it pays a lower rate, its provider pays the
# legal minimum wage rather than the Real Living Wage, and misses more visits.
WENDMOOR_COUNCIL = Body(
    scheme="GB-LAE",
    ident="WDM",
    name="Wendmoor Council (invented sample)",
    street="Civic Centre, Bridge Street",
    locality="Wendmoor",
    postcode="BD0 8CC",
    contact="Adult social care commissioning team",
    email="wendmoor.commissioning@example.org",
)
KESTREL = Body(
    scheme="GB-COH",
    ident="99000003",
    name="Kestrel Homecare Ltd (invented)",
    street="4 Mill Yard",
    locality="Wendmoor",
    postcode="BD0 8MY",
    contact="Contracts manager",
    email="kestrel.contracts@example.org",
    cqc="1-9990000004",
    vcse=False,
)
WENDMOOR = Process(
    short_id="hc-wendmoor",
    title="Home care in Wendmoor",
    summary=(
        "Wendmoor Council, Borsetdale's neighbour, buys home care (help with washing, dressing, meals and medicines "
        "at home) for about 400 adults across the borough from one provider."
    ),
    area="Wendmoor",
    tender_ref="WDM-ASC-2023-007",
    tender_date="2023-09-25T09:00:00Z",
    tender_close="2023-11-06T12:00:00Z",
    award_date="2024-02-12T09:00:00Z",
    contract_date="2024-03-25T09:00:00Z",
    signed_date="2024-03-22T00:00:00Z",
    tenderers=4,
    contracts=(
        LotContract(
            lot="1",
            lot_title="Home care in Wendmoor",
            buyer=WENDMOOR_COUNCIL,
            supplier=KESTREL,
            prices=(21.90, 22.40),
            worker_pay=(11.44, 12.21),
            hours_per_month=8000,
            trends={
                "sc-missed-visits": Trend(base=2.6, winter=1.5, change=0.2, spread=0.3),
                "sc-punctuality": Trend(base=87.0, winter=-5.0, change=-0.5, spread=1.0),
                "sc-continuity-of-carer": Trend(base=71.0, winter=-2.0, change=-1.0, spread=1.5),
            },
            satisfaction=(61, 24),
            commitments=(
                ("calls are planned in runs so that travel between visits is no more than 10 minutes", 3, 3),
                ("care workers are paid at least the National Living Wage for contact time", 4, 4),
                ("every person has a care plan review within six weeks of starting", 5, 5),
                ("electronic call monitoring records the start and end of every visit", 6, 6),
            ),
        ),
    ),
)

PROCESSES = (NORTH, SOUTH, DALES, WENDMOOR)

# Why a month went the way it did, as a commissioner would note it; keyed by (process, lot, metric code, year, month).
NOTES = {
    ("hc-south", "1", "mv", 2025, 1): "Snow and ice on 8 to 10 January, and high staff sickness from flu.",
    ("hc-south", "1", "pu", 2025, 1): "Snow and ice on 8 to 10 January, and high staff sickness from flu.",
    ("hc-dales", "1", "cc", 2024, 6): "Three care worker posts in Upper Borsetdale are vacant.",
    ("hc-dales", "1", "cc", 2025, 10): "Zoned rotas now cover every dale; continuity is close to the target.",
    ("hc-north", "1", "pu", 2025, 1): "Roads over the moor closed by snow on 9 January.",
}


# --- Dates and deterministic variation ------------------------------------------------------------------------------


def _months() -> list[tuple[int, int]]:
    year, month = FIRST_MONTH
    months = []
    for _ in range(MONTH_COUNT):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_period(year: int, month: int) -> dict[str, str]:
    last = calendar.monthrange(year, month)[1]
    return {"startDate": f"{year}-{month:02d}-01T00:00:00Z", "endDate": f"{year}-{month:02d}-{last}T23:59:59Z"}


def _financial_year(year: int, month: int) -> str:
    start = year if month >= 4 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _year_period(financial_year: str) -> dict[str, str]:
    start = int(financial_year[:4])
    return {"startDate": f"{start}-04-01T00:00:00Z", "endDate": f"{start + 1}-03-31T23:59:59Z"}


def _quarter(year: int, month: int) -> int:
    return (month - 4) % 12 // 3 + 1


def _quarter_period(year: int, month: int) -> dict[str, str]:
    first_month = (month - 1) // 3 * 3 + 1
    last_month = first_month + 2
    return {
        "startDate": _month_period(year, first_month)["startDate"],
        "endDate": _month_period(year, last_month)["endDate"],
    }


def _wobble(*key: object) -> float:
    """A fixed number in [-1, 1) for a key: varied like noise, yet the same on every run and machine."""
    digest = hashlib.sha256("|".join(str(part) for part in key).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1


def _winter_weight(year: int, month: int) -> float:
    # The first winter of the contract (2024-25) is the hard one; the second is milder.
    weight = WINTER_MONTHS.get(month, 0.0)
    first_winter = (year, month) < (2025, 4)
    return weight if first_winter else weight * 0.5


def _percentage(process: Process, contract: LotContract, target: Target, index: int) -> float:
    year, month = _months()[index]
    trend = contract.trends[target.metric_id]
    value = (
        trend.base
        + trend.winter * _winter_weight(year, month)
        + trend.change * index / (MONTH_COUNT - 1)
        + trend.spread * _wobble(process.short_id, contract.lot, target.code, year, month)
    )
    return round(min(100.0, max(0.0, value)), 1)


def _hours(process: Process, contract: LotContract, index: int) -> float:
    year, month = _months()[index]
    days = calendar.monthrange(year, month)[1]
    growth = 1 + 0.04 * index / (MONTH_COUNT - 1) + 0.03 * (month in WINTER_MONTHS)
    noise = 1 + 0.02 * _wobble(process.short_id, contract.lot, "hd", year, month)
    return round(contract.hours_per_month * days / 30.44 * growth * noise, 1)


def _price(contract: LotContract, year: int, month: int) -> float:
    return contract.prices[0] if _financial_year(year, month) == "2024-25" else contract.prices[1]


# --- Building blocks ------------------------------------------------------------------------------------------------


def _money(amount: float) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": "GBP"}


def _document(process: Process, doc_id: str, doc_type: str, title: str, date: str, **extra: Any) -> dict[str, Any]:
    document = {
        "id": doc_id,
        "documentType": doc_type,
        "title": title,
        "url": process.doc_url(extra.pop("file", doc_id)),
        "datePublished": date,
        "format": "application/pdf",
        "language": "en",
    }
    return document | extra


def _target_metric(target: Target) -> dict[str, Any]:
    return {
        "id": target.metric_id,
        "title": target.title,
        "description": target.description,
        "observations": [{"id": f"{target.code}-target", "measure": target.target, "unit": PERCENT}],
    }


def _price_metric(contract: LotContract, financial_year: str, observation_id: str) -> dict[str, Any]:
    price = contract.prices[0] if financial_year == "2024-25" else contract.prices[1]
    return {
        "id": "sc-price-per-hour",
        "title": "Hourly rate paid by the buyer",
        "description": "The price per hour of care delivered, for all times of day and days of the week.",
        "observations": [
            {
                "id": observation_id,
                "period": _year_period(financial_year),
                "value": _money(price),
                "unit": HOUR,
            }
        ],
    }


def _pay_metric(amount: float, observation_id: str, financial_year: str, notes: str) -> dict[str, Any]:
    return {
        "id": "sc-worker-pay-per-hour",
        "title": "Care worker pay per hour (lowest rate, all working time paid)",
        "description": "The lowest gross hourly pay of an employed care worker, counting travel and waiting time.",
        "observations": [
            {
                "id": observation_id,
                "period": _year_period(financial_year),
                "value": _money(amount),
                "unit": HOUR,
                "dimensions": {"employmentType": "employed", "payBasis": "allWorkingTime"},
                "notes": notes,
            }
        ],
    }


def _parties(process: Process, stage: str) -> list[dict[str, Any]]:
    """The parties a release needs: buyers always, suppliers once awarded, payers and payees once paying."""
    paying = stage == "implementation"
    roles: dict[str, list[str]] = {}
    bodies: dict[str, Body] = {}
    for contract in process.contracts:
        bodies[contract.buyer.id] = contract.buyer
        roles.setdefault(contract.buyer.id, [])
        for role in ("buyer", "payer") if paying else ("buyer",):
            if role not in roles[contract.buyer.id]:
                roles[contract.buyer.id].append(role)
        if stage != "tender":
            bodies[contract.supplier.id] = contract.supplier
            roles[contract.supplier.id] = ["supplier", "payee"] if paying else ["supplier"]
    return [body.party(roles[body_id]) for body_id, body in bodies.items()]


def _release(process: Process, release_id: str, date: str, tag: str, stage: str) -> dict[str, Any]:
    return {
        "ocid": process.ocid,
        "id": release_id,
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "title": process.title,
        "description": process.description(),
        "parties": _parties(process, stage),
        "buyer": process.contracts[0].buyer.reference(),
    }


def _award_id(process: Process, contract: LotContract) -> str:
    return f"{process.short_id}-award-{contract.lot}"


def _contract_id(process: Process, contract: LotContract) -> str:
    return f"{process.short_id}-contract-{contract.lot}"


def _lot_fields(process: Process, contract: LotContract) -> dict[str, Any]:
    return {"relatedLots": [contract.lot]} if process.has_lots else {}


# --- Tender ---------------------------------------------------------------------------------------------------------


def _contract_terms(process: Process) -> dict[str, Any]:
    return {
        "socialStandards": (
            "The provider must pay every care worker at least the Real Living Wage set by the Living Wage "
            "Foundation for all working time, including travel time between visits, waiting time, training and "
            "supervision, and must uprate pay each April when the new rate is announced."
        ),
        "performanceTerms": (
            "The provider reports missed visits, visits on time, continuity of carer and hours delivered every month. "
            "Performance is discussed at a quarterly contract review with the commissioners."
        ),
        "financialTerms": (
            "Paid monthly in arrears for the hours of care delivered, at the hourly rate in the pricing schedule. "
            "The rate is reviewed each April."
        ),
        "rewardsAndPenalties": (
            "If a performance standard is missed, the council may issue a performance improvement notice. Service "
            "credits of 1% of the monthly invoice apply if missed visits exceed 4% for two months in a row."
        ),
    }


def _tender_documents(process: Process) -> list[dict[str, Any]]:
    date = process.tender_date
    return [
        _document(
            process,
            "spec",
            "technicalSpecifications",
            f"Service specification: home care in {process.area}",
            date,
            file="service-specification",
            description="Sections 6 to 8 set out the performance standards and how they are measured.",
            pageStart="14",
            pageEnd="22",
        ),
        _document(
            process,
            "outcomes",
            "technicalSpecifications",
            "Outcomes framework: what people getting support should be able to say",
            date,
            file="outcomes-framework",
            description="The outcomes the service should help each person achieve, and how they are reviewed.",
            pageStart="1",
            pageEnd="6",
        ),
    ]


def _lots(process: Process) -> list[dict[str, Any]]:
    return [
        {
            "id": contract.lot,
            "title": contract.lot_title,
            "status": "active",
            "value": _money(contract.value()),
            "contractPeriod": CONTRACT_PERIOD,
        }
        for contract in process.contracts
    ]


def _items(process: Process) -> list[dict[str, Any]]:
    items = []
    for contract in process.contracts:
        item: dict[str, Any] = {
            "id": contract.lot,
            "description": f"{contract.lot_title}: care and support at home for adults",
            "classification": CPV_HOME_CARE,
            "quantity": contract.hours_per_month * 36,
            "unit": {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"},
        }
        if process.has_lots:
            item["relatedLot"] = contract.lot
        items.append(item)
    return items


def _tender(process: Process, status: str) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": process.tender_ref,
        "title": process.title,
        "description": process.description(),
        "status": status,
        "procurementMethod": "open",
        "procurementMethodDetails": "Open procedure under the light touch regime",
        "mainProcurementCategory": "services",
        "classification": CPV_HOME_CARE,
        "legalBasis": LEGAL_BASIS,
        "specialRegime": ["lightTouch"],
        "aboveThreshold": True,
    }
    if process.has_lots:
        tender["lots"] = _lots(process)
    return tender


def _tender_release(process: Process) -> dict[str, Any]:
    release = _release(process, f"{process.short_id}-tender", process.tender_date, "tender", "tender")
    tender = _tender(process, "active")
    tender |= {
        "items": _items(process),
        "value": _money(process.value()),
        "tenderPeriod": {"startDate": process.tender_date, "endDate": process.tender_close},
        "contractPeriod": CONTRACT_PERIOD,
        "awardCriteriaDetails": "Quality 70% (including the method statement), price 30%.",
        "targets": [_target_metric(target) for target in TARGETS],
        "documents": _tender_documents(process),
        "contractTerms": _contract_terms(process),
        "hasOptions": True,
        "options": {
            "description": "The buyer may extend the contract once, by up to 24 months.",
            "period": OPTION_PERIOD,
        },
    }
    release["tender"] = tender
    return release


# --- Award and contract ---------------------------------------------------------------------------------------------


def _award(process: Process, contract: LotContract, detailed: bool) -> dict[str, Any]:
    award: dict[str, Any] = {
        "id": _award_id(process, contract),
        "buyer": contract.buyer.reference(),
        "suppliers": [contract.supplier.reference()],
    }
    award |= _lot_fields(process, contract)
    if detailed:
        award |= {
            "title": contract.lot_title,
            "status": "active",
            "date": process.award_date,
            "value": _money(contract.value()),
            "contractPeriod": CONTRACT_PERIOD,
            "agreedMetrics": [_price_metric(contract, "2024-25", "pph-2024-25")],
            "hasOptions": True,
            "options": {"description": "One extension of up to 24 months.", "period": OPTION_PERIOD},
        }
    return award


def _award_release(process: Process) -> dict[str, Any]:
    release = _release(process, f"{process.short_id}-award", process.award_date, "award", "award")
    release["tender"] = _tender(process, "complete") | {"numberOfTenderers": process.tenderers}
    release["awards"] = [_award(process, contract, detailed=True) for contract in process.contracts]
    return release


def _method_statement(process: Process, contract: LotContract) -> list[dict[str, Any]]:
    file = f"method-statement-lot-{contract.lot}"
    return [
        _document(
            process,
            f"ms-{number}",
            "submissionDocuments",
            f"Method statement: {commitment}",
            process.contract_date,
            file=file,
            author=contract.supplier.name,
            pageStart=str(start),
            pageEnd=str(end),
        )
        for number, (commitment, start, end) in enumerate(contract.commitments, start=1)
    ]


def _contract_documents(process: Process, contract: LotContract) -> list[dict[str, Any]]:
    date = process.contract_date
    lot = contract.lot
    return [
        _document(process, "signed", "contractSigned", "Signed contract", date, file=f"contract-lot-{lot}"),
        _document(
            process,
            "pricing",
            "contractSchedule",
            "Schedule 2: pricing schedule (hourly rates and annual review)",
            date,
            file=f"pricing-schedule-lot-{lot}",
            pageStart="1",
            pageEnd="4",
        ),
        *_method_statement(process, contract),
    ]


def _agreed_metrics(contract: LotContract) -> list[dict[str, Any]]:
    pay_note = "At least the Real Living Wage, uprated each April; travel and waiting time are paid."
    return [
        _price_metric(contract, "2024-25", "pph-2024-25"),
        _pay_metric(contract.worker_pay[0], "wp-2024-25", "2024-25", pay_note),
        *(_target_metric(target) for target in TARGETS),
    ]


def _contract(process: Process, contract: LotContract) -> dict[str, Any]:
    return {
        "id": _contract_id(process, contract),
        "awardID": _award_id(process, contract),
        "title": f"{contract.lot_title}: contract with {contract.supplier.name}",
        "status": "active",
        "period": CONTRACT_PERIOD,
        "value": _money(contract.value()),
        "dateSigned": process.signed_date,
        "documents": _contract_documents(process, contract),
        "agreedMetrics": _agreed_metrics(contract),
        "hasOptions": True,
        "options": {"description": "One extension of up to 24 months.", "period": OPTION_PERIOD},
    }


def _contract_release(process: Process) -> dict[str, Any]:
    release = _release(process, f"{process.short_id}-contract", process.contract_date, "contract", "contract")
    release["awards"] = [_award(process, contract, detailed=False) for contract in process.contracts]
    release["contracts"] = [_contract(process, contract) for contract in process.contracts]
    return release


# --- Monthly implementation -----------------------------------------------------------------------------------------


def _review_milestone(process: Process, year: int, month: int) -> dict[str, Any]:
    """The quarter's contract review: scheduled during the quarter, met (with minutes) in its last month's report."""
    financial_year, quarter = _financial_year(year, month), _quarter(year, month)
    quarter_end = (month - 1) // 3 * 3 + 3
    due_year, due_month = _next_month(year, quarter_end)
    due = f"{due_year}-{due_month:02d}-10T00:00:00Z"
    milestone: dict[str, Any] = {
        "id": f"review-{financial_year}-q{quarter}",
        "title": "Quarterly contract review",
        "type": "reporting",
        "description": "Commissioners and the provider review the quarter's performance, survey and complaints.",
        "dueDate": due,
        "status": "scheduled",
    }
    if month == quarter_end:
        minutes = _document(
            process,
            f"review-{financial_year}-q{quarter}-minutes",
            "physicalProgressReport",
            f"Minutes of the quarterly contract review, quarter {quarter} of {financial_year}",
            due,
        )
        milestone |= {"status": "met", "dateMet": due, "documents": [minutes]}
    return milestone


def _milestone_reference(milestone: dict[str, Any]) -> dict[str, str]:
    return {"id": milestone["id"], "title": milestone["title"]}


def _target_actual(
    process: Process, contract: LotContract, target: Target, index: int, milestone: dict[str, Any]
) -> dict[str, Any]:
    year, month = _months()[index]
    measure = _percentage(process, contract, target, index)
    code = target.classify(measure)
    observation: dict[str, Any] = {
        "id": f"{target.code}-{year}-{month:02d}",
        "period": _month_period(year, month),
        "measure": measure,
        "unit": PERCENT,
        "measureClassification": {"id": code, "description": CLASSIFICATION_NAMES[code]},
        "relatedImplementationMilestone": _milestone_reference(milestone),
    }
    note = NOTES.get((process.short_id, contract.lot, target.code, year, month))
    if note:
        observation["notes"] = note
    return {
        "id": target.metric_id,
        "title": target.title,
        "description": f"{target.description} {target.bands()}",
        "observations": [observation],
    }


def _hours_actual(process: Process, contract: LotContract, index: int, milestone: dict[str, Any]) -> dict[str, Any]:
    year, month = _months()[index]
    return {
        "id": "sc-hours-delivered",
        "title": "Hours of care delivered",
        "description": "Hours of care delivered in the month, from the provider's electronic call monitoring.",
        "observations": [
            {
                "id": f"hd-{year}-{month:02d}",
                "period": _month_period(year, month),
                "measure": _hours(process, contract, index),
                "unit": HOUR,
                "relatedImplementationMilestone": _milestone_reference(milestone),
            }
        ],
    }


def _satisfaction_counts(process: Process, contract: LotContract, year: int, month: int) -> tuple[int, int]:
    yes_base, no_base = contract.satisfaction
    key = (process.short_id, contract.lot, _financial_year(year, month), _quarter(year, month))
    yes = yes_base + round(4 * _wobble(*key, "yes"))
    no = no_base + round(2 * _wobble(*key, "no"))
    # The people getting support feel a bad winter: more "no" answers in the quarter after it.
    if process.short_id == "hc-south" and (year, month) in {(2024, 12), (2025, 3)}:
        no += 4 if month == 12 else 7
    return yes, no


def _satisfaction(process: Process, contract: LotContract, year: int, month: int, milestone: dict) -> dict[str, Any]:
    yes, no = _satisfaction_counts(process, contract, year, month)
    financial_year, quarter = _financial_year(year, month), _quarter(year, month)
    observations = [
        {
            "id": f"sat-{financial_year}-q{quarter}-{answer}",
            "period": _quarter_period(year, month),
            "measure": count,
            "unit": COUNT,
            "dimensions": {"respondentType": "personGettingSupport", "answer": answer},
            "relatedImplementationMilestone": _milestone_reference(milestone),
        }
        for answer, count in (("yes", yes), ("no", no))
    ]
    return {
        "id": "sc-satisfaction",
        "title": "Are you happy with the support you get?",
        "description": (
            "Answers from the quarterly survey of people getting support. Only totals are published, never single "
            "answers, and a total under 5 would be withheld."
        ),
        "observations": observations,
    }


def _transaction(process: Process, contract: LotContract, index: int) -> dict[str, Any]:
    year, month = _months()[index]
    paid_year, paid_month = _next_month(year, month)
    amount = _hours(process, contract, index) * _price(contract, year, month)
    return {
        "id": f"pay-{year}-{month:02d}",
        "date": f"{paid_year}-{paid_month:02d}-10T00:00:00Z",
        "value": _money(amount),
        "payer": contract.buyer.reference(),
        "payee": contract.supplier.reference(),
    }


def _performance_failure(process: Process, contract: LotContract, index: int) -> dict[str, Any]:
    year, month = _months()[index]
    missed = _percentage(process, contract, MISSED_VISITS, index)
    on_time = _percentage(process, contract, PUNCTUALITY, index)
    planned_visits = _hours(process, contract, index) * 60 / AVERAGE_VISIT_MINUTES
    return {
        "id": f"pf-{year}-{month:02d}",
        "period": _month_period(year, month),
        "category": "Missed and late visits",
        "events": round(planned_visits * missed / 100),
        "requirement": f"{MISSED_VISITS.description} {PUNCTUALITY.description}",
        "description": (
            f"In January 2025, {missed}% of planned visits were missed and {on_time}% started on time. Most missed "
            "visits were in Brightwater and Saltmarsh during snow on 8 to 10 January, when many care workers were "
            "also off sick with flu. Some were time-critical medication visits."
        ),
        "decisionDate": "2025-02-13T00:00:00Z",
        "penaltyType": "contracted",
        "penaltyContracted": "A performance improvement notice; service credits only if missed visits exceed 4% "
        "for two months in a row.",
        "penaltyImposed": "A performance improvement notice with an action plan. No service credit applied.",
        "penaltyPaid": False,
        "suppliers": [contract.supplier.reference()],
        "documents": [
            _document(
                process,
                f"pf-{year}-{month:02d}-notice",
                "physicalProgressReport",
                "Performance improvement notice and action plan, January 2025",
                "2025-02-13T00:00:00Z",
            )
        ],
    }


def _has_failure(process: Process, contract: LotContract, year: int, month: int) -> bool:
    return (process.short_id, contract.lot, year, month) == ("hc-south", "1", 2025, 1)


def _implementation(process: Process, contract: LotContract, index: int) -> dict[str, Any]:
    year, month = _months()[index]
    milestone = _review_milestone(process, year, month)
    metrics = [_target_actual(process, contract, target, index, milestone) for target in TARGETS]
    metrics.append(_hours_actual(process, contract, index, milestone))
    if month == 4:
        financial_year = _financial_year(year, month)
        metrics.append(_price_metric(contract, financial_year, f"pph-{financial_year}"))
    if month == 3:
        financial_year = _financial_year(year, month)
        pay = contract.worker_pay[0] if financial_year == "2024-25" else contract.worker_pay[1]
        note = "Lowest hourly rate paid in the year; all working time, including travel, is paid."
        metrics.append(_pay_metric(pay, f"wp-{financial_year}", financial_year, note))
    if month % 3 == 0:
        metrics.append(_satisfaction(process, contract, year, month, milestone))
    implementation: dict[str, Any] = {
        "metrics": metrics,
        "milestones": [milestone],
        "transactions": [_transaction(process, contract, index)],
    }
    if _has_failure(process, contract, year, month):
        implementation["performanceFailures"] = [_performance_failure(process, contract, index)]
    return implementation


def _update_release(process: Process, index: int) -> dict[str, Any]:
    year, month = _months()[index]
    published_year, published_month = _next_month(year, month)
    date = f"{published_year}-{published_month:02d}-15T08:30:00Z"
    release_id = f"{process.short_id}-update-{year}-{month:02d}"
    release = _release(process, release_id, date, "implementationUpdate", "implementation")
    release["awards"] = [_award(process, contract, detailed=False) for contract in process.contracts]
    release["contracts"] = [
        {
            "id": _contract_id(process, contract),
            "awardID": _award_id(process, contract),
            "implementation": _implementation(process, contract, index),
        }
        for contract in process.contracts
    ]
    return release


# --- Public API -----------------------------------------------------------------------------------------------------


def _process_releases(process: Process) -> list[dict[str, Any]]:
    return [
        _tender_release(process),
        _award_release(process),
        _contract_release(process),
        *(_update_release(process, index) for index in range(MONTH_COUNT)),
    ]


def borsetdale_release_package() -> dict[str, Any]:
    """An OCDS 1.1 release package for the invented Borsetdale Council's three home care processes and the one of its
    neighbour, Wendmoor Council (so comparisons run across councils).

    Each process has a tender, an award, a contract and 24 monthly implementation updates (April 2024 to
    March 2026). The result is JSON-serialisable and identical on every call, and each call's is the caller's own to
    change: it is made once per process and read afresh from its JSON (a tenth of the time of making it again).
    """
    return orjson.loads(_package_json())


@cache
def _package_json() -> bytes:
    return orjson.dumps(
        {
            "uri": PACKAGE_URI,
            "version": "1.1",
            "publishedDate": PUBLISHED_DATE,
            "publisher": {"name": "opencare demo data (invented)"},
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "extensions": list(EXTENSIONS),
            "releases": [release for process in PROCESSES for release in _process_releases(process)],
        }
    )
