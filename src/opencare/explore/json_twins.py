"""JSON twins of the public pages: the search, contract and comparison pages at their own address with
``?format=json`` give what the page shows as data, built from the same selector's answer (as Datasette does).

The page's content objects (dataclasses from the engine and the registry's page reads) become JSON generically, so
a twin shows whatever its page shows, and cannot fall out of step when the page learns something new.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise

from opencare.registry.models import CqcLocation, Process, Release
from opencare.registry.packages import site_url

#: Models whose every field is public (CQC's published ratings), given whole in a twin; any other becomes its name.
PUBLIC_MODELS = (CqcLocation,)
#: How deep a page's content is followed: deeper than any page's content, to stop a cycle.
MAX_DEPTH = 12


def wants_json(request: HttpRequest) -> bool:
    """Whether the address asks for the page's JSON twin."""
    return request.GET.get("format") == "json"


def json_answer(document: Any, *, status: int = 200) -> HttpResponse:
    """A JSON answer of the page's content."""
    body = orjson.dumps(as_data(document), option=orjson.OPT_NON_STR_KEYS)
    return HttpResponse(body, status=status, content_type="application/json")


def problem(message: str, *, status: int, errors: Mapping[str, Any] | None = None) -> HttpResponse:
    """A JSON answer saying what is wrong with the request (the twin of a page's error message)."""
    document: dict[str, Any] = {"detail": message}
    if errors:
        document["errors"] = {name: [str(error) for error in found] for name, found in errors.items()}
    return json_answer(document, status=status)


def process_summary(process: Process) -> dict[str, Any]:
    """A process as lists show it, with the addresses of its page, its twin and its OCDS record."""
    page = reverse("explore:contract", args=[process.ocid])
    return {
        "ocid": process.ocid,
        "title": process.title,
        "buyer": process.buyer_name,
        "suppliers": process.supplier_names,
        "status": process.status,
        "service_type": process.service_type,
        "signal": process.signal,
        "value": {"amount": process.value_amount, "currency": process.value_currency},
        "period": {"start": process.period_start, "end": process.period_end},
        "release_count": process.release_count,
        "last_release_date": process.last_release_date,
        "is_social_care": process.is_social_care,
        "is_invented": process.is_invented,
        "url": site_url(page),
        "json": site_url(f"{page}?format=json"),
        "record": site_url(f"/api/records/{process.ocid}"),
        # Only search results have it: the measures the words meant that the process has ("Matches measure: ...").
        **({"matched_measures": process.matched_measures} if hasattr(process, "matched_measures") else {}),
    }


def as_data(value: Any, depth: int = 0) -> Any:
    """The value as JSON-ready data: dataclasses and models as objects, decimals as numbers, dates as ISO text."""
    if depth > MAX_DEPTH:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Promise):  # a lazily translated label
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return as_data(value.value, depth + 1)
    if isinstance(value, Process):
        return as_data(process_summary(value), depth + 1)
    if isinstance(value, Release):
        release = {"id": value.release_id, "date": value.date, "tags": value.tags, "source": value.source.title}
        return as_data(release, depth + 1)
    if isinstance(value, PUBLIC_MODELS):
        return {field.attname: as_data(getattr(value, field.attname), depth + 1)
                for field in value._meta.concrete_fields}  # fmt: skip
    if isinstance(value, models.Model):
        # Only rows that are public in every field are given whole: another (an account, a feedback with its email)
        # that a page's content might one day hold must never leak through its twin.
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: as_data(getattr(value, field.name), depth + 1) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): as_data(item, depth + 1) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(as_data(item, depth + 1) for item in value)
    if isinstance(value, list | tuple):
        return [as_data(item, depth + 1) for item in value]
    return str(value)
