"""The actuals template a provider downloads: a "Monthly figures" sheet with drop-down lists of its own contracts and
the measures agreed in them, a hint row and an example row the reader skips, and an Instructions sheet.

The drop-downs' lists are on the Instructions sheet, which stays visible: the reader refuses hidden sheets, so the
template never has one.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext

from opencare.publishing.monthly_figures import (
    EXAMPLE,
    HEADINGS,
    HINT,
    INSTRUCTIONS,
    MAX_ROWS,
    SHEET,
    ProviderContract,
    measures_of,
)

#: The first row of the lists on the Instructions sheet (after the steps).
LISTS_ROW = 14
FIRST_FIGURE_ROW = 4  # after the headings, the hint row and the example row


def actuals_template(organisation: str, contracts: list[ProviderContract]) -> bytes:
    """The workbook, as .xlsx bytes, for the organisation's contracts."""
    from openpyxl import Workbook  # imported when needed: it is slow to import
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    instructions = workbook.create_sheet(INSTRUCTIONS)
    measures = measures_of(contracts)

    bold, grey = Font(bold=True), Font(italic=True, color="505A5F")
    sheet.append(list(HEADINGS))
    sheet.append(
        [
            HINT,
            gettext("Choose the measure from the list"),
            gettext("Month and year, like March 2025"),
            gettext("The figure alone, like 40 or 97.5"),
            gettext("Anything readers should know (optional)"),
        ]
    )
    sheet.append(
        [
            f"{EXAMPLE} {contracts[0].label}" if contracts else EXAMPLE,
            measures[0].title if measures else "",
            "March 2025",
            40,
            gettext("This example row is not read: write your figures from row 4."),
        ]
    )
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE2E5")
    for row in (2, 3):
        for cell in sheet[row]:
            cell.font = grey
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (60, 40, 18, 14, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    last = FIRST_FIGURE_ROW + MAX_ROWS - 1
    # The month column is text, so Excel keeps "March 2025" as typed; set on the column, so no empty cells are made
    # (people and programs add rows after the last one holding anything).
    sheet.column_dimensions["C"].number_format = "@"
    sheet.freeze_panes = f"A{FIRST_FIGURE_ROW}"

    steps = [
        gettext("Monthly figures for %(organisation)s") % {"organisation": organisation},
        gettext("1. On the sheet 'Monthly figures', write one row for each figure, from row 4."),
        gettext("2. Contract: choose one of your contracts from the drop-down list (they are listed below)."),
        gettext(
            "3. Measure: choose the measure from the list. Only measures agreed in that contract, and hours of "
            "care delivered, can be published for it."
        ),
        gettext("4. Month: the month the figure is for, like March 2025 or 03/2025."),
        gettext("5. Figure: the number alone, like 40 or 97.5: no words, no formulas."),
        gettext("6. Notes: anything readers should know about the figure (optional)."),
        gettext("Do not merge cells, hide sheets or add formulas: the upload refuses them and says which cell."),
        gettext("Row 2 (hints) and row 3 (the example) are not read."),
        gettext(
            "Upload the file on your organisation's publishing page. You can check every figure before anything "
            "is published; figures already published are not published again."
        ),
        gettext("Who publishes comes from your account, never from this file."),
    ]
    for row, step in enumerate(steps, start=1):
        instructions.cell(row=row, column=1, value=step)
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 70
    instructions.column_dimensions["B"].width = 40
    instructions.column_dimensions["C"].width = 30
    instructions.column_dimensions["D"].width = 40

    heading = LISTS_ROW - 1
    for column, title in enumerate(
        (gettext("Your contracts"), gettext("Council"), gettext("Contract id"), gettext("Process (OCID)")), start=1
    ):
        instructions.cell(row=heading, column=column, value=title).font = bold
    for offset, contract in enumerate(contracts):
        values = (contract.label, contract.council, contract.contract_id, contract.ocid)
        for column, value in enumerate(values, start=1):
            instructions.cell(row=LISTS_ROW + offset, column=column, value=value)
    measures_row = LISTS_ROW + len(contracts) + 2
    for column, title in enumerate((gettext("Measures"), gettext("Unit"), gettext("Catalogue id")), start=1):
        instructions.cell(row=measures_row - 1, column=column, value=title).font = bold
    for offset, metric in enumerate(measures):
        unit = "£" if metric.currency == "GBP" else str(metric.unit.get("name") or "")
        for column, value in enumerate((metric.title, unit, metric.metric_id), start=1):
            instructions.cell(row=measures_row + offset, column=column, value=value)

    if contracts:
        _drop_down(
            sheet,
            DataValidation,
            f"{INSTRUCTIONS}!$A${LISTS_ROW}:$A${LISTS_ROW + len(contracts) - 1}",
            f"A{FIRST_FIGURE_ROW}:A{last}",
            gettext("Choose one of your contracts from the list."),
        )
    if measures:
        _drop_down(
            sheet,
            DataValidation,
            f"{INSTRUCTIONS}!$A${measures_row}:$A${measures_row + len(measures) - 1}",
            f"B{FIRST_FIGURE_ROW}:B{last}",
            gettext("Choose a measure from the list."),
        )
    figure = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True
    )
    figure.error = gettext("Write the figure alone, like 40 or 97.5.")
    figure.errorTitle = gettext("Not a number")
    sheet.add_data_validation(figure)
    figure.add(f"D{FIRST_FIGURE_ROW}:D{last}")

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _drop_down(sheet: object, data_validation: type, source: str, cells: str, error: str) -> None:
    """A drop-down list over ``cells`` of the values at ``source``, refusing anything else."""
    validation = data_validation(
        type="list",
        formula1=f"={source}",
        allow_blank=True,
        showDropDown=False,  # openpyxl's name: False shows the drop-down arrow
        showErrorMessage=True,
        showInputMessage=True,
    )
    validation.error = error
    validation.errorTitle = gettext("Choose from the list")
    validation.prompt = error
    sheet.add_data_validation(validation)  # type: ignore[attr-defined]
    validation.add(cells)
