import csv
import io
import json

import pytest

from opencare.ocds.metric_catalogue import (
    ATTACH_POINTS,
    CatalogueError,
    catalogue_csv,
    metric_catalogue,
    parse_catalogue,
    read_catalogue_text,
)

UNCEFACT_CODES_USED = {"HUR", "P1", "C62", "MIN"}


def test_catalogue_has_the_metrics_people_asked_for():
    metrics = metric_catalogue().metrics
    for metric_id in (
        "sc-price-per-hour",
        "sc-worker-pay-per-hour",
        "sc-missed-visits",
        "sc-punctuality",
        "sc-continuity-of-carer",
        "sc-outcomes-achieved",
        "sc-satisfaction",
        "sc-staff-turnover",
    ):
        assert metric_id in metrics


def test_every_metric_is_complete_and_consistent():
    metrics = metric_catalogue().metrics.values()
    assert metrics
    for metric in metrics:
        assert metric.title, metric.id
        assert metric.question, metric.id
        assert metric.why_it_matters, metric.id
        assert metric.asked_for_by, metric.id
        assert metric.unit["scheme"] == "UNCEFACT", metric.id
        assert metric.unit["id"] in UNCEFACT_CODES_USED, metric.id
        assert set(metric.attaches_to) <= set(ATTACH_POINTS), metric.id
        assert metric.better in {"higher", "lower", "neither"}, metric.id
        assert all(d["key"][0].islower() and " " not in d["key"] for d in metric.dimensions), metric.id


def test_survey_metrics_are_aggregate_only():
    assert metric_catalogue().metrics["sc-satisfaction"].aggregate_only


def test_csv_download_has_one_row_per_metric():
    rows = list(csv.DictReader(io.StringIO(catalogue_csv(metric_catalogue()))))
    assert [row["id"] for row in rows] == list(metric_catalogue().metrics)
    assert rows[0]["unit_id"]


def _catalogue_with(metric_changes: dict) -> dict:
    data = json.loads(read_catalogue_text())
    data["metrics"] = [{**data["metrics"][0], **metric_changes}]
    return data


def test_value_metric_without_currency_is_rejected():
    with pytest.raises(CatalogueError, match="sc-price-per-hour: a 'value' metric needs a currency"):
        parse_catalogue(_catalogue_with({"currency": None}))


def test_unknown_attach_point_is_rejected():
    with pytest.raises(CatalogueError, match="unknown attach points"):
        parse_catalogue(_catalogue_with({"attaches_to": ["tender/somewhere"]}))


def test_unknown_key_is_rejected():
    with pytest.raises(CatalogueError, match="sc-price-per-hour"):
        parse_catalogue(_catalogue_with({"colour": "red"}))


def test_duplicate_id_is_rejected():
    data = json.loads(read_catalogue_text())
    data["metrics"] = [data["metrics"][0], data["metrics"][0]]
    with pytest.raises(CatalogueError, match="used twice"):
        parse_catalogue(data)
