"""A provider's monthly figures from one spreadsheet, for all its contracts: which contracts and measures it may
report, reading the "Monthly figures" sheet with every problem named by sheet and cell, comparing each figure with
what is published (new, changed, unchanged), and publishing one release per changed contract, all or nothing.

Identity and permission come only from the account (decision 0025): the sheet names contracts and measures, and a
contract the organisation does not supply, or a measure not reportable in it, is refused naming its cell. Nothing
else in the workbook (other columns, other sheets, an organisation's name, a role) is read.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from opencare.ocds import release_builder as rb
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.performance import AgreedMetric, ContractOnRecord
from opencare.ocds.uk_dates import NotADate, read_date, read_month
from opencare.publishing import selectors
from opencare.publishing.actuals_upload import checked_xlsx_bytes
from opencare.publishing.documents import UploadRefused
from opencare.publishing.flows.actuals import actuals_builder, actuals_of
from opencare.publishing.flows.context import FlowContext
from opencare.publishing.models import ApiToken, Publisher
from opencare.publishing.services import NotAllowed, Published, PublishRefused, publish, publish_with_token, record

SHEET = "Monthly figures"
INSTRUCTIONS = "Instructions"
HEADINGS = ("Contract", "Measure", "Month", "Figure", "Notes")
#: The hint row's first cell: a row starting with it is the hint, never figures.
HINT = "Choose the contract from the list"
#: The example row's first cell starts with this; the reader skips such a row wherever it is.
EXAMPLE = "Example (not read):"
#: Measures every provider reports on each of its contracts, agreed or not: the public page shows them.
ALWAYS_REPORTED = ("sc-hours-delivered",)
MAX_ROWS = 5000
DRAFT_KIND = "publish-monthly-figures"


# --- The provider's contracts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderContract:
    """A contract the organisation supplies, with the measures it may report in it."""

    ocid: str
    council: str
    label: str
    contract: ContractOnRecord  # its ``agreed`` are the reportable measures: the agreed ones and ALWAYS_REPORTED
    compiled: dict[str, Any]

    @property
    def contract_id(self) -> str:
        """The contract's id in its process."""
        return self.contract.contract_id


def provider_contracts(publisher: Publisher) -> list[ProviderContract]:
    """The contracts the organisation supplies as its own party, each labelled "title (council)" uniquely."""
    catalogue = metric_catalogue()
    found = []
    for part in selectors.processes_of(publisher):
        if "supplier" not in part.roles:
            continue
        process = selectors.process_for_publishing(part.ocid)
        if process is None:
            continue
        compiled = process.compiled_release
        names = {p.get("id"): str(p.get("name") or "") for p in compiled.get("parties") or [] if isinstance(p, dict)}
        for contract in FlowContext(publisher=publisher, ocid=part.ocid, compiled=compiled).contracts:
            if publisher.party_id not in contract.supplier_ids:
                continue
            council = ", ".join(names.get(b) or b for b in contract.buyer_ids)
            found.append(
                ProviderContract(
                    ocid=part.ocid,
                    council=council,
                    label=f"{contract.title} ({council})",
                    contract=replace(contract, agreed=_reportable(contract, catalogue)),
                    compiled=compiled,
                )
            )
    labels = [c.label for c in found]
    return [
        replace(c, label=f"{c.label} [{c.contract_id}]") if labels.count(c.label) > 1 else c for c in found
    ]  # two contracts of one title and council: told apart by id


def _reportable(contract: ContractOnRecord, catalogue: Any) -> tuple[AgreedMetric, ...]:
    """The catalogue metrics agreed in the contract, then those every provider reports (hours delivered)."""
    metrics = [
        replace(metric, title=catalogue.get(metric.metric_id).title)
        for metric in contract.agreed
        if catalogue.get(metric.metric_id) is not None
    ]
    for metric_id in ALWAYS_REPORTED:
        entry = catalogue.get(metric_id)
        if entry is not None and metric_id not in {m.metric_id for m in metrics}:
            metrics.append(
                AgreedMetric(metric_id, entry.title, dict(entry.unit), entry.currency or "", None, "neither")
            )
    return tuple(metrics)


