"""The type pass: JSON types back from flatten-tool's output, and a warning at the cell of a value that does not fit.

A number that JSON cannot hold as it is stays text; so does text in a field that must be a number or a boolean.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opencare.ocds.spreadsheets.cell_values import csv_literal, from_csv_text, is_ambiguous, number_text, storable
from opencare.ocds.spreadsheets.fields import FieldType
from opencare.ocds.spreadsheets.sheet_reader import SheetReader
from opencare.ocds.spreadsheets.source_map import record_path


class TypeFixer:
    """Turns flatten-tool's values into the JSON types the schema (or the cell) says, and reports what it cannot.

    flatten-tool returns Decimals for numbers, the text of numeric cells in fields that may be text or a number,
    lists of lists for lists of strings with commas in them, and CSV text with the apostrophe sheet_writers adds.
    """

    def __init__(self, flat_map: dict[str, list[Any]], reader: SheetReader, notes: list[dict[str, str | None]]):
        self.flat_map = flat_map
        self.reader = reader
        self.notes = notes

    def fix_object(self, value: dict[str, Any], key: str, types: dict[str, FieldType]) -> dict[str, Any]:
        for name, item in value.items():
            value[name] = self.fix(item, f"{key}/{name}" if key else name, types)
        return value

    def fix_list(self, value: list[Any], key: str, types: dict[str, FieldType]) -> list[Any]:
        for index, item in enumerate(value):
            value[index] = self.fix_object(item, f"{key}/{index}", types)
        return value

    def fix(self, value: Any, key: str, types: dict[str, FieldType]) -> Any:
        if isinstance(value, dict):
            return self.fix_object(value, key, types)
        field_type = types.get(record_path(key))
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return self.fix_list(value, key, types)
        if isinstance(value, list):
            return self._fix_values(value, key, field_type)
        return self._fix_value(value, key, field_type)

    def _fix_values(self, values: list[Any], key: str, field_type: FieldType | None) -> list[Any]:
        items = field_type.items if field_type else None
        if items is not None and "string" in items:
            # flatten-tool splits a cell on ',' as well as ';' (for lists of lists): put the commas back.
            values = [",".join(map(str, value)) if isinstance(value, list) else value for value in values]
        if self.reader.is_csv and values and isinstance(values[0], str):
            values[0] = from_csv_text(values[0], FieldType(frozenset({"array"})))[1]  # the apostrophe is the cell's
        fixed = [self._number(value, key) if isinstance(value, Decimal) else value for value in values]
        if items and items <= {"number", "integer"} and any(isinstance(value, str) for value in fixed):
            self._note(key, f'"{";".join(map(str, fixed))}" is not a list of numbers, so it was kept as text.')
        return fixed

    def _fix_value(self, value: Any, key: str, field_type: FieldType | None) -> Any:
        if isinstance(value, Decimal):
            return self._number(value, key)
        if not isinstance(value, str):
            return value
        raw = None if self.reader.is_csv else self.reader.raw_value(self.flat_map.get(key))
        if raw is not None and _accepts(field_type, raw) and storable(raw):
            return raw
        if self.reader.is_csv:
            quoted, value = from_csv_text(value, field_type)
            literal = None if quoted or not is_ambiguous(field_type) else csv_literal(value, field_type)
            if literal is not None:
                return literal
        if field_type is not None and field_type.types and "string" not in field_type.types:
            self._note(key, _not_a(value, field_type.types))
        return value

    def _number(self, value: Decimal, key: str) -> Any:
        raw = None if self.reader.is_csv else self.reader.raw_value(self.flat_map.get(key))
        if isinstance(raw, float) and storable(raw) and Decimal(raw) == value:
            return raw  # a float cell such as 2.0 stays a float
        if value.is_finite():
            # As JSON does: a number written with a decimal point or an exponent is a float, else an integer.
            number = float(value) if any(mark in str(value) for mark in ".eE") else int(value)
            if storable(number):
                return number
        text = number_text(raw) if isinstance(raw, int | float) else str(value)
        self._note(key, f'"{text}" is too large (or not a finite number) to be stored, so it was kept as text.')
        return text

    def _note(self, key: str, message: str) -> None:
        places = self.flat_map.get(key) or [(None, None, None, None)]
        sheet, col, row, _ = places[0]
        cell = f"{col}{row + self.reader.row_offset(sheet)}" if sheet else None
        self.notes.append({"message": message, "sheet": sheet, "cell": cell})


def _accepts(field_type: FieldType | None, raw: Any) -> bool:
    """Whether a numeric or boolean cell's own value fits the field (it does if the schema does not say)."""
    if field_type is None or not field_type.types:
        return True
    if isinstance(raw, bool):
        return "boolean" in field_type.types
    if isinstance(raw, int):
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
