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
