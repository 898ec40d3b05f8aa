"""Which contracting processes are social care: by CPV code, or by words in the notice when the code is too broad.

The rule (docs/social-care-rule.md explains it with the real data it was tested on):

1. **CPV**: any classification (tender, items, lots' items, additional classifications) in the 853 tree ("Social
   work and related services": 85300000 and below, e.g. 85312400 welfare services not delivered through residential
   institutions, the usual homecare code) or one of the related codes in ``RELATED_CPV`` (residential nursing care,
   meals on wheels, supply of care staff...).
2. **Words**: many real notices are coded only 85000000 "Health and social work services", or 98000000, so a notice
   whose title or description names a social-care service (``KEYWORDS``: homecare, domiciliary, supported living,
   day opportunities, reablement, short breaks, extra care...) counts too — but only when its CPV codes, if it has
   any, are in divisions 85 (health and social work), 98 (other community services) or 75 (public administration,
   where councils' social services sometimes land). That keeps "home care" in a kitchen-fitting tender out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from opencare.ocds.json_values import as_object, as_objects

#: The 853 tree: social work and related services.
SOCIAL_CARE_CPV_PREFIX = "853"
#: Codes outside the 853 tree that are social care when they appear (../shared/docs/domain.md §3.4). Not 60130000,
#: special-purpose road passenger transport: in real notices it is nearly always home-to-school transport.
RELATED_CPV = frozenset({"85144100", "85141200", "55521100", "79625000", "98133100", "98500000"})
#: CPV divisions in which a keyword is trusted.
KEYWORD_DIVISIONS = ("85", "98", "75")
#: Words and phrases that name a social-care service. Matched case-insensitively, at word starts.
KEYWORDS = (
    "homecare", "home care", "home-care", "domiciliary", "supported living", "supported housing",
    "day opportunit", "day service", "day centre", "day care", "reablement", "re-ablement", "respite", "short break",
    "extra care", "care and support", "care & support", "personal care", "social care", "care home",
    "residential care", "nursing care", "shared lives", "intermediate care", "learning disabilit", "older people",
    "dementia",
    "carers", "sitting service", "floating support", "direct payment", "care at home", "care package", "placement",
    "gofal cartref", "gofal cymdeithasol",  # Welsh: home care, social care
)  # fmt: skip
_KEYWORD_RE = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in KEYWORDS) + r")", re.IGNORECASE)


def cpv_codes(release: dict[str, Any]) -> list[str]:
    """Every CPV code a release gives, from the tender, its items and its lots' items, in order, without repeats."""
    codes: list[str] = []
    for classification in _classifications(release):
        scheme = classification.get("scheme")
        code = classification.get("id")
        if isinstance(code, str | int) and (not isinstance(scheme, str) or scheme.upper() == "CPV"):
            text = str(code).strip().split("-")[0]
            if text.isdigit() and text not in codes:
                codes.append(text)
    return codes


def is_social_care(release: dict[str, Any]) -> bool:
    """Whether a release is about a social-care service, by the rule in this module's docstring."""
    return social_care_reason(release) is not None


def social_care_reason(release: dict[str, Any]) -> str | None:
    """Why a release counts as social care ('cpv 85312400', 'words "domiciliary"'), or None when it does not."""
    codes = cpv_codes(release)
    for code in codes:
        if code.startswith(SOCIAL_CARE_CPV_PREFIX) or code in RELATED_CPV:
            return f"cpv {code}"
    if codes and not any(code.startswith(KEYWORD_DIVISIONS) for code in codes):
        return None
    for text in _texts(release):
        match = _KEYWORD_RE.search(text)
        if match:
            return f'words "{match.group(0).lower()}"'
    return None


def _classifications(release: dict[str, Any]) -> Iterator[dict[str, Any]]:
    tender = as_object(release.get("tender"))
    yield from as_objects([tender.get("classification")])
    yield from as_objects(tender.get("additionalClassifications"))
    items = as_objects(tender.get("items"))
    for award in as_objects(release.get("awards")):
        items += as_objects(award.get("items"))
    for item in items:
        yield from as_objects([item.get("classification")])
        yield from as_objects(item.get("additionalClassifications"))


def _texts(release: dict[str, Any]) -> Iterator[str]:
    tender = as_object(release.get("tender"))
    holders = [release, tender, *as_objects(tender.get("lots")), *as_objects(tender.get("items"))]
    holders += as_objects(release.get("awards"))
    for holder in holders:
        for key in ("title", "description"):
            value = holder.get(key)
            if isinstance(value, str) and value:
                yield value
