"""Checks beyond the JSON Schema, each a function of one release that reports through an ``emit`` callback.

``emit(check, severity, path, pointer, value, context)``: ``path`` and ``pointer`` are relative to the release
(``tender/tenderPeriod``, ``/tender/tenderPeriod``); the engine adds the package prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Emit = Callable[[str, str, str, str, Any, dict[str, Any]], None]


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects in a list, ignoring anything else (the schema check reports wrong types)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def listed(value: Any) -> list[Any]:
    """The value if it is an array, else an empty one (the schema check reports the wrong type)."""
    return value if isinstance(value, list) else []


def obj(value: Any) -> dict[str, Any]:
    """The value if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def identifier(value: Any) -> str | int | None:
    """An id usable as a key: text or a whole number. Other types (lists, objects) are the schema check's to report."""
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None
