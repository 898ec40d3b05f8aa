"""OCDS releases and release packages as publishers send them: small, valid, and only what a test says."""

from __future__ import annotations

from typing import Any

#: A CPV code in the social-care tree (home care), so built processes count as social care.
HOME_CARE_CPV = "85312400"


def release(
    ocid: str,
    *,
    release_id: str = "1",
    date: str = "2025-01-01T00:00:00Z",
    tag: tuple[str, ...] = ("tender",),
    buyer: str = "Borsetdale Council",
    title: str = "Home care",
    cpv: str = HOME_CARE_CPV,
    **fields: Any,
) -> dict[str, Any]:
    """A tender release of one process; ``fields`` are added at the top level (awards, contracts, parties...)."""
    return {
        "ocid": ocid,
        "id": release_id,
        "date": date,
        "tag": list(tag),
        "initiationType": "tender",
        "buyer": {"id": "B", "name": buyer},
        "tender": {"id": "t", "title": title, "classification": {"scheme": "CPV", "id": cpv}},
        **fields,
    }


def release_package(*releases: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """A release package holding these releases, with any package metadata (publisher, license, extensions...)."""
    return {"version": "1.1", **metadata, "releases": list(releases)}
