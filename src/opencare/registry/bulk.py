"""Bulk downloads: the whole registry and its social-care subset, in the forms researchers and other systems use.

For each dataset: compiled releases as gzipped JSON Lines (one process a line), every release as a gzipped release
package, the compiled releases flattened to CSV files (zip) and XLSX in flatten-tool's layout, and a Parquet table of
the process summaries with each compiled release as JSON text (for DuckDB, pandas, Spark). `index.json` lists every
file with its size, SHA-256, date and licences.

Each rebuild writes a new folder of files, then renames a new index.json naming that folder into place: a reader
sees the old index and files or the new ones, never half a file nor an index that disagrees with its files. The
folder before is kept for downloads already started; older ones are deleted.

They are remade in the background after every change (``registry.tasks.request_rebuild``, called when a change is
committed): a
"due" row in the database makes many changes cost one rebuild, and a lock file makes sure only one rebuild runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from opencare.ocds.extensions_used import add_extensions_used, declared_and_used
from opencare.registry import version
from opencare.registry.models import BulkRebuild, Process, Release, Source
from opencare.registry.packages import package_metadata
from opencare.registry.selectors import extensions_of_processes

#: The datasets: name -> (title, social care only).
DATASETS = {
    "all": ("Every contracting process", False),
    "social-care": ("Social care contracting processes", True),
}
#: What each file holds, by its format (shown on the downloads page, translated there).
DESCRIPTIONS = {
    "jsonl.gz": "Compiled releases, one contracting process a line",
    "json.gz": "Every release, as published, in one release package",
    "xlsx": "Compiled releases flattened to a spreadsheet, one sheet per list",
    "csv.zip": "Compiled releases flattened to CSV files, one per list, in a zip",
    "parquet": "Process summaries with each compiled release as JSON text",
}
OGL = "Open Government Licence v3.0"
#: Rows read from the database at a time.
BATCH = 500
#: Each rebuild's folder is named this and a number that grows with time.
MADE_PREFIX = "made-"
#: Held while a rebuild runs: never two at once.
LOCK_NAME = ".rebuild.lock"
#: The one BulkRebuild row.
MARKER_PK = 1


@dataclass
class BulkFile:
    """One download, as index.json and the downloads page list it."""

    name: str
    format: str
    description: str
    bytes: int
    sha256: str


class RebuildRunning(Exception):
    """Another rebuild holds the lock."""


def bulk_folder() -> Path:
    """Where the bulk downloads are kept."""
    return Path(settings.OPENCARE_BULK_DIR)


def download_path(name: str) -> Path | None:
    """A file listed in the current index, or None: only listed names are ever served."""
    index = read_index() or {"datasets": {}}
    listed = {file["name"] for dataset in index["datasets"].values() for file in dataset["files"]}
    path = bulk_folder() / index.get("folder", "") / name
    return path if name in listed and path.is_file() else None


def read_index() -> dict[str, Any] | None:
    """The current index.json, or None before the first run."""
    path = bulk_folder() / "index.json"
    return orjson.loads(path.read_bytes()) if path.is_file() else None


@dataclass(frozen=True)
class DownloadsState:
    """The downloads as their page tells of them: the index, when they were made, and whether the registry has
    changed since (and, if so, whether a rebuild is on its way)."""

    index: dict[str, Any] | None
    made_at: datetime | None
    changed_since: bool
    being_remade: bool

    @property
    def made_under_a_minute_ago(self) -> bool:
        """Whether they were made less than a minute ago ("Made 0 minutes ago" reads as a mistake)."""
        return self.made_at is not None and timezone.now() - self.made_at < timedelta(minutes=1)


def downloads_state() -> DownloadsState:
    """The current downloads and whether they still show everything the registry holds."""
    index = read_index()
    if index is None:
        return DownloadsState(index=None, made_at=None, changed_since=False, being_remade=False)
    made_at = datetime.fromisoformat(index["generated_at"].replace("Z", "+00:00"))
    # Indexes made before the registry's version was recorded count as out of date: the next rebuild records it.
    changed_since = index.get("registry_version") != version.current()
    due = BulkRebuild.objects.filter(pk=MARKER_PK, due_since__isnull=False).exists()
    return DownloadsState(
        index=index, made_at=made_at, changed_since=changed_since, being_remade=changed_since and due
    )


def rebuild_if_due() -> dict[str, Any] | None:
    """Remake the downloads if a change is waiting for them and no other rebuild is running; return the new index,
    or None when there was nothing to do. Raises RebuildRunning when another rebuild holds the lock."""
    folder = bulk_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with _rebuild_lock(folder, wait=False):
        if not BulkRebuild.objects.filter(pk=MARKER_PK, due_since__isnull=False).update(due_since=None):
            return None  # another rebuild (or `opencare bulk`) took every change in since this was queued
        return _write(folder)


def write_bulk_downloads(folder: Path | None = None) -> dict[str, Any]:
    """Write every download and index.json, waiting for any rebuild already running; return the index."""
    folder = folder or bulk_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with _rebuild_lock(folder, wait=True):
        BulkRebuild.objects.filter(pk=MARKER_PK).update(due_since=None)
        return _write(folder)


@contextlib.contextmanager
def _rebuild_lock(folder: Path, *, wait: bool) -> Iterator[None]:
    """An exclusive lock on a file in the folder, for one rebuild at a time on every process sharing the folder."""
    with (folder / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise RebuildRunning("Another rebuild of the bulk downloads is running.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(folder: Path) -> dict[str, Any]:
    """Every file in a new folder, then index.json naming it; then the folders before the last two deleted."""
    # Read before the data: a change committed while the files are written makes the registry newer than them.
    registry_version = version.current()
    generated = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = folder / f"{MADE_PREFIX}{time.time_ns()}"
    made.mkdir()
    try:
        datasets = {name: _dataset(made, name, title, social_care_only, generated)
                    for name, (title, social_care_only) in DATASETS.items()}  # fmt: skip
        index = {"generated_at": generated, "registry_version": registry_version, "folder": made.name,
                 "datasets": datasets}  # fmt: skip
        _replace(folder / "index.json", lambda path: path.write_bytes(orjson.dumps(index, option=orjson.OPT_INDENT_2)))
    except BaseException:
        shutil.rmtree(made, ignore_errors=True)
        raise
    _delete_old_folders(folder, keep=made.name)
    return index


def _dataset(made: Path, name: str, title: str, social_care_only: bool, generated: str) -> dict[str, Any]:
    processes = Process.objects.filter(is_social_care=True) if social_care_only else Process.objects.all()
    releases = Release.objects.filter(ocid__in=processes.values("ocid"))
    declared = extensions_of_processes(processes if social_care_only else None)
    used: set[str] = set()  # the extensions whose fields the compiled releases have, gathered as they are written
    compiled_lines = _compiled_lines(made, name, processes, used)
    extensions = declared_and_used(declared, [], also=sorted(used))
    files = [
        compiled_lines,
        _release_package(made, name, releases, generated, extensions),
        *_spreadsheets(made, name, processes),
        _parquet(made, name, processes),
    ]
    return {
        "title": title,
        "processes": processes.count(),
        "releases": releases.count(),
        "licences": _licences(releases),
        "extensions": extensions,
        "files": [asdict(file) for file in files],
    }


def _delete_old_folders(folder: Path, *, keep: str) -> None:
    """Delete the folders of rebuilds before the last two (the one before is kept for downloads under way), and
    the files of the time when downloads were written beside index.json."""
    made = sorted((path for path in folder.glob(f"{MADE_PREFIX}*")
                   if path.is_dir() and path.name.removeprefix(MADE_PREFIX).isdigit()),
                  key=lambda path: int(path.name.removeprefix(MADE_PREFIX)))  # fmt: skip
    for old in [path for path in made if path.name != keep][:-1]:
        shutil.rmtree(old, ignore_errors=True)
    for old in folder.glob("opencare-*"):
        if old.is_file():
            old.unlink(missing_ok=True)


def _compiled_lines(folder: Path, dataset: str, processes: QuerySet[Process], extensions: set[str]) -> BulkFile:
    """The JSON Lines file; adds the extensions whose fields each compiled release has to ``extensions``."""
    name = f"opencare-{dataset}-compiled-releases.jsonl.gz"

    def write(path: Path) -> None:
        with gzip.open(path, "wb", compresslevel=6) as out:
            for compiled in _compiled(processes):
                add_extensions_used(compiled, extensions)
                out.write(orjson.dumps(compiled) + b"\n")

    return _described(folder, name, write, "jsonl.gz", DESCRIPTIONS["jsonl.gz"])


def _release_package(
    folder: Path, dataset: str, releases: QuerySet[Release], generated: str, extensions: list[str]
) -> BulkFile:
    name = f"opencare-{dataset}-releases.json.gz"

    def write(path: Path) -> None:
        head = package_metadata(path=f"/downloads/{name}", extensions=extensions, published_date=generated)
        with gzip.open(path, "wb", compresslevel=6) as out:
            out.write(orjson.dumps(head)[:-1] + b',"releases":[')
            for index, data in enumerate(releases.order_by("ocid", "date", "pk").values_list("data", flat=True)
                                         .iterator(chunk_size=BATCH)):  # fmt: skip
                out.write((b"," if index else b"") + orjson.dumps(data))
            out.write(b"]}")

    return _described(folder, name, write, "json.gz", DESCRIPTIONS["json.gz"])


def _spreadsheets(folder: Path, dataset: str, processes: QuerySet[Process]) -> list[BulkFile]:
    from opencare.ocds.spreadsheets import json_to_spreadsheet  # the spreadsheet writers load only here

    package = folder / f".{dataset}-compiled.json.partial"
    with package.open("wb") as out:
        out.write(b'{"version":"1.1","releases":[')
        for index, compiled in enumerate(_compiled(processes)):
            out.write((b"," if index else b"") + orjson.dumps(compiled))
        out.write(b"]}")
    try:
        return [
            _described(folder, f"opencare-{dataset}-compiled-releases.xlsx",
                       lambda path: json_to_spreadsheet(package, path, "xlsx"), "xlsx",
                       DESCRIPTIONS["xlsx"]),
            _described(folder, f"opencare-{dataset}-compiled-releases-csv.zip",
                       lambda path: json_to_spreadsheet(package, path, "csv"), "csv.zip",
                       DESCRIPTIONS["csv.zip"]),
        ]  # fmt: skip
    finally:
        package.unlink(missing_ok=True)


def _parquet(folder: Path, dataset: str, processes: QuerySet[Process]) -> BulkFile:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("ocid", pa.string()), ("title", pa.string()), ("buyer", pa.string()), ("suppliers", pa.list_(pa.string())),
        ("status", pa.string()), ("value_amount", pa.decimal128(20, 2)), ("value_currency", pa.string()),
        ("period_start", pa.date32()), ("period_end", pa.date32()), ("cpv_codes", pa.list_(pa.string())),
        ("metric_ids", pa.list_(pa.string())), ("release_count", pa.int32()), ("is_social_care", pa.bool_()),
        ("last_release_date", pa.timestamp("us", tz="UTC")), ("compiled_release", pa.string()),
    ])  # fmt: skip

    def write(path: Path) -> None:
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            rows: list[dict[str, Any]] = []
            for process in processes.order_by("pk").iterator(chunk_size=BATCH):
                rows.append(_parquet_row(process))
                if len(rows) == BATCH:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                    rows = []
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))

    name = f"opencare-{dataset}-processes.parquet"
    return _described(folder, name, write, "parquet", DESCRIPTIONS["parquet"])


def _parquet_row(process: Process) -> dict[str, Any]:
    return {
        "ocid": process.ocid, "title": process.title, "buyer": process.buyer_name,
        "suppliers": process.supplier_names, "status": process.status, "value_amount": process.value_amount,
        "value_currency": process.value_currency, "period_start": process.period_start,
        "period_end": process.period_end, "cpv_codes": process.cpv_codes, "metric_ids": process.metric_ids,
        "release_count": process.release_count, "is_social_care": process.is_social_care,
        "last_release_date": process.last_release_date,
        "compiled_release": orjson.dumps(process.compiled_release).decode(),
    }  # fmt: skip


def _compiled(processes: QuerySet[Process]) -> Iterator[dict[str, Any]]:
    yield from processes.order_by("pk").values_list("compiled_release", flat=True).iterator(chunk_size=BATCH)


def _licences(releases: QuerySet[Release]) -> list[str]:
    """The licences of the sources the releases came from: OGL for government notices, else the publisher's."""
    names = set()
    for source in Source.objects.filter(pk__in=releases.values("source")):
        names.add(source.licence_name or source.licence_url or ("(invented sample data)" if source.is_invented else
                                                                "(the publisher gave no licence)"))  # fmt: skip
    return sorted(names)


def _described(folder: Path, name: str, write: Any, fmt: str, description: str) -> BulkFile:
    path = folder / name
    _replace(path, write)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return BulkFile(
        name=name, format=fmt, description=description, bytes=path.stat().st_size, sha256=digest.hexdigest()
    )


def _replace(path: Path, write: Any) -> None:
    """Write beside the file, then rename over it: readers see the old file or the new one, never half of one."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
