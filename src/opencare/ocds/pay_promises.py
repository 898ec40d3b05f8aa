"""What a contract promises about care workers' pay, and pay and price figures judged against every promise.

A pay figure is met only if it meets everything that applies to it: the agreed target, each named wage floor the
contract promises (in its pay and conditions terms, its agreed pay commitment or the provider's method statement)
and, for employed and agency workers, the legal minimum (the National Living Wage) for its period. A price per hour
below the Homecare Association's minimum price is noted as a benchmark, never judged.

The profile holds these promises as words (``contractTerms.socialStandards``, an agreed pay observation's ``notes``,
a method statement document's title), so a promise counts when it names a wage floor opencare holds rates for
(``reference_rates``). Words that name no floor promise nothing this module can check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.reference_rates import (
    HOMECARE_MINIMUM_PRICE,
    LONDON_LIVING_WAGE,
    NATIONAL_LIVING_WAGE,
    REAL_LIVING_WAGE,
    Rate,
    reference_rates,
)

#: Where a promise was made, as the end of a sentence: "..., which the contract terms promise."
CONTRACT_TERMS = "contract terms"
AGREED_PAY = "agreed pay"
METHOD_STATEMENT = "method statement"
SOURCES = {
    CONTRACT_TERMS: "which the contract terms promise",
    AGREED_PAY: "which the agreed pay promises",
    METHOD_STATEMENT: "which the provider's method statement promises",
}
ALL_WORKING_TIME = "allWorkingTime"
CONTACT_TIME = "contactTimeOnly"
BASES = {ALL_WORKING_TIME: "for all working time", CONTACT_TIME: "for contact time only", "": ""}
#: Kinds of shortfall: below the agreed target, below a promised wage floor, below the legal minimum.
TARGET, PROMISE, LEGAL_MINIMUM = "target", "promise", "legal minimum"
#: Workers the National Living Wage does not cover: the self-employed.
NOT_COVERED_BY_LAW = ("independent",)


@dataclass(frozen=True)
class WagePromise:
    """A named wage floor a contract promises, where it was promised and for which time."""

    series_id: str
    source: str
    basis: str = ""

    @property
    def floor_name(self) -> str:
        """The floor's name, as the reference rates give it."""
        return reference_rates().get(self.series_id).title

    @property
    def words(self) -> str:
        """The promise in words: "the Real Living Wage for all working time"."""
        return " ".join(part for part in (f"the {self.floor_name}", BASES.get(self.basis, "")) if part)


@dataclass(frozen=True)
class Shortfall:
    """One promise, or the law, a figure fell short of: what it was, the figure and the floor."""

    kind: str
    figure: Decimal
    floor: Decimal
    floor_name: str = ""
    year: str = ""
    source: str = ""

    @property
    def sentence(self) -> str:
        """The shortfall in plain English, for downloads and the engine's users (pages translate their own)."""
        figure, floor = _pounds(self.figure), _pounds(self.floor)
        if self.kind == TARGET:
            return f"{figure} is below the agreed target of {floor}."
        if self.kind == LEGAL_MINIMUM:
            return f"{figure} is below the {self.floor_name} for {self.year}, {floor}, the legal minimum."
        return f"{figure} is below the {self.floor_name} for {self.year}, {floor}, {SOURCES[self.source]}."


@dataclass(frozen=True)
class Benchmark:
    """A price below a benchmark for its year: said in words, never a verdict."""

    figure: Decimal
    benchmark: Decimal
    year: str
    title: str

    @property
    def sentence(self) -> str:
        """The benchmark in plain English."""
        return (
            f"{_pounds(self.figure)} is below the Homecare Association's minimum price for {self.year} of "
            f"{_pounds(self.benchmark)} — a benchmark, not a legal minimum."
        )


@dataclass(frozen=True)
class Contradiction:
    """A method statement that promises a different wage floor, or time paid, than the contract terms."""

    contract_title: str
    supplier_name: str
    method_statement: WagePromise
    terms: WagePromise

    @property
    def sentence(self) -> str:
        """The contradiction in plain English."""
        who = self.supplier_name or "The provider"
        return (
            f"{who}'s method statement promises {self.method_statement.words}, but the contract terms promise "
            f"{self.terms.words}."
        )


def named_floor(text: str, source: str) -> WagePromise | None:
    """The wage floor a promise names, with the time it covers; None when it names none opencare holds rates for."""
    words = " ".join(text.lower().split())
    if "london living wage" in words or ("real living wage" in words and "london" in words):
        series_id = LONDON_LIVING_WAGE
    elif "real living wage" in words or "living wage foundation" in words:
        series_id = REAL_LIVING_WAGE
    elif "national living wage" in words or "minimum wage" in words:
        series_id = NATIONAL_LIVING_WAGE
    else:
        return None
    if "contact time" in words:
        basis = CONTACT_TIME
    elif "all working time" in words or "travel" in words:
        basis = ALL_WORKING_TIME
    else:
        basis = ""
    return WagePromise(series_id, source, basis)


