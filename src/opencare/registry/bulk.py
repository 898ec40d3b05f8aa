"""Bulk downloads: the whole registry and its social-care subset, in the forms researchers and other systems use.

For each dataset: compiled releases as gzipped JSON Lines (one process a line), every release as a gzipped release
package, the compiled releases flattened to CSV files (zip) and XLSX with flatten-tool, and a Parquet table of the
process summaries with each compiled release as JSON text (for DuckDB, pandas, Spark). `index.json` lists every file
with its size, SHA-256, date and licences. Files are written beside the old ones and renamed into place, so a
download never sees half a file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db.models import QuerySet

from opencare.registry.models import Process, Release, Source

#: The datasets: name -> (title, social care only).
DATASETS = {
    "all": ("Every contracting process", False),
    "social-care": ("Social care contracting processes", True),
}
OGL = "Open Government Licence v3.0"
#: Rows read from the database at a time.
BATCH = 500


@dataclass
class BulkFile:
    """One download, as index.json and the downloads page list it."""

    name: str
    format: str
    description: str
    bytes: int
    sha256: str


def bulk_folder() -> Path:
    """Where the bulk downloads are kept."""
    return Path(settings.OPENCARE_BULK_DIR)


def download_path(name: str) -> Path | None:
    """A file listed in the current index, or None: only listed names are ever served."""
    index = read_index() or {"datasets": {}}
    listed = {file["name"] for dataset in index["datasets"].values() for file in dataset["files"]}
    path = bulk_folder() / name
    return path if name in listed and path.is_file() else None


def read_index() -> dict[str, Any] | None:
    """The current index.json, or None before the first run."""
    path = bulk_folder() / "index.json"
    return orjson.loads(path.read_bytes()) if path.is_file() else None


def write_bulk_downloads(folder: Path | None = None) -> dict[str, Any]:
    """Write every download and index.json; return the index."""
    folder = folder or bulk_folder()
    folder.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    datasets = {}
    for name, (title, social_care_only) in DATASETS.items():
        processes = Process.objects.filter(is_social_care=True) if social_care_only else Process.objects.all()
        releases = Release.objects.filter(ocid__in=processes.values("ocid"))
        files = [
            _compiled_lines(folder, name, processes),
            _release_package(folder, name, releases, generated),
            *_spreadsheets(folder, name, processes),
            _parquet(folder, name, processes),
        ]
        datasets[name] = {
            "title": title,
            "processes": processes.count(),
            "releases": releases.count(),
            "licences": _licences(releases),
            "files": [asdict(file) for file in files],
        }
    index = {"generated_at": generated, "datasets": datasets}
    _replace(folder / "index.json", lambda path: path.write_bytes(orjson.dumps(index, option=orjson.OPT_INDENT_2)))
    return index


def _compiled_lines(folder: Path, dataset: str, processes: QuerySet[Process]) -> BulkFile:
    name = f"opencare-{dataset}-compiled-releases.jsonl.gz"

    def write(path: Path) -> None:
        with gzip.open(path, "wb", compresslevel=6) as out:
            for compiled in _compiled(processes):
                out.write(orjson.dumps(compiled) + b"\n")

    return _described(folder, name, write, "jsonl.gz", "Compiled releases, one contracting process a line")


def _release_package(folder: Path, dataset: str, releases: QuerySet[Release], generated: str) -> BulkFile:
    name = f"opencare-{dataset}-releases.json.gz"

    def write(path: Path) -> None:
        head = {"uri": name, "version": "1.1", "publishedDate": generated, "publisher": {"name": "opencare"}}
        with gzip.open(path, "wb", compresslevel=6) as out:
            out.write(orjson.dumps(head)[:-1] + b',"releases":[')
            for index, data in enumerate(releases.order_by("ocid", "date", "pk").values_list("data", flat=True)
                                         .iterator(chunk_size=BATCH)):  # fmt: skip
                out.write((b"," if index else b"") + orjson.dumps(data))
            out.write(b"]}")

    return _described(folder, name, write, "json.gz", "Every release, as published, in one release package")


def _spreadsheets(folder: Path, dataset: str, processes: QuerySet[Process]) -> list[BulkFile]:
    from opencare.ocds.spreadsheets import json_to_spreadsheet  # flatten-tool loads slowly: only here

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
                       "Compiled releases flattened to a spreadsheet, one sheet per list"),
            _described(folder, f"opencare-{dataset}-compiled-releases-csv.zip",
                       lambda path: json_to_spreadsheet(package, path, "csv"), "csv.zip",
                       "Compiled releases flattened to CSV files, one per list, in a zip"),
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
    return _described(folder, name, write, "parquet", "Process summaries with each compiled release as JSON text")


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
