"""The social-care metric catalogue: our own codelist of performance metrics, shipped as package data.

A metric's benchmarks are the catalogue's own plus the latest reference rates about it (the National Living Wage,
the Real Living Wage, the Homecare Association's minimum price: ``reference_rates``), so a rate has one source."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from opencare.ocds.profile import data_root
from opencare.ocds.reference_rates import reference_rates

CATALOGUE_FILE = "metric-catalogue.json"
#: Each metric's title and question in another language, by language code (English is the catalogue itself).
TRANSLATION_FILES = {"cy": "metric-catalogue.cy.json"}
ATTACH_POINTS = (
    "planning/forecasts",
    "tender/targets",
    "awards/agreedMetrics",
    "contracts/agreedMetrics",
    "contracts/implementation/metrics",
)
CSV_COLUMNS = (
    "id", "title", "question", "description", "why_it_matters", "asked_for_by", "kind", "unit_id", "unit_name",
    "currency", "better", "dimensions", "attaches_to", "aggregate_only", "benchmarks", "provenance", "status",
)  # fmt: skip


class CatalogueError(ValueError):
    """The catalogue file is malformed: which metric and what is wrong."""


@dataclass(frozen=True)
class Metric:
    """One metric of the catalogue, as the JSON file has it."""

    id: str
    title: str
    question: str
    description: str
    why_it_matters: str
    asked_for_by: tuple[str, ...]
    provenance: tuple[dict[str, Any], ...]
    kind: str
    unit: dict[str, str]
    currency: str | None
    better: str
    dimensions: tuple[dict[str, Any], ...]
    attaches_to: tuple[str, ...]
    aggregate_only: bool
    benchmarks: tuple[dict[str, Any], ...]
    status: str


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue: its metadata and its metrics by id."""

    title: str
    version: str
    date: str
    licence: dict[str, str]
    description: str
    provenance_codes: dict[str, str]
    metrics: dict[str, Metric]

    def get(self, metric_id: str) -> Metric | None:
        """The metric with this id, or None for a local metric that is not in the catalogue."""
        return self.metrics.get(metric_id)


def read_catalogue_text() -> str:
    """The catalogue file's text, for downloads byte for byte."""
    return data_root().joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")


@cache
def metric_catalogue(language: str = "en") -> Catalogue:
    """The catalogue, read and checked once per process and language, with the reference rates as benchmarks.

    In a language with a translation file (Welsh: "cy"), each metric's title and question are in that language; every
    other field, and any language without a file, stays as the catalogue has it.
    """
    catalogue = parse_catalogue(json.loads(read_catalogue_text()))
    rates = reference_rates()
    words = metric_words(language)
    metrics = {
        metric_id: replace(
            metric,
            benchmarks=rates.benchmarks(metric_id) + metric.benchmarks,
            title=words.get(metric_id, {}).get("title", metric.title),
            question=words.get(metric_id, {}).get("question", metric.question),
        )
        for metric_id, metric in catalogue.metrics.items()
    }
    return replace(catalogue, metrics=metrics)


def metric_words(language: str) -> dict[str, dict[str, str]]:
    """Each metric's title and question in a language, by metric id (empty for English or an unknown language)."""
    name = TRANSLATION_FILES.get(language)
    if name is None:
        return {}
    data = json.loads(data_root().joinpath(name).read_text(encoding="utf-8"))
    return {metric_id: {"title": words["title"], "question": words["question"]} for metric_id, words in
            data["metrics"].items()}  # fmt: skip


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Check and load catalogue data; raises CatalogueError naming the metric at fault."""
    metrics: dict[str, Metric] = {}
    for raw in data.get("metrics", []):
        metric = parse_metric(raw)
        if metric.id in metrics:
            raise CatalogueError(f"metric {metric.id}: the id is used twice.")
        metrics[metric.id] = metric
    return Catalogue(
        title=data["title"],
        version=data["version"],
        date=data["date"],
        licence=data["licence"],
        description=data["description"],
        provenance_codes=data["provenance_codes"],
        metrics=metrics,
    )


def parse_metric(raw: dict[str, Any]) -> Metric:
    """One metric of the catalogue, checked; raises CatalogueError naming it and what is wrong."""
    metric_id = raw.get("id", "?")
    # Values as the JSON has them (checked below); a field missing or unknown is the TypeError caught here.
    fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    try:
        metric = Metric(**fields)
    except TypeError as error:
        raise CatalogueError(f"metric {metric_id}: {error}") from error
    if metric.kind not in ("value", "measure"):
        raise CatalogueError(f"metric {metric_id}: kind must be 'value' or 'measure', not {metric.kind!r}.")
    if (metric.kind == "value") != bool(metric.currency):
        raise CatalogueError(f"metric {metric_id}: a 'value' metric needs a currency, and only it.")
    if metric.better not in ("higher", "lower", "neither"):
        raise CatalogueError(f"metric {metric_id}: better must be higher, lower or neither.")
    unknown = set(metric.attaches_to) - set(ATTACH_POINTS)
    if unknown:
        raise CatalogueError(f"metric {metric_id}: unknown attach points {sorted(unknown)}.")
    return metric


def catalogue_csv(catalogue: Catalogue) -> str:
    """The catalogue as CSV, one row per metric, lists joined with '; ', for people who work in spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for metric in catalogue.metrics.values():
        writer.writerow(
            [
                metric.id, metric.title, metric.question, metric.description, metric.why_it_matters,
                "; ".join(metric.asked_for_by), metric.kind, metric.unit["id"], metric.unit["name"],
                metric.currency or "", metric.better, "; ".join(_dimension_text(d) for d in metric.dimensions),
                "; ".join(metric.attaches_to), "yes" if metric.aggregate_only else "no",
                "; ".join(f"{b['title']}: {b['value']} {b['unit_note']} ({b['period'] or 'no year'})"
                          for b in metric.benchmarks),
                "; ".join(p["source"] for p in metric.provenance), metric.status,
            ]
        )  # fmt: skip
    return out.getvalue()


def _dimension_text(dimension: dict[str, Any]) -> str:
    values = dimension.get("values")
    return f"{dimension['key']} ({', '.join(values)})" if values else dimension["key"]
