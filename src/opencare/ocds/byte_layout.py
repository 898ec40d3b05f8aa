"""The bytes of a JSON package file, read without parsing it: where its top-level values are, where it can be split
between two items, and its items parsed a chunk at a time.

Bracket depth is followed with C-speed bytes operations (escape pairs and strings stripped, then matched bracket
pairs removed), so a pass over 50 MB takes a few hundredths of a second. ``items_in_chunks`` cuts a package's items
array at commas between items and gives each chunk to orjson, about twice as fast as a streaming parser and still in
bounded memory; anything orjson refuses is left to the streaming parser, which explains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

MAX_DEPTH = 256
#: Bytes read at a time by the layout pass.
LAYOUT_BUFFER = 1 << 16
#: About this many bytes of items are parsed at a time. Measured on 50 MB packages: 128-256 KB parsed fastest (the
#: objects of one chunk stay in the processor's caches; 2 MB was 40% slower) and keeps a chunk's objects to a few MB.
ITEMS_CHUNK = 256 << 10

#: A backslash and the byte it escapes, and a whole JSON string: stripped before brackets are counted (here and in
#: opencare.ocds.parser_guard), so no string can hide brackets.
ESCAPE_PAIR = re.compile(rb"\\.", re.S)
QUOTED = re.compile(rb'"[^"]*"')


class TooDeep(Exception):
    """Nesting deeper than MAX_DEPTH."""


class NotFast(Exception):
    """orjson could not take this chunk (broken JSON, a number it cannot hold...): the streaming parser must."""


# ---------------------------------------------------------------------------------------------------------------------
# Brackets outside strings

_NOT_TYPED_KEPT = bytes(range(256)).translate(None, b'[]{}"')


def _chunk_brackets(chunk: bytes, in_string: bool) -> tuple[int, bytes, bool, int]:
    """A chunk's own brackets, matched pairs removed: how many it closes from before, what it leaves open, whether
    it ends in a string, and how deep its own nesting goes (at most MAX_DEPTH + 1: deeper is refused anyway)."""
    if chunk.endswith(b"\\"):  # an escape cut at the chunk's end: count exactly
        return _chunk_brackets_exact(chunk, in_string)
    kept = ESCAPE_PAIR.sub(b"", chunk).translate(None, _NOT_TYPED_KEPT)
    if in_string:
        kept = b'"' + kept
    kept = kept.replace(b'""', b"")
    if b'"' in kept:
        kept = QUOTED.sub(b"", kept)
    quote = kept.find(b'"')
    in_string = quote != -1
    if in_string:
        kept = kept[:quote]
    depth = 0
    while depth <= MAX_DEPTH:
        reduced = kept.replace(b"{}", b"").replace(b"[]", b"")
        if reduced == kept:
            break
        kept, depth = reduced, depth + 1
    opened = kept.lstrip(b"]}")
    return len(kept) - len(opened), opened, in_string, depth


def _outside_strings(chunk: bytes, in_string: bool, state: list[bool]) -> Iterator[tuple[int, int]]:
    """(position, byte) of each byte of the chunk that is not inside a JSON string; ``state[0]`` ends as whether the
    chunk ends inside one."""
    escaped = False
    for index, byte in enumerate(chunk):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        else:
            yield index, byte
    state[0] = in_string


def _chunk_brackets_exact(chunk: bytes, in_string: bool) -> tuple[int, bytes, bool, int]:
    closers, stack, state, deepest = 0, bytearray(), [in_string], 0
    for _, byte in _outside_strings(chunk, in_string, state):
        if byte in b"[{":
            stack.append(byte)
            deepest = max(deepest, len(stack))
        elif byte in b"]}":
            if stack:
                stack.pop()
            else:
                closers += 1
    return closers, bytes(stack), state[0], deepest


def _comma_between_items(chunk: bytes, offset: int, target: int, openers: bytes, in_string: bool) -> int | None:
    stack = bytearray(openers)
    for index, byte in _outside_strings(chunk, in_string, [in_string]):
        if byte in b"[{":
            stack.append(byte)
        elif byte in b"]}":
            if stack:
                stack.pop()
        elif byte == 0x2C and stack == b"{[" and offset + index >= target:
            return offset + index + 1
    return None


# ---------------------------------------------------------------------------------------------------------------------
# The layout of a package file


@dataclass(frozen=True)
class FileLayout:
    """What one bytes-level pass over a package file found."""

    values: list[tuple[str, int, int]] | None  # (key, start, end) of each top-level value; None if unclear
    split: int | None  # just after a comma between two items near the middle, for two processes
    depth_checked: bool  # nesting is within MAX_DEPTH everywhere, so the parser needs no depth guard
    single_value: bool = False  # the file is one JSON object and nothing else (no concatenated values, no garbage)


def top_level_values(path: Path) -> FileLayout:
    """Map the file's top-level object and find where to split it, in one pass.

    Bracket depth is followed chunk by chunk with bytes operations; only chunks that come back up to the top level
    (the start and end of a package, never the middle of its releases) and the chunk at the middle are scanned byte
    by byte. Nesting deeper than MAX_DEPTH is refused here, before any parser sees it.
    """
    values: list[tuple[str, int, int]] = []
    openers, in_string, offset = b"", False, 0
    state = _TopLevelScan()
    middle, split, depth_within_limit = path.stat().st_size // 2, None, True
    with path.open("rb") as handle:
        for chunk in _whole_escapes(handle):
            closers, opened, ends_in_string, depth = _chunk_brackets(chunk, in_string)
            if depth > MAX_DEPTH:
                raise TooDeep
            depth_within_limit = depth_within_limit and len(openers) + depth <= MAX_DEPTH
            top = len(openers) - closers <= 1  # this chunk comes back up to the top level: read that part exactly
            at_middle = split is None and offset + len(chunk) > middle  # the same pass finds where to split the file
            if top or at_middle:
                split = _read_exactly(chunk, offset, openers, in_string, state, values, middle, split, top=top)
            openers = openers[: max(len(openers) - closers, 0)] + opened
            in_string = ends_in_string
            offset += len(chunk)
    return FileLayout(values=values if state.closed else None, split=split, depth_checked=depth_within_limit,
                      single_value=state.closed and not state.trailing)  # fmt: skip


#: Parts of a chunk read byte by byte: only those that reach the top level, or hold the middle, are.
EXACT_PIECE = 1 << 12


def _read_exactly(
    chunk: bytes,
    offset: int,
    openers: bytes,
    in_string: bool,
    state: _TopLevelScan,
    values: list[tuple[str, int, int]],
    middle: int,
    split: int | None,
    *,
    top: bool,
) -> int | None:
    """Scan byte by byte the pieces of a chunk that come back to the top level (its keys and values) or hold the
    middle (where to split); the rest is followed with bytes operations. Returns the split point, once found."""
    for piece, start in _pieces(chunk):
        closers, opened, ends_in_string, _ = _chunk_brackets(piece, in_string)
        if top and len(openers) - closers <= 1:
            state.scan(piece, offset + start, openers, in_string, values)
        if split is None and offset + start + len(piece) > middle:
            split = _comma_between_items(piece, offset + start, middle, openers, in_string)
        openers = openers[: max(len(openers) - closers, 0)] + opened
        in_string = ends_in_string
    return split


def _pieces(chunk: bytes) -> Iterator[tuple[bytes, int]]:
    """The chunk in pieces of about EXACT_PIECE bytes, with where each starts; none ends inside an escape pair."""
    start = 0
    while start < len(chunk):
        end = min(start + EXACT_PIECE, len(chunk))
        backslashes = end - start - len(chunk[start:end].rstrip(b"\\"))
        if backslashes % 2 and end < len(chunk):
            end -= 1  # the escaped character's backslash goes with it into the next piece
        yield chunk[start:end], start
        start = end


def _whole_escapes(handle: Any) -> Iterator[bytes]:
    """The file in chunks, none ending inside an escape pair (a lone backslash goes on to the next chunk), so that
    no chunk's first byte is an escaped character mistaken for the end of a string."""
    carry = b""
    while chunk := handle.read(LAYOUT_BUFFER):
        chunk = carry + chunk
        backslashes = len(chunk) - len(chunk.rstrip(b"\\"))
        carry = b""
        if backslashes % 2:
            chunk, carry = chunk[:-1], chunk[-1:]
        yield chunk
    if carry:
        yield carry


