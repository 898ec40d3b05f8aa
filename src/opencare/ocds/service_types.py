"""Which kind of social-care service a contracting process buys: one plain-English type for search and comparison.

A process gets the first type whose words appear in its title or its lots' titles, else the type its CPV codes
imply. Descriptions are not used: long notices mention other services in passing ("carers", "day care"), which
made substance-use and housing notices look like home care on the real data. CPV codes are used only where they
name the service: 85312400 (welfare services not delivered through residential institutions) is used for
everything from home care to drug and alcohol services, so it implies no type. The order puts the most specific
services first, so "Home care and reablement" is home care and "Respite for carers" is carers' support.
Processes that are social care by the registry's rule but match no type are "other social care"; everything
else is "not social care".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.social_care import cpv_codes


@dataclass(frozen=True)
class ServiceType:
    """One kind of service: its stable code (used in addresses and data) and its plain-English name."""

    code: str
    name: str
    words: tuple[str, ...]
    cpv_prefixes: tuple[str, ...] = ()


SERVICE_TYPES = (
    ServiceType("home-care", "Home care", ("homecare", "home care", "home-care", "domiciliary", "care at home",
                                           "gofal cartref")),
    ServiceType("reablement", "Reablement", ("reablement", "re-ablement", "intermediate care")),
    ServiceType("supported-living", "Supported living", ("supported living", "supported housing", "extra care",
                                                         "shared lives", "floating support")),
    ServiceType("day-opportunities", "Day opportunities", ("day opportunit", "day service", "day centre", "day care"),
                ("85312100",)),
    ServiceType("residential", "Residential and nursing care", ("care home", "residential care", "nursing care",
                                                                "nursing home", "residential placement"),
                ("85311100", "85311200", "85311300", "85144100")),
    ServiceType("carers-support", "Support for carers", ("carers", "respite", "short break", "sitting service")),
)  # fmt: skip
OTHER = ServiceType("other-social-care", "Other social care", ())
NOT_SOCIAL_CARE = ServiceType("not-social-care", "Not social care", ())
#: The CPV code (and its description) a new process of each type is classified with when it is published.
CPV_FOR_SERVICE = {
    "home-care": ("85312400", "Welfare services not delivered through residential institutions"),
    "reablement": ("85312400", "Welfare services not delivered through residential institutions"),
    "supported-living": ("85311000", "Social work services with accommodation"),
    "day-opportunities": ("85312100", "Daycare services"),
    "residential": ("85311100", "Welfare services for the elderly"),
    "carers-support": ("85312400", "Welfare services not delivered through residential institutions"),
}
#: Every type a process can have, by code, in the order pages list them.
BY_CODE = {service.code: service for service in (*SERVICE_TYPES, OTHER, NOT_SOCIAL_CARE)}

_PATTERNS = [
    (service, re.compile(r"\b(?:" + "|".join(re.escape(word) for word in service.words) + r")", re.IGNORECASE))
    for service in SERVICE_TYPES
]


def service_type(release: dict[str, Any], *, social_care: bool) -> ServiceType:
    """The service a (compiled) release buys, by the rule in this module's docstring."""
    if not social_care:
        return NOT_SOCIAL_CARE
    tender = as_object(release.get("tender"))
    titles = [as_text(release.get("title")), as_text(tender.get("title"))]
    titles += [as_text(lot.get("title")) for lot in as_objects(tender.get("lots"))]
    text = " ".join(titles)
    for service, pattern in _PATTERNS:
        if pattern.search(text):
            return service
    codes = cpv_codes(release)
    for service in SERVICE_TYPES:
        if service.cpv_prefixes and any(code.startswith(service.cpv_prefixes) for code in codes):
            return service
    return OTHER
