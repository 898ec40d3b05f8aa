"""Read OCDS data of any common shape, streaming, in constant memory, with clear messages for broken input.

Shapes: a release package, a record package, a single release or record, an array of releases, JSON Lines or
concatenated JSON (of releases, records or packages); any of them gzipped. Paths, ``-`` for standard input, or a
binary stream.

Two passes over the bytes: the first reads the package metadata that comes before the ``releases``/``records``
array (so the schema can be chosen), the second streams each release or record with ijson's C backend. Input that is
not a seekable file (standard input, gzip) is first copied to a temporary file. A guard between the file and the
parser rejects nesting deeper than MAX_DEPTH and invalid UTF-8 before the parser sees them, because ijson slows down
quadratically with depth (40,000 levels took 6 s).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from opencare.ocds.byte_layout import (
    _ESCAPE_PAIR,
    _QUOTED,
    MAX_DEPTH,
    FileLayout,
    NotFast,
    TooDeep,
    array_inside,
    items_in_chunks,
    top_level_values,
)
from opencare.ocds.unreadable_numbers import NumberRepairingReader, restore

CHUNK = 1 << 20
#: A gzip stream may expand this much whatever its ratio (small, very repetitive data compresses very well)...
GZIP_RATIO_FREE_BYTES = 100 * 1000 * 1000
#: ... and past that, at most this many times its compressed size: OCDS JSON compresses 10-20 times; a gzip bomb
#: (a small file that expands to fill the disk when it is copied to a temporary file) thousands of times.
MAX_GZIP_RATIO = 200
#: ijson's read size: 64 KiB parsed fastest here (1 MiB was 60% slower).
PARSE_BUFFER = 1 << 16
PACKAGE_KEYS = ("releases", "records")


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
    _check_depth: bool = True
    _items_file: Path | None = None  # with _items_range: the items can be parsed a chunk at a time (byte_layout)
    _items_range: tuple[int, int] | None = None  # byte offsets of the inside of the items array
    _opener: Any = None
    _prefix: str = ""
    _multiple: bool = False

    def __enter__(self) -> OcdsInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the temporary copy of a stream or gzip file, if one was made."""
        close = getattr(self._opener, "close", None)
        if close is not None:
            close()

    def items(self) -> Iterator[dict[str, Any]]:
        """Stream every release (or record), one at a time.

        Input the parsers refuse is read once more with its numbers that cannot be read (``1e9999``, ``000``,
        ``1 000``) kept as text (opencare.ocds.unreadable_numbers): each item holding one says so, and the rest of
        the file is read as usual. Only if that fails too is the input unreadable.
        """
        if self._prefix == "none":
            return
        try:
            if self._items_file is not None and self._items_range is not None:
                yield from self._items_in_chunks(self._items_file, *self._items_range)
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
                    raise _not_an_object(item, self.kind)
                given += 1
                yield item
        except NotFast:
            for index, item in enumerate(self._items_streamed()):
                if index >= given:
                    yield item

    def _items_streamed(self, *, repair: bool = False) -> Iterator[dict[str, Any]]:
        """The items, streamed by ijson. ``repair`` reads numbers that cannot be read as their text (each item that
        held one is an ItemWithUnreadableNumbers); without it, JSON the parser refuses raises _Refused."""
        with self._opener() as stream:
            repairing = NumberRepairingReader(stream) if repair else None
            guarded = GuardedReader(repairing or stream, check_depth=self._check_depth)
            parsed = 0
            try:
                if self._prefix == "values":
                    values = self._items_of_each_package(guarded)
                else:
                    values = ijson.items(
                        guarded, self._prefix, use_float=True, multiple_values=self._multiple, buf_size=PARSE_BUFFER
                    )
                for item in values:
                    if not isinstance(item, dict):
                        raise _not_an_object(item, self.kind)
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
                    f"Found {_json_type(value)} in a stream of JSON values where an object should be",
                    how_to_fix="Put one release, record or package (a JSON object) on each line.",
                )


