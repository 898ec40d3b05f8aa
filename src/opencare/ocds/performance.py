"""How a contract is going: each metric's target beside its actuals over time, interim reviews and failures.

Read from a compiled release, per contract (a process with lots has one contract per lot, often with a different
buyer or provider). A metric's target is what the contract (else the award, else the tender) commits to; its
actuals are ``contracts[].implementation.metrics``. Each actual keeps the publisher's met/below classification
(the UK extension's ``measureClassification``); when there is none but the target and the catalogue's "better"
direction are known, opencare works it out and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from opencare.ocds.json_values import as_date, as_decimal, as_object, as_objects, as_text
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.pay_promises import (
    TARGET,
    Benchmark,
    Shortfall,
    WagePromise,
    contract_wage_promises,
    pay_shortfalls,
    price_benchmarks,
)

#: The UK extension's measureClassification codes, in plain English. Only "met" counts as meeting the target.
CLASSIFICATIONS = {
    "met": "Met",
    "slightlyBelow": "Slightly below",
    "below": "Below",
    "significantlyBelow": "Significantly below",
}
PRICE_PER_HOUR = "sc-price-per-hour"
WORKER_PAY = "sc-worker-pay-per-hour"


@dataclass(frozen=True)
class Reading:
    """One observation: a target, a commitment or an actual for a period."""

    period_start: date | None
    period_end: date | None
    amount: Decimal | None
    classification: str = ""
    classified_by: str = ""  # "publisher", "opencare" or "" when not classified
    dimensions: str = ""
    notes: str = ""
    dimension_items: tuple[tuple[str, str], ...] = ()
    #: Each promise (or the law) the figure fell short of, in the order target, promised floors, legal minimum.
    shortfalls: tuple[Shortfall, ...] = ()
    #: Benchmarks a price is below: said in words, never a verdict.
    benchmarks: tuple[Benchmark, ...] = ()

    @property
    def is_met(self) -> bool:
        """Whether this actual met its target."""
        return self.classification == "met"

    @property
    def classification_name(self) -> str:
        """The classification in plain English ("" when there is none)."""
        return CLASSIFICATIONS.get(self.classification, self.classification)


@dataclass(frozen=True)
class MetricProgress:
    """One metric of one contract: what was committed and what happened."""

    contract_id: str
    contract_title: str
    buyer_name: str
    supplier_name: str
    metric_id: str
    title: str
    description: str
    in_catalogue: bool
    unit_id: str
    unit_name: str
    currency: str
    better: str
    target: Decimal | None
    committed: tuple[Reading, ...]
    actuals: tuple[Reading, ...]

    @property
    def series(self) -> tuple[Reading, ...]:
        """The actuals of the metric's main series (see main_series)."""
        return main_series(self.actuals)

    @property
    def latest(self) -> Reading | None:
        """The most recent actual of the main series (by the end of its period), or None."""
        dated = [reading for reading in self.series if reading.period_end is not None]
        return max(dated, key=_period_key) if dated else None

    @property
    def has_breakdown(self) -> bool:
        """Whether the actuals are split by dimensions (e.g. survey answers) with no single main series."""
        return bool(self.actuals) and not self.series

    @property
    def shows_breakdown(self) -> bool:
        """Whether any actual is for a breakdown (an answer, a kind of worker), so tables must say which."""
        return any(reading.dimensions for reading in self.actuals)

    @property
    def classified(self) -> tuple[Reading, ...]:
        """The actuals that say whether the target was met."""
        return tuple(reading for reading in self.actuals if reading.classification)

    @property
    def met_count(self) -> int:
        """How many periods met the target."""
        return sum(reading.is_met for reading in self.classified)

    @property
    def below_count(self) -> int:
        """How many periods fell below the target."""
        return len(self.classified) - self.met_count

    @property
    def judged_against_promises(self) -> bool:
        """Whether met means meeting every promised wage floor and the legal minimum, not only the target."""
        return self.metric_id == WORKER_PAY


@dataclass(frozen=True)
class Signal:
    """How it's going in one line: of the metrics with a target, how many met it in every period of the last year
    of figures (the year up to each metric's latest figure)."""

    measured: int = 0
    met: int = 0
    below_titles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def code(self) -> str:
        """``no-figures``, ``meeting`` or ``below``: for filters and tags."""
        if not self.measured:
            return "no-figures"
        return "meeting" if self.met == self.measured else "below"


