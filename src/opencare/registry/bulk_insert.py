"""Many rows into one table at once, without the ORM's work per object and per field.

An import stores thousands of releases a second; ``bulk_create`` spends most of its time building model instances
and compiling each value's SQL. Here the values are converted once per field kind and sent with one ``executemany``
(SQLite) or one ``COPY`` (PostgreSQL). The caller gives every column's value (``auto_now`` fields included), in
the order of ``fields``; the rows go in inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

from opencare.registry.json_field import JsonText, dumps_json

Converter = Callable[[Any], Any]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *, ignore_conflicts: bool = False
) -> None:
    """Insert rows of ``model`` whose values are given in the order of ``fields`` (model field names).

    ``ignore_conflicts`` skips rows that would break a unique constraint (``ON CONFLICT DO NOTHING``).
    """
    concrete = [model._meta.get_field(name) for name in fields]
    converters = [_converter(field) for field in concrete]
    values = [[convert(value) for convert, value in zip(converters, row, strict=True)] for row in rows]
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in concrete)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # the fastest way into PostgreSQL
                for row in values:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(concrete))
        conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}){conflicts}", values)  # noqa: S608 (names from the model)


def _converter(field: models.Field) -> Converter:
    """How a value of this field becomes what the database driver takes."""
    if isinstance(field, models.JSONField):
        return _json_text
    if isinstance(field, models.TextField | models.BooleanField | models.IntegerField | models.ForeignKey):
        return _as_is
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        return _sqlite_datetime
    last: list[Any] = [object(), None]  # the previous value and what it became: a chunk's rows share their times

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, field.get_db_prep_save(value, connection)]
        return last[1]

    return convert


def _sqlite_datetime(value: datetime | None) -> str | None:
    """Django's text for an aware datetime in SQLite (UTC, no offset), without its checks for every value."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _json_text(value: Any) -> str:
    return str(value) if type(value) is JsonText else dumps_json(value)


def _as_is(value: Any) -> Any:
    return value
