"""Numbers that cannot be read, kept as their original text so that the rest of a file can still be read.

Real publishers write numbers no JSON parser accepts: ``1e9999`` (beyond the largest double; the Find a Tender API
has published it), ``000`` (leading zeros; Kingfisher Collect patches `` 000,``) and ``1 000`` (digits with a space
inside). A file holding one used to be unreadable as a whole. The readers (opencare.ocds.readers) parse such input a
second time through ``NumberRepairingReader``, which turns each of these into a JSON string carrying its original
text behind a marker; ``restore`` then takes the markers out again, leaving the original text as a string value, and
lists where each was (``UnreadableNumber``), so that review reports it at its path and import stores the release
with the error recorded. Only input the parsers refuse is read so: normal files never pass through here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

#: Put before the original text in the JSON string a repaired number becomes: a private-use character, written as
#: an escape so that the repaired bytes stay ASCII, then a word no data holds.
MARKER = "\ue000unreadable-number\ue000"
_MARKER_ESCAPED = b"\\ue000unreadable-number\\ue000"
#: A whole JSON string; anything but a double quote, a backslash or an escape pair; one run of what a number may be
#: made of (digit groups with single spaces inside, a fraction, an exponent); or any run of other bytes.
_TOKEN = re.compile(
    rb'"(?:[^"\\]|\\.)*"'
    rb"|(?P<number>-?[0-9]+(?: [0-9]+)*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
    rb'|[^"0-9-]+'
    rb"|-"
)
_JSON_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
#: The largest whole number the streaming parser reads as one (a signed 64-bit integer); longer ones are read as
#: floats, as orjson (the fast path) reads them.
_LARGEST_INTEGER = 2**63 - 1
#: How much of a number that cannot be read a message shows.
SHOWN_LENGTH = 30
#: A number this close to the end of what has been read may go on in the next chunk, so it waits for it.
_NUMBER_MAY_GO_ON = 64


@dataclass(frozen=True)
class UnreadableNumber:
    """A number that could not be read: where it is (JSON pointer within its item), its text, and why."""

    pointer: str
    text: str
    reason: str

    @property
    def shown(self) -> str:
        """The text as shown in a message: a very long one shortened, with its length."""
        if len(self.text) <= SHOWN_LENGTH:
            return self.text
        return f"{self.text[:SHOWN_LENGTH]}… ({len(self.text):,} characters)"

    @property
    def message(self) -> str:
        """What is wrong, in plain English, for a stored release's list of errors."""
        return (
            f"The value at {self.pointer or '/'}, {self.shown}, is not a number that can be read: {self.reason}. It "
            "is kept as text, as it was written; write it as plain digits (for example 1000 or 1250.50)."
        )


class ItemWithUnreadableNumbers(dict[str, Any]):
    """A release or record read from repaired input: the item itself, and the numbers in it that could not be read."""

    unreadable_numbers: list[UnreadableNumber]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (dict(self), self.unreadable_numbers))


def _rebuilt(data: dict[str, Any], numbers: list[UnreadableNumber]) -> ItemWithUnreadableNumbers:
    item = ItemWithUnreadableNumbers(data)
    item.unreadable_numbers = numbers
    return item


def unreadable_numbers(item: Any) -> list[UnreadableNumber]:
    """The numbers in a release or record that could not be read (none for almost every item)."""
    return getattr(item, "unreadable_numbers", [])


def part_of(item: Any, pointer: str, part: dict[str, Any]) -> dict[str, Any]:
    """A part of an item (a record's release at ``pointer``, e.g. /releases/0) with the item's numbers that could
    not be read within it, their pointers made relative to it."""
    prefix = pointer + "/"
    inside = [
        UnreadableNumber(number.pointer[len(pointer) :], number.text, number.reason)
        for number in unreadable_numbers(item)
        if number.pointer.startswith(prefix)
    ]
    if not inside:
        return part
    result = ItemWithUnreadableNumbers(part)
    result.unreadable_numbers = inside
    return result


def reason_for(text: str) -> str:
    """Why a number's text cannot be read, in plain English."""
    raw = text.encode()
    if _JSON_NUMBER.fullmatch(raw):
        return "it is beyond the largest number a computer can hold (about 1.8e308)"
    if " " in text:
        return "it has spaces inside it"
    return "it starts with a zero, which JSON numbers may not (unless the number is 0 or 0.something)"


def _replacement(text: bytes) -> bytes:
    """The bytes to put in place of a number-like token: itself when it is a number that can be read."""
    if _JSON_NUMBER.fullmatch(text) and not math.isinf(float(text)):
        if b"." not in text and b"e" not in text.lower() and abs(int(text)) > _LARGEST_INTEGER:
            return text + b".0"  # read as a float, as orjson reads it, not refused by the streaming parser
        return text
    return b'"' + _MARKER_ESCAPED + text + b'"'


class NumberRepairingReader:
    """A binary stream whose numbers that cannot be read are turned into marked JSON strings as they pass.

    Works on any stream a chunk at a time, in constant memory: a token that may go on in the next chunk (a string
    not yet closed, a number at the end of what has been read) waits for it.
    """

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self._pending = b""
        self._ended = False
        #: Whether any number was repaired, so items with none need not be walked.
        self.repaired = False

    def read(self, size: int = -1) -> bytes:
        """The next repaired bytes (possibly more or fewer than ``size``; empty only at the end)."""
        if size == 0:
            return b""
        while True:
            if self._ended:
                data, self._pending = self._pending, b""
                return data
            chunk = self.raw.read(size if size and size > 0 else 1 << 16)
            if not chunk:
                self._ended = True
            data = self._pending + chunk
            out, self._pending = self._repair(data, final=self._ended)
            if out or self._ended:
                if self._ended and self._pending:
                    out, self._pending = out + self._pending, b""
                return out

    def _repair(self, data: bytes, *, final: bool) -> tuple[bytes, bytes]:
        parts: list[bytes] = []
        position, end = 0, len(data)
        while position < end:
            match = _TOKEN.match(data, position)
            if match is None:  # an unclosed string: wait for the rest, or hand it on unchanged at the end
                if final:
                    parts.append(data[position:])
                    position = end
                break
            stop = match.end()
            number = match.lastgroup == "number" or match.group() == b"-"
            if number and not final and stop > end - _NUMBER_MAY_GO_ON:
                break  # the number (its exponent, or its next digit group) may go on in the next chunk
            if match.lastgroup == "number":
                text = match.group("number")
                replacement = _replacement(text)
                self.repaired = self.repaired or replacement is not text
                parts.append(replacement)
            else:
                parts.append(match.group())
            position = stop
        return b"".join(parts), data[position:]


def restore(item: Any) -> Any:
    """The item with each marked string back to its original text, as an ItemWithUnreadableNumbers listing them
    (or the item unchanged when it held none)."""
    found: list[UnreadableNumber] = []
    restored = _restore(item, "", found)
    if not found or not isinstance(restored, dict):
        return restored
    result = ItemWithUnreadableNumbers(restored)
    result.unreadable_numbers = found
    return result


def _restore(value: Any, pointer: str, found: list[UnreadableNumber]) -> Any:
    if isinstance(value, str):
        if value.startswith(MARKER):
            text = value[len(MARKER) :]
            found.append(UnreadableNumber(pointer=pointer, text=text, reason=reason_for(text)))
            return text
        return value
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, str | dict | list):
                value[key] = _restore(child, f"{pointer}/{_escape(key)}", found)
        return value
    if isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, str | dict | list):
                value[index] = _restore(child, f"{pointer}/{index}", found)
        return value
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
