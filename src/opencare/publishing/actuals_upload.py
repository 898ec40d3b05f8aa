"""Read a spreadsheet of actuals (CSV or XLSX): one row per metric and period, every problem named by its row.

Columns: metric_id, period_start, period_end, value, and optionally notes. An XLSX file is a ZIP archive; its
declared uncompressed size is checked before it is opened, so a "zip bomb" is refused instead of filling memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from opencare.ocds.uk_dates import NotADate, read_date
from opencare.publishing.documents import UploadRefused

COLUMNS = ("metric_id", "period_start", "period_end", "value")
MAX_ROWS = 5000
MAX_XLSX_EXPANDED_BYTES = 50 * 1000 * 1000


@dataclass(frozen=True)
class ActualRow:
    """One row of the spreadsheet, checked."""

    metric_id: str
    period_start: date
    period_end: date
    value: Decimal
    notes: str

    def as_answer(self) -> dict[str, str]:
        """The row as JSON text, for a draft."""
        return {
            "metric_id": self.metric_id,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "value": str(self.value),
            "notes": self.notes,
        }

    @classmethod
    def from_answer(cls, answer: dict[str, str]) -> ActualRow:
        """A row back from a draft."""
        return cls(
            answer["metric_id"],
            date.fromisoformat(answer["period_start"]),
            date.fromisoformat(answer["period_end"]),
            Decimal(answer["value"]),
            answer.get("notes", ""),
        )


def read_actuals(upload: UploadedFile | io.BytesIO, name: str, agreed_metric_ids: set[str]) -> list[ActualRow]:
    """The rows of a CSV or XLSX file of actuals; raises UploadRefused listing the first problems by row."""
    lower = name.lower()
    if lower.endswith(".csv"):
        records = _csv_records(upload.read())
    elif lower.endswith(".xlsx"):
        records = _xlsx_records(upload)
    else:
        raise UploadRefused(f"'{name}' is not a CSV or Excel (.xlsx) file. Save the spreadsheet as one of those.")
    return _checked(records, agreed_metric_ids)


def _csv_records(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused("The CSV file is not UTF-8 text. In Excel, save it as 'CSV UTF-8'.") from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise UploadRefused(f"The CSV file holds a NUL character on line {line}, so it is not text. In Excel, save it "
                            "as 'CSV UTF-8'.")  # fmt: skip
    reader = csv.DictReader(io.StringIO(text), strict=True)
    header = _strictly(lambda: reader.fieldnames or [], 1)
    return _limited(_strict_rows(reader), header)


def _strict_rows(reader: csv.DictReader) -> Any:
    """The rows, with a broken quote or a value over the csv module's limit refused naming the line it is on."""
    while True:
        line = reader.line_num + 1
        record = _strictly(lambda: next(reader, None), line)
        if record is None:
            return
        yield record


def _strictly(read: Any, line: int) -> Any:
    try:
        return read()
    except csv.Error as error:
        raise UploadRefused(
            f"The CSV file cannot be read on line {line} ({error}). Check the quotes on that line (a value with a "
            "comma in it is written in double quotes), or save the file again as 'CSV UTF-8'."
        ) from None


def _xlsx_records(upload: Any) -> list[dict[str, Any]]:
    from openpyxl import load_workbook  # imported when needed: it is slow to import

    data = upload.read()
    checked_xlsx_bytes(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise UploadRefused("The Excel file could not be read. Save it again as .xlsx, or as CSV.") from error
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    return _limited((dict(zip(header, row, strict=False)) for row in rows), header)


def checked_xlsx_bytes(data: bytes) -> None:
    """Refuse (UploadRefused) bytes that are not a ZIP archive, as an .xlsx file is (a password-protected workbook
    is not one), or that declare far more uncompressed data than a sheet of figures holds (a "zip bomb")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise UploadRefused(
            "The Excel file is damaged, protected by a password or not really an .xlsx file. Remove any password "
            "and save it again as .xlsx."
        ) from error
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise UploadRefused("The Excel file expands to far more data than a sheet of actuals holds. Save it as CSV.")


def _limited(records: Any, header: list[str]) -> list[dict[str, Any]]:
    missing = [column for column in COLUMNS if column not in [h.strip().lower() for h in header]]
    if missing:
        raise UploadRefused(
            f"The first row must name the columns {', '.join(COLUMNS)} (and optionally notes); "
            f"missing: {', '.join(missing)}."
        )
    found = []
    for number, record in enumerate(records, start=2):
        if number - 1 > MAX_ROWS:
            raise UploadRefused(f"The file has more than {MAX_ROWS} rows. Split it into smaller files.")
        found.append({str(key).strip().lower(): value for key, value in record.items() if key is not None})
    return found


def _checked(records: list[dict[str, Any]], agreed: set[str]) -> list[ActualRow]:
    rows, problems, seen = [], [], set()
    for number, record in enumerate(records, start=2):
        if not any(str(value or "").strip() for value in record.values()):
            continue
        try:
            row = _row(record, agreed)
        except ValueError as error:
            problems.append(f"Row {number}: {error}")
            continue
        key = (row.metric_id, row.period_start, row.period_end)
        if key in seen:
            problems.append(f"Row {number}: {row.metric_id} for this period is already in an earlier row.")
        seen.add(key)
        rows.append(row)
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise UploadRefused("Fix these rows and upload the file again: " + "; ".join(problems[:10]) + more + ".")
    if not rows:
        raise UploadRefused("The file has no rows of figures under its first row.")
    return rows


def _row(record: dict[str, Any], agreed: set[str]) -> ActualRow:
    metric_id = str(record.get("metric_id") or "").strip()
    if metric_id not in agreed:
        raise ValueError(f"'{metric_id}' is not a metric agreed in this contract ({', '.join(sorted(agreed))})")
    start, end = _date(record.get("period_start"), "period_start"), _date(record.get("period_end"), "period_end")
    if end < start:
        raise ValueError("period_end is before period_start")
    value = _decimal(record.get("value"))
    return ActualRow(metric_id, start, end, value, str(record.get("notes") or "").strip()[:2000])


def _date(value: Any, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        return read_date(text)  # 2026-04-01, 1/4/2026, 1 April 2026: day first, as in the forms
    except NotADate:
        pass
    raise ValueError(f"{column} '{text}' is not a date like 2026-04-01")


def _decimal(value: Any) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").removesuffix("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"value '{text}' is not a number") from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
        raise ValueError(f"value '{text}' is not a number we can publish")
    return number
