"""The data standard page and its downloads. Everything comes from the vendored profile, never the network."""

from __future__ import annotations

import csv
import io
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from opencare.ocds.metric_catalogue import catalogue_csv, metric_catalogue, read_catalogue_text
from opencare.ocds.profile import social_care_profile
from opencare.ocds.profile.fields import fields_csv, schema_definitions
from opencare.ocds.reference_rates import read_rates_text, reference_rates

SCHEMAS = {
    "release-schema.json": "release_schema",
    "release-package-schema.json": "release_package_schema",
    "record-package-schema.json": "record_package_schema",
}


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every metric and every profile field, with the extensions that make the profile and the reference rates."""
    profile = social_care_profile()
    context = {
        "profile": profile,
        "catalogue": metric_catalogue(get_language()),
        "reference_rates": reference_rates(),
        "definitions": schema_definitions(profile),
        "schemas": list(SCHEMAS),
    }
    return render(request, "standard/index.html", context)


@require_safe
def schema_download(request: HttpRequest, name: str) -> HttpResponse:
    """One of the extended schemas, self-contained (every $ref is inside the file)."""
    if name not in SCHEMAS:
        raise Http404("There is no schema by that name.")
    schema = getattr(social_care_profile(), SCHEMAS[name])
    return _download(json.dumps(schema, indent=2, ensure_ascii=False), "application/json", name)


@require_safe
def codelist_download(request: HttpRequest, name: str) -> HttpResponse:
    """One merged codelist as CSV."""
    codelist = social_care_profile().codelists.get(name)
    if codelist is None:
        raise Http404("There is no codelist by that name.")
    columns = list(dict.fromkeys(column for row in codelist.rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(codelist.rows)
    return _download(out.getvalue(), "text/csv; charset=utf-8", name)


@require_safe
def fields_download(request: HttpRequest) -> HttpResponse:
    """Every field of the profile as CSV."""
    return _download(fields_csv(schema_definitions(social_care_profile())), "text/csv; charset=utf-8", "fields.csv")


@require_safe
def catalogue_json(request: HttpRequest) -> HttpResponse:
    """The metric catalogue as published (JSON)."""
    return _download(read_catalogue_text(), "application/json", "metric-catalogue.json")


@require_safe
def reference_rates_json(request: HttpRequest) -> HttpResponse:
    """The reference rates pay and price are judged against, as shipped (JSON)."""
    return _download(read_rates_text(), "application/json", "reference-rates.json")


@require_safe
def catalogue_csv_download(request: HttpRequest) -> HttpResponse:
    """The metric catalogue as CSV."""
    return _download(catalogue_csv(metric_catalogue()), "text/csv; charset=utf-8", "metric-catalogue.csv")


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
