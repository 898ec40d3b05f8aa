"""Export a whole site to one archive, and restore it into a new, empty database.

``export_all`` reads every table (``tables.backed_up_models``) in one consistent snapshot, table by table and row by
row, and the files that rows name (the uploaded documents), into an archive (``archive``). ``restore`` checks the
archive and the database before it changes anything, writes the files, then loads every table in one transaction
with the primary keys it had; if anything fails, the transaction is rolled back and the files it wrote are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone

from opencare.backups.archive import ArchiveReader, ArchiveWriter, BackupError, Part
from opencare.backups.rows import insert_rows, write_rows
from opencare.backups.tables import (
    FILLED_BY_MIGRATE,
    LEFT_OUT,
    backed_up_models,
    label,
    migration_state,
    tables_with_rows,
)

Progress = Callable[[str], None]
SETUP_FIRST = "Run `opencare setup` first (it creates the tables), then `opencare restore FILE`."


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    rows: dict[str, int]
    files: int
    missing_files: list[str]
    bytes: int


@dataclass(frozen=True)
class RestoreResult:
    """What a restore loaded, and where the archive came from."""

    rows: dict[str, int]
    files_written: int
    files_already_there: int
    opencare_version: str
    created_at: str


@dataclass(frozen=True)
class _PlannedFile:
    """A file of the archive to write into its storage."""

    entry: dict[str, Any]
    storage: Storage

    @property
    def part(self) -> Part:
        return _part_of(self.entry)


def export_all(path: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> ExportResult:
    """Write every table and every uploaded file of the site to one archive at ``path``.

    Raises BackupError when ``path`` exists or its folder does not, or the database has not been set up.
    """
    if path.exists():
        raise BackupError(f"{path} already exists.", "Give a new file name (e.g. with the date in it), or delete it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.", "Create it, or give a file in another folder.")
    try:
        return _export(path, using, progress or (lambda message: None))
    except OSError as error:  # the partial archive is gone already
        raise BackupError(
            f"Could not write {path}: {error.strerror or error}.",
            "Check that the folder is writable and that the disk has room for the backup.",
        ) from None


def _export(path: Path, using: str, tell: Progress) -> ExportResult:
    with _snapshot(using), ArchiveWriter(path) as writer:
        migrations = migration_state(using)
        if not migrations:
            raise BackupError("This database has not been set up: there is nothing to back up.", SETUP_FIRST)
        tables, rows = [], {}
        for model in backed_up_models():
            tell(f"Exporting {label(model)}")
            with writer.gzip_part(f"tables/{label(model)}.jsonl.gz") as spooled:
                rows[label(model)] = write_rows(model, spooled.stream, using=using)
            assert spooled.part is not None  # set when the part went into the archive
            tables.append({"model": label(model), "rows": rows[label(model)], **_part_entry(spooled.part)})
        tell("Exporting the uploaded files")
        files, missing = _export_files(writer, using)
        writer.finish(
            {
                "opencare_version": importlib.metadata.version("opencare"),
                "created_at": timezone.now().isoformat(),
                "database": connections[using].vendor,
                "migrations": migrations,
                "tables": tables,
                "files": files,
                "missing_files": missing,
                "left_out": LEFT_OUT,
            }
        )
    missing_names = [f"{entry['model']}.{entry['field']}: {entry['name']}" for entry in missing]
    return ExportResult(path=path, rows=rows, files=len(files), missing_files=missing_names, bytes=path.stat().st_size)


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> RestoreResult:
    """Restore an archive of ``export_all`` into this empty, migrated database, with its files.

    Raises BackupError, having changed nothing, when the archive is damaged or truncated or from another migration
    state, when the database is not empty, or when the rows cannot be loaded.
    """
    try:
        return _restore(path, using, progress or (lambda message: None))
    except OSError as error:  # the files written are deleted already
        raise BackupError(
            f"Could not read the backup or write a document into its storage: {error.strerror or error}"
            f"{f' ({error.filename})' if error.filename else ''}. Nothing was restored.",
            "Check that the backup is readable, and that the document storage is writable and has room.",
        ) from None


def _restore(path: Path, using: str, tell: Progress) -> RestoreResult:
    with ArchiveReader(path) as reader:
        manifest = reader.manifest
        _check_migration_state(manifest, using)
        table_models = _table_models(manifest)
        file_storages = [_storage_of(entry) for entry in manifest["files"]]  # each name checked before it is read
        _check_empty(using)
        tell("Checking the archive's checksums")
        reader.verify()
        planned, already_there = _planned_files(manifest["files"], file_storages)
        written: list[tuple[Storage, str]] = []
        try:
            for number, planned_file in enumerate(planned, start=1):
                tell(f"Writing file {number:,} of {len(planned):,}")
                written.append((planned_file.storage, _write_file(reader, planned_file)))
            rows = _load_tables(reader, manifest, table_models, using, tell)
        except BaseException:
            for storage, name in written:
                with contextlib.suppress(Exception):
                    storage.delete(name)
            raise
    return RestoreResult(
        rows=rows,
        files_written=len(written),
        files_already_there=already_there,
        opencare_version=str(manifest.get("opencare_version", "unknown")),
        created_at=str(manifest.get("created_at", "")),
    )


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read every table as of one moment, without stopping the site's writers."""
    connection = connections[using]
    if connection.in_atomic_block:  # the caller's transaction (a test's) is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # A deferred transaction is a read snapshot (WAL mode) that lets writers go on; the site's settings begin
        # IMMEDIATE transactions, which would hold the write lock for the whole export.
        connection.ensure_connection()
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
        try:
            with transaction.atomic(using=using):
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _part_entry(part: Part) -> dict[str, Any]:
    return {"part": part.name, "bytes": part.bytes, "sha256": part.sha256}


