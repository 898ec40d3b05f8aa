"""The reference rates pay and price are judged against: the National Living Wage (the legal minimum), the Real
Living Wage (UK and London) and the Homecare Association's minimum price per hour, each by year with its source.

Shipped as versioned package data (``data/reference-rates.json``, described in ``data/README.md``), so every
judgement, benchmark and the data standard page read the same figures. A figure for a period is judged against the
rate in force on the period's first day: a period that spans an April change is judged against the older rate,
which never calls a figure below a rate that did not yet apply (docs/decisions/0021-judged-against-every-promise.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from opencare.ocds.profile import data_root

RATES_FILE = "reference-rates.json"
NATIONAL_LIVING_WAGE = "national-living-wage"
REAL_LIVING_WAGE = "real-living-wage"
LONDON_LIVING_WAGE = "london-living-wage"
HOMECARE_MINIMUM_PRICE = "homecare-association-minimum-price"
KINDS = ("legal-minimum", "voluntary-floor", "benchmark")


class ReferenceRatesError(ValueError):
    """The reference rates file is malformed: which series or rate and what is wrong."""


@dataclass(frozen=True)
class Rate:
    """One year's rate of a series, with where it comes from."""

    series_id: str
    title: str
    year: str
    applies_from: date
    amount: Decimal
    source: str
    url: str
    published: date


@dataclass(frozen=True)
class RateSeries:
    """One reference rate over the years, oldest first."""

    id: str
    title: str
    kind: str
    metric: str
    area: str
    about: str
    rates: tuple[Rate, ...]

    def on(self, day: date) -> Rate | None:
        """The rate in force on a day: the latest that applies from that day or before; None before the first.

        After the last rate held, the last one keeps applying: these rates have only ever risen, so a figure
        below it is below whatever applies."""
        found = None
        for rate in self.rates:
            if rate.applies_from <= day:
                found = rate
        return found


@dataclass(frozen=True)
class ReferenceRates:
    """Every series, with the file's version and licence."""

    title: str
    version: str
    date: str
    licence: dict[str, str]
    description: str
    series: tuple[RateSeries, ...]

    def get(self, series_id: str) -> RateSeries:
        """The series with this id; KeyError names it when there is none."""
        for series in self.series:
            if series.id == series_id:
                return series
        raise KeyError(series_id)

    def benchmarks(self, metric_id: str) -> tuple[dict[str, Any], ...]:
        """The latest rate of each series about a metric, in the metric catalogue's benchmark shape."""
        return tuple(
            {
                "title": series.title,
                "value": latest.amount,
                "unit_note": "£ per hour",
                "period": latest.year,
                "source": latest.source,
                "url": latest.url,
            }
            for series in self.series
            if series.metric == metric_id and (latest := series.rates[-1])
        )


def read_rates_text() -> str:
    """The rates file's text, for downloads byte for byte."""
    return data_root().joinpath(RATES_FILE).read_text(encoding="utf-8")


@cache
def reference_rates() -> ReferenceRates:
    """The reference rates, read and checked once per process."""
    return parse_rates(json.loads(read_rates_text()))


def parse_rates(data: dict[str, Any]) -> ReferenceRates:
    """Check and load reference rate data; raises ReferenceRatesError naming the series or rate at fault."""
    series = tuple(_series(raw) for raw in data.get("series", []))
    ids = [item.id for item in series]
    if len(set(ids)) != len(ids):
        raise ReferenceRatesError("a series id is used twice.")
    return ReferenceRates(
        title=data["title"],
        version=data["version"],
        date=data["date"],
        licence=data["licence"],
        description=data["description"],
        series=series,
    )


def _series(raw: dict[str, Any]) -> RateSeries:
    series_id = str(raw.get("id", "?"))
    if raw.get("kind") not in KINDS:
        raise ReferenceRatesError(f"series {series_id}: kind must be one of {', '.join(KINDS)}.")
    try:
        rates = tuple(
            Rate(
                series_id=series_id,
                title=raw["title"],
                year=item["year"],
                applies_from=date.fromisoformat(item["applies_from"]),
                amount=Decimal(item["amount"]),
                source=item["source"],
                url=item["url"],
                published=date.fromisoformat(item["published"]),
            )
            for item in raw["rates"]
        )
        built = RateSeries(series_id, raw["title"], raw["kind"], raw["metric"], raw["area"], raw["about"], rates)
    except KeyError as error:
        raise ReferenceRatesError(f"series {series_id}: the field {error.args[0]!r} is missing.") from error
    except (ValueError, ArithmeticError) as error:
        raise ReferenceRatesError(f"series {series_id}: a date or amount cannot be read ({error}).") from error
    if not rates:
        raise ReferenceRatesError(f"series {series_id}: it has no rates.")
    if [rate.applies_from for rate in rates] != sorted({rate.applies_from for rate in rates}):
        raise ReferenceRatesError(f"series {series_id}: rates must be oldest first, one per date.")
    return built
