"""Cell values to JSON values of the types the schema says, with a plain-English note for a value that does not fit.

XLSX and ODS cells come with their own type (text, number, boolean, date); CSV cells are all text, with the
apostrophe sheet_writers adds before text that would be read as something else. A number that JSON cannot hold as
it is stays text; so does text in a field that must be a number or a boolean.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from opencare.ocds.spreadsheets.cell_values import csv_literal, from_csv_text, is_ambiguous, number_text, storable
from opencare.ocds.spreadsheets.fields import FieldType

STRING_ARRAY = FieldType(frozenset({"array"}))


def json_value(value: Any, kind: str, field_type: FieldType | None, *, is_csv: bool) -> tuple[Any, str | None]:
    """(the JSON value for a cell's value in a field of this kind, a note if it does not fit), or (None, None) for
    a blank cell. ``kind`` is the field's kind in fields.Shape ('' or unknown: kept as found)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime.datetime | datetime.date):
        value = _date_text(value, kind)
    if kind in ("string_array", "number_array", "array_array"):
        return _list(value, kind, is_csv=is_csv)
    if isinstance(value, float) and value.is_integer() and kind not in ("string", "date") and storable(value):
        # calamine reads every number as a float: a whole number comes back as the integer it almost always was.
        value = int(value) if storable(int(value)) else value
    if kind == "number":
        return _number(value)
    if kind == "integer":
        return _integer(value)
    if kind == "boolean":
        return _boolean(value)
    if isinstance(value, bool | int | float):
        if field_type is None or not field_type.types or _accepts(field_type, value):
            if storable(value):
                return _whole(value, field_type), None
            return number_text(
                value
            ), f'"{number_text(value)}" is too large (or not a finite number) to be stored, so it was kept as text.'
        return _text_of(value), None
    text = str(value)
    if is_csv:
        quoted, text = from_csv_text(text, field_type)
        literal = None if quoted or not is_ambiguous(field_type) else csv_literal(text, field_type)
        if literal is not None:
            return literal, None
    if field_type is not None and field_type.types and "string" not in field_type.types:
        return text, _not_a(text, field_type.types)
    return text, None


def _whole(value: Any, field_type: FieldType | None) -> Any:
    """A float that is a whole number, in a field that may be a whole number: an integer, as it was written."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a text column, such as an id: 1 not 1.0
    return str(value)


def _date_text(value: datetime.date, kind: str) -> str:
    if kind == "date" and isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC).isoformat()
    return value.isoformat()


def _number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if storable(value):
            return value, None
        return number_text(
            value
        ), f'"{number_text(value)}" is too large (or not a finite number) to be stored, so it was kept as text.'
    text = str(value).lstrip("'") if isinstance(value, str) else str(value)
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return text, _not_a(text, frozenset({"number"}))
    return _decimal(number, text)


def _decimal(number: Decimal, text: str) -> tuple[Any, str | None]:
    if number.is_finite():
        # As JSON does: a number written with a decimal point or an exponent is a float, else an integer.
        result = float(number) if any(mark in str(number) for mark in ".eE") else int(number)
        if storable(result):
            return result, None
    return text, f'"{text}" is too large (or not a finite number) to be stored, so it was kept as text.'


def _integer(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, float):
        return (int(value), None) if storable(value) and storable(int(value)) else _number(value)
    if isinstance(value, int):
        return int(value), None
    text = str(value)
    try:
        number = int(text)
    except ValueError:
        return text, _not_a(text, frozenset({"integer"}))
    if not storable(number):
        return text, f'"{text}" is too large (or not a finite number) to be stored, so it was kept as text.'
    return number, None


def _boolean(value: Any) -> tuple[Any, str | None]:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if text.lower() in ("true", "1"):
        return True, None
    if text.lower() in ("false", "0"):
        return False, None
    return text, _not_a(text, frozenset({"boolean"}))


def _list(value: Any, kind: str, *, is_csv: bool) -> tuple[Any, str | None]:
    text = _text_of(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value)
    if is_csv:
        text = from_csv_text(text, STRING_ARRAY)[1]  # the apostrophe is the cell's
    items = text.split(";")
    if kind == "number_array":
        numbers = []
        for item in items:
            try:
                number, note = _decimal(Decimal(item), item)
            except (InvalidOperation, ValueError):
                return items, f'"{text}" is not a list of numbers, so it was kept as text.'
            if note:
                return items, note
            numbers.append(number)
        return numbers, None
    return items, None


def _accepts(field_type: FieldType, raw: Any) -> bool:
    """Whether a numeric or boolean cell's own value fits the field."""
    if isinstance(raw, bool):
        return "boolean" in field_type.types
    if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer() and "integer" in field_type.types):
        return bool(field_type.types & {"number", "integer"})
    return "number" in field_type.types


def _not_a(value: str, types: frozenset[str]) -> str:
    if types <= {"number", "integer"}:
        kind = "a whole number" if types == {"integer"} else "a number"
    elif types == {"boolean"}:
        kind = "true or false"
    else:
        kind = " or ".join(sorted(types))
    return f'"{value}" is not {kind}, so it was kept as text.'
