"""The social-care template: a workbook a council officer can fill in, and OCDS releases from it and back.

``write_care_template`` writes the blank template (care_layout describes its sheets). ``care_template_to_package``
reads a filled one: one release per row of the Contracts sheet, built with release_builder as the publishing forms
build theirs (the contract's parties, tender, award and contract; its targets as agreed metrics; its monthly figures
as observations of the implementation's metrics, each classified against its target; its reviews as met reporting
milestones; its documents). Every problem names its sheet and cell ("Contracts!E7: ...") in words about cells and
drop-downs. ``package_to_care_template`` writes a release package onto the template, for the fields it has: read
back, the same releases come out (release ids and dates apart, which the reader makes: an id from the release's
content, so that the same row gives the same id, and the date it is given).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson

from opencare.ocds import release_builder as rb
from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.metric_catalogue import Metric
from opencare.ocds.service_types import BY_CODE, CPV_FOR_SERVICE, SERVICE_TYPES, service_type
from opencare.ocds.spreadsheets.archive import check_archive, detect_spreadsheet
from opencare.ocds.spreadsheets.atomic_write import write_atomically
from opencare.ocds.spreadsheets.care_cells import Cell, Grid
from opencare.ocds.spreadsheets.care_csv import write_csv_zip
from opencare.ocds.spreadsheets.care_layout import (
    ABOUT_QUESTIONS,
    ABOUT_SHEET,
    COLUMNS,
    CONTRACT_COLUMN_MEASURES,
    CONTRACTS_SHEET,
    DOCUMENTS_SHEET,
    EXAMPLE_MARK,
    FIGURES_SHEET,
    FIRST_DATA_ROW,
    MARKER_SHEETS,
    ORGANISATIONS_SHEET,
    REVIEWS_SHEET,
    ROLES,
    SCHEMES,
    TARGETS_SHEET,
    Column,
    document_type_names,
    target_measures,
)
from opencare.ocds.spreadsheets.care_workbook import (
    MAX_UNPACKED_BYTES,
    read_grids,
    sheet_names,
    write_ods,
    write_xlsx,
)
from opencare.ocds.spreadsheets.errors import SpreadsheetError
from opencare.ocds.uk_dates import NotADate, read_date, read_month

#: 'csv' is a zip of CSV files, one a sheet, named for the sheets.
TEMPLATE_FORMATS = ("xlsx", "ods", "csv")
#: How a percentage shown in a cell (95%, held as 0.95) is written for a measure counted in percent.
PERCENT_UNIT = "percent"
CURRENCY = "GBP"
OCID_PREFIX_RE = re.compile(r"^ocds-[a-z0-9]{6}")


@dataclass(frozen=True)
class CellProblem:
    """What is wrong with one cell, said for the person who filled it in."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


class TemplateProblems(SpreadsheetError):
    """A filled template that cannot be read as it is: every problem, each with its sheet and cell."""

    def __init__(self, problems: list[CellProblem]):
        first = problems[0]
        count = len(problems)
        super().__init__(
            f"The template has {count} problem{'s' if count != 1 else ''}",
            how_to_fix="Correct each cell named, then try again.",
            sheet=first.sheet,
            cell=first.cell,
        )
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:
        return (TemplateProblems, (self.problems,))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


# --- The blank template and JSON to the template ----------------------------------------------------------------


def write_care_template(output: Path, fmt: str) -> None:
    """The blank social-care template, with its example rows, as 'xlsx', 'ods' or 'csv' (a zip of CSV files).
    ValueError for other formats."""
    _write(output, fmt, {}, {}, example=True)


def package_to_care_template(package: dict[str, Any], output: Path, fmt: str) -> None:
    """A release package's releases on the social-care template (the fields it has), as 'xlsx', 'ods' or 'csv'."""
    about, rows = package_rows(package)
    _write(output, fmt, about, rows, example=False)


def _write(output: Path, fmt: str, about: dict[str, str], rows: dict[str, list[dict[str, Any]]], *, example: bool):
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"Cannot write the care template as {fmt!r}: only {TEMPLATE_FORMATS}")
    writer = {"xlsx": write_xlsx, "ods": write_ods, "csv": write_csv_zip}[fmt]
    write_atomically(output, lambda path: writer(path, about, rows, example=example))