#: The signal looks at this many days of figures, up to each metric's latest.
RECENT_DAYS = 365


def metric_progress(
    compiled: dict[str, Any], statutory: frozenset[tuple[str, str]] = frozenset(), language: str = "en"
) -> list[MetricProgress]:
    """Every co-designed metric of every contract in a compiled release, in the order published.

    ``statutory`` holds the (contract id, metric id) of the KPIs and ratings published on Procurement Act notices
    (procurement_act.statutory_metric_keys): they are left out, so an official rating never counts as a co-designed
    figure meeting (or missing) a co-designed target. They are shown as what they are (procurement_act).
    ``language`` is the catalogue titles' language (for pages); stored facts and downloads keep English."""
    catalogue = metric_catalogue(language)
    tender_targets = {as_text(m.get("id")): m for m in as_objects(as_object(compiled.get("tender")).get("targets"))}
    awards = {as_text(award.get("id")): award for award in as_objects(compiled.get("awards"))}
    default_buyer = as_text(as_object(compiled.get("buyer")).get("name"))
    progress: list[MetricProgress] = []
    for contract in as_objects(compiled.get("contracts")):
        award = awards.get(as_text(contract.get("awardID")), {})
        contract_id = as_text(contract.get("id"))
        agreed = {as_text(m.get("id")): m for m in as_objects(award.get("agreedMetrics"))}
        agreed |= {as_text(m.get("id")): m for m in as_objects(contract.get("agreedMetrics"))}
        actual_metrics = as_objects(as_object(contract.get("implementation")).get("metrics"))
        buyer = as_text(as_object(award.get("buyer")).get("name")) or default_buyer
        suppliers = ", ".join(as_text(s.get("name")) for s in as_objects(award.get("suppliers")) if s.get("name"))
        reported = _by_id(actual_metrics)
        if statutory:
            agreed = {key: m for key, m in agreed.items() if (contract_id, key) not in statutory}
            reported = {key: m for key, m in reported.items() if (contract_id, key) not in statutory}
        # Every target agreed is a promise in itself: shown once agreed, before any figure is reported against it.
        for metric_id in [*tender_targets, *agreed]:
            if metric_id and metric_id not in reported:
                reported[metric_id] = []
        for metric_id, actual in reported.items():
            committed_metric = agreed.get(metric_id) or tender_targets.get(metric_id) or {}
            entry = catalogue.get(metric_id)
            better = entry.better if entry else "neither"
            committed = tuple(_reading(o) for o in as_objects(committed_metric.get("observations")))
            target = _target(committed)
            # The reference rates are in pounds: figures in another currency are judged against their target only.
            judged_id = metric_id if _currency(actual, committed_metric) in ("GBP", "") else ""
            wage_promises = contract_wage_promises(compiled, contract) if judged_id == WORKER_PAY else ()
            committed = tuple(_judged(r, judged_id, None, wage_promises, actual=False) for r in committed)
            actuals = tuple(
                _judged(_classify(_reading(o), target, better), judged_id, target, wage_promises, actual=True)
                for o in _observations(actual)
                if o.get("period") is not None
            )
            unit = _unit(actual, committed_metric)
            progress.append(
                MetricProgress(
                    contract_id=contract_id,
                    contract_title=as_text(contract.get("title")) or as_text(award.get("title")),
                    buyer_name=buyer,
                    supplier_name=suppliers,
                    metric_id=metric_id,
                    title=entry.title
                    if entry
                    else (as_text((actual or [committed_metric])[0].get("title")) or metric_id),
                    description=as_text(committed_metric.get("description"))
                    or as_text((actual or [{}])[0].get("description")),
                    in_catalogue=entry is not None,
                    unit_id=as_text(unit.get("id")),
                    unit_name=as_text(unit.get("name")),
                    currency=_currency(actual, committed_metric),
                    better=better,
                    target=target,
                    committed=committed,
                    actuals=tuple(sorted(actuals, key=_period_key)),
                )
            )
    return progress


@dataclass(frozen=True)
class AgreedMetric:
    """A metric a contract commits to, with its target (None when only a figure to report was agreed)."""

    metric_id: str
    title: str
    unit: dict[str, Any]
    currency: str
    target: Decimal | None
    better: str


