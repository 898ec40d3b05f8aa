"""The OCDS social-care profile: OCDS 1.1.5 with the extensions that social-care contracts and UK publishers use."""

from __future__ import annotations

from functools import cache

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
    "social_care_profile",
]


@cache
def social_care_profile() -> Profile:
    """The social-care profile, built once per process from the vendored files."""
    return build_profile()
