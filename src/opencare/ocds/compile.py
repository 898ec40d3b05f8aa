"""Compile a stream of releases into a record package: one record per ocid, with its compiled (and versioned) release.

Releases of one contracting process usually sit together in a file, so they are merged as soon as the ocid changes
and memory holds one process at a time. If an ocid comes back later in the file, the compile starts again in
"spill" mode: releases go to a temporary SQLite table and are read back grouped by ocid, so memory stays flat.
Records keep the order in which each ocid first appeared.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from opencare.ocds.forked import fork
from opencare.ocds.merge import compile_releases, merger_for, versioned_release
from opencare.ocds.readers import InputError, OcdsInput, half, read_ocds
from opencare.ocds.review.extensions import choose_schema

Progress = Callable[[int], None]
#: Files at least this big are compiled by two processes.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024
RECORDS_PER_MESSAGE = 64


@dataclass
class CompileResult:
    """What compiling did: counts, and the processes whose releases could not be merged (and why)."""

    releases: int = 0
    records: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


class _OcidCameBack(Exception):
    """Releases of one ocid are not together in the file: switch to spill mode."""


def compile_package(
    source: str | Path | BinaryIO,
    out: BinaryIO,
    *,
    versioned: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    max_stream_bytes: int | None = None,
) -> CompileResult:
    """Write a record package for the releases in ``source`` to ``out``. Raises InputError for unreadable input.

    A large file on disk is compiled by two processes: both parse it, each merges every other contracting process.
    ``max_stream_bytes``: standard input or a stream longer than this is refused (readers.read_ocds).
    """
    with read_ocds(source, max_stream_bytes=max_stream_bytes) as data:
        return _compile(data, out, versioned=versioned, progress=progress, workers=workers)


def _compile(
    data: OcdsInput, out: BinaryIO, *, versioned: bool, progress: Progress | None, workers: int | None
) -> CompileResult:
    if data.kind != "release":
        raise InputError(
            "This is already a record package: there are no releases to compile",
            how_to_fix="Give opencare compile a release package, releases, or JSON Lines of releases.",
        )
    choice = choose_schema(
        data.metadata.get("version"), data.metadata.get("extensions"), is_package=data.format.endswith("package")
    )
    merger = merger_for(choice.standard, tuple(applied.name for applied in choice.applied))
    if workers is None:
        large = data.path is not None and data.path.stat().st_size >= PARALLEL_FROM_BYTES
        workers = min(2, os.cpu_count() or 1) if large else 1
    split = data.split if workers > 1 else None
    if _rewindable(out):
        return _compile_into(data, out, split, merger, versioned, progress, workers)
    with tempfile.TemporaryFile() as buffer:  # standard output cannot be rewound if the compile must restart
        result = _compile_into(data, buffer, split, merger, versioned, progress, workers)
        buffer.seek(0)
        while chunk := buffer.read(1 << 20):
            out.write(chunk)
    return result


def _rewindable(out: BinaryIO) -> bool:
    try:
        return out.seekable() and out.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


def _compile_into(
    data: OcdsInput,
    out: BinaryIO,
    split: int | None,
    merger: Any,
    versioned: bool,
    progress: Progress | None,
    workers: int,
) -> CompileResult:
    try:
        if split is not None:
            try:
                return _compile_halves(data, out, split, merger, versioned, progress)
            except InputError:  # one pass over the whole file gives the exact line and column
                out.seek(0)
                out.truncate()
                return _compile_into(data, out, None, merger, versioned, progress, 1)
        groups = _groups_in_order(data, progress)
        if workers > 1:
            records = _records_in_parallel(data, groups, merger, versioned)
        else:
            records = (_record(ocid, releases, merger, versioned) for ocid, releases in groups)
        return _write(data, out, records)
    except _OcidCameBack:
        out.seek(0)
        out.truncate()
        spilled = _groups_spilled(data, progress)
        return _write(data, out, (_record(ocid, releases, merger, versioned) for ocid, releases in spilled))


Record = tuple[bytes, int, tuple[str, str] | None]  # serialised record, its release count, a merge failure


def _record(ocid: str, releases: list[dict[str, Any]], merger: Any, versioned: bool) -> Record:
    record: dict[str, Any] = {"ocid": ocid, "releases": releases}
    failure = None
    try:
        record["compiledRelease"] = compile_releases(releases, merger)
        if versioned:
            record["versionedRelease"] = versioned_release(releases, merger)
    except Exception as error:
        failure = (ocid, f"{type(error).__name__}: {error}")
    return orjson.dumps(record), len(releases), failure


def _records_in_parallel(
    data: OcdsInput, groups: Iterator[tuple[str, list[dict[str, Any]]]], merger: Any, versioned: bool
) -> Iterator[Record]:
    """Records in order: this process makes the even ones, a forked worker the odd ones."""
    worker = fork(_odd_records, data, merger, versioned)
    waiting: list[Record] = []
    try:
        for index, (ocid, releases) in enumerate(groups):
            if index % 2 == 0:
                yield _record(ocid, releases, merger, versioned)
                continue
            if not waiting:
                batch = worker.receiver.recv()
                if isinstance(batch, BaseException):
                    raise batch
                waiting = batch[::-1]
            yield waiting.pop()
    finally:
        worker.stop()


def _odd_records(data: OcdsInput, merger: Any, versioned: bool, sender: Any) -> None:
    batch: list[Record] = []
    try:
        for index, (ocid, releases) in enumerate(_groups_in_order(data, None)):
            if index % 2:
                batch.append(_record(ocid, releases, merger, versioned))
                if len(batch) == RECORDS_PER_MESSAGE:
                    sender.send(batch)
                    batch = []
        sender.send(batch)
    except BrokenPipeError:
        raise  # the parent has gone: forked.fork ends this process
    except BaseException as error:
        sender.send(error)


HEADER_KEYS = ("uri", "version", "extensions", "publisher", "license", "publicationPolicy", "publishedDate")


@dataclass
class _SecondHalf:
    """What the worker compiling the second half sends back; its records are in a file of one record per line."""

    head: tuple[str, list[dict[str, Any]]] | None  # its first process, uncompiled: it may continue the first half's
    ocids: set[str]
    releases: int
    records: int
    failures: list[tuple[str, str]]


def _compile_halves(
    data: OcdsInput, out: BinaryIO, split: int, merger: Any, versioned: bool, progress: Progress | None
) -> CompileResult:
    """This process compiles the first half of the file, a forked worker the second (into a file of its own)."""
    with tempfile.TemporaryDirectory(prefix="opencare-compile-") as folder:
        tail = Path(folder) / "second-half.jsonl"
        worker = fork(_second_half, half(data, split, first=False), merger, versioned, tail)
        receiver = worker.receiver
        try:
            first_ocids: set[str] = set()
            held: list[tuple[str, list[dict[str, Any]]]] = []

            def first_records() -> Iterator[Record]:
                for ocid, releases in _groups_in_order(half(data, split, first=True), progress):
                    first_ocids.add(ocid)
                    held.append((ocid, releases))
                    if len(held) > 1:
                        yield _record(*held.pop(0), merger, versioned)

            result = _write_parts(data, out, first_records, lambda: _join(held, receiver, first_ocids, tail, merger,
                                                                          versioned))  # fmt: skip
        finally:
            worker.stop()  # at once: after an error in the first half, the second is not wanted
    return result


def _join(
    held: list[tuple[str, list[dict[str, Any]]]],
    receiver: Any,
    first_ocids: set[str],
    tail: Path,
    merger: Any,
    versioned: bool,
) -> Iterator[Record]:
    """The process that spans the split, merged from both halves, then the second half's records as they are."""
    second = receiver.recv()
    if isinstance(second, BaseException):
        raise second
    boundary = held[-1] if held else None
    if second.head and boundary and second.head[0] == boundary[0]:
        boundary = (boundary[0], boundary[1] + second.head[1])
        second.head = None
    elif second.head and second.head[0] in first_ocids:
        raise _OcidCameBack
    if (second.ocids - {boundary[0] if boundary else ""}) & first_ocids:
        raise _OcidCameBack
    for ocid, releases in filter(None, [boundary, second.head]):
        yield _record(ocid, releases, merger, versioned)
    with tail.open("rb") as lines:
        for line in lines:
            yield line.rstrip(b"\n"), 0, None
    yield b"", second.releases, None  # counts only: the worker's records were counted there
    for failure in second.failures:
        yield b"", 0, failure