@dataclass(frozen=True)
class ContractOnRecord:
    """A contract of a compiled release, as publishing needs it: ids, provider and agreed metrics."""

    contract_id: str
    award_id: str
    title: str
    supplier_ids: tuple[str, ...]
    buyer_ids: tuple[str, ...]
    currency: str
    start: date | None
    agreed: tuple[AgreedMetric, ...]


def contracts_on_record(compiled: dict[str, Any]) -> list[ContractOnRecord]:
    """Every contract of a compiled release with its award's providers and its agreed metrics and targets."""
    catalogue = metric_catalogue()
    awards = {as_text(award.get("id")): award for award in as_objects(compiled.get("awards"))}
    tender_targets = {as_text(m.get("id")): m for m in as_objects(as_object(compiled.get("tender")).get("targets"))}
    process_buyer = as_text(as_object(compiled.get("buyer")).get("id"))
    contracts = []
    for contract in as_objects(compiled.get("contracts")):
        award = awards.get(as_text(contract.get("awardID")), {})
        agreed = dict(tender_targets)
        agreed |= {as_text(m.get("id")): m for m in as_objects(award.get("agreedMetrics"))}
        agreed |= {as_text(m.get("id")): m for m in as_objects(contract.get("agreedMetrics"))}
        metrics = []
        for metric_id, metric in agreed.items():
            entry = catalogue.get(metric_id)
            committed = tuple(_reading(o) for o in as_objects(metric.get("observations")))
            metrics.append(
                AgreedMetric(
                    metric_id=metric_id,
                    title=as_text(metric.get("title")) or (entry.title if entry else metric_id),
                    unit=_unit([], metric),
                    currency=_currency([], metric),
                    target=_target(committed),
                    better=entry.better if entry else "neither",
                )
            )
        value = as_object(contract.get("value")) or as_object(award.get("value"))
        period = as_object(contract.get("period")) or as_object(award.get("contractPeriod"))
        contracts.append(
            ContractOnRecord(
                contract_id=as_text(contract.get("id")),
                award_id=as_text(contract.get("awardID")),
                title=as_text(contract.get("title")) or as_text(award.get("title")) or as_text(contract.get("id")),
                supplier_ids=tuple(as_text(s.get("id")) for s in as_objects(award.get("suppliers"))),
                # A lot may have its own buyer (award buyer extension); otherwise the process's buyer bought it.
                buyer_ids=(as_text(as_object(award.get("buyer")).get("id") or process_buyer),),
                currency=as_text(value.get("currency")) or "GBP",
                start=as_date(period.get("startDate")),
                agreed=tuple(metrics),
            )
        )
    return contracts


def signal(progress: Iterable[MetricProgress]) -> Signal:
    """Of the metrics with a target, how many met it in every period of their last year of figures."""
    measured = met = 0
    below: list[str] = []
    for metric in progress:
        classified = [r for r in metric.series if r.classification and r.period_end is not None]
        if not classified:
            continue
        latest_end = max(reading.period_end for reading in classified)  # type: ignore[type-var]
        recent = [r for r in classified if (latest_end - r.period_end).days < RECENT_DAYS]  # type: ignore[operator]
        measured += 1
        if all(reading.is_met for reading in recent):
            met += 1
        elif metric.title not in below:
            below.append(metric.title)
    return Signal(measured=measured, met=met, below_titles=tuple(below))


def latest_amount(progress: Iterable[MetricProgress], metric_id: str) -> Decimal | None:
    """The average, across contracts, of a metric's latest actual (else its latest commitment); None if none."""
    amounts: list[Decimal] = []
    for metric in progress:
        if metric.metric_id != metric_id:
            continue
        readings = [r for r in (*main_series(metric.committed), *metric.series) if r.amount is not None]
        if readings:
            amounts.append(max(readings, key=_period_key).amount)  # type: ignore[arg-type]
    if not amounts:
        return None
    average = sum(amounts, Decimal(0)) / len(amounts)
    try:
        return average.quantize(Decimal("0.01"))
    except InvalidOperation:  # too many digits to round (no real price): as it is; the store leaves it out
        return average