def contract_wage_promises(compiled: dict[str, Any], contract: dict[str, Any]) -> tuple[WagePromise, ...]:
    """The wage floors one contract promises: its lot's or the tender's terms, its agreed pay, its method statement."""
    promises = [
        named_floor(text, source)
        for text, source in (
            *((text, CONTRACT_TERMS) for text in _terms_texts(compiled, contract)),
            *((text, AGREED_PAY) for text in _agreed_pay_notes(compiled, contract)),
            *((text, METHOD_STATEMENT) for text in _method_statement_texts(contract)),
        )
    ]
    return tuple(dict.fromkeys(promise for promise in promises if promise is not None))


def pay_contradictions(compiled: dict[str, Any]) -> list[Contradiction]:
    """Each contract whose method statement names a different wage floor, or time paid, than its contract terms."""
    awards = {as_text(award.get("id")): award for award in as_objects(compiled.get("awards"))}
    found: list[Contradiction] = []
    for contract in as_objects(compiled.get("contracts")):
        promises = contract_wage_promises(compiled, contract)
        terms = [promise for promise in promises if promise.source == CONTRACT_TERMS]
        award = awards.get(as_text(contract.get("awardID")), {})
        supplier = ", ".join(as_text(s.get("name")) for s in as_objects(award.get("suppliers")) if s.get("name"))
        title = as_text(contract.get("title")) or as_text(award.get("title"))
        for stated in (promise for promise in promises if promise.source == METHOD_STATEMENT):
            # The same floor for the same time in any of the terms is no contradiction.
            if terms and not any((stated.series_id, stated.basis) == (t.series_id, t.basis) for t in terms):
                found.append(Contradiction(title, supplier, stated, terms[0]))
    return found


def pay_shortfalls(
    amount: Decimal | None,
    period_start: date | None,
    dimensions: dict[str, Any],
    promises: tuple[WagePromise, ...],
) -> tuple[tuple[Shortfall, ...], bool]:
    """The wage floors a pay figure fell short of, and whether any floor applied to it at all.

    Each promised floor applies; the National Living Wage applies too unless the workers are self-employed. The
    rate is the one in force on the period's first day; a figure with no period start is not judged."""
    if amount is None or period_start is None:
        return (), False
    # One judgement per floor, named by where it was first promised (terms, then agreed pay, then method
    # statement); the National Living Wage is named as the law wherever the law covers the workers.
    floors: dict[str, str] = {}
    for promise in promises:
        floors.setdefault(promise.series_id, promise.source)
    if as_text(dimensions.get("employmentType")) not in NOT_COVERED_BY_LAW:
        floors[NATIONAL_LIVING_WAGE] = ""
    rates = reference_rates()
    shortfalls: list[Shortfall] = []
    applied = False
    for series_id, source in floors.items():
        rate = rates.get(series_id).on(period_start)
        if rate is None:
            continue
        applied = True
        if amount < rate.amount:
            shortfalls.append(_shortfall(amount, rate, source))
    return tuple(shortfalls), applied


def price_benchmarks(amount: Decimal | None, period_start: date | None) -> tuple[Benchmark, ...]:
    """The Homecare Association's minimum price, where a price per hour is below it for its period's start."""
    if amount is None or period_start is None:
        return ()
    rate = reference_rates().get(HOMECARE_MINIMUM_PRICE).on(period_start)
    if rate is None or amount >= rate.amount:
        return ()
    return (Benchmark(amount, rate.amount, rate.year, rate.title),)


def _shortfall(amount: Decimal, rate: Rate, source: str) -> Shortfall:
    kind = PROMISE if source else LEGAL_MINIMUM
    return Shortfall(kind, amount, rate.amount, rate.title, rate.year, source)


def _terms_texts(compiled: dict[str, Any], contract: dict[str, Any]) -> list[str]:
    """The pay and conditions terms: the contract's lot's own where it has them, else the tender's."""
    tender = as_object(compiled.get("tender"))
    award = _award_of(compiled, contract)
    lots = set(award.get("relatedLots") or []) if isinstance(award.get("relatedLots"), list) else set()
    lot_terms = [
        as_text(as_object(lot.get("contractTerms")).get("socialStandards"))
        for lot in as_objects(tender.get("lots"))
        if lot.get("id") in lots
    ]
    texts = [text for text in lot_terms if text]
    return texts or [as_text(as_object(tender.get("contractTerms")).get("socialStandards"))]


def _award_of(compiled: dict[str, Any], contract: dict[str, Any]) -> dict[str, Any]:
    """The award a contract belongs to (empty when it names none that is published)."""
    awards = as_objects(compiled.get("awards"))
    return next((a for a in awards if as_text(a.get("id")) == as_text(contract.get("awardID"))), {})


def _agreed_pay_notes(compiled: dict[str, Any], contract: dict[str, Any]) -> list[str]:
    award = _award_of(compiled, contract)
    metrics = [*as_objects(award.get("agreedMetrics")), *as_objects(contract.get("agreedMetrics"))]
    return [
        as_text(observation.get("notes"))
        for metric in metrics
        if as_text(metric.get("id")) == "sc-worker-pay-per-hour"
        for observation in as_objects(metric.get("observations"))
    ]


def _method_statement_texts(contract: dict[str, Any]) -> list[str]:
    return [
        as_text(document.get("title"))
        for document in as_objects(contract.get("documents"))
        if as_text(document.get("documentType")) == "submissionDocuments"
    ]


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"
