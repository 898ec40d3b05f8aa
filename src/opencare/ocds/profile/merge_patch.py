"""JSON Merge Patch (RFC 7386), the way OCDS extensions patch the schemas."""

from __future__ import annotations

import copy
from typing import Any


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """Return ``target`` patched by ``patch`` without changing either.

    A ``null`` in the patch removes the key. This matters: the milestone documents extension removes
    ``deprecated`` with a null, which tools that strip nulls first get wrong.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def merge_patch_in_place(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Apply a merge patch to ``target`` itself. The patch's values are taken as they are, not copied.

    For building a profile from freshly parsed files, where nothing else holds the objects: copying the whole
    schema for each of 27 extensions cost more than everything else in a review of a small file.
    """
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch_in_place(target[key], value)
        else:
            target[key] = value