class _Refused(Exception):
    """The streaming parser refused the input: perhaps only for numbers it cannot read, which a second pass keeps."""

    def __init__(self, error: InputError, parsed: int):
        super().__init__(str(error))
        self.error = error
        self.parsed = parsed  # the items read before it (from the start of the input)


def _not_an_object(item: Any, kind: str) -> InputError:
    return InputError(
        f"Found {_json_type(item)} where a {kind} (a JSON object) should be",
        how_to_fix=f"Make every {kind} a JSON object, {{...}}.",
    )


def read_ocds(source: str | Path | BinaryIO, *, max_stream_bytes: int | None = None) -> OcdsInput:
    """Open the source and detect its shape. Raises InputError for anything that is not readable OCDS JSON.

    Standard input and streams are copied to a temporary file first; ``max_stream_bytes`` refuses one longer than
    that (endless input, such as `yes '{}' | opencare review -`, would otherwise fill the disk).
    """
    try:
        opener = _seekable_opener(source, max_stream_bytes)
    except OSError as error:
        raise _cannot_open(source, error) from None
    try:
        return _detect(opener)
    except OSError as error:
        close = getattr(opener, "close", None)
        if close is not None:
            close()
        raise _cannot_open(source, error) from None
    except BaseException:
        close = getattr(opener, "close", None)
        if close is not None:
            close()  # a refused stream leaves no temporary copy behind
        raise


def _cannot_open(source: str | Path | BinaryIO, error: OSError) -> InputError:
    where = source if isinstance(source, str | Path) else "the input"
    return InputError(
        f"{where} cannot be read ({error.strerror or error})",
        how_to_fix="Check that the file exists, is a file (not a folder) and that you may read it.",
    )


def _detect(opener: Any) -> OcdsInput:
    with opener() as stream:
        first = _first_significant_byte(stream)
    if first == b"[":
        found = OcdsInput(format="array of releases", kind="release", _opener=opener, _prefix="item")
    elif first == b"{":
        found = _detect_object_format(opener)
    else:
        raise InputError(
            f"The data starts with {first.decode('latin-1')!r}, not with {{ or [",
            how_to_fix="OCDS data is a JSON object (a package, a release or a record) or an array of releases.",
        )
    found.path = getattr(opener, "path", None)
    return found


def _detect_object_format(opener: Any, *, repair: bool = False) -> OcdsInput:
    """Read top-level keys until the releases/records array (a package) or the end of the first value.

    What the parser refuses is read once more with numbers that cannot be read kept as text (a release given alone,
    or the first line of JSON Lines, is read whole here); if that fails too, the first reading's error is raised.
    """
    metadata: dict[str, Any] = {}
    is_record = False
    with opener() as stream:
        guarded = GuardedReader(NumberRepairingReader(stream) if repair else stream)
        events = ijson.parse(guarded, multiple_values=True)
        try:
            for prefix, event, value in events:
                if prefix == "" and event == "map_key" and value in PACKAGE_KEYS:
                    if "ocid" in metadata:  # a record's own releases, not a package's
                        is_record = True
                        break
                    kind = "release" if value == "releases" else "record"
                    _, next_event, _ = next(events, ("", "", None))
                    if next_event != "start_array":
                        metadata[value] = _build_value(_prepend(("", next_event, None), events))
                        return OcdsInput(format=f"{kind} package", kind=kind, metadata=metadata, _opener=opener,
                                         _prefix="none", items_not_a_list=_json_type(metadata[value]))  # fmt: skip
                    trailing, layout = _metadata_after_items(opener, value)
                    metadata.update(trailing)
                    items_range = _items_range(opener, layout, value)
                    return OcdsInput(
                        format=f"{kind} package",
                        kind=kind,
                        metadata=metadata,
                        split=layout.split if layout else None,
                        depth_checked=layout.depth_checked if layout else False,
                        _opener=opener,
                        _prefix=f"{value}.item",
                        _multiple=True,  # concatenated packages: every package's items, the first's metadata
                        _items_file=opener.path if items_range else None,
                        _items_range=items_range,
                    )
                if prefix == "" and event == "map_key":
                    built = _build_value(events)
                    metadata[value] = restore(built) if repair else built
                elif prefix == "" and event == "end_map":
                    break
            has_more = not is_record and any(True for _ in _take(events, 1))
        except ijson.JSONError as error:
            explained = guarded.explain(error)
            if repair or "UTF8" in str(error):
                raise explained from None
            try:
                return _detect_object_format(opener, repair=True)
            except InputError:
                raise explained from None
    if is_record:
        return OcdsInput(format="single record", kind="record", _opener=opener, _prefix="values", _multiple=True)
    if has_more:
        return OcdsInput(
            format="JSON Lines or concatenated JSON", kind="release", _opener=opener, _prefix="values", _multiple=True
        )
    if not {"ocid", "id", "date", "tag"} & set(metadata):
        raise InputError(
            "This JSON object is not an OCDS package, release or record: it has no releases, records or ocid",
            how_to_fix="Upload a release package (with a 'releases' array), a record package, or a release.",
        )
    return OcdsInput(format="single release", kind="release", _opener=opener, _prefix="values", _multiple=True)


