"""The parts of an XLSX workbook that give its cells their values: shared strings, kept compactly, and the number
formats that make a number a date, a time or a duration.

Values come out as python-calamine gives them, so that streaming a sheet reads what calamine read before it: text
as str, every number as a float, booleans, dates (date, datetime, time or timedelta by the value and its format),
and '' for a blank, an error (#N/A) or a formula with no saved result.
"""

from __future__ import annotations

import datetime
import os
import pyexpat
import re
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError

#: Shared strings kept in memory up to this many bytes of UTF-8; past it they go to a file and are read back one at a
#: time, so that a workbook of millions of distinct texts does not hold them all.
STRINGS_IN_MEMORY = 16 * 1024 * 1024

#: Excel's built-in number formats that show a date or time (14-22, 45, 47) or a duration (46, [h]:mm:ss).
BUILT_IN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
BUILT_IN_DURATIONS = frozenset({46})
DATE = "date"
DURATION = "duration"

#: In a format code, what is not a date token: quoted text, a backslash, '_' or '*' and the character after it.
_LITERALS_RE = re.compile(r'"[^"]*"?|[\\_*].?')
#: An elapsed-time token ([h], [mm], [ss]) and the other bracketed parts (colours, conditions, locales).
_ELAPSED_RE = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_BRACKETS_RE = re.compile(r"\[[^\]]*\]?")
_DATE_LETTERS_RE = re.compile(r"[dmyhs]|a/p|am/pm", re.IGNORECASE)

_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_EPOCH_1904 = datetime.datetime(1904, 1, 1)


def format_kind(code: str) -> str | None:
    """DATE, DURATION or None for a custom number format code such as 'dd/mm/yyyy' or '[h]:mm' (its first section
    only, as the value's type comes from it)."""
    first = _LITERALS_RE.sub("", code).split(";", 1)[0]
    if _ELAPSED_RE.search(first):
        return DURATION
    return DATE if _DATE_LETTERS_RE.search(_BRACKETS_RE.sub("", first)) else None


def serial_value(number: float, kind: str, *, is_1904: bool) -> Any:
    """The value of a number shown as a date or duration, as calamine gives it: a timedelta for a duration; for a
    date, a time under 1, a date for a whole number, else a datetime (to the millisecond); the number itself if it is
    negative or out of range."""
    if number < 0 and kind != DURATION:
        return number
    try:
        milliseconds = round(number * 86_400_000)
        if kind == DURATION:
            return datetime.timedelta(milliseconds=milliseconds)
        if number < 1:
            return (datetime.datetime.min + datetime.timedelta(milliseconds=milliseconds)).time()
        if is_1904:
            moment = _EPOCH_1904 + datetime.timedelta(milliseconds=milliseconds)
        else:
            # Excel counts 29 February 1900, which never was: serials before it are a day later than the epoch says.
            moment = _EXCEL_EPOCH + datetime.timedelta(days=1 if number < 60 else 0, milliseconds=milliseconds)
    except (OverflowError, ValueError):
        return number
    return moment.date() if number.is_integer() else moment


class SharedStrings:
    """A workbook's shared strings by index: UTF-8 bytes end to end with an array of offsets, in memory up to
    STRINGS_IN_MEMORY and in a file past it (read back with one pread each)."""

    def __init__(self, folder: Path):
        self._offsets = array("q", [0])
        self._buffer = bytearray()
        self._path = folder / "shared-strings.bin"
        self._file: int | None = None
        self._written = 0

    def add(self, text: str) -> None:
        """Append the next string."""
        self._buffer += text.encode("utf-8", "surrogatepass")
        self._offsets.append(self._written + len(self._buffer))
        if len(self._buffer) > STRINGS_IN_MEMORY:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(self._file, self._buffer)
        self._written += len(self._buffer)
        self._buffer = bytearray()

    def finish(self) -> None:
        """Done adding: if any went to the file, the rest follows them there."""
        if self._file is not None and self._buffer:
            self._spill()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        start, end = self._offsets[index], self._offsets[index + 1]
        if self._file is None:
            return self._buffer[start:end].decode("utf-8", "surrogatepass")
        return os.pread(self._file, end - start, start).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Let the file go."""
        if self._file is not None:
            os.close(self._file)
            self._file = None
            self._path.unlink(missing_ok=True)


def read_shared_strings(chunks: Iterable[bytes], strings: SharedStrings) -> None:
    """Add the shared strings of xl/sharedStrings.xml, streamed: each <si>'s text runs joined, phonetic guides left
    out."""
    parts: list[str] = []
    state = {"text": False, "phonetic": 0}

    def start(name: str, _attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "t":
            state["text"] = True
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "si":
            parts.clear()

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "t":
            state["text"] = False
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "si":
            strings.add("".join(parts))

    def text(data: str) -> None:
        if state["text"] and not state["phonetic"]:
            parts.append(data)

    parser = safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parse_chunks(parser, chunks, "xl/sharedStrings.xml")
    strings.finish()


def read_date_styles(xml: bytes) -> list[str | None]:
    """For each cell style index, DATE, DURATION or None: from xl/styles.xml's cellXfs and numFmts."""
    formats: dict[int, str] = {}
    kinds: list[str | None] = []
    depth = {"cellXfs": 0}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "numFmt":
            identifier = attributes.get("numFmtId", "")
            if identifier.isdigit():
                formats[int(identifier)] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            identifier = attributes.get("numFmtId", "0")
            number = int(identifier) if identifier.isdigit() else 0
            if number in formats:
                kinds.append(format_kind(formats[number]))
            elif number in BUILT_IN_DATES:
                kinds.append(DATE)
            elif number in BUILT_IN_DURATIONS:
                kinds.append(DURATION)
            else:
                kinds.append(None)

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "cellXfs":
            depth["cellXfs"] -= 1

    parser = safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parse_chunks(parser, [xml], "xl/styles.xml")
    return kinds


def safe_parser() -> Any:
    """An expat parser that refuses a DOCTYPE (entity declarations are how XML attacks are made; spreadsheet programs
    never write one) and never loads anything from outside the file."""
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> None:
        raise SpreadsheetError(
            "This spreadsheet contains a DOCTYPE declaration, which opencare does not accept for safety (spreadsheet "
            "programs never write one)",
            how_to_fix="Open the file in your spreadsheet program, save it again as .xlsx or .ods, and upload that.",
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def parse_chunks(parser: Any, chunks: Iterable[bytes], member: str) -> None:
    """Feed a part's bytes to the parser; malformed XML is refused saying which part."""
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError as error:
        raise malformed(member, error) from None


def malformed(member: str, error: Exception) -> SpreadsheetError:
    """The error for a part of the workbook that is not well-formed XML."""
    return SpreadsheetError(
        f"The spreadsheet could not be read: its part {member} is damaged ({error})", how_to_fix=SAVE_AGAIN
    )