def _part_of(entry: dict[str, Any]) -> Part:
    return Part(name=entry["part"], bytes=entry["bytes"], sha256=entry["sha256"])


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.local_concrete_fields if isinstance(f, models.FileField)]


def _export_files(writer: ArchiveWriter, using: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Add every file that a row names to the archive; returns the files added and those missing from storage."""
    files, missing = [], []
    for model in backed_up_models():
        for file_field in _file_fields(model):
            names = (
                model._base_manager.using(using)
                .exclude(**{f"{file_field.attname}__isnull": True})
                .exclude(**{file_field.attname: ""})
                .order_by(file_field.attname)
                .values_list(file_field.attname, flat=True)
                .distinct()
                .iterator()
            )
            for name in names:
                where = {"model": label(model), "field": file_field.name, "name": name}
                storage = file_field.storage
                if not storage.exists(name):
                    missing.append(where)
                    continue
                try:
                    size = storage.size(name)
                    with storage.open(name, "rb") as stream:
                        part = writer.add(f"files/{label(model)}.{file_field.name}/{name}", stream, size)
                except OSError as error:
                    raise BackupError(
                        f"Could not read {name} from the storage of {label(model)}.{file_field.name}: {error}.",
                        "Check that the storage (OPENCARE_DOCUMENT_DIR or OPENCARE_DOCUMENT_STORAGE) is readable.",
                    ) from None
                files.append({**where, **_part_entry(part)})
    return files, missing


def _check_migration_state(manifest: dict[str, Any], using: str) -> None:
    here = set(migration_state(using))
    if not here:
        raise BackupError("This database has not been set up, so there are no tables to restore into.", SETUP_FIRST)
    theirs = set(manifest["migrations"])
    if here == theirs:
        return
    version = manifest.get("opencare_version", "unknown")
    differences = []
    if theirs - here:
        differences.append(f"the backup has {_some(theirs - here)}, which this database has not")
    if here - theirs:
        differences.append(f"this database has {_some(here - theirs)}, which the backup has not")
    raise BackupError(
        f"The backup is of a database at another migration state (it was made by opencare {version}): "
        f"{'; '.join(differences)}.",
        f"Restore it with the opencare version that made it ({version}): set up a new, empty database with that "
        "version (`opencare setup`) and restore there; then upgrade opencare and run `opencare setup` again, which "
        "migrates the restored data.",
    )


def _some(names: set[str]) -> str:
    shown = sorted(names)
    listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    return f"{len(shown)} migration{'s' if len(shown) != 1 else ''} ({listed})"


def _table_models(manifest: dict[str, Any]) -> dict[str, type[models.Model]]:
    known = {label(model): model for model in backed_up_models()}
    chosen: dict[str, type[models.Model]] = {}
    for entry in manifest["tables"]:
        name = entry["model"]
        if name not in known or name in chosen or entry["part"] != f"tables/{name}.jsonl.gz":
            raise BackupError(
                f"The backup lists a table this opencare does not restore, or lists it twice: {name}.",
                f"Restore it with the opencare version that made it ({manifest.get('opencare_version', 'unknown')}).",
            )
        chosen[name] = known[name]
    return chosen


def _check_empty(using: str) -> None:
    full = tables_with_rows(using)
    if full:
        shown = ", ".join(full[:6]) + (f" and {len(full) - 6} more" if len(full) > 6 else "")
        raise BackupError(
            f"This database is not empty: {shown} {'has' if len(full) == 1 else 'have'} rows. A backup is only "
            "restored into a new, empty database, so that nothing is overwritten or mixed.",
            "Create a new database, point DATABASE_URL at it, run `opencare setup`, then `opencare restore FILE`.",
        )


def _planned_files(entries: list[dict[str, Any]], file_storages: list[Storage]) -> tuple[list[_PlannedFile], int]:
    """The files to write, and how many are already in storage with the same bytes (from an interrupted restore)."""
    planned, already_there = [], 0
    for entry, storage in zip(entries, file_storages, strict=True):
        if storage.exists(entry["name"]):
            if _sha256_in(storage, entry["name"]) == entry["sha256"]:
                already_there += 1
                continue
            raise BackupError(
                f"The storage of {entry['model']}.{entry['field']} already has another file named {entry['name']}.",
                "Restore into an empty document storage: point OPENCARE_DOCUMENT_DIR (or OPENCARE_DOCUMENT_STORAGE) "
                "at a new, empty place.",
            )
        planned.append(_PlannedFile(entry=entry, storage=storage))
    return planned, already_there


def _storage_of(entry: dict[str, Any]) -> Storage:
    """The storage of the file field an archived file belongs to, after checking its name is a plain relative one."""
    name, where = entry["name"], f"{entry['model']}.{entry['field']}"
    path = PurePosixPath(name)
    model = next((m for m in backed_up_models() if label(m) == entry["model"]), None)
    file_field = next((f for f in _file_fields(model) if f.name == entry["field"]), None) if model else None
    if (
        file_field is None
        or path.is_absolute()
        or ".." in path.parts
        or "\\" in name
        or entry["part"] != f"files/{where}/{name}"
    ):
        raise BackupError(
            f"The backup lists a file that cannot be restored: {where} {name!r}.",
            "Restore only archives that `opencare export-all` wrote, with the opencare version that wrote them.",
        )
    return file_field.storage


def _sha256_in(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _write_file(reader: ArchiveReader, planned: _PlannedFile) -> str:
    name = planned.entry["name"]
    with reader.open(planned.part) as stream:
        content = File(stream, name=name)
        content.size = planned.part.bytes
        saved = planned.storage.save(name, content)
    if saved != name:  # the storage chose another name: a file appeared under this one meanwhile
        planned.storage.delete(saved)
        raise BackupError(
            f"Could not write {name}: the storage already has a file of that name.",
            "Restore into an empty document storage (OPENCARE_DOCUMENT_DIR or OPENCARE_DOCUMENT_STORAGE).",
        )
    return saved


def _load_tables(
    reader: ArchiveReader,
    manifest: dict[str, Any],
    table_models: dict[str, type[models.Model]],
    using: str,
    tell: Progress,
) -> dict[str, int]:
    """Load every table in one transaction, keeping primary keys, then set the sequences past them."""
    from django.apps import apps

    connection = connections[using]
    rows: dict[str, int] = {}
    try:
        with transaction.atomic(using=using):
            _check_empty(using)  # again, inside the transaction: nothing can have written in between
            for name in FILLED_BY_MIGRATE:  # replaced by the backup's rows, whose keys other rows refer to
                apps.get_model(name)._base_manager.using(using).all().delete()
            for entry in manifest["tables"]:
                model, where = table_models[entry["model"]], entry["model"]
                tell(f"Restoring {where}")
                count = insert_rows(
                    model,
                    reader.lines(_part_of(entry)),
                    using=using,
                    where=where,
                    on_batch=lambda done, where=where: tell(f"Restoring {where}: {done:,} rows"),
                )
                if count != entry["rows"]:
                    raise BackupError(
                        f"The backup is damaged: {where} has {count:,} rows, but its manifest records "
                        f"{entry['rows']:,}. Nothing was restored.",
                        "Use another copy of the backup, or make a new one with `opencare export-all`.",
                    )
                rows[where] = count
            loaded = list(table_models.values())
            connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(statement)
    except (DatabaseError, DeserializationError) as error:
        raise BackupError(
            f"The backup's rows could not be loaded, so nothing was restored: {error}",
            "Use another copy of the backup, or make a new one with `opencare export-all`; restore it with the "
            "opencare version that made it.",
        ) from None
    finally:
        ContentType.objects.clear_cache()  # the cache may hold the content types the restore replaced
    return rows