def _metadata_after_items(opener: Any, items_key: str) -> tuple[dict[str, Any], FileLayout | None]:
    """Package metadata that comes after the releases/records array (rare, but a late 'extensions' matters).

    For a file on disk the byte ranges of the package's top-level values are mapped (``top_level_values``) and the
    values after the array are read from them; for a spooled stream the file is parsed once more for them.
    """
    path = getattr(opener, "path", None)
    try:
        layout = top_level_values(path) if path is not None else None
    except TooDeep:
        raise _too_deep() from None
    if layout is not None and layout.values is not None:
        keys = [key for key, _, _ in layout.values]
        trailing: dict[str, Any] = {}
        if items_key in keys:
            with path.open("rb") as handle:
                for key, start, end in layout.values[keys.index(items_key) + 1 :]:
                    handle.seek(start)
                    try:
                        trailing[key] = json.loads(handle.read(end - start))
                    except ValueError:
                        break  # the items pass reports the broken JSON with its position
        return trailing, layout
    trailing = {}
    with opener() as stream:
        events = ijson.parse(GuardedReader(stream), multiple_values=True)
        seen_items = False
        try:
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    if value == items_key:
                        seen_items = True
                    elif seen_items:
                        trailing[value] = _build_value(events)
                elif prefix == "" and event == "end_map":
                    break
        except ijson.JSONError:
            pass  # the items pass reports the error with its position
    return trailing, layout


def _items_range(opener: Any, layout: FileLayout | None, items_key: str) -> tuple[int, int] | None:
    """Where the items array's inside is, when the file is one package whose nesting is checked: then the items can
    be parsed a chunk at a time."""
    if layout is None or layout.values is None or not (layout.single_value and layout.depth_checked):
        return None
    ranges = [(start, end) for key, start, end in layout.values if key == items_key]
    return array_inside(opener.path, *ranges[0]) if len(ranges) == 1 else None


def _prepend(first: tuple[str, str, Any], events: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from events


def _take(events: Iterator[Any], count: int) -> Iterator[Any]:
    for index, event in enumerate(events):
        if index >= count:
            return
        yield event


def _build_value(events: Iterator[tuple[str, str, Any]]) -> Any:
    """Build the value that follows a map_key from the event stream (a small metadata value, not the releases)."""
    builder = ijson.ObjectBuilder()
    depth = 0
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            return builder.value
    return builder.value


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "true or false", type(None): "null", int: "a number"}
    return names.get(type(value), "a number")


# ---------------------------------------------------------------------------------------------------------------------
# Opening


