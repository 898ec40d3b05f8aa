"""What a reader found (OcdsInput: the format in words, the package metadata) and the stream of its releases or
records, one at a time in constant memory.

A package whose layout was mapped is parsed a chunk at a time by orjson (byte_layout); anything else, and whatever
orjson refuses, is streamed by ijson's C backend behind the parser guard. Input the parsers refuse is read once more
with numbers that cannot be read kept as text (unreadable_numbers).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from opencare.ocds.byte_layout import NotFast, items_in_chunks
from opencare.ocds.input_errors import InputError, json_type
from opencare.ocds.parser_guard import GuardedReader
from opencare.ocds.unreadable_numbers import NumberRepairingReader, restore

#: ijson's read size: 64 KiB parsed fastest here (1 MiB was 60% slower).
PARSE_BUFFER = 1 << 16


@dataclass
class OcdsInput:
    """What was found: the format in words, the package metadata, and a way to stream the items."""

    format: str
    kind: str  # "release" or "record": what items() yields
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None  # set for a plain file on disk, which other processes can open too
    items_not_a_list: str = ""  # what "releases"/"records" is instead of a list, e.g. "an object"
    split: int | None = None  # where a package file can be split in two (after a comma between two items)
    depth_checked: bool = False  # the whole file's nesting was checked, so halves of it need no depth guard
    # How the items are read (set by shape_detection and package_split, read only here):
    check_depth: bool = True  # guard the parser against deep nesting (not needed where the layout pass checked it)
    items_file: Path | None = None  # with items_range: the items can be parsed a chunk at a time (byte_layout)
    items_range: tuple[int, int] | None = None  # byte offsets of the inside of the items array
    opener: Any = None  # opens the data afresh for each pass (seekable_input)
    prefix: str = ""  # ijson's prefix of the items; "values" for each top-level value, "none" for no items
    multiple: bool = False  # several top-level JSON values may follow each other

    def __enter__(self) -> OcdsInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the temporary copy of a stream or gzip file, if one was made."""
        close = getattr(self.opener, "close", None)
        if close is not None:
            close()

    def items(self) -> Iterator[dict[str, Any]]:
        """Stream every release (or record), one at a time.

        Input the parsers refuse is read once more with its numbers that cannot be read (``1e9999``, ``000``,
        ``1 000``) kept as text (opencare.ocds.unreadable_numbers): each item holding one says so, and the rest of
        the file is read as usual. Only if that fails too is the input unreadable.
        """
        if self.prefix == "none":
            return
        try:
            if self.items_file is not None and self.items_range is not None:
                yield from self._items_in_chunks(self.items_file, *self.items_range)
            else:
                yield from self._items_streamed()
        except _Refused as refused:  # every item before the one refused has been given, by one parser or the other
            yield from self._items_repaired(refused.parsed, refused.error)

    def _items_repaired(self, given: int, refused: InputError) -> Iterator[dict[str, Any]]:
        """The items after the first ``given``, read with numbers that cannot be read kept as text. If this fails
        too, the error is the first pass's (its line and column are exact), unless it failed further on."""
        read = 0
        try:
            for item in self._items_streamed(repair=True):
                read += 1
                if read > given:
                    yield item
        except InputError as error:
            raise (error if read > given else refused) from None

    def _items_in_chunks(self, path: Path, start: int, end: int) -> Iterator[dict[str, Any]]:
        """The items parsed a chunk at a time; where that cannot go on, streamed from the start (the streaming parser
        explains what is wrong, with its line and column), skipping those already given."""
        given = 0
        try:
            for item in items_in_chunks(path, start, end):
                if not isinstance(item, dict):
                    raise not_an_object(item, self.kind)
                given += 1
                yield item
        except NotFast:
            for index, item in enumerate(self._items_streamed()):
                if index >= given:
                    yield item

    def _items_streamed(self, *, repair: bool = False) -> Iterator[dict[str, Any]]:
        """The items, streamed by ijson. ``repair`` reads numbers that cannot be read as their text (each item that
        held one is an ItemWithUnreadableNumbers); without it, JSON the parser refuses raises _Refused."""
        with self.opener() as stream:
            repairing = NumberRepairingReader(stream) if repair else None
            guarded = GuardedReader(repairing or stream, check_depth=self.check_depth)
            parsed = 0
            try:
                if self.prefix == "values":
                    values = self._items_of_each_package(guarded)
                else:
                    values = ijson.items(
                        guarded, self.prefix, use_float=True, multiple_values=self.multiple, buf_size=PARSE_BUFFER
                    )
                for item in values:
                    if not isinstance(item, dict):
                        raise not_an_object(item, self.kind)
                    parsed += 1
                    yield restore(item) if repairing is not None and repairing.repaired else item
            except ijson.JSONError as error:
                explained = guarded.explain(error)
                if repair or "UTF8" in str(error):
                    raise explained from None
                raise _Refused(explained, parsed) from None

    def _items_of_each_package(self, guarded: GuardedReader) -> Iterator[dict[str, Any]]:
        """Each top-level value: a release or record as it is, a package as its releases or records."""
        for value in ijson.items(guarded, "", use_float=True, multiple_values=True, buf_size=PARSE_BUFFER):
            if isinstance(value, dict) and isinstance(value.get("releases"), list):
                yield from (item for item in value["releases"] if isinstance(item, dict))
            elif isinstance(value, dict) and isinstance(value.get("records"), list):
                yield from (item for item in value["records"] if isinstance(item, dict))
            elif isinstance(value, dict):
                yield value
            else:
                raise InputError(
                    f"Found {json_type(value)} in a stream of JSON values where an object should be",
                    how_to_fix="Put one release, record or package (a JSON object) on each line.",
                )


class _Refused(Exception):
    """The streaming parser refused the input: perhaps only for numbers it cannot read, which a second pass keeps."""

    def __init__(self, error: InputError, parsed: int):
        super().__init__(str(error))
        self.error = error
        self.parsed = parsed  # the items read before it (from the start of the input)


def not_an_object(item: Any, kind: str) -> InputError:
    """The message for an item that is not a JSON object."""
    return InputError(
        f"Found {json_type(item)} where a {kind} (a JSON object) should be",
        how_to_fix=f"Make every {kind} a JSON object, {{...}}.",
    )
