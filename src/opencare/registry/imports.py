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

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from opencare.ocds.forked import fork
from opencare.ocds.merge import package_version
from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.schema_check import release_validator
from opencare.ocds.social_care import is_social_care
from opencare.ocds.unreadable_numbers import part_of
from opencare.registry.models import ImportRun, Process, Source
from opencare.registry.prepared import PreparedReleases, prepare_releases
from opencare.registry.services import StoreResult, get_or_create_source, store_prepared
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


@dataclass(frozen=True)
class PageReleases:
    """One page of a publisher's API read as ``opencare import`` reads a file."""

    metadata: dict[str, Any]  # the package's metadata, without its releases
    releases: list[dict[str, Any]]  # its releases (a record's embedded releases, or its compiled one when linked)
    ocds_version: str  # "1.0" for a package without version (merge.package_version): give it to prepare_releases


def read_page(page: bytes) -> PageReleases:
    """The releases of one page of an API (a release package, record package, or releases, as bytes), read as
    ``opencare import`` reads a file: a number that cannot be read (``1e9999``, ``000``) is kept as its text and
    ``prepare_releases`` records the error at its path, so the release is stored, never refused. Raises
    readers.InputError, with what is wrong and where, when the page cannot be read at all."""
    # Through a file, as a file is read: the same guards, and orjson a chunk at a time (a stream of bytes would go to
    # the slower streaming parser).
    with tempfile.NamedTemporaryFile(prefix="opencare-page-", suffix=".json") as handle:
        handle.write(page)
        handle.flush()
        with read_ocds(Path(handle.name)) as data:
            metadata = {key: value for key, value in data.metadata.items() if key not in {"releases", "records"}}
            releases = list(_releases(data.items(), data.kind))
            version = package_version(metadata, is_package=data.format.endswith("package"))
            return PageReleases(metadata, releases, version)


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
        chunks = _chunks(_releases(data.items(), data.kind))
        details = {
            "metadata": metadata,
            "is_invented": source.is_invented,
            "ocds_version": package_version(metadata, is_package=data.format.endswith("package")),
        }
        if wanted is None:  # a second process prepares each chunk while this one stores the one before
            prepared_chunks = _prepared_in_a_second_process(chunks, details)
        else:  # which releases to keep depends on what is stored, so the chunk is kept or not here, then prepared
            prepared_chunks = (
                (prepare_releases(_kept(chunk, wanted, run), **details), read)
                for chunk, read in ((chunk, len(chunk)) for chunk in chunks)
            )
        for prepared, read in prepared_chunks:
            run.releases_read += read
            _store(prepared, source, run)
            if progress is not None:
                progress(path.name, run.releases_read)


def _prepared_in_a_second_process(
    chunks: Iterator[list[dict[str, Any]]], details: dict[str, Any]
) -> Iterator[tuple[PreparedReleases, int]]:
    """Each chunk prepared (registry.prepared) by a forked process, with the number of releases read for it.

    Reading, fingerprinting, checking and compiling a chunk is most of an import's work and needs no database, so
    it runs beside the storing of the chunk before: two cores, nearly twice as fast. The second process never
    touches the database connection it inherits, and ends by os._exit, so nothing of the connection is closed for
    it. Unreadable input in that process is raised here, after the chunks before it have been stored.
    """
    release_validator()  # built before forking, so both processes share it
    worker = fork(_prepare_chunks, chunks, details)
    try:
        while True:
            try:
                message = worker.receiver.recv()
            except EOFError:
                raise RuntimeError("The process reading the file stopped unexpectedly.") from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        worker.stop()


def _prepare_chunks(chunks: Iterator[list[dict[str, Any]]], details: dict[str, Any], sender: Any) -> None:
    try:
        for chunk in chunks:
            sender.send((prepare_releases(chunk, **details), len(chunk)))
        sender.send(None)
    except BrokenPipeError:
        raise  # the importing process has gone (stopped or killed): forked.fork ends this one
    except BaseException as error:
        sender.send(error)


