"""Publishers' documents at the edges of storage: exactly the limit is kept, one byte more is refused (413, the limit
in words); a full disk refuses the document (507) and leaves no half-written file behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from opencare.publishing.documents import UploadRefused, store_upload
from opencare.publishing.models import Publisher, StoredDocument

pytestmark = pytest.mark.django_db
LIMIT = 2000


def use_storage(monkeypatch, folder: Path) -> None:
    """Keep documents in this folder (the field's storage is looked up once, when the model is defined)."""
    monkeypatch.setattr(StoredDocument._meta.get_field("file"), "storage", FileSystemStorage(location=str(folder)))


def kept() -> list[Path]:
    """The files the document storage holds."""
    folder = Path(StoredDocument._meta.get_field("file").storage.location)
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def uploader(settings, tmp_path, monkeypatch):
    settings.OPENCARE_DOCUMENT_MAX_BYTES = LIMIT
    use_storage(monkeypatch, tmp_path / "docs")
    user = get_user_model().objects.create_user(username="cleo", password="a long and unusual passphrase 7")
    publisher = Publisher.objects.create(name="Borsetdale Council", kind=Publisher.Kind.COUNCIL, scheme="GB-LAE",
                                         identifier="BSD")  # fmt: skip
    return {"user": user, "publisher": publisher}


def pdf(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("Service spec.pdf", b"%PDF-1.7\n" + b"0" * (size - 9), content_type="application/pdf")


def test_a_document_of_exactly_the_limit_is_kept(uploader):
    stored = store_upload(**uploader, upload=pdf(LIMIT))

    assert stored.size == LIMIT
    assert len(kept()) == 1


def test_a_document_one_byte_over_the_limit_is_refused_with_413_and_both_sizes(uploader):
    with pytest.raises(UploadRefused) as refused:
        store_upload(**uploader, upload=pdf(LIMIT + 1))

    assert refused.value.status == 413
    assert "'Service spec.pdf' is 2,001 bytes, larger than the 2 KB (2,000 bytes) limit" in str(refused.value)
    assert not StoredDocument.objects.exists()


def test_a_full_disk_refuses_the_document_with_507_and_deletes_what_was_half_written(uploader, monkeypatch):
    def half_then_full(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.read(100))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", half_then_full)

    with pytest.raises(UploadRefused) as refused:
        store_upload(**uploader, upload=pdf(1000))

    assert refused.value.status == 507
    assert "There is no room left on our server to keep 'Service spec.pdf'" in str(refused.value)
    assert kept() == []
    assert not StoredDocument.objects.exists()


def test_other_storage_failures_are_not_mistaken_for_a_full_disk(uploader, monkeypatch):
    def broken(self, name, content):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(FileSystemStorage, "_save", broken)

    with pytest.raises(PermissionError):
        store_upload(**uploader, upload=pdf(1000))


def test_on_a_really_full_disk_the_document_is_refused_and_nothing_is_left(uploader, settings, monkeypatch, tiny_disk):
    settings.OPENCARE_DOCUMENT_MAX_BYTES = 1_000_000
    use_storage(monkeypatch, tiny_disk)

    with pytest.raises(UploadRefused) as refused:
        store_upload(**uploader, upload=pdf(200_000))

    assert refused.value.status == 507
    assert kept() == []
    assert store_upload(**uploader, upload=pdf(1000)).size == 1000  # the room was given back
