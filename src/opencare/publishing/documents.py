"""Uploaded documents: checked before they are kept, and served only as downloads that cannot run.

A file is accepted when its name ends with an allowed extension and its first bytes match that type (a PDF starts
with %PDF-, Office and OpenDocument files are ZIP archives, CSV and text are UTF-8 with no NUL bytes). It is
served with the type we decided, never the one the uploader claimed, as an attachment, with nosniff and a
sandboxing Content-Security-Policy, so a document can never run script in the site's origin.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile

from opencare.publishing.models import Publisher, StoredDocument
from opencare.storage_limits import is_disk_full, size_and_limit

logger = logging.getLogger(__name__)

ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class DocumentType:
    """A type of document we accept."""

    content_type: str
    magic: bytes | None  # None: text, checked by decoding


TYPES = {
    "pdf": DocumentType("application/pdf", b"%PDF-"),
    "docx": DocumentType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": DocumentType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "odt": DocumentType("application/vnd.oasis.opendocument.text", ZIP),
    "ods": DocumentType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "csv": DocumentType("text/csv", None),
    "txt": DocumentType("text/plain", None),
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRefused(ValueError):
    """The file cannot be kept; the message says why and what to do, ``status`` the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def safe_filename(name: str) -> str:
    """The uploaded name without folders or characters that could mislead: 'C:\\x\\..\\Spec.pdf' → 'Spec.pdf'."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("-", base).strip(" .-")
    return base[:120] or "document"


def check_upload(upload: UploadedFile) -> DocumentType:
    """The type of an acceptable upload; raises UploadRefused with a plain-English reason otherwise."""
    name = safe_filename(upload.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TYPES.get(extension)
    if kind is None:
        allowed = ", ".join(sorted(TYPES))
        raise UploadRefused(f"'{name}' is not a type of document we accept. Upload one of: {allowed}.")
    if upload.size is not None and upload.size > settings.OPENCARE_DOCUMENT_MAX_BYTES:
        size, limit = size_and_limit(upload.size, settings.OPENCARE_DOCUMENT_MAX_BYTES)
        raise UploadRefused(
            f"'{name}' is {size}, larger than the {limit} limit. Make it smaller, or publish it elsewhere and link.",
            status=413,
        )
    if not upload.size:
        raise UploadRefused(f"'{name}' is empty.")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if kind.magic is not None and not head.startswith(kind.magic):
        raise UploadRefused(f"'{name}' does not look like a .{extension} file inside. Save it again as .{extension}.")
    if kind.magic is None and (b"\x00" in head or not _utf8_prefix(head)):
        raise UploadRefused(f"'{name}' is not plain text in UTF-8. Save it again as UTF-8 text.")
    return kind


def store_upload(*, user: AbstractBaseUser, publisher: Publisher, upload: UploadedFile) -> StoredDocument:
    """Check an upload and keep it in the document storage."""
    kind = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = safe_filename(upload.name or "")
    document = StoredDocument(
        publisher=publisher,
        filename=name,
        content_type=kind.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    stored_name = f"{document.key}.{name.rsplit('.', 1)[-1].lower()}"
    try:
        document.file.save(stored_name, upload, save=False)
    except OSError as error:
        if not is_disk_full(error):
            raise
        _forget_partial(document.file.storage, document.file.field.generate_filename(document, stored_name))
        logger.error("No room to keep a document (%s): %s", name, error)
        raise UploadRefused(
            f"There is no room left on our server to keep '{name}'. Try again later, or link to the document instead.",
            status=507,
        ) from None
    document.save()
    return document


def _forget_partial(storage: Storage, name: str) -> None:
    """Delete what a failed save wrote (Django's file storage leaves a half-written file behind)."""
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.exception("Could not delete the half-written document %s", name)


def _utf8_prefix(head: bytes) -> bool:
    # The first 4096 bytes may end inside a character: allow up to 3 bytes of it to be cut off.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False