def _chunks(releases: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """About CHUNK releases at a time, cut where the ocid changes, so a process's releases are stored together
    (and compiled from the chunk, not read back); a process with more than CHUNK releases is cut at 2 * CHUNK."""
    chunk: list[dict[str, Any]] = []
    for release in releases:
        if len(chunk) >= 2 * CHUNK or (len(chunk) >= CHUNK and release.get("ocid") != chunk[-1].get("ocid")):
            yield chunk
            chunk = []
        chunk.append(release)
    if chunk:
        yield chunk


def _kept(chunk: list[dict[str, Any]], wanted: set[str], run: ImportRun) -> list[dict[str, Any]]:
    kept = _social_care_only(chunk, wanted)
    run.not_social_care += len(chunk) - len(kept)
    return kept


def _store(prepared: PreparedReleases, source: Source, run: ImportRun) -> None:
    if not prepared.releases:
        return
    result = store_prepared(prepared, source=source, import_run=run)
    run.added += result.added
    run.already_stored += result.already_stored
    run.flagged += result.flagged
    run.save()


@dataclass
class ReleasesImported:
    """What importing releases held in memory did: counts, and the releases the database could not hold."""

    added: int = 0
    already_stored: int = 0
    flagged: int = 0
    not_social_care: int = 0
    not_storable: list[str] = field(default_factory=list)


def import_releases(
    releases: list[Any],
    *,
    metadata: dict[str, Any],
    source: Source,
    social_care_only: bool = False,
    nul_possible: bool = True,
) -> ReleasesImported:
    """Store releases held in memory (a page a harvest fetched) as ``opencare import`` stores a chunk: each once,
    in one transaction (the caller's, when it has one) with the recompiling of the processes they touch.

    Unlike a file, a page is not refused whole for one release the database cannot hold (registry.storable): that
    release is left out and named in ``not_storable``, and the rest are stored. With ``social_care_only``, only
    the releases of processes this page or the registry shows to be social care. ``nul_possible=False`` says the
    page's text has no ``\\u0000``, which saves looking for U+0000 in each release. The page is a package: one
    without ``version`` is OCDS 1.0 (merge.package_version).
    """
    result = ReleasesImported()
    kept, result.not_storable = storable_releases(releases, nul_possible=nul_possible)
    if social_care_only:
        wanted = {
            release["ocid"] for release in kept if isinstance(release.get("ocid"), str) and is_social_care(release)
        }
        chosen = _social_care_only(kept, wanted)
        result.not_social_care, kept = len(kept) - len(chosen), chosen
    if kept:
        stored: StoreResult = store_prepared(
            prepare_releases(
                kept,
                metadata=metadata,
                is_invented=source.is_invented,
                ocds_version=package_version(metadata, is_package=True),
            ),
            source=source,
        )
        result.added, result.already_stored, result.flagged = stored.added, stored.already_stored, stored.flagged
    return result


def storable_releases(releases: list[Any], *, nul_possible: bool = True) -> tuple[list[dict[str, Any]], list[str]]:
    """The releases the database can hold (registry.storable), and a message for each of the others. Needs no
    database, so a harvest does it in the process that prepares its pages."""
    kept: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, release in enumerate(releases, start=1):
        if not isinstance(release, dict):
            problems.append(f"Release {number:,} of the page is not a JSON object")
        elif (problem := storage_problem(release, nul_possible=nul_possible)) is not None:
            problems.append(f"{problem.message} (release {number:,} of the page)")
        else:
            kept.append(release)
    return kept, problems


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
        nul_possible = data.path is None or _holds_nul_escape(data.path)
        for number, release in enumerate(_releases(data.items(), data.kind), start=1):
            problem = storage_problem(release, nul_possible=nul_possible)
            if problem is not None:
                raise InputError(f"{problem.message} (release {number:,} of the file)", how_to_fix=problem.how_to_fix)
            if wanted is not None and isinstance(release.get("ocid"), str) and is_social_care(release):
                wanted.add(release["ocid"])
    return wanted


def _holds_nul_escape(path: Path) -> bool:
    """Whether the file's bytes have ``\\u0000`` anywhere (U+0000 in valid JSON is always written so): one bytes
    search, instead of looking into every release."""
    pattern, tail = b"\\u0000", b""
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            if pattern in tail + block[: len(pattern)] or pattern in block:
                return True
            tail = block[-len(pattern) :]
    return False


def _releases(items: Iterator[Any], kind: str) -> Iterator[dict[str, Any]]:
    """Releases from releases, or from records: their embedded releases, or their compiled release when linked.
    A record's numbers that could not be read go with the release they are in."""
    for item in items:
        if not isinstance(item, dict):
            continue
        if kind != "record":
            yield item
            continue
        embedded = [(index, r) for index, r in enumerate(item.get("releases") or [])
                    if isinstance(r, dict) and set(r) - {"url", "date", "tag"}]  # fmt: skip
        if embedded:
            yield from (part_of(item, f"/releases/{index}", release) for index, release in embedded)
        elif isinstance(item.get("compiledRelease"), dict):
            yield part_of(item, "/compiledRelease", item["compiledRelease"])


def _source(metadata: dict[str, Any], path: Path) -> Source:
    """The publisher the package names (one source per publisher), or the file when it names none."""
    return package_source(metadata, fallback_key=f"file:{path.name}", fallback_title=path.name)


def package_source(metadata: dict[str, Any], *, fallback_key: str, fallback_title: str) -> Source:
    """The source of a package's releases: the publisher it names (one source per publisher, with its licence), or
    the fallback when it names none."""
    publisher = metadata.get("publisher") if isinstance(metadata.get("publisher"), dict) else {}
    name = publisher.get("name") if isinstance(publisher.get("name"), str) else ""
    licence = metadata.get("license") if isinstance(metadata.get("license"), str) else ""
    key = f"publisher:{publisher.get('uid') or name}" if name else fallback_key
    return get_or_create_source(
        key=key_text(key),
        title=name or fallback_title,
        publisher_name=name,
        url=publisher.get("uri") if isinstance(publisher.get("uri"), str) else "",
        licence_url=licence,
        licence_name="Open Government Licence v3.0" if "open-government-licence" in licence else "",
    )
