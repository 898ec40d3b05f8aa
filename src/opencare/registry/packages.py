"""What every OCDS package opencare serves says about itself: where it is (an absolute address on this site), who
publishes it, under which licence and policy, when, and every extension its releases were published with.

The API, the contract pages' record.json and the bulk downloads all build their packages' metadata here, so a
reader of any of them can check the data against the same profile it was published for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse


def site_url(path: str) -> str:
    """The absolute address of a path on this site (OPENCARE_SITE_URL), as published packages give it."""
    return settings.OPENCARE_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def package_metadata(*, path: str, extensions: list[str], published_date: str | None = None) -> dict[str, Any]:
    """A package's fields but its releases or records: ``path`` is the package's own address on this site."""
    metadata: dict[str, Any] = {
        "uri": site_url(path),
        "version": "1.1",
        "publishedDate": published_date or datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": {"name": settings.OPENCARE_SERVICE_NAME},
        "license": settings.OPENCARE_PUBLISHED_LICENCE_URL,
        "publicationPolicy": site_url(reverse("explore:about_data")),
    }
    if extensions:  # the schema allows no empty list of extensions to mean anything: left out when there are none
        metadata["extensions"] = extensions
    return metadata