def main_series(readings: Iterable[Reading]) -> tuple[Reading, ...]:
    """The readings that form one series: all of them when they share one breakdown (pay for employed workers, all
    working time), else those with no breakdown. Survey answers split yes/no have no main series."""
    readings = tuple(readings)
    breakdowns = {reading.dimensions for reading in readings}
    if len(breakdowns) == 1:
        return readings
    return tuple(reading for reading in readings if not reading.dimensions)


def _by_id(metrics: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Metrics grouped by id: a compiled release may hold the same id twice when publishers repeat it."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for metric in metrics:
        metric_id = as_text(metric.get("id"))
        if metric_id:
            grouped.setdefault(metric_id, []).append(metric)
    return grouped


def _observations(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [observation for metric in metrics for observation in as_objects(metric.get("observations"))]


def _unit(actual: list[dict[str, Any]], committed: dict[str, Any]) -> dict[str, Any]:
    for observation in [*_observations(actual), *as_objects(committed.get("observations"))]:
        unit = as_object(observation.get("unit"))
        if unit:
            return unit
    return {}


def _currency(actual: list[dict[str, Any]], committed: dict[str, Any]) -> str:
    for observation in [*_observations(actual), *as_objects(committed.get("observations"))]:
        currency = as_text(as_object(observation.get("value")).get("currency"))
        if currency:
            return currency
    return ""


def _reading(observation: dict[str, Any]) -> Reading:
    period = as_object(observation.get("period"))
    amount = as_decimal(observation.get("measure"))
    if amount is None:
        amount = as_decimal(as_object(observation.get("value")).get("amount"))
    dimensions = as_object(observation.get("dimensions"))
    return Reading(
        period_start=as_date(period.get("startDate")),
        period_end=as_date(period.get("endDate")),
        amount=amount,
        classification=as_text(as_object(observation.get("measureClassification")).get("id")),
        classified_by="publisher" if as_object(observation.get("measureClassification")) else "",
        dimensions=", ".join(f"{key}: {as_text(value) or value}" for key, value in sorted(dimensions.items())),
        notes=as_text(observation.get("notes")),
        dimension_items=tuple((key, as_text(value)) for key, value in sorted(dimensions.items())),
    )


def _target(committed: tuple[Reading, ...]) -> Decimal | None:
    """The committed figure: the latest commitment of the main series."""
    plain = [reading for reading in main_series(committed) if reading.amount is not None]
    return max(plain, key=_period_key).amount if plain else None


def _classify(reading: Reading, target: Decimal | None, better: str) -> Reading:
    if reading.classification or target is None or reading.amount is None:
        return reading
    if better == "higher":
        met = reading.amount >= target
    elif better == "lower":
        met = reading.amount <= target
    else:
        return reading
    return replace(reading, classification="met" if met else "below", classified_by="opencare")


def _judged(
    reading: Reading, metric_id: str, target: Decimal | None, promises: tuple[WagePromise, ...], *, actual: bool
) -> Reading:
    """A pay figure judged against every promise and the law; a price with the benchmarks it is below.

    An actual's pay is met only if it meets the agreed target, every wage floor promised and the legal minimum: a
    publisher's "met" below any of them becomes "below", worked out by opencare, and the shortfalls say which. An
    agreed figure (``actual`` false) gets its shortfalls but no verdict. Other metrics are as classified."""
    if metric_id == PRICE_PER_HOUR:
        return replace(reading, benchmarks=price_benchmarks(reading.amount, reading.period_start))
    if metric_id != WORKER_PAY or reading.amount is None:
        return reading
    floors, applied = pay_shortfalls(reading.amount, reading.period_start, dict(reading.dimension_items), promises)
    missed = (Shortfall(TARGET, reading.amount, target),) if target is not None and reading.amount < target else ()
    if not actual:
        return replace(reading, shortfalls=floors)
    classification, classified_by = reading.classification, reading.classified_by
    if floors and classification in ("", "met"):
        classification, classified_by = "below", "opencare"
    elif applied and not classification:
        classification, classified_by = "met", "opencare"
    return replace(reading, classification=classification, classified_by=classified_by, shortfalls=missed + floors)


def _period_key(reading: Reading) -> tuple[date, date]:
    return (reading.period_end or date.min, reading.period_start or date.min)
