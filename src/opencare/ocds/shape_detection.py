"""The shape of OCDS data, found before its items are read: a release or record package (with its metadata, read from
before and after the items array so the schema can be chosen), a single release or record, an array of releases, or
JSON Lines or concatenated JSON; and the encodings that are not UTF-8, refused with a clear message.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from opencare.ocds.byte_layout import FileLayout, TooDeep, array_inside, top_level_values
from opencare.ocds.input_errors import InputError, json_type
from opencare.ocds.item_stream import OcdsInput
from opencare.ocds.parser_guard import CHUNK, GuardedReader, too_deep_error
from opencare.ocds.unreadable_numbers import NumberRepairingReader, restore

PACKAGE_KEYS = ("releases", "records")


def detect_shape(opener: Any) -> OcdsInput:
    """What the data opened by ``opener`` is (package, record package, release, array, JSON Lines...), with its
    package metadata. Raises InputError for anything that is not readable OCDS JSON."""
    with opener() as stream:
        first = _first_significant_byte(stream)
    if first == b"[":
        found = OcdsInput(format="array of releases", kind="release", opener=opener, prefix="item")
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
                        return OcdsInput(format=f"{kind} package", kind=kind, metadata=metadata, opener=opener,
                                         prefix="none", items_not_a_list=json_type(metadata[value]))  # fmt: skip
                    trailing, layout = _metadata_after_items(opener, value)
                    metadata.update(trailing)
                    items_range = _items_array_range(opener, layout, value)
                    return OcdsInput(
                        format=f"{kind} package",
                        kind=kind,
                        metadata=metadata,
                        split=layout.split if layout else None,
                        depth_checked=layout.depth_checked if layout else False,
                        opener=opener,
                        prefix=f"{value}.item",
                        multiple=True,  # concatenated packages: every package's items, the first's metadata
                        items_file=opener.path if items_range else None,
                        items_range=items_range,
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
        return OcdsInput(format="single record", kind="record", opener=opener, prefix="values", multiple=True)
    if has_more:
        return OcdsInput(
            format="JSON Lines or concatenated JSON", kind="release", opener=opener, prefix="values", multiple=True
        )
    if not {"ocid", "id", "date", "tag"} & set(metadata):
        raise InputError(
            "This JSON object is not an OCDS package, release or record: it has no releases, records or ocid",
            how_to_fix="Upload a release package (with a 'releases' array), a record package, or a release.",
        )
    return OcdsInput(format="single release", kind="release", opener=opener, prefix="values", multiple=True)


def _metadata_after_items(opener: Any, items_key: str) -> tuple[dict[str, Any], FileLayout | None]:
    """Package metadata that comes after the releases/records array (rare, but a late 'extensions' matters).

    For a file on disk the byte ranges of the package's top-level values are mapped (``top_level_values``) and the
    values after the array are read from them; for a spooled stream the file is parsed once more for them.
    """
    path = getattr(opener, "path", None)
    try:
        layout = top_level_values(path) if path is not None else None
    except TooDeep:
        raise too_deep_error() from None
    if path is not None and layout is not None and layout.values is not None:  # a layout is only made of a path
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


def _items_array_range(opener: Any, layout: FileLayout | None, items_key: str) -> tuple[int, int] | None:
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


def _first_significant_byte(stream: BinaryIO) -> bytes:
    start = stream.read(4)
    for bom, encoding in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                          (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):  # fmt: skip
        if start.startswith(bom):
            raise InputError(
                f"The file is encoded as {encoding}, not UTF-8",
                how_to_fix="Save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and try again.",
            )
    if (wide := _wide_encoding_without_bom(start)) is not None:
        raise InputError(
            f"The file is encoded as {wide} (without a byte order mark), not UTF-8",
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
    patterns: dict[tuple[bool, ...], str] = {(True, True, True, False): "UTF-32", (False, True, True, True): "UTF-32",
                (True, False, True, False): "UTF-16", (False, True, False, True): "UTF-16"}  # fmt: skip
    return patterns.get(zeros)
