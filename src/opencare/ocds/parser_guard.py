"""The guard between the file and the parser: nesting deeper than MAX_DEPTH refused before the parser sees it, and
the parser's errors turned into plain-English messages with an exact line and column (invalid UTF-8 included).

ijson slows down quadratically with depth (40,000 levels took 6 s), so depth is checked here, on the bytes, with
C-speed bytes operations.
"""

from __future__ import annotations

import codecs
import re
from typing import Protocol

from opencare.ocds.byte_layout import ESCAPE_PAIR, MAX_DEPTH, QUOTED
from opencare.ocds.input_errors import InputError

#: Bytes read at a time when input is copied or scanned.
CHUNK = 1 << 20


class ByteReader(Protocol):
    """What the readers read from: a file, a spooled copy, expanded gzip, a repairing reader, half a package..."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (all that are left if it is negative); no bytes at the end."""
        ...


_NOT_KEPT = bytes(range(256)).translate(None, b'[]{}"')
_SQUARE_TO_CURLY = bytes.maketrans(b"[]", b"{}")


class GuardedReader:
    """Passes bytes to the parser after checking nesting depth, and remembers where it is for messages.

    The depth check strips escape pairs and string contents with C-speed bytes operations, then removes innermost
    bracket pairs one nesting level per pass: about 0.05 s for 50 MB, and no string can hide brackets from it.
    The parser itself rejects invalid UTF-8; ``utf8_error`` then finds where.
    """

    def __init__(self, raw: ByteReader, *, check_depth: bool = True):
        self.raw = raw
        self.check_depth = check_depth
        self.offset = 0  # bytes passed on so far
        self.lines = 0  # newlines passed on so far
        self._previous = b""  # the last two chunks, for locating parser errors
        self._current = b""
        self._first = True
        self._carry = b""
        self._open_brackets = b""
        self._in_string = False

    def read(self, size: int = -1) -> bytes:
        """The next bytes, once they have passed the depth check."""
        if size == 0:  # ijson reads 0 bytes first to learn whether the stream gives bytes or text
            return b""
        data = self.raw.read(size)
        if self._first:
            self._first = False
            if data.startswith(codecs.BOM_UTF8):  # a BOM is harmless: skip it rather than fail
                data = data[len(codecs.BOM_UTF8) :]
                self.offset += len(codecs.BOM_UTF8)
        if self.check_depth:
            self._check_depth(data)
        self._previous, self._current = self._current, data
        self.offset += len(data)
        self.lines += data.count(b"\n")
        return data

    @property
    def recent(self) -> bytes:
        """The last two chunks read, where a parser error must be."""
        return self._previous + self._current

    @property
    def recent_offset(self) -> int:
        """The file offset of the first byte of ``recent``."""
        return self.offset - len(self._previous) - len(self._current)

    def utf8_error(self) -> InputError | None:
        """Find the first byte that is not UTF-8 (the parser says there is one, but not where).

        Only a stream that can be rewound can say where; half of a split file cannot, and the caller then reads the
        whole file again in one pass, which can.
        """
        if not hasattr(self.raw, "seek"):
            return None
        self.raw.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        offset = lines = 0
        while True:
            data = self.raw.read(CHUNK)
            try:
                decoder.decode(data, not data)
            except UnicodeDecodeError as error:
                before = data[: error.start]
                column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
                return InputError(
                    f"The file is not valid UTF-8: byte {offset + error.start} (0x{data[error.start]:02x}) cannot be "
                    "decoded",
                    how_to_fix="Save the file as UTF-8. Files saved by Excel as 'CSV' or by older systems are often "
                    "Windows-1252 or Latin-1.",
                    line=lines + before.count(b"\n") + 1,
                    column=column,
                )
            if not data:
                return None
            offset += len(data)
            lines += data.count(b"\n")

    def _check_depth(self, data: bytes) -> None:
        data = self._carry + data
        self._carry = b""
        trailing_backslashes = len(data) - len(data.rstrip(b"\\"))
        if trailing_backslashes % 2:  # an escape pair cut in two: finish it with the next chunk
            data, self._carry = data[:-1], data[-1:]
        kept = ESCAPE_PAIR.sub(b"", data).translate(_SQUARE_TO_CURLY, _NOT_KEPT)
        if self._in_string:
            kept = b'"' + kept
        kept = kept.replace(b'""', b"")
        if b'"' in kept:
            kept = QUOTED.sub(b"", kept)
        quote = kept.find(b'"')
        self._in_string = quote != -1
        if self._in_string:
            kept = kept[:quote]
        brackets = self._open_brackets + kept
        for _ in range(MAX_DEPTH + 1):
            if b"{}" not in brackets:
                break
            brackets = brackets.replace(b"{}", b"")
        else:
            self._too_deep()
        self._open_brackets = brackets.lstrip(b"}")  # unmatched closers are the parser's to report
        if len(self._open_brackets) > MAX_DEPTH:
            self._too_deep()

    def _too_deep(self) -> None:
        raise too_deep_error()

    def explain(self, error: Exception) -> InputError:
        """Turn the parser's error into a message with a line and column."""
        text = str(error)
        if "UTF8" in text and (utf8 := self.utf8_error()) is not None:
            return utf8
        if text.startswith("b'") or text.startswith('b"'):
            text = text[2:-1].encode().decode("unicode_escape")
        reason = text.splitlines()[0] if text else "invalid JSON"
        reason = reason.split(": ", 1)[-1]
        # A NUL byte ends the parser's message early, snippet and all: the place is found from the bytes instead.
        position = self._locate_control_character() if reason.startswith(_CONTROL_REASON) else self._locate(text)
        line = column = None
        if position is not None:
            index = position - self.recent_offset
            line, column = self._line_column_in_recent(index)
        friendly = _FRIENDLY_REASONS.get(reason.split(".")[0], reason.rstrip("."))
        return InputError(
            f"The file is not valid JSON: {friendly}",
            how_to_fix="Fix the JSON at that place (a JSON validator or a text editor that highlights JSON helps), "
            "or re-export the data from the system that made it.",
            line=line,
            column=column,
        )

    def _locate(self, text: str) -> int | None:
        """Where in the recent bytes the parser stopped, from the context snippet it prints."""
        lines = text.splitlines()
        if "premature EOF" in text:
            return self.offset
        if len(lines) < 3 or "^" not in lines[2]:
            return None
        snippet, caret = lines[1], lines[2].index("^")
        before = snippet[:caret].lstrip(" ")
        if not before:
            return None
        normalised = self.recent.translate(bytes.maketrans(b"\r\n\t", b"   "))
        found = normalised.rfind(before.encode("utf-8", "replace"))
        if found == -1:
            return None
        index = found + len(before.encode("utf-8", "replace"))
        start = index
        while index > 0 and self.recent[index - 1 : index] in _TOKEN_BYTES:  # back to where the bad token starts
            index -= 1
        if index != start and index > 0 and self.recent[index - 1 : index] == b'"':
            index -= 1  # the parser stopped inside a string: point at its opening quote
        elif index == start and index > 0 and self.recent[index - 1 : index] == b'"':
            opening = self.recent.rfind(b'"', 0, index - 1)  # the parser stops after a bad string: go to its start
            while opening > 0 and self.recent[opening - 1 : opening] == b"\\":
                opening = self.recent.rfind(b'"', 0, opening - 1)
            index = max(opening, 0)
        elif index == start and index > 0 and self.recent[index - 1 : index] in b"{}[]:,":
            index -= 1  # the parser stops just after a bad single-character token
        return self.recent_offset + index

    def _locate_control_character(self) -> int | None:
        """Where the first control character in the recent bytes is (other than the white space JSON allows)."""
        match = _CONTROL_BYTE.search(self.recent)
        return None if match is None else self.recent_offset + match.start()

    def _line_column_in_recent(self, index: int) -> tuple[int, int]:
        lines_in_recent = self.recent.count(b"\n")
        line_at_recent_start = self.lines - lines_in_recent
        before = self.recent[:index]
        line = line_at_recent_start + before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return line, column


