"""The backup archive: one uncompressed tar holding each table as a gzipped JSON Lines part, each uploaded file as
it is, and last a manifest (``manifest.json``) that lists every part with its size and SHA-256.

Writing goes to ``FILE.partial``, renamed to ``FILE`` only once the manifest is in, so a killed or failed export never
leaves something that looks like a backup. Reading checks, before anything is restored, that the file is a tar, that
its manifest is whole and of this format, and (``verify``) that every part is there with its recorded size and
SHA-256: a damaged or truncated archive is refused, never half-read. No Django here.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import re
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

FORMAT = "opencare-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Parts are compressed quickly: on 131 MB of releases and processes, level 3 took 1.0 s for 24.7 MB, level 6 3.3 s
#: for 20.4 MB.
GZIP_LEVEL = 3
_SHA256 = re.compile(r"[0-9a-f]{64}")
_READ_BYTES = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made or restored: what is wrong, and how to fix it."""

    def __init__(self, message: str, how_to_fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.how_to_fix = how_to_fix


@dataclass(frozen=True)
class Part:
    """One member of the archive: its name, size and SHA-256."""

    name: str
    bytes: int
    sha256: str


class _HashingReader:
    """Reads through to a file while counting and hashing what was read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.bytes += len(data)
        return data


class SpooledPart:
    """A gzipped part being written: lines go to ``stream``; ``part`` is set once it is in the archive."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.part: Part | None = None


class ArchiveWriter:
    """Writes an archive part by part; ``finish`` adds the manifest and puts the file in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        # Parts are spooled next to the archive (a tar member's size comes before its bytes), so on the same disk.
        self._scratch = tempfile.TemporaryDirectory(prefix=".opencare-backup-", dir=path.parent)
        try:
            self._tar = tarfile.open(self.partial, "w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 (closed in finish)
        except BaseException:
            self._scratch.cleanup()
            raise
        self._names: set[str] = set()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is not None:
            self.abort()
        self._scratch.cleanup()

    def add(self, name: str, stream: IO[bytes], size: int) -> Part:
        """Add ``size`` bytes read from ``stream`` as the member ``name``."""
        if name in self._names or name == MANIFEST:
            raise ValueError(f"the archive already has a member {name}")
        self._names.add(name)
        info = tarfile.TarInfo(name)
        info.size, info.mode = size, 0o600
        reader = _HashingReader(stream)
        self._tar.addfile(info, reader)  # type: ignore[arg-type]  # tarfile only calls read()
        return Part(name=name, bytes=reader.bytes, sha256=reader.digest.hexdigest())

    @contextlib.contextmanager
    def gzip_part(self, name: str) -> Iterator[SpooledPart]:
        """Write a gzipped part: yield a stream for its uncompressed bytes, then add it to the archive."""
        with tempfile.TemporaryFile(dir=self._scratch.name) as spool:
            with gzip.GzipFile(filename="", mode="wb", fileobj=spool, compresslevel=GZIP_LEVEL, mtime=0) as out:
                spooled = SpooledPart(out)  # type: ignore[arg-type]
                yield spooled
            size = spool.tell()
            spool.seek(0)
            spooled.part = self.add(name, spool, size)

    def finish(self, manifest: dict[str, Any]) -> None:
        """Add the manifest, close the archive and rename it into place."""
        data = json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, **manifest}, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        self.partial.replace(self.path)

    def abort(self) -> None:
        """Stop writing and remove the partial archive."""
        with contextlib.suppress(Exception):
            self._tar.close()
        self.partial.unlink(missing_ok=True)


class ArchiveReader:
    """An archive opened for restoring: its manifest is read and checked at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._tar = tarfile.open(path, "r:")  # noqa: SIM115 (closed in close)
        except (tarfile.TarError, OSError) as error:
            raise BackupError(
                f"{path} is not an opencare backup: it is not a tar archive ({error}).",
                "Give the file that `opencare export-all` wrote (an uncompressed .tar); if it was copied or "
                "compressed on the way, copy it again or uncompress it first.",
            ) from None
        try:
            self.manifest = self._read_manifest()
        except BaseException:
            self._tar.close()
            raise

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive file."""
        self._tar.close()

    def parts(self) -> list[Part]:
        """Every part the manifest lists: the tables, then the files."""
        return [
            Part(name=entry["part"], bytes=entry["bytes"], sha256=entry["sha256"])
            for entry in [*self.manifest["tables"], *self.manifest["files"]]
        ]

    def verify(self, parts: Iterable[Part] | None = None) -> None:
        """Check that every part is in the archive with the size and SHA-256 the manifest records."""
        for part in self.parts() if parts is None else parts:
            digest = hashlib.sha256()
            with self.open(part) as stream:
                try:
                    while chunk := stream.read(_READ_BYTES):
                        digest.update(chunk)
                except (tarfile.TarError, OSError, EOFError):
                    raise _damaged(self.path, f"{part.name} is cut short") from None
            if digest.hexdigest() != part.sha256:
                raise BackupError(
                    f"{self.path} is damaged: the SHA-256 of {part.name} is not the one its manifest records.",
                    "Nothing was restored. Use another copy of the backup, or make a new one with "
                    "`opencare export-all`.",
                )

    def open(self, part: Part) -> BinaryIO:
        """The bytes of one part (a file object: close it after use)."""
        try:
            member = self._tar.getmember(part.name)
        except KeyError:
            raise _damaged(self.path, f"{part.name} is missing") from None
        stream = self._tar.extractfile(member) if member.isfile() else None
        if stream is None or member.size != part.bytes:
            raise _damaged(self.path, f"{part.name} is not the size its manifest records")
        return stream  # type: ignore[return-value]

    def lines(self, part: Part) -> Iterator[bytes]:
        """The lines of a gzipped JSON Lines part, one at a time."""
        with self.open(part) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as lines:
            try:
                yield from lines
            except (gzip.BadGzipFile, EOFError, OSError, tarfile.TarError):
                raise _damaged(self.path, f"{part.name} cannot be uncompressed") from None

    def _read_manifest(self) -> dict[str, Any]:
        try:
            member = self._tar.getmember(MANIFEST)
            stream = self._tar.extractfile(member)
            data = stream.read() if stream is not None else b""
            manifest = json.loads(data)
        except KeyError:
            raise _damaged(self.path, f"it has no {MANIFEST}, which an export writes last") from None
        except (tarfile.TarError, OSError, EOFError, ValueError):
            raise _damaged(self.path, f"its {MANIFEST} cannot be read") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(
                f"{self.path} is not an opencare backup: its {MANIFEST} is not an opencare backup's.",
                "Give the file that `opencare export-all` wrote.",
            )
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{self.path} is an opencare backup of format {manifest.get('format_version')!r}; this version of "
                f"opencare reads format {FORMAT_VERSION}.",
                f"Restore it with the opencare version that made it ({manifest.get('opencare_version', 'unknown')}).",
            )
        problem = _manifest_problem(manifest)
        if problem:
            raise _damaged(self.path, f"its {MANIFEST} is not whole: {problem}")
        return manifest


def _damaged(path: Path, what: str) -> BackupError:
    return BackupError(
        f"{path} is damaged or truncated: {what}.",
        "Nothing was restored. Use another copy of the backup (compare its size with the original), or make a new "
        "one with `opencare export-all`.",
    )


_ENTRY_FIELDS = {
    "tables": {"model": str, "part": str, "rows": int, "bytes": int, "sha256": str},
    "files": {"model": str, "field": str, "name": str, "part": str, "bytes": int, "sha256": str},
}


def _manifest_problem(manifest: dict[str, Any]) -> str:
    """What is wrong with a manifest's shape, or an empty string."""
    if not isinstance(manifest.get("migrations"), list) or not all(
        isinstance(name, str) for name in manifest["migrations"]
    ):
        return "'migrations' is not a list of migration names"
    for key, fields in _ENTRY_FIELDS.items():
        entries = manifest.get(key)
        if not isinstance(entries, list):
            return f"'{key}' is not a list"
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                return f"entry {number} of '{key}' is not an object"
            for field, kind in fields.items():
                value = entry.get(field)
                if not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < 0):
                    return f"entry {number} of '{key}' has no proper '{field}'"
            if not _SHA256.fullmatch(entry["sha256"]):
                return f"entry {number} of '{key}' has no proper 'sha256'"
    return ""
