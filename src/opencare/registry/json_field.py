"""A JSONField that reads and writes with orjson: several times faster than the standard library's json on the
large documents the registry stores (releases, compiled releases), which dominate the cost of an import."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.db import models
from django.db.models.fields.json import KeyTransform


class JsonText(str):
    """JSON already written out (by an import's second process, say): stored as it is, not as a JSON string."""


def dumps_json(value: Any) -> str:
    """JSON text by orjson, or by the standard library for what orjson cannot write."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson cannot write (an integer over 64 bits), the standard library can
        return json.dumps(value)


class FastJSONField(models.JSONField):
    """models.JSONField with orjson; the same column type and the same lookups on SQLite and PostgreSQL."""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if isinstance(value, JsonText):
            return _jsonb(value, dumps=str) if connection.vendor == "postgresql" else str(value)
        if not prepared:
            value = self.get_prep_value(value)
        if connection.vendor == "postgresql":
            return _jsonb(value, dumps=dumps_json)
        return dumps_json(value)

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        # Having this method turns off Django's UNNEST bulk insert on PostgreSQL for models with this field: UNNEST
        # sends the documents as one text array, which psycopg escapes with a regular expression call per quote or
        # backslash, several times slower than plain placeholders for large JSON.
        return "%s"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or (isinstance(expression, KeyTransform) and not isinstance(value, str)):
            return value
        try:
            return orjson.loads(value)
        except (orjson.JSONDecodeError, TypeError):
            return value


def _jsonb(value: Any, *, dumps: Any) -> Any:
    from psycopg.types.json import Jsonb  # psycopg is there only for PostgreSQL

    return Jsonb(value, dumps=dumps)
