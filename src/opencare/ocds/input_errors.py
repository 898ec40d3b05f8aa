"""The error every reader raises for input it cannot read: what is wrong, where (line and column), how to fix it."""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """The input cannot be read as JSON or OCDS: what is wrong, where, and how to fix it."""

    def __init__(self, message: str, *, how_to_fix: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.how_to_fix = how_to_fix
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process sends it to the parent through a pipe; the keyword-only arguments must survive pickling.
        return (_input_error, (self.message, self.how_to_fix, self.line, self.column))

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.message}{where}. {self.how_to_fix}"


def _input_error(message: str, how_to_fix: str, line: int | None, column: int | None) -> InputError:
    return InputError(message, how_to_fix=how_to_fix, line=line, column=column)


def json_type(value: Any) -> str:
    """A JSON value's type in words, for messages: "an array", "a string", "null"..."""
    names = {list: "an array", str: "a string", bool: "true or false", type(None): "null", int: "a number"}
    return names.get(type(value), "a number")