class _TopLevelScan:
    """Byte-by-byte: the keys of the top-level object and where each value starts and ends. It follows strings
    itself rather than through ``_outside_strings``, because the keys it reads are inside strings."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.value_start = 0
        self.key_bytes: bytearray | None = None
        self.expect_key = False
        self.closed = False
        self.trailing = False  # something other than white space after the top-level value

    def scan(self, chunk: bytes, offset: int, openers: bytes, in_string: bool,
             values: list[tuple[str, int, int]]) -> None:  # fmt: skip
        depth, escaped = len(openers), False
        for index, byte in enumerate(chunk):
            if in_string:
                if escaped:
                    escaped = False
                elif byte == 0x5C:
                    escaped = True
                elif byte == 0x22:
                    in_string = False
                    if self.key_bytes is not None and depth == 1:
                        self.key = self.key_bytes.decode("utf-8", "replace")
                        self.key_bytes = None
                        continue
                if self.key_bytes is not None and depth == 1 and not escaped:
                    self.key_bytes.append(byte)
                continue
            if depth == 0 and self.closed and byte not in b" \t\r\n":
                self.trailing = True
            if byte == 0x22:
                in_string = True
                if depth == 1 and self.expect_key:
                    self.key_bytes, self.expect_key = bytearray(), False
            elif byte in b"[{":
                depth += 1
                if depth == 1:
                    self.expect_key = True
            elif byte in b"]}":
                if depth == 1 and self.key is not None:
                    values.append((self.key, self.value_start, offset + index))
                    self.key = None
                depth -= 1
                if depth == 0:
                    self.closed = True
            elif depth == 1 and byte == 0x3A and self.key is not None:
                self.value_start = offset + index + 1
            elif depth == 1 and byte == 0x2C:
                if self.key is not None:
                    values.append((self.key, self.value_start, offset + index))
                    self.key = None
                self.expect_key = True


# ---------------------------------------------------------------------------------------------------------------------
# A package's items, a chunk at a time

_ITEM_END = re.compile(rb"\}[ \t\r\n]*,")
#: A chunk with no comma between two objects in this many bytes is left to the streaming parser.
MOST_BUFFERED = 64 << 20


def array_inside(path: Path, start: int, end: int) -> tuple[int, int] | None:
    """The byte offsets just inside the brackets of the JSON array between ``start`` and ``end`` (a top-level
    value's range from ``top_level_values``), or None if that value is not an array."""
    with path.open("rb") as handle:
        handle.seek(start)
        head = handle.read(min(end - start, 4096))
        handle.seek(max(start, end - 4096))
        tail = handle.read(end - max(start, end - 4096))
    opening = len(head) - len(head.lstrip(b" \t\r\n"))
    closing = len(tail.rstrip(b" \t\r\n"))
    if head[opening : opening + 1] != b"[" or tail[closing - 1 : closing] != b"]":
        return None
    return start + opening + 1, end - len(tail) + closing - 1


def items_in_chunks(path: Path, start: int, end: int) -> Iterator[Any]:
    """Each item of the array whose inside lies between ``start`` and ``end``, parsed by orjson about ITEMS_CHUNK
    bytes at a time. Raises NotFast where orjson cannot go on; the items before that chunk are already given.

    A chunk ends at a comma that follows an object's closing brace and has no bracket left open before it, so it
    holds whole items: ``[`` + chunk + ``]`` is the JSON array of those items.
    """
    with path.open("rb") as handle:
        handle.seek(start)
        remaining, buffer = end - start, b""
        while True:
            while remaining and len(buffer) < 2 * ITEMS_CHUNK:
                data = handle.read(min(remaining, ITEMS_CHUNK))
                if not data:
                    raise NotFast  # the file changed under us
                buffer += data
                remaining -= len(data)
            if not remaining:
                if buffer.strip():
                    yield from _parsed(buffer)
                return
            comma = _comma_between_objects(buffer, ITEMS_CHUNK)
            if comma is None:
                if len(buffer) > MOST_BUFFERED:
                    raise NotFast
                data = handle.read(min(remaining, len(buffer)))  # one huge item: read on until it ends
                if not data:
                    raise NotFast
                buffer += data
                remaining -= len(data)
                continue
            yield from _parsed(buffer[:comma])
            buffer = buffer[comma + 1 :]


def _parsed(items: bytes) -> list[Any]:
    try:
        return orjson.loads(b"[" + items + b"]")
    except orjson.JSONDecodeError:
        raise NotFast from None


def _comma_between_objects(buffer: bytes, target: int) -> int | None:
    """The first comma at or after ``target`` that follows an object's closing brace at the buffer's own top level
    (the buffer starts at the start of an item), or None."""
    openers, in_string, scanned = b"", False, 0
    for match in _ITEM_END.finditer(buffer, target):
        brace = match.start() + 1
        closers, opened, in_string, _ = _chunk_brackets(buffer[scanned:brace], in_string)
        if closers > len(openers):
            return None  # closes more than it opened: not the inside of an array
        openers = openers[: len(openers) - closers] + opened
        scanned = brace
        if not openers and not in_string:
            return match.end() - 1
    return None
