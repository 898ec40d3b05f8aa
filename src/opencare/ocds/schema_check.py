"""JSON Schema checks of releases against the social-care profile (the full review engine builds on this)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from opencare.ocds.profile import social_care_profile


@dataclass(frozen=True)
class SchemaError:
    """One JSON Schema failure: where (a JSON pointer into the release) and what."""

    pointer: str
    message: str
    keyword: str


@cache
def release_validator() -> jsonschema_rs.Draft4Validator:
    """A compiled validator for one release against the extended release schema, with format checks and no network."""
    return jsonschema_rs.Draft4Validator(social_care_profile().release_schema, validate_formats=True, offline=True)


def release_schema_errors(release: Any) -> list[SchemaError]:
    """Every JSON Schema failure of one release against the social-care profile."""
    return [
        SchemaError(
            pointer="/" + "/".join(str(part) for part in error.instance_path),
            message=str(error.message),
            keyword=type(error.kind).__name__.lower(),
        )
        for error in release_validator().iter_errors(release)
    ]
