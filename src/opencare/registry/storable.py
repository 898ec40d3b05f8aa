"""What the registry can store, whatever a publisher sends: the limits of the databases it runs on.

PostgreSQL cannot hold the character U+0000 in text or JSON, and cannot index a value longer than about 2,700 bytes
(an ocid, a release id, an identifier); a summary column holds numbers of a fixed size. The same rules apply on
SQLite, so data that one database would take and the other refuse is treated the same on both:

- a release with U+0000 anywhere, or an ocid or id longer than MAX_KEY_LENGTH, is refused with the reason (storing
  it changed would no longer be the release as published);
- an identifier or name too long to be a real one is not used to link organisations;
- a figure too large for a summary column is left out of the summary (the release keeps it as published).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.db import models

#: The longest ocid, release id, identifier or name used as a key, in characters. At most 4 bytes each in UTF-8,
#: two of them and a SHA-256 stay inside one PostgreSQL index row (2,704 bytes). Real ones are under 100.
MAX_KEY_LENGTH = 300


@dataclass
class NotStorable(ValueError):
    """A release the registry cannot store as it is: what is wrong, and how to fix it."""

    message: str
    how_to_fix: str

    def __str__(self) -> str:
        return f"{self.message}. {self.how_to_fix}"


def storage_problem(
    release: dict[str, Any], *, json_text: str | None = None, nul_possible: bool = True
) -> NotStorable | None:
    """Why the release cannot be stored as it is, or None if it can.

    ``json_text`` is the release as orjson writes it, when the caller has it already; ``nul_possible=False`` says
    the caller knows no string holds U+0000 (the file's bytes have no ``\\u0000``), so it is not looked for.
    """
    for key, name in (("ocid", "ocid"), ("id", "id")):
        value = release.get(key)
        if isinstance(value, str) and len(value) > MAX_KEY_LENGTH:
            return NotStorable(
                f"A release's {name} is {len(value):,} characters long",
                f"An {name} is at most {MAX_KEY_LENGTH} characters; check that the data was produced correctly.",
            )
    if not nul_possible:
        return None
    # JSON writers give U+0000 as this escape
    if ("\\u0000" in json_text) if json_text is not None else (b"\\u0000" in orjson.dumps(release)):
        pointer = _nul_pointer(release, "")
        if pointer is not None:
            return NotStorable(
                f"The release {_name(release)} holds the character U+0000 (NUL) at {pointer or '/'}",
                "Remove it and send the release again: it is never part of real text, and the database cannot "
                "store it.",
            )
    return None


def usable_key(text: str) -> bool:
    """Whether text is short enough to be an identifier, a name or a key (longer ones are not real)."""
    return len(text) <= MAX_KEY_LENGTH


def key_text(text: str) -> str:
    """Text to use as a unique key: itself, or a SHA-256 of it when it is too long to be indexed."""
    return text if usable_key(text) else "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def fit_decimal_fields(instance: models.Model) -> models.Model:
    """Leave out (None) any figure too large for its decimal column, rather than fail the whole write."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(instance, field.attname)
            if value is not None and not _fits(value, field):
                setattr(instance, field.attname, None)
    return instance


def _fits(value: Any, field: models.DecimalField) -> bool:
    places = field.decimal_places or 0
    try:
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except ArithmeticError:  # more digits than the decimal context holds: far too large
        return False
    return rounded.is_finite() and abs(rounded) < Decimal(10) ** ((field.max_digits or 0) - places)


def _nul_pointer(value: Any, pointer: str) -> str | None:
    """The JSON pointer of the first key or string holding U+0000, or None."""
    if isinstance(value, str):
        return pointer if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{_escaped(str(key))}"
            if "\x00" in str(key):
                return here
            if (found := _nul_pointer(item, here)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _nul_pointer(item, f"{pointer}/{index}")) is not None:
                return found
    return None


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1").replace("\x00", "\\u0000")


def _name(release: dict[str, Any]) -> str:
    ocid, release_id = release.get("ocid"), release.get("id")
    return f"{str(ocid)[:100]!r} (id {str(release_id)[:100]!r})"
