"""Recognising a spreadsheet by its content, and refusing zip bombs before any library unpacks them.

Every input is a zip container: an XLSX or ODS workbook, or a zip of CSV files.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError

MAX_MEMBERS = 10_000
#: A member smaller than this is never refused for its compression ratio: a small, repetitive sheet is harmless.
RATIO_FROM_BYTES = 1 << 20
CHUNK = 1 << 16
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: The parts of a workbook that are XML. Spreadsheet programs never write a DOCTYPE in them; one that has a DOCTYPE
#: was made by hand, and entity declarations are how XML attacks (billion laughs, external entities) are made.
XML_SUFFIXES = (".xml", ".rels", ".vml")
DOCTYPE = b"<!doctype"
#: The stream an encrypted (password-protected) Office file keeps its workbook in, as its OLE2 directory names it.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def detect_spreadsheet(path: Path) -> str | None:
    """'xlsx' / 'ods' / 'csv' (zip of CSVs) by content (zip members), or None if not a spreadsheet (e.g. JSON).

    Any other zip file is 'csv', so that spreadsheet_to_json explains what is missing. An Excel 97-2003 workbook or a
    password-protected one (both OLE2 files) is 'xlsx', so that spreadsheet_to_json explains how to save it.
    """
    with path.open("rb") as handle:
        head = handle.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        return "xlsx"
    if not head.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = _read_head(archive, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        return "xlsx"  # a damaged zip container: check_archive explains
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return "xlsx"
    if mimetype.strip() == ODS_MIMETYPE:
        return "ods"
    return "csv"


def _read_head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return member.read(100)


def check_archive(path: Path, *, max_total_bytes: int = 2_000_000_000, max_ratio: int = 200) -> None:
    """Refuse a zip/xlsx/ods bomb before anything unpacks it. Raises SpreadsheetError.

    Refused: more than MAX_MEMBERS members; a name with path traversal ('..', absolute); encrypted members or
    compression other than stored/deflate (bzip2 and LZMA cannot be decompressed in bounded steps); members that
    overlap; a total uncompressed size over max_total_bytes; a member (or the whole) over RATIO_FROM_BYTES with an
    uncompressed/compressed ratio over max_ratio. Then every member is decompressed once, in chunks, to prove its
    declared size true: a member that holds more than it declares (or a bad checksum) is refused.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _not_a_spreadsheet(path) from None
    with archive:
        infos = archive.infolist()
        _check_declared(infos, path.stat().st_size, max_total_bytes, max_ratio)
        _check_actual(archive, infos, max_total_bytes)


def refuse_ole2(path: Path) -> None:
    """Raise SpreadsheetError saying what an OLE2 file is (a password-protected workbook, or an Excel 97-2003 one)
    and how to save it so that it can be read; nothing for any other file."""
    problem = _ole2_problem(path)
    if problem is not None:
        raise problem


def _ole2_problem(path: Path) -> SpreadsheetError | None:
    with path.open("rb") as handle:
        if handle.read(len(OLE2_MAGIC)) != OLE2_MAGIC:
            return None
        # An encrypted .xlsx or .ods saved by Excel is an OLE2 file with an EncryptedPackage stream; its directory
        # can be anywhere in the file, so the file is searched in chunks (overlapping by the name's length).
        tail = b""
        while chunk := handle.read(CHUNK):
            if ENCRYPTED_PACKAGE in tail + chunk:
                return SpreadsheetError(
                    "This workbook is password-protected (encrypted), so it cannot be read",
                    how_to_fix="Open it in Excel, remove the password (File, Info, Protect Workbook, Encrypt with "
                    "Password: delete the password and press OK), save it as an Excel Workbook (.xlsx) and try "
                    "again.",
                )
            tail = chunk[-len(ENCRYPTED_PACKAGE) :]
    return SpreadsheetError(
        "This is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read",
        how_to_fix="Remove any password, then save it from Excel as an Excel Workbook (.xlsx) and upload that.",
    )