def _seekable_opener(source: str | Path | BinaryIO, max_stream_bytes: int | None = None) -> Any:
    """A function that opens the data as a fresh seekable binary stream each time it is called."""
    if isinstance(source, str | Path) and str(source) != "-":
        path = Path(source)
        if not path.is_file():
            raise InputError(f"There is no file at {path}", how_to_fix="Check the file name and path.")
        with path.open("rb") as handle:
            magic = handle.read(2)
        if magic == b"\x1f\x8b":
            with path.open("rb") as compressed:
                return _spooled(_gunzipped(compressed))
        return _PathOpener(path)
    stream = sys.stdin.buffer if str(source) == "-" else source
    assert not isinstance(stream, str | Path)
    return _spooled(_maybe_gunzipped(stream), max_stream_bytes)


class _PathOpener:
    """Opens a plain file afresh each time, so several passes (and processes) each have their own position."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self) -> BinaryIO:
        return self.path.open("rb")


def _maybe_gunzipped(stream: BinaryIO) -> BinaryIO:
    buffered = io.BufferedReader(stream) if not hasattr(stream, "peek") else stream
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[union-attr]
        return _gunzipped(buffered)
    return buffered


def _gunzipped(stream: BinaryIO) -> BinaryIO:
    return _Gunzipped(stream)  # type: ignore[return-value]


class _Gunzipped(gzip.GzipFile):
    """Expands gzip, counting the compressed bytes read, so a gzip bomb is found by its expansion ratio."""

    def __init__(self, stream: BinaryIO):
        self.compressed = _CountingReader(stream)
        super().__init__(fileobj=self.compressed, mode="rb")  # type: ignore[arg-type]

    def expansion_limit(self) -> int:
        """How far it may have expanded by now: GZIP_RATIO_FREE_BYTES, or MAX_GZIP_RATIO times what was read."""
        return max(GZIP_RATIO_FREE_BYTES, self.compressed.count * MAX_GZIP_RATIO)


class _CountingReader:
    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data


def _spooled(stream: BinaryIO, max_bytes: int | None = None) -> Any:
    """Copy a one-pass stream to a temporary file (on disk, constant memory) so it can be read twice.

    Gzip is refused once it expands too far for its size: a gzip bomb would fill the disk. So is a stream longer
    than ``max_bytes``, which stops endless input.
    """
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the reader's passes; closed with the process)
    try:
        while chunk := stream.read(CHUNK):
            spool.write(chunk)
            if max_bytes is not None and spool.tell() > max_bytes:
                spool.close()
                raise InputError(
                    f"The input is longer than {max_bytes:,} bytes, the most read from standard input, so reading "
                    "stopped there (is it endless?)",
                    how_to_fix="Save the data to a file and give the file's name instead of -, or set "
                    "OPENCARE_STDIN_MAX_BYTES to allow more.",
                )
            if isinstance(stream, _Gunzipped) and spool.tell() > (limit := stream.expansion_limit()):
                spool.close()
                raise InputError(
                    f"The gzip data expands to more than {limit:,} bytes, over {MAX_GZIP_RATIO} times its own "
                    "size, so it is refused as a possible gzip bomb",
                    how_to_fix="Check the file: OCDS data compresses 10 to 20 times, not this much. Expand it "
                    "yourself and give the expanded file if it is real.",
                )
    except (OSError, EOFError, zlib.error) as error:
        spool.close()
        raise InputError(
            f"The gzip data is damaged or cut short ({error})", how_to_fix="Compress the file again and re-send it."
        ) from None

    return _Spool(spool)


class _Spool:
    """Opens the temporary copy for each pass (rewound); ``close`` deletes it."""

    def __init__(self, spool: BinaryIO):
        self.spool = spool

    def __call__(self) -> _Spool:
        return self

    def __enter__(self) -> BinaryIO:
        self.spool.seek(0)
        return self.spool

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        """Delete the copy."""
        self.spool.close()


def _first_significant_byte(stream: BinaryIO) -> bytes:
    start = stream.read(4)
    for bom, encoding in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                          (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):  # fmt: skip
        if start.startswith(bom):
            raise InputError(
                f"The file is encoded as {encoding}, not UTF-8",
                how_to_fix="Save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and try again.",
            )
    if (encoding := _wide_encoding_without_bom(start)) is not None:
        raise InputError(
            f"The file is encoded as {encoding} (without a byte order mark), not UTF-8",
            how_to_fix="Save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and try again.",
        )
    data = start + stream.read(CHUNK)
    while True:
        stripped = data.lstrip(b" \t\r\n")
        if stripped.startswith(codecs.BOM_UTF8):
            stripped = stripped[len(codecs.BOM_UTF8) :].lstrip(b" \t\r\n")
        if stripped:
            return stripped[:1]
        data = stream.read(CHUNK)
        if not data:
            raise InputError("The file is empty", how_to_fix="Check that the right file was chosen and re-export it.")


def _wide_encoding_without_bom(start: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a BOM, told by where the zero bytes of its first characters fall (JSON text
    starts with ASCII, so in those encodings the first four bytes hold zeros in a fixed pattern; RFC 4627, 3)."""
    if len(start) < 4 or b"\x00" not in start:
        return None
    zeros = tuple(byte == 0 for byte in start[:4])
    patterns = {(True, True, True, False): "UTF-32", (False, True, True, True): "UTF-32",
                (True, False, True, False): "UTF-16", (False, True, False, True): "UTF-16"}  # fmt: skip
    return patterns.get(zeros)


