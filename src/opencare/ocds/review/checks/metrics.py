"""Are targets and actuals usable and comparable? The Metrics extension's rules and the social-care catalogue's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opencare.ocds.metric_catalogue import Catalogue
from opencare.ocds.review.checks import Emit, identifier, obj, objects

#: UN/CEFACT Recommendation 20 codes that care metrics use (a curated subset of the ~2,000 codes; others are
#: reported as unknown, a warning, so a typing mistake such as "HRS" does not pass unnoticed).
KNOWN_UNIT_CODES = frozenset(
    {
        "P1",
        "C62",
        "HUR",
        "MIN",
        "SEC",
        "DAY",
        "WEE",
        "MON",
        "ANN",
        "QAN",
        "E49",
        "IE",
        "NAR",
        "LS",
        "KMT",
        "SMI",
        "MTR",
        "KGM",
        "LTR",
        "H87",
        "XPP",
        "E48",
        "B19",
        "D62",
        "ZZ",
        "2N",
        "A3",
    }
)
UK_CLASSIFICATIONS = frozenset({"met", "slightlyBelow", "below", "significantlyBelow", "other"})
SMALL_COUNT = 5


def metric_lists(release: dict[str, Any]) -> Iterator[tuple[str, str, list[dict[str, Any]], bool]]:
    """Every non-empty list of metrics in a release: (path, pointer, metrics, whether they are actuals)."""
    if forecasts := obj(release.get("planning")).get("forecasts"):
        yield "planning/forecasts", "/planning/forecasts", objects(forecasts), False
    if targets := obj(release.get("tender")).get("targets"):
        yield "tender/targets", "/tender/targets", objects(targets), False
    for i, award in enumerate(objects(release.get("awards"))):
        if agreed := award.get("agreedMetrics"):
            yield "awards/agreedMetrics", f"/awards/{i}/agreedMetrics", objects(agreed), False
    for i, contract in enumerate(objects(release.get("contracts"))):
        if agreed := contract.get("agreedMetrics"):
            yield "contracts/agreedMetrics", f"/contracts/{i}/agreedMetrics", objects(agreed), False
        if actuals := obj(contract.get("implementation")).get("metrics"):
            yield "contracts/implementation/metrics", f"/contracts/{i}/implementation/metrics", objects(actuals), True


def check_metrics(release: dict[str, Any], emit: Emit, catalogue: Catalogue) -> dict[str, set[tuple[bool, str]]]:
    """Check every metric; return the units seen per metric id as (is_actual, unit id), for cross-release checks."""
    units: dict[str, set[tuple[bool, str]]] = {}
    for path, pointer, metrics, actual in metric_lists(release):
        for i, metric in enumerate(metrics):
            metric_id = metric.get("id")
            known = catalogue.get(metric_id) if isinstance(metric_id, str) else None
            if isinstance(metric_id, str) and known is None:
                emit(
                    "metrics.local-metric", "info", f"{path}/id", f"{pointer}/{i}/id", metric_id, {"metric": metric_id}
                )
            for j, observation in enumerate(objects(metric.get("observations"))):
                where = (f"{path}/observations", pointer, i, j)
                unit = _check_observation(observation, where, actual, emit, metric_id, known)
                if unit and isinstance(metric_id, str):
                    units.setdefault(metric_id, set()).add((actual, unit))
    return units


def _check_observation(
    observation: dict[str, Any], where: tuple[str, str, int, int], actual: bool, emit: Emit, metric_id: Any,
    known: Any,
) -> str | None:  # fmt: skip
    path, base, metric_index, observation_index = where

    def pointer(rest: str = "") -> str:  # made only for a finding: most observations have none
        return f"{base}/{metric_index}/observations/{observation_index}{rest}"

    has_value, has_measure = "value" in observation, "measure" in observation
    if has_value and has_measure:
        emit("metrics.value-and-measure", "warning", path, pointer(), None, {})
    elif not has_value and not has_measure and not obj(observation.get("measureClassification")):
        # A rating alone says something: a contract performance notice (UK9) rates each KPI without a figure.
        emit("metrics.no-value-or-measure", "warning", path, pointer(), None, {})
    if actual and not obj(observation.get("period")):
        emit("metrics.actual-without-period", "warning", f"{path}/period", pointer("/period"), None, {})
    unit = obj(observation.get("unit"))
    unit_id = unit.get("id") if isinstance(unit.get("id"), str) else None
    if unit:
        if unit.get("scheme") != "UNCEFACT":
            emit(
                "metrics.unit-scheme",
                "warning",
                f"{path}/unit/scheme",
                pointer("/unit/scheme"),
                unit.get("scheme"),
                {},
            )
        elif unit_id is not None and unit_id not in KNOWN_UNIT_CODES:
            emit(
                "metrics.unknown-unit-code",
                "warning",
                f"{path}/unit/id",
                pointer("/unit/id"),
                unit_id,
                {"value": unit_id},
            )
    classification = identifier(obj(observation.get("measureClassification")).get("id"))
    if classification is not None and classification not in UK_CLASSIFICATIONS:
        emit(
            "metrics.measure-classification",
            "warning",
            f"{path}/measureClassification/id",
            pointer("/measureClassification/id"),
            classification,
            {"value": classification},
        )
    measure = observation.get("measure")
    if (
        known is not None
        and known.aggregate_only
        and isinstance(measure, int | float)
        and not isinstance(measure, bool)
        and 0 < measure < SMALL_COUNT
    ):
        emit(
            "metrics.small-survey-count",
            "warning",
            f"{path}/measure",
            pointer("/measure"),
            measure,
            {"metric": metric_id},
        )
    return unit_id


def unit_mismatches(units: dict[str, set[tuple[bool, str]]]) -> Iterator[tuple[str, list[str]]]:
    """Metrics whose targets and actuals use different units: (metric id, the units)."""
    for metric_id, seen in units.items():
        target_units = {unit for actual, unit in seen if not actual}
        actual_units = {unit for actual, unit in seen if actual}
        if target_units and actual_units and target_units != actual_units:
            yield metric_id, sorted(target_units | actual_units)