def _second_half(data: OcdsInput, merger: Any, versioned: bool, tail: Path, sender: Any) -> None:
    try:
        result = _SecondHalf(head=None, ocids=set(), releases=0, records=0, failures=[])
        with tail.open("wb") as out:
            for ocid, releases in _groups_in_order(data, None):
                result.ocids.add(ocid)
                if result.head is None and not result.ocids - {ocid}:
                    result.head = (ocid, releases)
                    continue
                serialised, count, failure = _record(ocid, releases, merger, versioned)
                out.write(serialised + b"\n")
                result.releases += count
                result.records += 1
                if failure:
                    result.failures.append(failure)
        sender.send(result)
    except BrokenPipeError:
        raise  # the parent has gone: forked.fork ends this process
    except BaseException as error:
        sender.send(error)


def _write_parts(data: OcdsInput, out: BinaryIO, *parts: Callable[[], Iterator[Record]]) -> CompileResult:
    """Write the package with the records of each part in turn (a part is made only when its turn comes)."""
    return _write(data, out, (record for part in parts for record in part()))


def _write(data: OcdsInput, out: BinaryIO, records: Iterator[Record]) -> CompileResult:
    result = CompileResult()
    header = {key: data.metadata[key] for key in HEADER_KEYS if key in data.metadata}
    header.setdefault("version", "1.1")
    out.write(orjson.dumps(header)[:-1] + b',"records":[')
    for serialised, release_count, failure in records:
        if failure:
            result.failures.append(failure)
        result.releases += release_count
        if serialised:  # an empty record carries only counts or a failure from a worker
            out.write((b"," if result.records else b"") + serialised)
            result.records += 1
    out.write(b"]}\n")
    return result