def too_deep_error() -> InputError:
    """The message for data nested deeper than MAX_DEPTH."""
    return InputError(
        f"The data is nested more than {MAX_DEPTH} levels deep (arrays and objects inside each other)",
        how_to_fix="OCDS data is never this deep: check the file was produced correctly.",
    )


_TOKEN_BYTES = frozenset(
    bytes([byte]) for byte in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-"
)

_CONTROL_REASON = "invalid character inside string"
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: The parser's reasons (up to their first full stop), in plain English.
_FRIENDLY_REASONS = {
    "premature EOF": "it ends too early (the file may be cut short, or a bracket is not closed)",
    "trailing garbage": "there is more text after the end of the JSON",
    "invalid char in json text": "there is a character that JSON does not allow here (NaN, Infinity, a stray "
    "letter or a byte order mark in the middle)",
    "invalid string in json text": "there is a word that is not a JSON value (true, false and null must be spelt "
    "exactly, and text must be in double quotes)",
    _CONTROL_REASON: "there is a control character (such as a NUL byte) inside a text value; JSON text must "
    "write these as escapes, like \\u0000, or leave them out",
    "malformed number, a digit is required after the minus sign": "a number is malformed: a digit is required after "
    "the minus sign (-Infinity is not JSON)",
    "numeric (floating point) overflow": "a number is too large to read (beyond about 1.8e308, the largest a "
    "double-precision number can hold)",
    "integer overflow": "a whole number has too many digits to read (more than 18); write an identifier as text "
    "in double quotes",
    "after array element, I expect ',' or ']'": "a comma or a closing ] is missing in a list",
    "after key and value, inside map, I expect ',' or '}'": "a comma or a closing } is missing in an object",
    "invalid object key (must be a string)": "an object key is not in double quotes",
    "object key and value must be separated by a colon (':')": "a colon is missing between a key and its value",
}
