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

    In a language with a translation file (Welsh: "cy"), the words people read are in that language: each metric's
    title, question, description, why it matters, breakdowns' titles, who asked for it, its unit's name and its own
    benchmarks' titles and units, and the catalogue's description. Ids, codes, figures, sources and links stay as
    they are; so does anything the file does not translate, and everything in a language without a file. The
    reference rates' benchmarks keep their English names, which pages translate with the site's messages.
    """
    catalogue = parse_catalogue(json.loads(read_catalogue_text()))
    rates = reference_rates()
    translation = _translation(language)
    metrics = {
        metric_id: replace(
            _in_language(metric, translation.get("metrics", {}).get(metric_id, {}), translation),
            benchmarks=rates.benchmarks(metric_id)
            + _benchmarks_in_language(metric, translation.get("metrics", {}).get(metric_id, {})),
        )
        for metric_id, metric in catalogue.metrics.items()
    }
    return replace(catalogue, metrics=metrics, description=translation.get("description", catalogue.description))


def _translation(language: str) -> dict[str, Any]:
    """A language's translation file, or nothing for English or a language without one."""
    name = TRANSLATION_FILES.get(language)
    if name is None:
        return {}
    return json.loads(data_root().joinpath(name).read_text(encoding="utf-8"))


def _in_language(metric: Metric, words: dict[str, Any], translation: dict[str, Any]) -> Metric:
    """One metric with the words its translation gives (and the translation's shared words for who asked for it
    and the unit's name)."""
    dimensions = words.get("dimensions", {})
    asked_for_by = translation.get("asked_for_by", {})
    units = translation.get("units", {})
    return replace(
        metric,
        title=words.get("title", metric.title),
        question=words.get("question", metric.question),
        description=words.get("description", metric.description),
        why_it_matters=words.get("why_it_matters", metric.why_it_matters),
        dimensions=tuple(
            {**dimension, "title": dimensions.get(dimension["key"], dimension["title"])}
            for dimension in metric.dimensions
        ),
        asked_for_by=tuple(asked_for_by.get(who, who) for who in metric.asked_for_by),
        unit={**metric.unit, "name": units.get(metric.unit.get("name", ""), metric.unit.get("name", ""))},
    )


def _benchmarks_in_language(metric: Metric, words: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The catalogue's own benchmarks, with the titles and units the translation gives, in the catalogue's order."""
    translated = words.get("benchmarks", [])
    return tuple(
        {**benchmark, **(translated[index] if index < len(translated) else {})}
        for index, benchmark in enumerate(metric.benchmarks)
    )


def metric_title_in(title: str, language: str) -> str:
    """A catalogue metric's English title (as stored with a process's facts) in another language; any other title
    (a local measure's, as its publisher wrote it) unchanged."""
    metric_id = _ids_by_english_title().get(title)
    if metric_id is None:
        return title
    return metric_catalogue(language).metrics[metric_id].title


@cache
def _ids_by_english_title() -> dict[str, str]:
    return {metric.title: metric_id for metric_id, metric in metric_catalogue().metrics.items()}


def metric_words(language: str) -> dict[str, dict[str, str]]:
    """Each metric's title and question in a language, by metric id (empty for English or an unknown language)."""
    return {metric_id: {"title": words["title"], "question": words["question"]} for metric_id, words in
            _translation(language).get("metrics", {}).items()}  # fmt: skip


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