def _groups_in_order(data: OcdsInput, progress: Progress | None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    done: set[str] = set()
    current: str | None = None
    group: list[dict[str, Any]] = []
    for index, release in enumerate(data.items()):
        ocid = _ocid(release)
        if ocid != current:
            if current is not None:
                yield current, group
                done.add(current)
            if ocid in done:
                raise _OcidCameBack
            current, group = ocid, []
        group.append(release)
        if progress and index % 1000 == 999:
            progress(index + 1)
    if current is not None:
        yield current, group


def _groups_spilled(data: OcdsInput, progress: Progress | None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with tempfile.TemporaryDirectory(prefix="opencare-compile-") as folder:
        database = sqlite3.connect(Path(folder) / "releases.sqlite3")
        database.execute("CREATE TABLE release (ocid_order INTEGER, position INTEGER, ocid TEXT, data BLOB)")
        order: dict[str, int] = {}
        rows = []
        for index, release in enumerate(data.items()):
            ocid = _ocid(release)
            rows.append((order.setdefault(ocid, len(order)), index, ocid, orjson.dumps(release)))
            if len(rows) >= 5000:
                database.executemany("INSERT INTO release VALUES (?, ?, ?, ?)", rows)
                rows.clear()
            if progress and index % 1000 == 999:
                progress(index + 1)
        database.executemany("INSERT INTO release VALUES (?, ?, ?, ?)", rows)
        current: str | None = None
        group: list[dict[str, Any]] = []
        for ocid, blob in database.execute("SELECT ocid, data FROM release ORDER BY ocid_order, position"):
            if ocid != current and current is not None:
                yield current, group
                group = []
            current = ocid
            group.append(orjson.loads(blob))
        if current is not None:
            yield current, group
        database.close()


def _ocid(release: dict[str, Any]) -> str:
    ocid = release.get("ocid")
    return ocid if isinstance(ocid, str) else ""