# ---------------------------------------------------------------------------------------------------------------------
# The guard between the file and the parser

_NOT_KEPT = bytes(range(256)).translate(None, b'[]{}"')
_SQUARE_TO_CURLY = bytes.maketrans(b"[]", b"{}")


class GuardedReader:
    """Passes bytes to the parser after checking nesting depth, and remembers where it is for messages.

    The depth check strips escape pairs and string contents with C-speed bytes operations, then removes innermost
    bracket pairs one nesting level per pass: about 0.05 s for 50 MB, and no string can hide brackets from it.
    The parser itself rejects invalid UTF-8; ``utf8_error`` then finds where.
    """

    def __init__(self, raw: BinaryIO, *, check_depth: bool = True):
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
        kept = _ESCAPE_PAIR.sub(b"", data).translate(_SQUARE_TO_CURLY, _NOT_KEPT)
        if self._in_string:
            kept = b'"' + kept
        kept = kept.replace(b'""', b"")
        if b'"' in kept:
            kept = _QUOTED.sub(b"", kept)
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
        raise _too_deep()

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


def _too_deep() -> InputError:
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


# ---------------------------------------------------------------------------------------------------------------------
# Splitting a package in two, so two processes can each parse half of it
class _Spliced:
    """Bytes from a file between two offsets, with bytes put before and after: half a package, made whole."""

    def __init__(self, path: Path, start: int, end: int | None, before: bytes, after: bytes):
        self.handle = path.open("rb")
        self.handle.seek(start)
        self.remaining = None if end is None else end - start
        self.pending = before
        self.after = after

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        if self.remaining != 0:
            want = size if self.remaining is None else min(size, self.remaining)
            data = self.handle.read(want)
            if self.remaining is not None:
                self.remaining -= len(data)
            if data:
                return data
            self.remaining = 0
        data, self.after = self.after, b""
        return data

    def __enter__(self) -> _Spliced:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def half(data: OcdsInput, split: int, *, first: bool) -> OcdsInput:
    """The package's items before (first) or after the split point, as an input of its own."""
    assert data.path is not None
    path, key = data.path, data._prefix.split(".")[0]

    def opener() -> _Spliced:
        if first:  # up to the comma, then close the array and the package
            return _Spliced(path, 0, split - 1, b"", b"]}")
        return _Spliced(path, split, None, b'{"' + key.encode() + b'":[', b"")

    items_range = None
    if data._items_range is not None:
        items_range = (data._items_range[0], split - 1) if first else (split, data._items_range[1])
    return OcdsInput(format=data.format, kind=data.kind, metadata=data.metadata, path=None, _opener=opener,
                     _prefix=data._prefix, _multiple=False, _check_depth=not data.depth_checked,
                     _items_file=data._items_file, _items_range=items_range)  # fmt: skip