def measures_of(contracts: list[ProviderContract]) -> list[AgreedMetric]:
    """Every measure reportable in any of the contracts, once each, in the order first met."""
    measures: dict[str, AgreedMetric] = {}
    for contract in contracts:
        for metric in contract.contract.agreed:
            measures.setdefault(metric.metric_id, metric)
    return list(measures.values())


# --- Reading the sheet ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetProblem:
    """One problem with the workbook, at a sheet and cell ("Monthly figures!D7")."""

    cell: str
    problem: str

    def __str__(self) -> str:
        return gettext("%(cell)s: %(problem)s") % {"cell": self.cell, "problem": self.problem}


class SheetRefused(Exception):
    """The workbook cannot be published as it is; ``problems`` name each sheet and cell."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class FigureRow:
    """One figure of the sheet, checked: for a contract the organisation supplies and a measure reportable in it."""

    ocid: str
    contract_id: str
    metric_id: str
    month: date
    value: Decimal
    notes: str
    row: int

    def as_answer(self) -> dict[str, Any]:
        """The row as JSON, for a draft."""
        return {
            "ocid": self.ocid,
            "contract_id": self.contract_id,
            "metric_id": self.metric_id,
            "month": self.month.isoformat(),
            "value": str(self.value),
            "notes": self.notes,
            "row": self.row,
        }

    @classmethod
    def from_answer(cls, answer: dict[str, Any]) -> FigureRow:
        """A row back from a draft."""
        return cls(
            str(answer["ocid"]),
            str(answer["contract_id"]),
            str(answer["metric_id"]),
            date.fromisoformat(answer["month"]),
            Decimal(answer["value"]),
            str(answer.get("notes") or ""),
            int(answer.get("row") or 0),
        )


def read_monthly_figures(data: bytes, name: str, contracts: list[ProviderContract]) -> list[FigureRow]:
    """The figures of the workbook's "Monthly figures" sheet; raises UploadRefused for a file that is not a
    workbook, SheetRefused listing every problem by sheet and cell."""
    if not name.lower().endswith(".xlsx"):
        raise UploadRefused(
            gettext("'%(name)s' is not an Excel (.xlsx) file. Download the template and save it as .xlsx.")
            % {"name": name}
        )
    from openpyxl import load_workbook  # imported when needed: it is slow to import

    checked_xlsx_bytes(data)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise UploadRefused(gettext("The Excel file could not be read. Save it again as .xlsx.")) from error
    problems = [
        SheetProblem(
            f"{sheet.title}!A1",
            gettext("this sheet is hidden. Unhide it (right-click a sheet's tab, then Unhide) or delete it."),
        )
        for sheet in workbook.worksheets
        if sheet.sheet_state != "visible"
    ]
    if SHEET not in workbook.sheetnames:
        problems.append(
            SheetProblem(
                f"{SHEET}!A1",
                gettext(
                    "the workbook has no sheet called '%(sheet)s'. Download the template and copy your figures "
                    "into it."
                )
                % {"sheet": SHEET},
            )
        )
        raise SheetRefused(problems)
    rows, sheet_problems = _read_sheet(workbook[SHEET], contracts)
    problems.extend(sheet_problems)
    if problems:
        raise SheetRefused(problems)
    if not rows:
        raise SheetRefused(
            [SheetProblem(f"{SHEET}!A4", gettext("there are no figures. Fill in one row for each figure."))]
        )
    return rows


def _read_sheet(sheet: Any, contracts: list[ProviderContract]) -> tuple[list[FigureRow], list[SheetProblem]]:
    from openpyxl.utils import get_column_letter

    problems: list[SheetProblem] = []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        first = f"{get_column_letter(merged.min_col)}{merged.min_row}"
        problems.append(
            SheetProblem(
                f"{SHEET}!{first}",
                gettext("the cells %(cells)s are merged. Unmerge them and give each cell its own value.")
                % {"cells": merged.coord},
            )
        )
    if sheet.max_row > MAX_ROWS + 3:
        problems.append(
            SheetProblem(
                f"{SHEET}!A{sheet.max_row}",
                gettext(
                    "the sheet goes down to row %(row)s; it can hold at most %(most)s rows of figures. Delete the "
                    "empty rows below your figures, or split them into several files."
                )
                % {"row": sheet.max_row, "most": MAX_ROWS},
            )
        )
        return [], problems
    header = [str(cell.value or "").strip().lower() for cell in sheet[1]]
    columns = {heading: header.index(heading.lower()) for heading in HEADINGS if heading.lower() in header}
    missing = [heading for heading in HEADINGS if heading not in columns]
    if missing:
        problems.append(
            SheetProblem(
                f"{SHEET}!A1",
                gettext(
                    "row 1 must have the headings %(headings)s; missing: %(missing)s. Download the template "
                    "again and copy your figures into it."
                )
                % {"headings": ", ".join(HEADINGS), "missing": ", ".join(missing)},
            )
        )
        return [], problems
    by_label = {_key(c.label): c for c in contracts}
    rows: list[FigureRow] = []
    seen: dict[tuple[str, str, str, date], int] = {}
    width = max(columns.values()) + 1
    for cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row, max_col=width):
        read = _Row(cells, columns)
        if read.blank() or read.text("Contract").startswith((HINT, EXAMPLE)):
            continue
        row = read.figure(by_label)
        problems.extend(read.problems)
        if row is None:
            continue
        key = (row.ocid, row.contract_id, row.metric_id, row.month)
        if key in seen:
            problems.append(
                SheetProblem(
                    read.cell("Contract"),
                    gettext("the same contract, measure and month as row %(row)s. Keep one row for each figure.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row.row
        rows.append(row)
    return rows, problems


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class _Row:
    """One row of the sheet as it is read, collecting its problems."""

    def __init__(self, cells: tuple[Any, ...], columns: dict[str, int]) -> None:
        self.cells = {heading: cells[index] for heading, index in columns.items()}
        self.number = cells[0].row
        self.problems: list[SheetProblem] = []

    def cell(self, heading: str) -> str:
        return f"{SHEET}!{self.cells[heading].coordinate}"

    def blank(self) -> bool:
        return all(cell.value is None or str(cell.value).strip() == "" for cell in self.cells.values())

    def text(self, heading: str) -> str:
        value = self.cells[heading].value
        return "" if value is None else " ".join(str(value).split())

    def _refuse(self, heading: str, problem: str) -> None:
        self.problems.append(SheetProblem(self.cell(heading), problem))

    def _no_formula(self, heading: str) -> bool:
        cell = self.cells[heading]
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            self._refuse(heading, gettext("this cell holds a formula. Type the value itself: formulas are not read."))
            return False
        if cell.data_type == "e":
            self._refuse(
                heading,
                gettext("this cell shows an error (%(error)s). Type the value itself.") % {"error": cell.value},
            )
            return False
        return True

    def figure(self, contracts: dict[str, ProviderContract]) -> FigureRow | None:
        if not all([self._no_formula(heading) for heading in HEADINGS]):
            return None
        contract = self._contract(contracts)
        metric = self._metric(contract)
        month = self._month()
        value = self._value()
        notes = self.text("Notes")[:2000]
        if contract is None or metric is None or month is None or value is None:
            return None
        return FigureRow(contract.ocid, contract.contract_id, metric.metric_id, month, value, notes, self.number)

    def _contract(self, contracts: dict[str, ProviderContract]) -> ProviderContract | None:
        typed = self.text("Contract")
        if not typed:
            self._refuse("Contract", gettext("choose the contract from the drop-down list."))
            return None
        contract = contracts.get(_key(typed))
        if contract is None:
            self._refuse(
                "Contract",
                gettext(
                    "'%(typed)s' is not one of your organisation's contracts. Choose a contract from the "
                    "drop-down list."
                )
                % {"typed": typed[:120]},
            )
        return contract

    def _metric(self, contract: ProviderContract | None) -> AgreedMetric | None:
        typed = self.text("Measure")
        if not typed:
            self._refuse("Measure", gettext("choose the measure from the drop-down list."))
            return None
        if contract is None:
            return None
        for metric in contract.contract.agreed:
            if _key(typed) in (_key(metric.title), metric.metric_id.lower()):
                return metric
        self._refuse(
            "Measure",
            gettext("'%(typed)s' is not a measure agreed in the contract '%(contract)s'. Choose one of: %(measures)s.")
            % {
                "typed": typed[:120],
                "contract": contract.label,
                "measures": "; ".join(m.title for m in contract.contract.agreed),
            },
        )
        return None

    def _month(self) -> date | None:
        value = self.cells["Month"].value
        if isinstance(value, datetime | date):  # Excel turned "March 2025" into a date
            month = (value.date() if isinstance(value, datetime) else value).replace(day=1)
        else:
            typed = self.text("Month")
            if not typed:
                self._refuse("Month", gettext("write the month, like March 2025."))
                return None
            try:
                month = read_month(typed)
            except NotADate:
                try:
                    month = read_date(typed).replace(day=1)
                except NotADate:
                    self._refuse(
                        "Month",
                        gettext(
                            "'%(typed)s' is not a month we can read. Write the month and year, like March 2025 "
                            "or 03/2025."
                        )
                        % {"typed": typed[:40]},
                    )
                    return None
        if month > timezone.localdate():
            self._refuse(
                "Month",
                gettext("%(month)s has not started yet. Publish a month's figures once it has ended.")
                % {"month": f"{month:%B %Y}"},
            )
            return None
        return month

    def _value(self) -> Decimal | None:
        value = self.cells["Figure"].value
        if isinstance(value, bool) or value is None or str(value).strip() == "":
            self._refuse("Figure", gettext("write the figure, like 40 or 97.5."))
            return None
        if isinstance(value, int | float):
            number = Decimal(str(value))
        else:
            typed = self.text("Figure")
            cleaned = typed.replace(",", "").removeprefix("£").removesuffix("%").strip()
            if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
                self._refuse(
                    "Figure",
                    gettext("'%(typed)s' is not a number. Write the figure alone, like 40 or 97.5.")
                    % {"typed": typed[:40]},
                )
                return None
            number = Decimal(cleaned)
        try:
            too_big = not number.is_finite() or abs(number) >= Decimal(10) ** 12
        except InvalidOperation:
            too_big = True
        if too_big or number < 0:
            self._refuse(
                "Figure",
                gettext(
                    "%(typed)s is not a figure we can publish: it must be zero or more, and below a million million."
                )
                % {"typed": self.text("Figure")[:40]},
            )
            return None
        return number


# --- What would be published ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFigure:
    """A figure of the sheet and how it compares with what is published."""

    row: FigureRow
    actual: rb.Actual
    status: str  # "new", "changed" or "unchanged"
    published: Decimal | None


@dataclass(frozen=True)
class ContractPlan:
    """What the sheet would publish for one contract."""

    contract: ProviderContract
    figures: tuple[PlannedFigure, ...]

    @property
    def to_publish(self) -> list[PlannedFigure]:
        """The new and changed figures."""
        return [figure for figure in self.figures if figure.status != "unchanged"]


def plan(publisher: Publisher, rows: list[FigureRow], contracts: list[ProviderContract]) -> list[ContractPlan]:
    """Per contract, each figure of the sheet as new, changed or unchanged against the published ones; rows whose
    contract or measure is no longer reportable raise SheetRefused naming their row."""
    by_id = {(c.ocid, c.contract_id): c for c in contracts}
    plans = []
    problems = []
    for key, contract in by_id.items():
        mine = [row for row in rows if (row.ocid, row.contract_id) == key]
        if not mine:
            continue
        reportable = {m.metric_id for m in contract.contract.agreed}
        if stale := [row for row in mine if row.metric_id not in reportable]:
            problems += [
                SheetProblem(f"{SHEET}!B{row.row}", gettext("this measure is no longer agreed.")) for row in stale
            ]
            continue
        ctx = FlowContext(
            publisher=publisher, ocid=contract.ocid, compiled=contract.compiled, contract=contract.contract
        )
        actuals = actuals_of(ctx, [(r.metric_id, r.month, _month_end(r.month), r.value, r.notes) for r in mine])
        figures = []
        for row, actual in zip(mine, actuals, strict=True):
            published, notes = _published(contract, row)
            if published is None:
                status = "new"
            elif published == row.value and (not row.notes or row.notes == notes):
                status = "unchanged"
            else:
                status = "changed"
            figures.append(PlannedFigure(row, actual, status, published))
        plans.append(ContractPlan(contract, tuple(figures)))
    if stray := [row for row in rows if (row.ocid, row.contract_id) not in by_id]:
        problems += [
            SheetProblem(f"{SHEET}!A{row.row}", gettext("this is no longer one of your organisation's contracts."))
            for row in stray
        ]
    if problems:
        raise SheetRefused(problems)
    return plans


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _published(contract: ProviderContract, row: FigureRow) -> tuple[Decimal | None, str]:
    """The figure published last for the contract, measure and month (the compiled release's latest), and its
    notes; (None, "") if none is."""
    found: tuple[Decimal | None, str] = (None, "")
    for compiled_contract in contract.compiled.get("contracts") or []:
        if not isinstance(compiled_contract, dict) or compiled_contract.get("id") != row.contract_id:
            continue
        implementation = compiled_contract.get("implementation") or {}
        for metric in implementation.get("metrics") or [] if isinstance(implementation, dict) else []:
            if not isinstance(metric, dict) or metric.get("id") != row.metric_id:
                continue
            for observation in metric.get("observations") or []:
                if not isinstance(observation, dict):
                    continue
                start = str((observation.get("period") or {}).get("startDate") or "")[:10]
                if start[:7] != row.month.isoformat()[:7]:
                    continue
                value = observation.get("value") if isinstance(observation.get("value"), dict) else {}
                amount = observation.get("measure", value.get("amount"))
                try:
                    found = (Decimal(str(amount)), str(observation.get("notes") or ""))
                except InvalidOperation:
                    continue
    return found


# --- Publishing -------------------------------------------------------------------------------------------------


class FiguresRefused(Exception):
    """One contract's release was refused, so nothing was published; the message names the contract and why."""

    def __init__(self, contract: ProviderContract, reason: str, findings: list[dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.contract = contract
        self.findings = findings or []


def publish_plans(
    *, user: AbstractBaseUser | None, publisher: Publisher, plans: list[ContractPlan], token: ApiToken | None = None
) -> list[Published]:
    """One release of new and changed figures per contract that has any, all in one transaction: if one is refused,
    none is stored (FiguresRefused), and the refusal is logged. Either a signed-in ``user`` publishes (publish
    decides from the account) or an API ``token`` of ``publisher`` does (it needs the actuals scope)."""
    if (user is None) == (token is None) or (token is not None and token.publisher != publisher):
        raise ValueError("publish_plans needs a person or a token of the organisation, not both")
    published: list[Published] = []
    try:
        with transaction.atomic():
            for contract_plan in plans:
                if not contract_plan.to_publish:
                    continue
                contract = contract_plan.contract
                ctx = FlowContext(
                    publisher=publisher, ocid=contract.ocid, compiled=contract.compiled, contract=contract.contract
                )
                actuals = [figure.actual for figure in contract_plan.to_publish]
                build = actuals_builder(ctx, actuals)
                try:
                    if token is not None:
                        published.append(
                            publish_with_token(
                                token=token,
                                scope=ApiToken.Scope.ACTUALS,
                                action="publish-actuals",
                                build=build,
                                ocid=contract.ocid,
                            )
                        )
                    else:
                        assert user is not None
                        published.append(
                            publish(
                                user=user,
                                publisher=publisher,
                                action="publish-actuals",
                                ocid=contract.ocid,
                                build=build,
                            )
                        )
                except NotAllowed as error:
                    raise FiguresRefused(contract, str(error)) from error
                except PublishRefused as error:
                    raise FiguresRefused(
                        contract, gettext("it would add errors to the contract's data."), error.findings
                    ) from error
    except FiguresRefused as refused:
        record(
            user=user,
            publisher=publisher,
            action="refused:publish-monthly-figures",
            via=f"api:{token.name}" if token is not None else "web",
            ocid=refused.contract.ocid,
            contract=refused.contract.contract_id,
            reason=str(refused),
        )
        raise
    return published
