"""Compile releases into records with the OCDS merge rules of the social-care profile (ocdsmerge-rs)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import jsonschema_rs
import ocdsmerge_rs

from opencare.ocds.profile import social_care_profile


@cache
def profile_merger() -> ocdsmerge_rs.Merger:
    """A merger whose rules come from the extended schema, so extension arrays (metrics, lots...) merge by id."""
    dereferenced = jsonschema_rs.dereference(social_care_profile().release_schema)
    return ocdsmerge_rs.Merger(rules=ocdsmerge_rs.Merger.get_rules(dereferenced))


def sorted_by_date(releases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Releases in date order; a stable sort keeps the given order for equal dates."""
    return sorted(releases, key=lambda release: release.get("date") or "")


def compile_releases(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one contracting process's releases."""
    return profile_merger().create_compiled_release(sorted_by_date(releases))


def versioned_release(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The versioned release (every field's history) of one contracting process's releases."""
    return profile_merger().create_versioned_release(sorted_by_date(releases))
