"""Rows to JSON lines and back, with Django's own serializers, one row at a time.

Each line is what ``dumpdata --format jsonl`` writes for the row (``{"model": ..., "pk": ..., "fields": {...}}``), so
a part can be read with Django's tools, with two differences that keep a restore identical and quick:

- datetimes and times keep their microseconds (Django's JSON encoder cuts them to milliseconds, which would change
  every stored time and the order of rows stored in the same millisecond);
- rows go back in batches of hundreds per INSERT, keeping the stored values as they are (``loaddata`` saves row by
  row, an UPDATE then an INSERT each, and ``bulk_create`` would stamp every ``auto_now`` field with the time of the
  restore).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import orjson
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connections, models

from opencare.backups.tables import label

#: Rows read from the database at a time when exporting (a process's compiled release can be tens of KB).
READ_CHUNK = 500
#: The most rows one INSERT carries when restoring (fewer where the database limits the parameters of a query).
INSERT_ROWS = 500


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, with datetimes and times to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _LineSerializer(PythonSerializer):
    """Django's Python serializer, writing each row as a JSON line as soon as it is made."""

    def start_serialization(self) -> None:
        self._current = None
        self.rows = 0

    def end_object(self, obj: models.Model) -> None:
        line = json.dumps(self.get_dump_object(obj), cls=ExactJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        self.stream.write(line.encode() + b"\n")
        self.rows += 1
        self._current = None

    def getvalue(self) -> None:
        return None


def write_rows(model: type[models.Model], stream: IO[bytes], *, using: str) -> int:
    """Write every row of the model's table to the stream as JSON lines, in primary key order; the rows written."""
    # Only the table's own columns: many-to-many links are tables of their own in the backup, with their keys.
    columns = [field.name for field in model._meta.local_concrete_fields]
    rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=READ_CHUNK)
    serializer = _LineSerializer()
    serializer.serialize(rows, stream=stream, fields=columns)
    return serializer.rows


def insert_rows(
    model: type[models.Model], lines: Iterable[bytes], *, using: str, where: str, on_batch: Callable[[int], None]
) -> int:
    """Insert the rows of JSON lines into the model's table in batches, as they were stored; the rows inserted.

    Raises DeserializationError, naming ``where`` and the line, for a line that is not a row of this model.
    """
    fields = model._meta.local_concrete_fields
    batch_size = max(1, min(INSERT_ROWS, connections[using].ops.bulk_batch_size(fields, [None] * INSERT_ROWS)))
    manager = model._base_manager.using(using)
    batch: list[models.Model] = []
    inserted = 0
    for obj in _objects(PythonDeserializer(_decoded(lines), using=using), where):
        if type(obj) is not model:
            raise DeserializationError(
                f"{where}, after {inserted + len(batch):,} rows: a row of {label(obj)} is there"
            )
        batch.append(obj)
        if len(batch) >= batch_size:
            inserted += _insert(manager, batch, fields, using)
            on_batch(inserted)
            batch = []
    if batch:
        inserted += _insert(manager, batch, fields, using)
        on_batch(inserted)
    return inserted


def _objects(deserializer: PythonDeserializer, where: str) -> Iterator[models.Model]:
    """The deserialized objects; anything wrong with a row (Django's deserializer raises what the field or model
    lookup raised) becomes a DeserializationError that says where."""
    done = 0
    while True:
        try:
            item = next(deserializer)
        except StopIteration:
            return
        except Exception as error:
            raise DeserializationError(f"{where}, after {done:,} rows: {error}") from None
        done += 1
        yield item.object


def _decoded(lines: Iterable[bytes]) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            try:  # what orjson does not read but the standard library writes (NaN), the standard library reads
                row = json.loads(line)
            except ValueError:
                raise DeserializationError(f"line {number} is not JSON") from None
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict) or "pk" not in row:
            raise DeserializationError(f"line {number} is not a row (model, pk and fields)")
        yield row


def _insert(manager: models.Manager, batch: list[models.Model], fields: list[models.Field], using: str) -> int:
    # raw=True is what loaddata's save_base(raw=True) does: values go in as they are, no field's pre_save (auto_now,
    # file uploads) runs. QuerySet._insert is the call both Model.save and bulk_create are built on.
    manager._insert(batch, fields=fields, raw=True, using=using)
    return len(batch)
