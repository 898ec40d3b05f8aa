"""A restore refuses, with a clear message and having changed nothing, an archive that is not a backup, damaged,
truncated or of another migration state, and a database that is not empty; a load that fails leaves no row and no
file. An export refuses to overwrite a file, and lists documents missing from their storage."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from opencare.backups.archive import BackupError
from opencare.backups.services import export_all, restore
from opencare.backups.tables import tables_with_rows
from opencare.publishing.documents import store_upload
from opencare.publishing.models import Publisher, StoredDocument

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def backup(db, tmp_path, django_user_model):
    """An archive of a small site (a person in a group, an organisation, an uploaded document); the database and the
    document storage are empty again afterwards."""
    user = django_user_model.objects.create_user("pat", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    publisher = Publisher.objects.create(name="Borsetdale Council", kind="council", scheme="GB-LAE", identifier="BRS")
    document = store_upload(user=user, publisher=publisher, upload=SimpleUploadedFile("Spec.pdf", PDF))
    storage, name = document.file.storage, document.file.name
    path = tmp_path / "site.tar"
    export_all(path)
    document.delete()
    publisher.delete()
    user.delete()
    storage.delete(name)
    assert tables_with_rows("default") == []
    return SimpleNamespace(path=path, name=name, storage=storage)


def nothing_was_restored(backup) -> bool:
    return tables_with_rows("default") == [] and not backup.storage.exists(backup.name)


def read(document: StoredDocument) -> bytes:
    with document.file.open("rb") as stream:
        return stream.read()


def rewrite(source: Path, target: Path, *, lines=None, manifest=None) -> Path:
    """A copy of the archive with some parts' lines changed (their size, SHA-256 and row count set to match, as a
    careful forger would) and its manifest edited."""
    with tarfile.open(source) as old, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as new:
        data = json.loads(old.extractfile("manifest.json").read())
        entries = {entry["part"]: entry for entry in [*data["tables"], *data["files"]]}
        for member in old.getmembers():
            if member.name == "manifest.json":
                continue
            content = old.extractfile(member).read()
            if lines and member.name in lines:
                rows = lines[member.name](gzip.decompress(content).splitlines(keepends=True))
                content = gzip.compress(b"".join(rows))
                entries[member.name]["rows"] = len(rows)
            entries[member.name] |= {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            _add(new, member.name, content)
        if manifest:
            manifest(data)
        _add(new, "manifest.json", json.dumps(data).encode())
    return target


def _add(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))


def member_offset(path: Path, name: str) -> int:
    with tarfile.open(path) as tar:
        return tar.getmember(name).offset_data


def test_a_backup_is_restored_with_its_passwords_and_documents(backup, django_user_model):
    result = restore(backup.path)
    assert result.rows["auth.user"] == 1
    assert result.files_written == 1
    user = django_user_model.objects.get(username="pat")
    assert user.check_password(PASSWORD)
    assert [group.name for group in user.groups.all()] == ["moderators"]
    document = StoredDocument.objects.get()
    assert document.file.name == backup.name
    assert read(document) == PDF


def test_a_second_restore_is_refused_because_the_database_is_not_empty(backup, django_user_model):
    restore(backup.path)
    with pytest.raises(BackupError) as refused:
        restore(backup.path)
    assert "This database is not empty: auth.user" in refused.value.message
    assert "opencare setup" in refused.value.how_to_fix
    assert django_user_model.objects.count() == 1


def test_a_database_with_data_is_refused_before_any_file_is_written(backup, django_user_model):
    django_user_model.objects.create_user("someone-already-here")
    with pytest.raises(BackupError, match=re.escape("not empty: auth.user has rows")):
        restore(backup.path)
    assert not backup.storage.exists(backup.name)
    assert list(django_user_model.objects.values_list("username", flat=True)) == ["someone-already-here"]


def _not_a_tar(path: Path, tmp: Path) -> Path:
    (tmp / "random.tar").write_bytes(b"\x89PNG not an archive at all" * 40)
    return tmp / "random.tar"


def _empty(path: Path, tmp: Path) -> Path:
    (tmp / "empty.tar").write_bytes(b"")
    return tmp / "empty.tar"


def _no_manifest(path: Path, tmp: Path) -> Path:
    with tarfile.open(tmp / "bare.tar", "w") as tar:
        _add(tar, "tables/auth.user.jsonl.gz", gzip.compress(b"{}\n"))
    return tmp / "bare.tar"


def _cut(keep: float):
    def cut(path: Path, tmp: Path) -> Path:
        data = path.read_bytes()
        (tmp / "cut.tar").write_bytes(data[: int(len(data) * keep)])
        return tmp / "cut.tar"

    return cut


def _cut_in_the_document(path: Path, tmp: Path) -> Path:
    with tarfile.open(path) as tar:
        document = next(name for name in tar.getnames() if name.startswith("files/"))
    data = path.read_bytes()
    (tmp / "cut.tar").write_bytes(data[: member_offset(path, document) + 10])
    return tmp / "cut.tar"


def _cut_in_manifest(path: Path, tmp: Path) -> Path:
    data = path.read_bytes()
    (tmp / "cut.tar").write_bytes(data[: member_offset(path, "manifest.json") + 100])
    return tmp / "cut.tar"


def _changed_byte(part: str):
    def change(path: Path, tmp: Path) -> Path:
        data = bytearray(path.read_bytes())
        data[member_offset(path, part) + 12] ^= 0x01
        (tmp / "changed.tar").write_bytes(bytes(data))
        return tmp / "changed.tar"

    return change


def _manifest(edit):
    def edited(path: Path, tmp: Path) -> Path:
        return rewrite(path, tmp / "edited.tar", manifest=edit)

    return edited


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_not_a_tar, "is not an opencare backup: it is not a tar archive"),
        (_empty, "is not an opencare backup: it is not a tar archive"),
        (_no_manifest, "damaged or truncated: it has no manifest.json"),
        (_cut(0.5), "damaged or truncated"),
        (_cut_in_the_document, "damaged or truncated"),
        (_cut_in_manifest, "damaged or truncated: its manifest.json cannot be read"),
        (_changed_byte("tables/auth.user.jsonl.gz"), "the SHA-256 of tables/auth.user.jsonl.gz is not the one"),
        (_changed_byte("tables/publishing.publisher.jsonl.gz"), "the SHA-256 of tables/publishing.publisher"),
        (_manifest(lambda m: m.update(format="something-else")), "its manifest.json is not an opencare backup's"),
        (_manifest(lambda m: m.update(format_version=2)), "an opencare backup of format 2"),
        (_manifest(lambda m: m.pop("tables")), "its manifest.json is not whole: 'tables' is not a list"),
        (_manifest(lambda m: m["files"][0].update(sha256="no")), "entry 1 of 'files' has no proper 'sha256'"),
    ],
    ids=[
        "not-a-tar",
        "empty-file",
        "no-manifest",
        "cut-in-half",
        "cut-in-the-document",
        "cut-in-the-manifest",
        "changed-byte-in-users",
        "changed-byte-in-organisations",
        "another-format",
        "another-format-version",
        "manifest-without-tables",
        "manifest-with-a-bad-checksum",
    ],
)
def test_a_damaged_or_truncated_archive_is_refused_and_nothing_is_restored(backup, tmp_path, damage, message):
    damaged = damage(backup.path, tmp_path)
    with pytest.raises(BackupError, match=re.escape(message)) as refused:
        restore(damaged)
    assert refused.value.how_to_fix
    assert nothing_was_restored(backup)


def test_a_changed_byte_in_a_document_is_found_by_its_checksum(backup, tmp_path):
    damaged = _changed_byte(f"files/publishing.storeddocument.file/{backup.name}")(backup.path, tmp_path)
    with pytest.raises(BackupError, match=re.escape("the SHA-256 of files/publishing.storeddocument.file/")):
        restore(damaged)
    assert nothing_was_restored(backup)


def test_a_backup_of_another_migration_state_is_refused(backup, tmp_path):
    def older_and_newer(manifest):
        manifest["migrations"].remove("registry.0008_social_care_search_index")
        manifest["migrations"].append("registry.0099_from_the_future")

    other = rewrite(backup.path, tmp_path / "other.tar", manifest=older_and_newer)
    with pytest.raises(BackupError) as refused:
        restore(other)
    message = refused.value.message
    assert "another migration state (it was made by opencare 0.1.0)" in message
    assert "the backup has 1 migration (registry.0099_from_the_future), which this database has not" in message
    assert (
        "this database has 1 migration (registry.0008_social_care_search_index), which the backup has not" in message
    )
    assert "opencare version that made it (0.1.0)" in refused.value.how_to_fix
    assert nothing_was_restored(backup)


def test_a_load_that_fails_part_way_leaves_no_row_and_deletes_the_files_it_wrote(backup, tmp_path):
    # The document's row twice: its table is loaded after the users' and organisations', and after the files.
    twice = rewrite(
        backup.path, tmp_path / "twice.tar", lines={"tables/publishing.storeddocument.jsonl.gz": lambda rows: rows * 2}
    )
    with pytest.raises(BackupError, match="could not be loaded, so nothing was restored"):
        restore(twice)
    assert nothing_was_restored(backup)


def test_a_table_with_fewer_rows_than_its_manifest_records_is_refused(backup, tmp_path):
    def one_more_user(manifest):
        next(entry for entry in manifest["tables"] if entry["model"] == "auth.user")["rows"] += 1

    short = rewrite(backup.path, tmp_path / "short.tar", manifest=one_more_user)
    with pytest.raises(BackupError, match=re.escape("auth.user has 1 rows, but its manifest records 2")):
        restore(short)
    assert nothing_was_restored(backup)


def test_a_row_of_another_table_in_a_part_is_refused(backup, tmp_path):
    group = []
    mixed = rewrite(
        backup.path,
        tmp_path / "mixed.tar",
        lines={"tables/auth.group.jsonl.gz": lambda rows: group.extend(rows) or rows,
               "tables/auth.user.jsonl.gz": lambda rows: rows + group},
    )  # fmt: skip
    with pytest.raises(BackupError, match=re.escape("auth.user, after 1 rows: a row of auth.group is there")):
        restore(mixed)
    assert nothing_was_restored(backup)


def test_a_row_with_a_field_its_table_has_not_is_refused(backup, tmp_path):
    def with_a_stranger(rows):
        return [rows[0].replace(b'"fields":{', b'"fields":{"shoe_size":9,')]

    odd = rewrite(backup.path, tmp_path / "odd.tar", lines={"tables/auth.user.jsonl.gz": with_a_stranger})
    with pytest.raises(BackupError, match=re.escape("auth.user, after 0 rows: User has no field named 'shoe_size'")):
        restore(odd)
    assert nothing_was_restored(backup)


def test_another_file_of_the_same_name_in_the_storage_is_refused_and_kept(backup):
    backup.storage.save(backup.name, ContentFile(b"someone else's file"))
    with pytest.raises(BackupError, match="already has another file named"):
        restore(backup.path)
    assert tables_with_rows("default") == []
    with backup.storage.open(backup.name) as kept:
        assert kept.read() == b"someone else's file"
    backup.storage.delete(backup.name)


def test_the_same_file_left_by_an_interrupted_restore_is_used_again(backup):
    backup.storage.save(backup.name, ContentFile(PDF))
    result = restore(backup.path)
    assert (result.files_written, result.files_already_there) == (0, 1)
    assert read(StoredDocument.objects.get()) == PDF


@pytest.mark.parametrize("name", ["../../outside.pdf", "/etc/passwd", "2026\\..\\..\\x.pdf"])
def test_a_file_name_that_would_leave_the_storage_is_refused(backup, tmp_path, name):
    def climb_out(manifest):
        manifest["files"][0]["name"] = name
        manifest["files"][0]["part"] = f"files/publishing.storeddocument.file/{name}"

    hostile = rewrite(backup.path, tmp_path / "hostile.tar", manifest=climb_out)
    with pytest.raises(BackupError, match="lists a file that cannot be restored"):
        restore(hostile)
    assert nothing_was_restored(backup)
    assert not (tmp_path.parent / "outside.pdf").exists()


def test_an_export_never_overwrites_a_file_or_writes_into_a_missing_folder(db, tmp_path):
    existing = tmp_path / "yesterday.tar"
    existing.write_bytes(b"yesterday's backup")
    with pytest.raises(BackupError, match="already exists"):
        export_all(existing)
    assert existing.read_bytes() == b"yesterday's backup"
    with pytest.raises(BackupError, match="does not exist"):
        export_all(tmp_path / "no-such-folder" / "site.tar")


def test_a_document_missing_from_its_storage_is_listed_and_everything_else_backed_up(db, tmp_path, django_user_model):
    user = django_user_model.objects.create_user("pat", password=PASSWORD)
    publisher = Publisher.objects.create(name="Moorside", kind="provider", scheme="GB-COH", identifier="0001")
    document = store_upload(user=user, publisher=publisher, upload=SimpleUploadedFile("Lost.pdf", PDF))
    document.file.storage.delete(document.file.name)
    result = export_all(tmp_path / "site.tar")
    assert result.missing_files == [f"publishing.storeddocument.file: {document.file.name}"]
    assert (result.files, result.rows["publishing.storeddocument"]) == (0, 1)
    assert not list(tmp_path.glob("*.partial"))


def test_sessions_review_uploads_and_their_tasks_are_left_out_with_the_reason(backup):
    with tarfile.open(backup.path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    tables = {entry["model"] for entry in manifest["tables"]}
    for left_out in ("sessions.session", "reviews.reviewrequest", "django_tasks_database.dbtaskresult"):
        assert left_out not in tables
        assert manifest["left_out"][left_out]
    assert {"auth.user", "registry.release", "participation.feedback", "publishing.auditentry"} <= tables
    assert names[-1] == "manifest.json"


def test_a_full_disk_while_exporting_is_explained_and_leaves_no_partial_archive(db, tmp_path, monkeypatch):
    written = []

    def fill_up(tar, info, fileobj=None):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(info.name)

    monkeypatch.setattr(tarfile.TarFile, "addfile", fill_up)
    with pytest.raises(BackupError, match=r"Could not write .*site\.tar: No space left on device") as refused:
        export_all(tmp_path / "site.tar")
    assert "room" in refused.value.how_to_fix
    assert list(tmp_path.iterdir()) == []


def test_a_full_document_storage_while_restoring_is_explained_and_nothing_is_restored(backup, monkeypatch):
    def full(self, name, content, max_length=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(backup.storage), "save", full)
    with pytest.raises(BackupError, match=re.escape("No space left on device. Nothing was restored")):
        restore(backup.path)
    assert nothing_was_restored(backup)
