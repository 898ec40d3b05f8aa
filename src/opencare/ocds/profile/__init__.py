"""The OCDS social-care profile: OCDS 1.1.5 with the extensions that social-care contracts and UK publishers use."""

from __future__ import annotations

from functools import cache, lru_cache

from opencare.ocds.profile.builder import (
    SOCIAL_CARE_EXTENSIONS,
    STANDARD_VERSION,
    Extension,
    Profile,
    build_profile,
    data_root,
)
from opencare.ocds.profile.codelists import Codelist
from opencare.ocds.profile.errors import ProfileError

__all__ = [
    "SOCIAL_CARE_EXTENSIONS",
    "STANDARD_VERSION",
    "Codelist",
    "Extension",
    "Profile",
    "ProfileError",
    "build_profile",
    "data_root",
    "profile_for",
    "social_care_profile",
]


@cache
def social_care_profile() -> Profile:
    """The social-care profile, built once per process from the vendored files."""
    return build_profile()


@lru_cache(maxsize=32)
def profile_for(standard: str, extensions: tuple[str, ...]) -> Profile:
    """The profile for a standard version and a set of extension snapshots, built once per process."""
    if standard == STANDARD_VERSION and extensions == SOCIAL_CARE_EXTENSIONS:
        return social_care_profile()
    return build_profile(extensions, version=standard)
