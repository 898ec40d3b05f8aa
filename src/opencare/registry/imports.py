"""`opencare import`: files and folders of OCDS data into the registry, in chunks that each commit whole.

Any shape the review engine reads (packages, records, single releases, arrays, JSON Lines, gzip). Releases are stored
a chunk at a time, each chunk in one transaction with the recompiling of the processes it touched, so a killed import
leaves only whole chunks behind, and running it again adds what is missing (stored releases are recognised by ocid,
id and content fingerprint). A first pass reads each file to its end before anything of it is stored, so a file that
is broken part-way, or holds a release the database cannot store (registry.storable), adds nothing at all. With
``social_care_only``, the same pass finds the social-care processes (opencare.ocds.social_care) and only their
releases are stored — with any later release of a process already held as social care.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.social_care import is_social_care
from opencare.registry.models import ImportRun, Process, Source
from opencare.registry.services import get_or_create_source, store_releases
from opencare.registry.storable import key_text, storage_problem

#: Releases stored per transaction.
CHUNK = 1000
#: What a folder is searched for.
DATA_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")

Progress = Callable[[str, int], None]


@dataclass
class ImportPathError(Exception):
    """A path given to import that does not exist or holds no data files."""

    message: str

    def __str__(self) -> str:
        return self.message


def data_files(paths: Iterable[Path]) -> list[Path]:
    """The files to import: each file given, and every data file under each folder given, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES))
            if not found:
                raise ImportPathError(f"The folder {path} has no .json, .jsonl or .gz files")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise ImportPathError(f"There is no file or folder at {path}")
    return files


def import_paths(paths: list[Path], *, social_care_only: bool = False, progress: Progress | None = None) -> ImportRun:
    """Import every data file under the paths; unreadable files are listed on the run, the rest still imported."""
    files = data_files(paths)
    run = ImportRun.objects.create(paths=[str(path) for path in paths], social_care_only=social_care_only)
    for path in files:
        try:
            _import_file(path, run, social_care_only, progress)
        except InputError as error:
            run.unreadable_files.append({"path": str(path), "message": str(error)})
        run.save()
    run.finished_at = timezone.now()
    run.save()
    return run


def _import_file(path: Path, run: ImportRun, social_care_only: bool, progress: Progress | None) -> None:
    wanted = _first_pass(path, social_care_only)
    with read_ocds(path) as data:
        metadata = {key: value for key, value in data.metadata.items() if key not in {"releases", "records"}}
        source = _source(metadata, path)
        chunk: list[dict[str, Any]] = []
        for release in _releases(data.items(), data.kind):
            run.releases_read += 1
            chunk.append(release)
            if len(chunk) >= CHUNK:
                _store(chunk, wanted, metadata, source, run)
                chunk = []
                if progress is not None:
                    progress(path.name, run.releases_read)
        _store(chunk, wanted, metadata, source, run)
        if progress is not None:
            progress(path.name, run.releases_read)


def _store(
    chunk: list[dict[str, Any]], wanted: set[str] | None, metadata: dict[str, Any], source: Source, run: ImportRun
) -> None:
    if wanted is not None:
        kept = _social_care_only(chunk, wanted)
        run.not_social_care += len(chunk) - len(kept)
        chunk = kept
    if not chunk:
        return
    result = store_releases(releases=chunk, metadata=metadata, source=source, import_run=run)
    run.added += result.added
    run.already_stored += result.already_stored
    run.flagged += result.flagged
    run.save()


def _social_care_only(chunk: list[dict[str, Any]], wanted: set[str]) -> list[dict[str, Any]]:
    """The releases of social-care processes: found so in this file, or already held as social care."""
    others = {release.get("ocid") for release in chunk if release.get("ocid") not in wanted}
    held = set(
        Process.objects.filter(ocid__in=[o for o in others if isinstance(o, str)], is_social_care=True).values_list(
            "ocid", flat=True
        )
    )
    return [release for release in chunk if release.get("ocid") in wanted or release.get("ocid") in held]


def _first_pass(path: Path, social_care_only: bool) -> set[str] | None:
    """Read the whole file before anything of it is stored: InputError if it cannot be read to its end or holds a
    release the database cannot store. With social_care_only, the ocids of the processes that any of its releases
    shows to be social care."""
    wanted: set[str] | None = set() if social_care_only else None
    with read_ocds(path) as data:
        for number, release in enumerate(_releases(data.items(), data.kind), start=1):
            problem = storage_problem(release)
            if problem is not None:
                raise InputError(f"{problem.message} (release {number:,} of the file)", how_to_fix=problem.how_to_fix)
            if wanted is not None and isinstance(release.get("ocid"), str) and is_social_care(release):
                wanted.add(release["ocid"])
    return wanted


def _releases(items: Iterator[Any], kind: str) -> Iterator[dict[str, Any]]:
    """Releases from releases, or from records: their embedded releases, or their compiled release when linked."""
    for item in items:
        if not isinstance(item, dict):
            continue
        if kind != "record":
            yield item
            continue
        embedded = [r for r in item.get("releases") or [] if isinstance(r, dict) and set(r) - {"url", "date", "tag"}]
        if embedded:
            yield from embedded
        elif isinstance(item.get("compiledRelease"), dict):
            yield item["compiledRelease"]


def _source(metadata: dict[str, Any], path: Path) -> Source:
    """The publisher the package names (one source per publisher), or the file when it names none."""
    publisher = metadata.get("publisher") if isinstance(metadata.get("publisher"), dict) else {}
    name = publisher.get("name") if isinstance(publisher.get("name"), str) else ""
    licence = metadata.get("license") if isinstance(metadata.get("license"), str) else ""
    key = f"publisher:{publisher.get('uid') or name}" if name else f"file:{path.name}"
    return get_or_create_source(
        key=key_text(key),
        title=name or path.name,
        publisher_name=name,
        url=publisher.get("uri") if isinstance(publisher.get("uri"), str) else "",
        licence_url=licence,
        licence_name="Open Government Licence v3.0" if "open-government-licence" in licence else "",
    )