def _not_a_spreadsheet(path: Path) -> SpreadsheetError:
    ole2 = _ole2_problem(path)
    if ole2 is not None:
        return ole2
    return SpreadsheetError(
        "The file is not an XLSX or ODS spreadsheet or a zip file of CSV files, or it is damaged",
        how_to_fix=SAVE_AGAIN,
    )


def _doctype() -> SpreadsheetError:
    return SpreadsheetError(
        "This spreadsheet contains a DOCTYPE declaration, which opencare does not accept for safety (spreadsheet "
        "programs never write one)",
        how_to_fix="Open the file in your spreadsheet program, save it again as .xlsx or .ods, and upload that.",
    )


def _too_big(detail: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file was refused because it would unpack to too much data ({detail})",
        how_to_fix="Split the data into smaller files, or remove unused sheets, and upload them one at a time.",
        too_big=True,
    )


def _check_declared(infos: list[zipfile.ZipInfo], archive_size: int, max_total_bytes: int, max_ratio: int) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _too_big(f"{len(infos):,} files inside it; at most {MAX_MEMBERS:,} are allowed")
    total = compressed = 0
    for info in infos:
        _check_member(info, max_ratio)
        total += info.file_size
        compressed += info.compress_size
    if total > max_total_bytes:
        raise _too_big(f"{total:,} bytes uncompressed; at most {max_total_bytes:,} are allowed")
    if total > RATIO_FROM_BYTES and total > max_ratio * max(compressed, 1):
        raise _too_big(f"it is compressed {total // max(compressed, 1):,} times; at most {max_ratio} is allowed")
    # Overlapping members share compressed bytes (the "better zip bomb"): their compressed sizes add up to more
    # than the file itself.
    if compressed > archive_size:
        raise SpreadsheetError("The zip file is malformed: its parts overlap", how_to_fix=SAVE_AGAIN)


def _check_member(info: zipfile.ZipInfo, max_ratio: int) -> None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/") or "\0" in name:
        raise SpreadsheetError(
            f"The file has a part with an unsafe name ({info.filename!r})",
            how_to_fix="Create the zip file again from the CSV files themselves, not from folders around them.",
        )
    if info.flag_bits & 0x1:
        raise SpreadsheetError(
            "The file is encrypted (password-protected)",
            how_to_fix="Remove the password, save it and upload it again.",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SpreadsheetError(
            f"The file uses a kind of compression that is not accepted ({info.filename!r})",
            how_to_fix="Create the zip file again with your computer's built-in 'compress' option.",
        )
    if info.file_size > RATIO_FROM_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise _too_big(f"{info.filename!r} is compressed {ratio:,} times; at most {max_ratio} is allowed")


def _check_actual(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_total_bytes: int) -> None:
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        xml = info.filename.lower().endswith(XML_SUFFIXES)
        tail = b""
        for chunk in member_chunks(archive, info):
            total += len(chunk)
            if total > max_total_bytes:
                raise _too_big(f"more than {max_total_bytes:,} bytes uncompressed")
            if xml:
                # Seen across chunk boundaries: the end of the last chunk is searched again with the next.
                if DOCTYPE in (tail + chunk).lower():
                    raise _doctype()
                tail = chunk[-len(DOCTYPE) :]


def member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks; refused as soon as it holds more than it declares."""
    seen = 0
    try:
        with archive.open(info) as member:
            # zipfile stops at the declared size and then checks the CRC; counting here keeps that promise even if
            # the library changes, and reads stay bounded because each read asks for at most CHUNK bytes.
            while chunk := member.read(CHUNK):
                seen += len(chunk)
                if seen > info.file_size:
                    raise _lying_member(info)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _lying_member(info) from None


def _lying_member(info: zipfile.ZipInfo) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file is damaged: {info.filename!r} does not hold what the zip file says it does", how_to_fix=SAVE_AGAIN
    )
