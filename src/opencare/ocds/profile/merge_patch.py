"""JSON Merge Patch (RFC 7386), the way OCDS extensions patch the schemas."""

from __future__ import annotations

from typing import Any


def merge_patch_in_place(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Apply a merge patch to ``target`` itself. The patch's values are taken as they are, not copied.

    For building a profile from freshly parsed files, where nothing else holds the objects: copying the whole
    schema for each of 27 extensions cost more than everything else in a review of a small file.
    """
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}  # RFC 7386: an object patches an empty object, so its own nulls are dropped
            merge_patch_in_place(target[key], value)
        else:
            target[key] = value