def package_rows(package: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """A release package as the template's About answers and each sheet's rows (values typed: str, date, Decimal)."""
    publisher = as_object(package.get("publisher"))
    releases = as_objects(package.get("releases"))
    prefix = next((m.group(0) for r in releases if (m := OCID_PREFIX_RE.match(as_text(r.get("ocid"))))), "")
    about = {
        "publisher_name": as_text(publisher.get("name")),
        "publisher_scheme": as_text(publisher.get("scheme")),
        "publisher_uid": as_text(publisher.get("uid")),
        "publisher_uri": as_text(publisher.get("uri")),
        "uri": as_text(package.get("uri")),
        "license": as_text(package.get("license")),
        "publication_policy": as_text(package.get("publicationPolicy")),
        "ocid_prefix": prefix,
    }
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    organisations: dict[str, dict[str, Any]] = {}
    titles = {metric.id: title for title, metric in target_measures().items()}
    for release in releases:
        parties = {as_text(party.get("id")): party for party in as_objects(release.get("parties"))}
        for party_id, party in parties.items():
            organisations.setdefault(party_id, _organisation_row(party))
        contract = (as_objects(release.get("contracts")) or [{}])[0]
        award = (as_objects(release.get("awards")) or [{}])[0]
        ocid = as_text(release.get("ocid"))
        key = ocid.removeprefix(prefix + "-") if prefix and ocid.startswith(prefix + "-") else ocid
        agreed = {as_text(metric.get("id")): metric for metric in as_objects(contract.get("agreedMetrics"))}
        supplier = (as_objects(award.get("suppliers")) or [{}])[0]
        period = as_object(contract.get("period"))
        start, signed = _day(period.get("startDate")), _day(contract.get("dateSigned"))
        rows[CONTRACTS_SHEET].append(
            {
                "contract": key,
                "title": as_text(contract.get("title")),
                "buyer": as_text(as_object(release.get("buyer")).get("name")),
                "provider": as_text(supplier.get("name")),
                "service": _service_name(release),
                "start": start,
                "end": _day(period.get("endDate")),
                "signed": signed if signed != start else None,
                "value": _amount(as_object(contract.get("value")).get("amount")),
                "price_per_hour": _first_figure(agreed.pop("sc-price-per-hour", {})),
                "worker_pay_per_hour": _first_figure(agreed.pop("sc-worker-pay-per-hour", {})),
                "lot": as_text((award.get("relatedLots") or [""])[0]),
            }
        )
        for metric_id, metric in agreed.items():
            if metric_id not in titles:
                continue  # a local measure: the template has no place for it
            for observation in as_objects(metric.get("observations")):
                observation_period = as_object(observation.get("period"))
                rows[TARGETS_SHEET].append(
                    {
                        "contract": key,
                        "measure": titles[metric_id],
                        "target": _figure(observation),
                        "unit": as_text(as_object(observation.get("unit")).get("name")),
                        "period_start": _day(observation_period.get("startDate")),
                        "period_end": _day(observation_period.get("endDate")),
                    }
                )
        implementation = as_object(contract.get("implementation"))
        for metric in as_objects(implementation.get("metrics")):
            if as_text(metric.get("id")) not in titles:
                continue
            for observation in as_objects(metric.get("observations")):
                rows[FIGURES_SHEET].append(
                    {
                        "contract": key,
                        "measure": titles[as_text(metric.get("id"))],
                        "month": _day(as_object(observation.get("period")).get("startDate")),
                        "figure": _figure(observation),
                    }
                )
        for milestone in as_objects(implementation.get("milestones")):
            rows[REVIEWS_SHEET].append(
                {
                    "contract": key,
                    "date": _day(milestone.get("dateMet")),
                    "reviewed": as_text(milestone.get("title")),
                    "agreed": as_text(milestone.get("description")),
                }
            )
        type_names = document_type_names()
        for document in as_objects(contract.get("documents")):
            pages = "-".join(p for p in (as_text(document.get("pageStart")), as_text(document.get("pageEnd"))) if p)
            rows[DOCUMENTS_SHEET].append(
                {
                    "contract": key,
                    "type": type_names.get(
                        as_text(document.get("documentType")), as_text(document.get("documentType"))
                    ),
                    "title": as_text(document.get("title")),
                    "url": as_text(document.get("url")),
                    "pages": pages,
                }
            )
    rows[ORGANISATIONS_SHEET] = list(organisations.values())
    return about, rows


def _organisation_row(party: dict[str, Any]) -> dict[str, Any]:
    identifier = as_object(party.get("identifier"))
    address = as_object(party.get("address"))
    contact = as_object(party.get("contactPoint"))
    roles = [as_text(role) for role in party.get("roles") or []]
    return {
        "name": as_text(party.get("name")),
        "scheme": as_text(identifier.get("scheme")),
        "identifier": as_text(identifier.get("id")),
        "role": "Buyer" if "buyer" in roles else "Provider",
        "street": as_text(address.get("streetAddress")),
        "locality": as_text(address.get("locality")),
        "postcode": as_text(address.get("postalCode")),
        "contact_name": as_text(contact.get("name")),
        "email": as_text(contact.get("email")),
    }


def _service_name(release: dict[str, Any]) -> str:
    names = {service.name for service in SERVICE_TYPES}
    for item in as_objects(as_object(release.get("tender")).get("items")):
        if as_text(item.get("description")) in names:
            return as_text(item.get("description"))
    return service_type(release, social_care=True).name


def _day(value: Any) -> dt.date | None:
    text = as_text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _figure(observation: dict[str, Any]) -> Decimal | None:
    if "measure" in observation:
        return _amount(observation.get("measure"))
    return _amount(as_object(observation.get("value")).get("amount"))


def _first_figure(metric: dict[str, Any]) -> Decimal | None:
    observations = as_objects(metric.get("observations"))
    return _figure(observations[0]) if observations else None


# --- Reading a filled template ----------------------------------------------------------------------------------


def is_care_template(path: Path) -> bool:
    """Whether a file is the social-care template (an XLSX or ODS workbook with its sheets, or a zip of CSV files
    named for them), not the full layout (whose sheets and files have other names: releases, parties...)."""
    try:
        fmt = detect_spreadsheet(path)
    except OSError:
        return False
    if fmt not in TEMPLATE_FORMATS:
        return False
    return set(sheet_names(path, fmt)) >= MARKER_SHEETS


def care_template_to_package(source: Path, *, published: str | None = None) -> dict[str, Any]:
    """A filled social-care template (XLSX, ODS or a zip of CSV files) as a release package: one release per
    contract row.

    ``published`` is the releases' and package's date (an ISO date-time; now if not given). Raises
    TemplateProblems listing every problem by sheet and cell, or SpreadsheetError if the file cannot be read.
    """
    return read_care_template(source, published=published).package


@dataclass(frozen=True)
class FilledTemplate:
    """What a filled template holds: its release package, and the Contracts sheet's row of each release's ocid."""

    package: dict[str, Any]
    contract_rows: dict[str, int]
    reader: TemplateReader = field(repr=False, compare=False)  # where each value came from: care_template_places


def read_care_template(
    source: Path, *, published: str | None = None, about: dict[str, str] | None = None
) -> FilledTemplate:
    """Read a filled social-care template, as care_template_to_package, keeping where each contract came from.

    ``about`` answers the About the publisher questions (by their keys in care_layout.ABOUT_QUESTIONS) in place of
    that sheet, which is then neither read nor needed: a site publishing for a signed-in organisation takes the
    publisher from the account, never from the file.
    """
    check_archive(source, max_total_bytes=MAX_UNPACKED_BYTES)
    fmt = detect_spreadsheet(source)
    if fmt not in TEMPLATE_FORMATS:
        raise SpreadsheetError(
            "The file is not an Excel (.xlsx) or OpenDocument (.ods) workbook, or a zip of CSV files",
            how_to_fix="Save the template from your spreadsheet program as .xlsx or .ods.",
        )
    grids = read_grids(source, fmt)
    when = published or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    reader = TemplateReader(grids, about=about, csv_files=fmt == "csv")
    package = reader.package(when)
    return FilledTemplate(package, reader.contract_rows, reader)


class TemplateReader:
    """Reads the cells of a filled template, collecting every problem, and builds the release package."""

    def __init__(self, grids: dict[str, Grid], *, about: dict[str, str] | None = None, csv_files: bool = False):
        self.grids = grids
        self.csv_files = csv_files
        self.problems: list[CellProblem] = []
        self.given_about = about
        self.contract_rows: dict[str, int] = {}  # each release's ocid: its row on the Contracts sheet
        self.origins: dict[str, ContractOrigin] = {}  # each release's ocid: the rows it was built from
        self.organisation_rows: dict[str, Row] = {}  # each party id: its row on the Organisations sheet
        self.about_rows: dict[str, int] = {}  # each About the publisher question's key: its row

    def label(self, sheet: str) -> str:
        """The sheet's name in messages: its own, or its CSV file's ("Contracts.csv")."""
        grid = self.grids.get(sheet)
        return grid.label if grid is not None and grid.label else sheet

    def problem(self, sheet: str, row: int, column: int, message: str) -> None:
        """Note a problem in a cell."""
        self.problems.append(CellProblem(self.label(sheet), f"{_letter(column)}{row}", message))

    def package(self, published: str) -> dict[str, Any]:
        """The release package, or TemplateProblems."""
        needed = (*COLUMNS,) if self.given_about is not None else (ABOUT_SHEET, *COLUMNS)
        missing = [name for name in needed if name not in self.grids]
        if missing and self.csv_files:
            raise SpreadsheetError(
                f"The zip file has no CSV file called {', '.join(repr(name + '.csv') for name in missing)}",
                how_to_fix="Start again from a blank template (opencare template -o template.zip), and keep its "
                "files' names as they are.",
            )
        if missing:
            raise SpreadsheetError(
                f"The template has no sheet called {', '.join(repr(name) for name in missing)}",
                how_to_fix="Start again from a blank template, and keep its sheets' names as they are.",
            )
        self._sheet_problems()
        about = self._about() if self.given_about is None else self._given_about()
        sheets = {name: self._rows(name, columns) for name, columns in COLUMNS.items()}
        organisations = self._organisations(sheets[ORGANISATIONS_SHEET])
        builder = _Builder(self, about, organisations, published)
        releases = builder.releases(sheets)
        if not self.problems and not releases:
            self.problems.append(
                CellProblem(CONTRACTS_SHEET, f"A{FIRST_DATA_ROW}", "there are no contracts. Fill in one row for "
                            "each contract, from row 3 (a row that starts with 'Example:' is not read).")
            )  # fmt: skip
        if self.problems:
            order = {self.label(name): number for number, name in enumerate((ABOUT_SHEET, *COLUMNS))}
            self.problems.sort(key=lambda p: (order.get(p.sheet, 99), _cell_order(p.cell)))
            raise TemplateProblems(self.problems)
        package = rb.release_package(
            releases,
            uri=about["uri"],
            published_date=published,
            publisher=about["publisher_name"],
            licence=about["license"],
        )
        publisher = {key: about[f"publisher_{key}"] for key in ("scheme", "uid", "uri") if about[f"publisher_{key}"]}
        package["publisher"] |= publisher
        if about["publication_policy"]:
            package["publicationPolicy"] = about["publication_policy"]
        return package

    def _sheet_problems(self) -> None:
        """Hidden sheets and merged cells, each named once: what they hold cannot be read as it is meant."""
        for name in (ABOUT_SHEET, *COLUMNS):
            grid = self.grids[name]
            if grid.hidden:
                self.problem(name, 1, 1, "this sheet is hidden, so what it holds would be published without anyone "
                             "seeing it. Unhide it (right-click a sheet's tab and choose Unhide), check it, then try "
                             "again.")  # fmt: skip
            for area in grid.merged:
                self.problem(name, area.first_row, area.first_column, "this cell is merged with others. Unmerge it "
                             "and write the value in each cell of its own.")  # fmt: skip

    def _about(self) -> dict[str, str]:
        grid = self.grids[ABOUT_SHEET]
        by_title = {}
        for (number, column), title in grid.cells.items():
            if column == 1 and isinstance(title.value, str):
                by_title[title.value.removesuffix(" (required)").strip().lower()] = number
        answers = {}
        for number, question in enumerate(ABOUT_QUESTIONS, start=2):
            row = by_title.get(question.title.lower(), number)
            self.about_rows[question.key] = row
            answer_cell = grid.cells.get((row, 2))
            answer = self._value(ABOUT_SHEET, row, 2, answer_cell, Column(question.key, question.title, "", None))
            text = answer or ""
            if question.required and not text:
                self.problem(ABOUT_SHEET, row, 2, f"the answer to '{question.title}' is missing. Write it in this "
                             "cell.")  # fmt: skip
            if question.key == "ocid_prefix" and text and not OCID_PREFIX_RE.fullmatch(text):
                self.problem(ABOUT_SHEET, row, 2, f"'{text}' is not an Open Contracting ID prefix. It starts with "
                             "ocds- and six letters or digits, for example ocds-b5fd17.")  # fmt: skip
            answers[question.key] = text
        return answers

    def _given_about(self) -> dict[str, str]:
        given = self.given_about or {}
        return {question.key: str(given.get(question.key) or "") for question in ABOUT_QUESTIONS}

    def _rows(self, sheet: str, columns: tuple[Column, ...]) -> list[Row]:
        grid = self.grids[sheet]
        titles = {_plain(column.title): column for column in columns}
        places: dict[str, int] = {}
        for (row, number), cell in sorted(grid.cells.items()):
            if row == 1 and isinstance(cell.value, str) and _plain(cell.value) in titles:
                places.setdefault(titles[_plain(cell.value)].key, number)
        for place, column in enumerate(columns, start=1):
            if column.key not in places and column.required:
                self.problem(sheet, 1, place, f"the column '{column.title}' is missing. Put the title back in row 1 "
                             "(copy it from a blank template).")  # fmt: skip
        rows: list[Row] = []
        for number in grid.filled_rows(FIRST_DATA_ROW):
            cells = {key: grid.cells.get((number, place)) for key, place in places.items()}
            if not any(cell is not None for cell in cells.values()):
                continue
            first = grid.cells.get((number, 1))
            if first is not None and isinstance(first.value, str) and first.value.strip().startswith(EXAMPLE_MARK):
                continue
            filled = Row(sheet, number)
            for column in columns:
                found = places.get(column.key)
                if found is None:
                    continue
                filled.places[column.key] = found
                if grid.merged and grid.merged_at(number, found) is not None:
                    continue  # its merged area is the problem, named once
                before = len(self.problems)
                typed = cells[column.key]
                value = self._value(sheet, number, found, typed, column)
                if value is None and column.required and len(self.problems) == before:
                    self.problem(sheet, number, found, f"the {column.title.lower()} is missing. Fill in this cell.")
                filled.values[column.key] = value
                if typed is not None and typed.percent:
                    filled.percent.add(column.key)
            rows.append(filled)
        return rows

    def _value(self, sheet: str, row: int, column: int, cell: Cell | None, spec: Column) -> Any:
        if cell is None:
            return None
        if cell.formula:
            self.problem(sheet, row, column, f"this cell has a formula ({_short(cell.formula)}). Type the value "
                         "itself instead of a formula.")  # fmt: skip
            return None
        parse: Callable[..., Any] = getattr(self, f"_{spec.kind}")
        return parse(sheet, row, column, cell, spec.title)

    def _text(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> str:
        value = cell.value
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float | Decimal):
            return _number_as_text(value)
        if isinstance(value, dt.datetime | dt.date):
            return f"{value.day}/{value.month}/{value.year}"
        return "" if value is None else str(value).strip()

    def _date(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> dt.date | None:
        value = cell.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self._text(sheet, row, column, cell, title)
        if not text:
            return None
        day = _parse_day(text)
        if day is None:
            self.problem(sheet, row, column, f"the {title.lower()} {text} is not a date. Write it as day/month/year, "
                         "for example 31/3/2026.")  # fmt: skip
        return day

    def _month(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> dt.date | None:
        value = cell.value
        if isinstance(value, dt.datetime | dt.date):
            return dt.date(value.year, value.month, 1)
        text = self._text(sheet, row, column, cell, title)
        if not text:
            return None
        month = _parse_month(text)
        if month is None:
            self.problem(sheet, row, column, f"the month {text} is not a month. Write the month and year, for "
                         "example April 2026.")  # fmt: skip
        return month

    def _money(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> Decimal | None:
        return self._number(sheet, row, column, cell, title)

    def _number(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> Decimal | None:
        value = cell.value
        if isinstance(value, bool | dt.date | dt.datetime | dt.time):
            self.problem(sheet, row, column, f"the {title.lower()} must be a number, for example 95.")
            return None
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, int | Decimal):
            return Decimal(value)
        text = self._text(sheet, row, column, cell, title)
        if not text:
            return None
        try:
            number = Decimal(re.sub(r"[£,\s]", "", text).removesuffix("%"))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(sheet, row, column, f"the {title.lower()} {text} is not a number. Write the number only, "
                         "without words or units, for example 95 or 12.50.")  # fmt: skip
            return None
        return number

    def _pages(self, sheet: str, row: int, column: int, cell: Cell, title: str) -> tuple[str, str] | None:
        text = self._text(sheet, row, column, cell, title)
        if not text:
            return None
        found = re.fullmatch(r"(\d+)\s*(?:[-\u2013]\s*(\d+))?", text)
        if not found:
            self.problem(sheet, row, column, f"the pages {text} are not page numbers. Write one page, for example "
                         "12, or the first and last, for example 12-14.")  # fmt: skip
            return None
        return found.group(1), found.group(2) or ""

    def _organisations(self, rows: list[Row]) -> dict[str, tuple[rb.Party, str]]:
        found: dict[str, tuple[rb.Party, str]] = {}
        for row in rows:
            name = row.get("name")
            if not name:
                continue
            scheme = self.choice(row, "scheme", {code.lower(): code for code in SCHEMES} |
                                 {words.lower(): code for code, words in SCHEMES.items()})  # fmt: skip
            role = self.choice(
                row, "role", {word.lower(): code for word, code in ROLES.items()} | {"supplier": "supplier"}
            )
            if name.lower() in found:
                row.problem(self, "name", f"{name} is on the Organisations sheet twice. Keep one row for it.")
                continue
            party = rb.Party(
                scheme=scheme or "",
                identifier=row.get("identifier") or "",
                name=name,
                street=row.get("street") or "",
                locality=row.get("locality") or "",
                postcode=row.get("postcode") or "",
                contact_name=row.get("contact_name") or "",
                email=row.get("email") or "",
            )
            found[name.lower()] = (party, role or "")
            self.organisation_rows.setdefault(party.id, row)
        return found

    def choice(self, row: Row, key: str, choices: dict[str, str]) -> str | None:
        """The code of a drop-down's value (matched without regard to case), or a problem and None."""
        text = row.get(key)
        if not text:
            return None
        code = choices.get(str(text).strip().lower())
        if code is None:
            title = next(column.title for column in COLUMNS[row.sheet] if column.key == key)
            row.problem(self, key, f"'{text}' is not one of the choices for {title.lower()}. Choose one from the "
                        "drop-down list.")  # fmt: skip
        return code


@dataclass
class ContractOrigin:
    """The rows one release was built from: its Contracts row, its rows on the other sheets (in order), its
    targets' rows by metric id and its monthly figures' rows by metric id and month ("2026-04")."""

    row: Row
    related: dict[str, list[Row]]
    targets: dict[str, Row]
    figures: dict[tuple[str, str], Row]


@dataclass
class Row:
    """One filled row: its values by column key, and where each came from."""

    sheet: str
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)
    #: The columns whose cells show their number as a percentage (95% held as 0.95).
    percent: set[str] = field(default_factory=set)

    def get(self, key: str) -> Any:
        """A column's value, or None."""
        return self.values.get(key)

    def problem(self, reader: TemplateReader, key: str, message: str) -> None:
        """Note a problem in one of this row's cells."""
        reader.problem(self.sheet, self.number, self.places.get(key, 1), message)


class _Builder:
    """Releases from the template's rows, with release_builder."""

    def __init__(
        self,
        reader: TemplateReader,
        about: dict[str, str],
        organisations: dict[str, tuple[rb.Party, str]],
        published: str,
    ):
        self.reader = reader
        self.prefix = about["ocid_prefix"]
        self.organisations = organisations
        self.published = published
        self.measures = {title.lower(): metric for title, metric in target_measures().items()}
        self.measures |= {metric.id: metric for metric in target_measures().values()}

    def releases(self, sheets: dict[str, list[Row]]) -> list[dict[str, Any]]:
        contracts: dict[str, Row] = {}
        for row in sheets[CONTRACTS_SHEET]:
            key = row.get("contract")
            if key and key in contracts:
                row.problem(self.reader, "contract", f"the contract ID {key} is used twice. Give each contract its "
                            "own ID.")  # fmt: skip
            elif key:
                contracts[key] = row
        by_contract: dict[str, dict[str, list[Row]]] = {key: {} for key in contracts}
        for sheet in (TARGETS_SHEET, FIGURES_SHEET, REVIEWS_SHEET, DOCUMENTS_SHEET):
            for row in sheets[sheet]:
                key = row.get("contract")
                if key is None:
                    continue
                if key not in contracts:
                    row.problem(self.reader, "contract", f"there is no contract {key} on the Contracts sheet. Use a "
                                "contract ID from the Contracts sheet.")  # fmt: skip
                    continue
                by_contract[key].setdefault(sheet, []).append(row)
        return [
            release
            for key, row in contracts.items()
            if (release := self._release(key, row, by_contract[key])) is not None
        ]

    def _party(self, row: Row, key: str, role: str) -> rb.Party | None:
        name = row.get(key)
        if not name:
            return None
        found = self.organisations.get(str(name).lower())
        if found is None:
            row.problem(self.reader, key, f"{name} is not on the Organisations sheet. Add a row for it there, or "
                        "write its name as it is there.")  # fmt: skip
            return None
        party, its_role = found
        if its_role and its_role != role:
            words = "a buyer" if role == "buyer" else "a provider"
            row.problem(self.reader, key, f"{name} is not {words} on the Organisations sheet. Check its role there.")
            return None
        return party

    def _measure(self, row: Row) -> Metric | None:
        text = row.get("measure")
        if not text:
            return None
        metric = self.measures.get(str(text).strip().lower()) or self.measures.get(str(text).strip())
        if metric is None:
            row.problem(self.reader, "measure", f"'{text}' is not a measure in the list. Choose one from the "
                        "drop-down list.")  # fmt: skip
        return metric

    def _release(self, key: str, row: Row, related: dict[str, list[Row]]) -> dict[str, Any] | None:
        ocid = key if key.startswith("ocds-") else f"{self.prefix}-{key}"
        self.reader.contract_rows[ocid] = row.number
        buyer = self._party(row, "buyer", "buyer")
        supplier = self._party(row, "provider", "supplier")
        service = self.reader.choice(row, "service", {s.name.lower(): s.code for s in SERVICE_TYPES} |
                                     {s.code: s.code for s in SERVICE_TYPES})  # fmt: skip
        start, end = row.get("start"), row.get("end")
        if start and end and end < start:
            row.problem(self.reader, "end", "the end date is before the start date. Check both dates.")
        targets = self._targets(related.get(TARGETS_SHEET, []))
        figure_rows: dict[tuple[str, str], Row] = {}
        actuals = self._actuals(related.get(FIGURES_SHEET, []), targets, figure_rows)
        reviews = [
            rb.Review(id=f"review-{number}", title=r.get("reviewed") or "", description=r.get("agreed") or "",
                      date_met=r.get("date"))
            for number, r in enumerate(related.get(REVIEWS_SHEET, []), start=1)
        ]  # fmt: skip
        documents = self._documents(related.get(DOCUMENTS_SHEET, []))
        # Any problem anywhere (a review row without its date...) means nothing is converted: building would only
        # stumble on what is missing.
        if self.reader.problems or buyer is None or supplier is None or service is None:
            return None
        if start is None or end is None:
            return None
        lot = row.get("lot") or ""
        facts = rb.ContractFacts(
            award_id="award-1",
            contract_id="contract-1",
            supplier=supplier,
            title=row.get("title") or "",
            currency=CURRENCY,
            value=row.get("value"),
            start=start,
            end=end,
            date_signed=row.get("signed") or start,
            price_per_hour=row.get("price_per_hour"),
            worker_pay_per_hour=row.get("worker_pay_per_hour"),
            lot_id=lot,
            targets=tuple(target for target, _ in targets.values()),
            documents=tuple(documents),
        )
        tags = ("tender", "award", "contract") + (("implementation",) if actuals or reviews else ())
        header = rb.ReleaseHeader(ocid=ocid, release_id="", date=self.published, tags=tags, buyer=buyer,
                                  title=facts.title)  # fmt: skip
        release = rb.contract_release(header, facts)
        cpv, cpv_description = CPV_FOR_SERVICE.get(service, CPV_FOR_SERVICE["home-care"])
        process = rb.ProcessFacts(
            title=facts.title, description="", cpv_code=cpv, cpv_description=cpv_description, place="",
            currency=CURRENCY, value=facts.value, start=start, end=end,
            lots=(rb.Lot(lot, lot),) if lot else (),
        )  # fmt: skip
        tender = rb.tender_release(header, process)["tender"]
        tender.pop("description", None)
        tender["status"] = "complete"
        for item in tender["items"]:
            item["description"] = BY_CODE[service].name  # the type of service, which the title may not say
        release["tender"] = tender | release["tender"] | {"status": "complete"}
        contract = release["contracts"][0]
        implementation: dict[str, Any] = {}
        if actuals:
            built = rb.actuals_release(header, supplier, facts.contract_id, facts.award_id, actuals)
            implementation["metrics"] = built["contracts"][0]["implementation"]["metrics"]
        if reviews:
            implementation["milestones"] = [
                rb.review_release(header, facts.contract_id, facts.award_id, review)["contracts"][0]["implementation"][
                    "milestones"
                ][0]
                for review in reviews
            ]
        if implementation:
            contract["implementation"] = implementation
        release["id"] = f"{ocid}-{_content_hash(release)}"
        targets_rows = {metric_id: target_row for metric_id, (_, target_row) in targets.items()}
        self.reader.origins[ocid] = ContractOrigin(row, related, targets_rows, figure_rows)
        return release

    def _percent_as_figure(self, row: Row, key: str, metric: Metric | None) -> Decimal | None:
        """The cell's number; a cell that shows 95% (holding 0.95) as 95 for a measure counted in percent, as the
        person typed it. For a measure counted otherwise, a percentage is a problem: its meaning is not clear."""
        amount = row.get(key)
        if amount is None or key not in row.percent or metric is None:
            return amount
        if metric.unit.get("name") != PERCENT_UNIT:
            row.problem(self.reader, key, f"this cell shows a percentage, but {metric.title} is not counted in "
                        f"percent (its unit is {metric.unit.get('name')}). Format the cell as a number, not a "
                        "percentage, and type the figure itself.")  # fmt: skip
            return None
        return _hundredfold(amount)

    def _targets(self, rows: list[Row]) -> dict[str, tuple[rb.MetricTarget, Row]]:
        targets: dict[str, tuple[rb.MetricTarget, Row]] = {}
        for row in rows:
            metric = self._measure(row)
            amount = self._percent_as_figure(row, "target", metric)
            if metric is None or amount is None:
                continue
            if metric.id in CONTRACT_COLUMN_MEASURES:
                row.problem(self.reader, "measure", f"give the {metric.title.lower()} in its own column of the "
                            "Contracts sheet, not as a target.")  # fmt: skip
                continue
            if metric.id in targets:
                row.problem(self.reader, "measure", f"this contract has two targets for {metric.title}. Keep one "
                            "row for each measure.")  # fmt: skip
                continue
            unit = row.get("unit")
            if unit and str(unit).strip().lower() != metric.unit.get("name", "").lower():
                row.problem(self.reader, "unit", f"the unit of {metric.title} is {metric.unit.get('name')}. Write "
                            "that, or leave the cell blank.")  # fmt: skip
                continue
            start, end = row.get("period_start"), row.get("period_end")
            if (start is None) != (end is None):
                row.problem(self.reader, "period_end" if end is None else "period_start", "give both the first and "
                            "last day of the target's period, or neither.")  # fmt: skip
                continue
            target = rb.MetricTarget(
                metric_id=metric.id, title=metric.title, description=metric.description, target=amount,
                unit=dict(metric.unit), currency=metric.currency or "", period_start=start, period_end=end,
            )  # fmt: skip
            targets[metric.id] = (target, row)
        return targets

    def _actuals(
        self, rows: list[Row], targets: dict[str, tuple[rb.MetricTarget, Row]], found: dict[tuple[str, str], Row]
    ) -> list[rb.Actual]:
        actuals: list[rb.Actual] = []
        seen: set[tuple[str, dt.date]] = set()
        for row in rows:
            metric = self._measure(row)
            month, amount = row.get("month"), self._percent_as_figure(row, "figure", metric)
            if metric is None or month is None or amount is None:
                continue
            if (metric.id, month) in seen:
                row.problem(self.reader, "month", f"there are two figures for {metric.title} in "
                            f"{month:%B %Y}. Keep one row for each measure and month.")  # fmt: skip
                continue
            seen.add((metric.id, month))
            found[(metric.id, month.isoformat()[:7])] = row
            target = targets.get(metric.id)
            actuals.append(
                rb.Actual(
                    metric_id=metric.id, title=metric.title, period_start=month, period_end=_month_end(month),
                    amount=amount, unit=dict(metric.unit), currency=metric.currency or "",
                    classification=rb.classification_against(amount, target[0].target if target else None,
                                                              metric.better),
                )
            )  # fmt: skip
        return actuals

    def _documents(self, rows: list[Row]) -> list[rb.Document]:
        types = {words.lower(): code for code, words in document_type_names().items()}
        types |= {code.lower(): code for code in document_type_names()}
        documents = []
        for number, row in enumerate(rows, start=1):
            code = self.reader.choice(row, "type", types)
            url = row.get("url") or ""
            if url and not re.match(r"https?://\S+$", url):
                row.problem(self.reader, "url", f"{url} is not a web address. Write it in full, starting https://.")
                continue
            pages = row.get("pages") or ("", "")
            if code is None:
                continue
            documents.append(
                rb.Document(id=f"document-{number}", document_type=code, title=row.get("title") or "", url=url,
                            date_published="", page_start=pages[0], page_end=pages[1])
            )  # fmt: skip
        return documents


def care_template_to_json(source: Path, output: Path, *, published: str | None = None) -> dict[str, Any]:
    """Read a filled template and write its release package to ``output`` (whole or not at all); return it."""
    package = care_template_to_package(source, published=published)
    write_atomically(output, lambda path: path.write_bytes(orjson.dumps(package, option=orjson.OPT_INDENT_2)))
    return package


def _content_hash(release: dict[str, Any]) -> str:
    """A short hash of what the release says (not its id or date), so that the same row gives the same id."""
    content = {key: value for key, value in release.items() if key not in ("id", "date")}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]


def _cell_order(cell: str) -> tuple[int, int]:
    """A cell reference's row and column, to list problems in reading order."""
    letters = cell.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(cell[len(letters) :] or 0), column


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _plain(title: str) -> str:
    return " ".join(title.split()).lower().removesuffix(" (required)")


def _short(formula: str) -> str:
    return formula if len(formula) <= 40 else formula[:37] + "..."


def _number_as_text(value: float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")


def _parse_day(text: str) -> dt.date | None:
    try:
        return read_date(text)
    except NotADate:
        return None


def _parse_month(text: str) -> dt.date | None:
    """A month as people type it ("April 2026", "04/2026"), or the month of a date typed in full."""
    for read in (read_month, read_date):
        try:
            return read(text).replace(day=1)
        except NotADate:
            continue
    return None


def _hundredfold(fraction: Decimal) -> Decimal:
    """A fraction as a percentage, without trailing zeros: 0.95 is 95 and 0.955 is 95.5."""
    scaled = fraction * 100
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled.normalize()


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


__all__ = [
    "TEMPLATE_FORMATS",
    "CellProblem",
    "FilledTemplate",
    "TemplateProblems",
    "care_template_to_json",
    "care_template_to_package",
    "is_care_template",
    "package_rows",
    "package_to_care_template",
    "read_care_template",
    "write_care_template",
]
