"""Reading a zip of CSV files, one per sheet: unpacked as UTF-8 (converted from Windows-1252), junk files skipped."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from opencare.ocds.spreadsheets.archive import CHUNK, member_chunks
from opencare.ocds.spreadsheets.errors import SpreadsheetError
from opencare.ocds.spreadsheets.layout import MAIN_SHEET
from opencare.ocds.spreadsheets.sheet_reader import SheetReader

JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


class CsvReader(SheetReader):
    """A zip of CSV files, one a sheet."""

    is_csv = True

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self._files: dict[str, Path] | None = None

    def _open(self) -> list[str]:
        if self._files is None:
            self._files, self.notes[:0] = extract_csvs(Path(self.input_name), self.folder)
        return list(self._files)

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        assert self._files is not None
        # newline="": line breaks inside quoted cells are kept exactly (\r\n stays \r\n).
        with self._files[sheet_name].open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if number >= first_row:
                    yield (row + [None] * width)[:width] if width is not None else row


def extract_csvs(source: Path, folder: Path) -> tuple[dict[str, Path], list[dict[str, str | None]]]:
    """Unpack the CSV files (in zip order) as UTF-8; a file in Windows-1252 (Excel's usual choice) is converted."""
    files: dict[str, Path] = {}
    notes: list[dict[str, str | None]] = []
    others = []
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if (
                info.is_dir()
                or name.parts[:1] == ("__MACOSX",)
                or name.name.startswith("._")
                or name.name in JUNK_NAMES
            ):
                continue
            if name.suffix.lower() != ".csv":
                others.append(info.filename)
                continue
            sheet = name.stem
            if sheet in files:
                raise SpreadsheetError(
                    f"The zip file has two CSV files called {name.name!r}",
                    how_to_fix="Give each CSV file (one for each sheet) a different name.",
                )
            files[sheet] = folder / f"{len(files)}.csv"
            if not _copy_member(archive, info, files[sheet]):
                notes.append(_windows_1252(files[sheet], sheet))
    if others:
        raise SpreadsheetError(
            f"The zip file has files that are not CSV files: {', '.join(others[:5])}",
            how_to_fix="Put only the CSV files, one for each sheet, in the zip file.",
        )
    if not files:
        raise SpreadsheetError(
            "The zip file has no CSV files in it",
            how_to_fix=f"Put one CSV file for each sheet in the zip file, starting with {MAIN_SHEET}.csv.",
        )
    return files, notes


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> bool:
    """Copy a member, never more than it declares; whether it is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with target.open("wb") as handle:
        for chunk in member_chunks(archive, info):
            handle.write(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8


def _windows_1252(path: Path, sheet: str) -> dict[str, str | None]:
    converted = path.with_suffix(".utf8")
    try:
        with (
            path.open(encoding="cp1252", newline="") as source,
            converted.open("w", encoding="utf-8", newline="") as out,
        ):
            while text := source.read(CHUNK):
                out.write(text)
    except UnicodeDecodeError:
        raise SpreadsheetError(
            f"The CSV file {sheet}.csv is not in UTF-8 (or Windows-1252)",
            how_to_fix="Save the sheet again as 'CSV UTF-8 (Comma delimited)' and put it in the zip file.",
        ) from None
    converted.replace(path)
    return {
        "message": f"The CSV file {sheet}.csv is not in UTF-8, so it was read as Windows-1252. Check any accented "
        "letters or symbols such as £; next time, save it as 'CSV UTF-8'.",
        "sheet": sheet,
        "cell": None,
    }
