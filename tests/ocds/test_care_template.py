"""The social-care template: its sheets, headings and drop-downs; a filled one read back into releases that pass
review; JSON to the template and back losing nothing the template has; every bad cell named by sheet and cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.builders.care_template import filled_template

from opencare.ocds.review import review
from opencare.ocds.spreadsheets.care_layout import (
    CONTRACT_COLUMN_MEASURES,
    CONTRACTS_SHEET,
    SCHEMES,
    document_type_names,
    target_measures,
)
from opencare.ocds.spreadsheets.care_template import (
    TemplateProblems,
    care_template_to_json,
    care_template_to_package,
    is_care_template,
    package_to_care_template,
    write_care_template,
)
from opencare.ocds.spreadsheets.care_workbook import write_xlsx

PUBLISHED = "2026-12-07T09:00:00Z"
EXPECTED_SHEETS = ["Instructions", "About the publisher", "Contracts", "Organisations", "Targets", "Monthly figures",
                   "Reviews", "Documents", "Lists"]  # fmt: skip


def test_the_template_has_at_most_ten_sheets_with_plain_headings_and_hints(tmp_path):
    path = tmp_path / "template.xlsx"
    write_care_template(path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == EXPECTED_SHEETS
    assert len(workbook.sheetnames) <= 10
    contracts = workbook["Contracts"]
    headings = [cell.value for cell in contracts[1]]
    assert headings == [
        "Contract ID", "Title", "Buyer", "Provider", "Type of service", "Start date", "End date", "Date signed",
        "Total value (£)", "Price per hour (£)", "Care worker pay per hour (£)", "Lot",
    ]  # fmt: skip
    assert contracts["F2"].value.startswith("Day/month/year")
    assert contracts["A3"].value.startswith("Example:")
    assert [cell.value for cell in workbook["Monthly figures"][1]] == ["Contract ID", "Measure", "Month", "Figure"]
    about = [row[0].value for row in workbook["About the publisher"].iter_rows(min_row=2)]
    assert "Open Contracting ID prefix (required)" in about


def _drop_down_columns(sheet: Any) -> dict[str, str]:
    """Column letter → the list its drop-down offers."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for area in str(rule.sqref).split():
            found[re.match(r"[A-Z]+", area).group(0)] = rule.formula1
    return found


def test_codes_are_chosen_from_drop_down_lists_that_hold_the_choices(tmp_path):
    path = tmp_path / "template.xlsx"
    write_care_template(path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    contracts = _drop_down_columns(workbook["Contracts"])
    assert list(contracts) == ["E"]  # type of service
    assert set(_drop_down_columns(workbook["Organisations"])) == {"B", "D"}  # register, role
    assert set(_drop_down_columns(workbook["Targets"])) == {"B"}
    assert set(_drop_down_columns(workbook["Monthly figures"])) == {"B"}
    assert set(_drop_down_columns(workbook["Documents"])) == {"B"}
    lists = workbook["Lists"]
    columns = {lists.cell(1, number).value: [c.value for c in lists[chr(64 + number)][1:] if c.value]
               for number in range(1, 6)}  # fmt: skip
    assert "Home care" in columns["Services"]
    assert "Visits on time" in columns["Measures"]
    assert len(columns["Measures"]) == len(target_measures())
    assert "Signed contract" in columns["Documents"]
    assert columns["Roles"] == ["Buyer", "Provider"]
    assert "GB-COH" in columns["Schemes"]
    measures_rule = workbook["Targets"].data_validations.dataValidation[0].formula1
    assert measures_rule == f"'Lists'!$B$2:$B${len(columns['Measures']) + 1}"


def test_the_ods_template_has_the_same_sheets_and_drop_downs(tmp_path):
    path = tmp_path / "template.ods"
    write_care_template(path, "ods")
    assert is_care_template(path)
    content = zipfile.ZipFile(path).read("content.xml").decode()
    for name in EXPECTED_SHEETS:
        assert f'table:name="{name}"' in content
    assert "of:cell-content-is-in-list" in content
    assert 'table:content-validation-name="choose-measures"' in content


def test_a_filled_template_reads_back_to_releases_that_pass_review(tmp_path):
    package = care_template_to_json(filled_template(tmp_path / "filled.xlsx"), tmp_path / "out.json")
    releases = package["releases"]
    assert [release["ocid"] for release in releases] == ["ocds-b5fd17-HC-001", "ocds-b5fd17-HC-002"]
    first = releases[0]
    assert [party["roles"] for party in first["parties"]] == [["buyer"], ["supplier"]]
    contract = first["contracts"][0]
    agreed = {metric["id"]: metric["observations"][0] for metric in contract["agreedMetrics"]}
    assert agreed["sc-price-per-hour"]["value"] == {"amount": 25.5, "currency": "GBP"}
    assert agreed["sc-punctuality"]["measure"] == 95
    figures = {metric["id"]: metric["observations"] for metric in contract["implementation"]["metrics"]}
    assert figures["sc-punctuality"][0]["measureClassification"]["id"] == "met"
    assert figures["sc-hours-delivered"][0]["period"] == {"startDate": "2026-05-01T00:00:00Z",
                                                         "endDate": "2026-05-31T23:59:59Z"}  # fmt: skip
    assert contract["implementation"]["milestones"][0]["dateMet"] == "2026-10-15T00:00:00Z"
    assert contract["documents"][0] | {} == {"id": "document-1", "documentType": "contractSigned",
                                             "title": "Contract HC-001", "language": "en", "pageStart": "12",
                                             "pageEnd": "14",
                                             "url": "https://www.borsetdale.gov.uk/contracts/hc-001.pdf"}  # fmt: skip
    assert first["tender"]["items"][0]["description"] == "Home care"
    assert package["publisher"] == {"name": "Borsetdale Council", "scheme": "GB-LAE", "uid": "BDL",
                                    "uri": "https://www.borsetdale.gov.uk"}  # fmt: skip
    report = review(tmp_path / "out.json")
    assert report.valid, report.as_json()


def test_reading_the_same_template_twice_gives_the_same_release_ids(tmp_path):
    path = filled_template(tmp_path / "filled.xlsx")
    first = care_template_to_package(path, published=PUBLISHED)
    second = care_template_to_package(path, published="2027-01-01T00:00:00Z")
    assert [release["id"] for release in first["releases"]] == [release["id"] for release in second["releases"]]


def _problems(path: Path) -> list[str]:
    with pytest.raises(TemplateProblems) as caught:
        care_template_to_package(path, published=PUBLISHED)
    return [str(problem) for problem in caught.value.problems]


def _edit(path: Path, change: Any) -> Path:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)
    return path


def test_a_date_that_is_not_a_date_is_named_by_sheet_and_cell(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Contracts"].cell(4, 7, "31/02/2026"))
    assert _problems(path) == [
        "Contracts!G4: the end date 31/02/2026 is not a date. Write it as day/month/year, for example 31/3/2026."
    ]


def test_text_in_a_number_column_is_named_by_sheet_and_cell(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Targets"].cell(4, 3, "ninety-five"))
    assert _problems(path) == [
        "Targets!C4: the target ninety-five is not a number. Write the number only, without words or units, for "
        "example 95 or 12.50."
    ]


def test_an_unknown_measure_is_named_by_sheet_and_cell(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Monthly figures"].cell(5, 2, "Visits late"))
    assert _problems(path) == [
        "Monthly figures!B5: 'Visits late' is not a measure in the list. Choose one from the drop-down list."
    ]


def test_a_merged_cell_is_named_by_sheet_and_cell(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Reviews"].merge_cells("C4:D4"))
    problems = _problems(path)
    assert problems[0] == (
        "Reviews!C4: this cell is merged with others. Unmerge it and write the value in each cell of its own."
    )
    assert all(problem.startswith("Reviews!") for problem in problems)


def test_a_formula_is_named_by_sheet_and_cell_and_never_calculated(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Contracts"].cell(5, 9, "=SUM(I3:I4)"))
    assert _problems(path) == [
        "Contracts!I5: this cell has a formula (=SUM(I3:I4)). Type the value itself instead of a formula."
    ]


def test_names_missing_from_the_organisations_sheet_and_unknown_contracts_are_named(tmp_path):
    def change(workbook: Any) -> None:
        workbook["Contracts"].cell(4, 4, "Nobody Ltd")
        workbook["Documents"].cell(4, 1, "HC-999")
        workbook["About the publisher"].cell(9, 2, "not-a-prefix")

    problems = _problems(_edit(filled_template(tmp_path / "f.xlsx"), change))
    assert problems == [
        "About the publisher!B9: 'not-a-prefix' is not an Open Contracting ID prefix. It starts with ocds- and six "
        "letters or digits, for example ocds-b5fd17.",
        "Contracts!D4: Nobody Ltd is not on the Organisations sheet. Add a row for it there, or write its name as "
        "it is there.",
        "Documents!A4: there is no contract HC-999 on the Contracts sheet. Use a contract ID from the Contracts "
        "sheet.",
    ]


def test_no_message_speaks_of_json(tmp_path):
    def change(workbook: Any) -> None:
        for sheet in ("Contracts", "Targets", "Monthly figures", "Documents"):
            for column in range(1, 10):
                workbook[sheet].cell(4, column, "=1+1" if column % 2 else "??")

    problems = _problems(_edit(filled_template(tmp_path / "f.xlsx"), change))
    assert len(problems) > 10
    words = " ".join(problems).lower()
    for jargon in ("json", "array", "object", "null", "ocid", "schema"):
        assert jargon not in words


def test_the_example_rows_alone_are_not_contracts(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_care_template(path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    for row, answer in enumerate(["Borsetdale Council", "", "", "", "https://x.org/d.json", "https://x.org/l", "",
                                  "ocds-b5fd17"], start=2):  # fmt: skip
        workbook["About the publisher"].cell(row, 2, answer or None)
    workbook.save(path)
    assert _problems(path) == [
        f"{CONTRACTS_SHEET}!A3: there are no contracts. Fill in one row for each contract, from row 3 (a row that "
        "starts with 'Example:' is not read)."
    ]


def test_a_full_profile_workbook_is_not_taken_for_the_template(tmp_path):
    from opencare.ocds.spreadsheets import write_template

    write_template(tmp_path / "full.xlsx", "xlsx")
    assert not is_care_template(tmp_path / "full.xlsx")
    assert is_care_template(filled_template(tmp_path / "filled.xlsx"))


# --- JSON → template → JSON, over releases built with release_builder -----------------------------------------

WORDS = st.text(alphabet="abcdefghij KLMNOP'&é-ŵ0123", min_size=1, max_size=12).map(str.strip).filter(bool)
MONEY = st.one_of(st.none(), st.decimals(min_value=0, max_value=10_000_000, places=2))
DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31))
MEASURES = [title for title, metric in target_measures().items() if metric.id not in CONTRACT_COLUMN_MEASURES]


@st.composite
def template_rows(draw: Any) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The About answers and rows of a filled template, as varied as people fill it."""
    about = {
        "publisher_name": draw(WORDS),
        "publisher_scheme": draw(st.sampled_from(["", "GB-LAE"])),
        "publisher_uid": draw(st.sampled_from(["", "BDL"])),
        "publisher_uri": draw(st.sampled_from(["", "https://www.borsetdale.gov.uk"])),
        "uri": "https://example.org/data.json",
        "license": "https://example.org/licence",
        "publication_policy": draw(st.sampled_from(["", "https://example.org/policy"])),
        "ocid_prefix": "ocds-b5fd17",
    }
    buyers = [f"Council {n}" for n in range(draw(st.integers(1, 2)))]
    providers = [f"Provider {draw(WORDS)} {n}" for n in range(draw(st.integers(1, 3)))]
    organisations = [
        {"name": name, "scheme": draw(st.sampled_from(list(SCHEMES))), "identifier": f"0{n}{draw(st.integers(0, 99))}",
         "role": role, "street": draw(st.sampled_from(["", "1 High Street"])), "locality": draw(WORDS | st.just("")),
         "postcode": "", "contact_name": draw(st.sampled_from(["", "Contracts team"])), "email": ""}
        for n, (name, role) in enumerate([(b, "Buyer") for b in buyers] + [(p, "Provider") for p in providers])
    ]  # fmt: skip
    rows: dict[str, list[dict[str, Any]]] = {"Organisations": organisations, "Contracts": [], "Targets": [],
                                              "Monthly figures": [], "Reviews": [], "Documents": []}  # fmt: skip
    for number in range(draw(st.integers(1, 3))):
        key = f"C-{number}"
        start = draw(DAYS)
        rows["Contracts"].append(
            {"contract": key, "title": draw(WORDS), "buyer": draw(st.sampled_from(buyers)),
             "provider": draw(st.sampled_from(providers)),
             "service": draw(st.sampled_from(["Home care", "Reablement", "Supported living", "Support for carers"])),
             "start": start, "end": start + dt.timedelta(days=draw(st.integers(0, 2000))),
             "signed": draw(st.none() | DAYS), "value": draw(MONEY), "price_per_hour": draw(MONEY),
             "worker_pay_per_hour": draw(MONEY), "lot": draw(st.sampled_from(["", "North", "2"]))}
        )  # fmt: skip
        for measure in draw(st.lists(st.sampled_from(MEASURES), max_size=3, unique=True)):
            period = draw(st.none() | st.tuples(DAYS, DAYS))
            rows["Targets"].append(
                {"contract": key, "measure": measure, "target": draw(st.decimals(0, 100_000, places=1)),
                 "period_start": period[0] if period else None, "period_end": period[1] if period else None}
            )  # fmt: skip
        months = draw(st.lists(st.tuples(st.sampled_from(MEASURES), DAYS.map(lambda d: d.replace(day=1))),
                               max_size=4, unique=True))  # fmt: skip
        for measure, month in months:
            figure = draw(st.decimals(0, 100_000, places=2))
            rows["Monthly figures"].append({"contract": key, "measure": measure, "month": month, "figure": figure})
        for _ in range(draw(st.integers(0, 2))):
            rows["Reviews"].append({"contract": key, "date": draw(DAYS), "reviewed": draw(WORDS),
                                    "agreed": draw(WORDS | st.just(""))})  # fmt: skip
        for _ in range(draw(st.integers(0, 2))):
            pages = draw(st.sampled_from(["", "3", "12-14"]))
            rows["Documents"].append(
                {"contract": key, "type": draw(st.sampled_from(list(document_type_names().values()))),
                 "title": draw(WORDS), "url": f"https://example.org/{draw(st.integers(0, 999))}.pdf", "pages": pages}
            )  # fmt: skip
    return about, rows


def _releases_from_rows(path: Path, about: dict[str, str], rows: dict[str, list[dict[str, Any]]]) -> dict:
    write_xlsx(path, about, rows, example=False)
    return care_template_to_package(path, published=PUBLISHED)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template_rows())
def test_json_to_the_template_and_back_gives_the_same_releases(tmp_path, filled):
    about, rows = filled
    package = _releases_from_rows(tmp_path / "rows.xlsx", about, rows)  # releases built with release_builder
    package_to_care_template(package, tmp_path / "again.xlsx", "xlsx")
    assert care_template_to_package(tmp_path / "again.xlsx", published=PUBLISHED) == package


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template_rows())
def test_json_to_the_ods_template_and_back_gives_the_same_releases(tmp_path, filled):
    about, rows = filled
    package = _releases_from_rows(tmp_path / "rows.xlsx", about, rows)
    package_to_care_template(package, tmp_path / "again.ods", "ods")
    assert care_template_to_package(tmp_path / "again.ods", published=PUBLISHED) == package


def test_figures_keep_every_digit_through_the_template(tmp_path):
    about, rows = {"publisher_name": "B", "uri": "https://x.org/d", "license": "https://x.org/l",
                   "ocid_prefix": "ocds-b5fd17"}, {}  # fmt: skip
    rows = {
        "Organisations": [{"name": "B", "scheme": "GB-LAE", "identifier": "B", "role": "Buyer"},
                          {"name": "P", "scheme": "GB-COH", "identifier": "01234567", "role": "Provider"}],
        "Contracts": [{"contract": "1", "title": "T", "buyer": "B", "provider": "P", "service": "Home care",
                       "start": dt.date(2026, 4, 1), "end": dt.date(2027, 3, 31), "price_per_hour": Decimal("92.4")}],
        "Monthly figures": [{"contract": "1", "measure": "Missed visits", "month": dt.date(2026, 4, 1),
                             "figure": Decimal("0.1")}],
    }  # fmt: skip
    package = _releases_from_rows(tmp_path / "rows.xlsx", about, rows)
    contract = package["releases"][0]["contracts"][0]
    assert contract["agreedMetrics"][0]["observations"][0]["value"]["amount"] == 92.4
    assert contract["implementation"]["metrics"][0]["observations"][0]["measure"] == 0.1
    assert package["releases"][0]["parties"][1]["identifier"]["id"] == "01234567"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template_rows())
def test_json_to_the_csv_zip_template_and_back_gives_the_same_releases(tmp_path, filled):
    about, rows = filled
    package = _releases_from_rows(tmp_path / "rows.xlsx", about, rows)
    package_to_care_template(package, tmp_path / "again.zip", "csv")
    assert care_template_to_package(tmp_path / "again.zip", published=PUBLISHED) == package


# --- Percentages, hidden sheets, the last row ------------------------------------------------------------------


def test_a_target_and_a_figure_typed_as_percentages_are_read_as_the_percentages(tmp_path):
    def change(workbook: Any) -> None:
        for cell, value in ((workbook["Targets"]["C4"], 0.95), (workbook["Monthly figures"]["D4"], 0.965)):
            cell.value, cell.number_format = value, "0%"  # as Excel keeps 95% typed in a cell

    package = care_template_to_package(_edit(filled_template(tmp_path / "f.xlsx"), change), published=PUBLISHED)
    contract = package["releases"][0]["contracts"][0]
    target = next(m for m in contract["agreedMetrics"] if m["id"] == "sc-punctuality")
    assert target["observations"][0]["measure"] == 95
    figure = next(m for m in contract["implementation"]["metrics"] if m["id"] == "sc-punctuality")
    assert figure["observations"][0]["measure"] == 96.5


def test_a_figure_shown_as_a_percentage_in_an_ods_template_is_read_as_the_percentage(tmp_path):
    write_care_template(tmp_path / "blank.ods", "ods")
    source = filled_template(tmp_path / "f.xlsx")
    package = care_template_to_package(source, published=PUBLISHED)
    package_to_care_template(package, tmp_path / "f.ods", "ods")
    with zipfile.ZipFile(tmp_path / "f.ods") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    content = parts["content.xml"].decode()
    # The target 95 of the first contract, written as the percentage 95% is kept in an ODS file.
    first = re.search(r'office:value-type="float" office:value="95"', content)
    assert first is not None
    parts["content.xml"] = (content[: first.start()] + 'office:value-type="percentage" office:value="0.95"'
                            + content[first.end() :]).encode()  # fmt: skip
    with zipfile.ZipFile(tmp_path / "percent.ods", "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else None)
    assert care_template_to_package(tmp_path / "percent.ods", published=PUBLISHED) == package


def test_a_percentage_for_a_measure_not_counted_in_percent_is_named_by_sheet_and_cell(tmp_path):
    def change(workbook: Any) -> None:
        cell = workbook["Monthly figures"]["D5"]  # hours of care delivered
        cell.value, cell.number_format = 0.5, "0%"

    assert _problems(_edit(filled_template(tmp_path / "f.xlsx"), change)) == [
        "Monthly figures!D5: this cell shows a percentage, but Hours of care delivered is not counted in percent "
        "(its unit is hour). Format the cell as a number, not a percentage, and type the figure itself."
    ]


def test_a_hidden_sheet_is_named_and_nothing_is_read(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: setattr(wb["Targets"], "sheet_state", "hidden"))
    assert _problems(path) == [
        "Targets!A1: this sheet is hidden, so what it holds would be published without anyone seeing it. Unhide it "
        "(right-click a sheet's tab and choose Unhide), check it, then try again."
    ]


def test_the_lists_and_instructions_sheets_may_be_hidden(tmp_path):
    def change(workbook: Any) -> None:
        workbook["Lists"].sheet_state = "hidden"
        workbook["Instructions"].sheet_state = "veryHidden"

    package = care_template_to_package(_edit(filled_template(tmp_path / "f.xlsx"), change), published=PUBLISHED)
    assert len(package["releases"]) == 2


def test_a_value_in_the_sheet_s_last_row_is_named_without_memory_for_the_empty_rows(tmp_path):
    import tracemalloc

    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Reviews"].cell(1_048_576, 1, "HC-001"))
    tracemalloc.start()
    try:
        problems = _problems(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [
        "Reviews!B1048576: the date of the review is missing. Fill in this cell.",
        "Reviews!C1048576: the what was reviewed is missing. Fill in this cell.",
    ]
    assert peak < 30_000_000  # a few megabytes: a cell object for each of the million empty rows would be gigabytes


def test_merged_cells_are_named_once_for_each_merged_area(tmp_path):
    path = _edit(filled_template(tmp_path / "f.xlsx"), lambda wb: wb["Contracts"].merge_cells("B4:L40"))
    assert _problems(path) == [
        "Contracts!B4: this cell is merged with others. Unmerge it and write the value in each cell of its own."
    ]


# --- The template as a zip of CSV files -------------------------------------------------------------------------


def _csv_template(tmp_path: Path) -> Path:
    package = care_template_to_package(filled_template(tmp_path / "f.xlsx"), published=PUBLISHED)
    package_to_care_template(package, tmp_path / "care.zip", "csv")
    return tmp_path / "care.zip"


def _rewrite(path: Path, name: str, change: Any) -> Path:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return path


def test_the_csv_zip_template_has_a_file_for_each_sheet_in_utf8_with_a_byte_order_mark(tmp_path):
    write_care_template(tmp_path / "blank.zip", "csv")
    with zipfile.ZipFile(tmp_path / "blank.zip") as archive:
        assert archive.namelist() == [f"{name}.csv" for name in EXPECTED_SHEETS if name != "Lists"]
        contracts = archive.read("Contracts.csv")
    assert contracts.startswith(b"\xef\xbb\xbf")  # so that Excel reads the £ signs as UTF-8
    lines = contracts.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Contract ID,Title,Buyer,Provider,Type of service,Start date,End date,Date signed,"
                               "Total value (£),")  # fmt: skip
    assert lines[1].startswith('"Your own reference, or the full Open Contracting ID",')
    assert lines[2].startswith("Example: HC-2026-001,")
    assert is_care_template(tmp_path / "blank.zip")


def test_the_full_layout_s_csv_zip_is_not_taken_for_the_template(tmp_path):
    from opencare.ocds.spreadsheets import write_template

    write_template(tmp_path / "full.zip", "csv")
    assert not is_care_template(tmp_path / "full.zip")


def test_a_problem_in_a_csv_zip_template_names_the_file_and_cell(tmp_path):
    def change(data: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        rows[3][6] = "31/02/2026"
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return text.getvalue().encode("utf-8-sig")

    path = _rewrite(_csv_template(tmp_path), "Contracts.csv", change)
    assert _problems(path) == [
        "Contracts.csv!G4: the end date 31/02/2026 is not a date. Write it as day/month/year, for example 31/3/2026."
    ]


def test_a_formula_in_a_csv_zip_template_is_named_and_text_marked_as_text_is_kept(tmp_path):
    path = _rewrite(_csv_template(tmp_path), "Contracts.csv", lambda data: data.replace(b"Home care, area 2",
                                                                                         b"'=1+1 area 2"))  # fmt: skip
    assert care_template_to_package(path, published=PUBLISHED)["releases"][1]["contracts"][0]["title"] == (
        "=1+1 area 2"
    )
    path = _rewrite(path, "Monthly figures.csv", lambda data: data.replace(b",96.5\r\n", b",=1+2\r\n", 1))
    assert _problems(path) == [
        "Monthly figures.csv!D3: this cell has a formula (=1+2). Type the value itself instead of a formula."
    ]


def test_a_csv_zip_template_saved_in_windows_1252_is_read_with_its_pound_signs(tmp_path):
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8-sig").replace("Home care, area 1", "Home care £25 an hour")
        return text.replace(",1500000,", ',"£1,500,000",').encode("cp1252")  # Excel's plain "CSV" in the UK

    path = _rewrite(_csv_template(tmp_path), "Contracts.csv", change)
    contract = care_template_to_package(path, published=PUBLISHED)["releases"][0]["contracts"][0]
    assert contract["title"] == "Home care £25 an hour"
    assert contract["value"]["amount"] == 1500000


def test_a_csv_file_in_no_known_encoding_is_refused_naming_the_file_and_line(tmp_path):
    from opencare.ocds.spreadsheets.errors import SpreadsheetError

    path = _rewrite(_csv_template(tmp_path), "Targets.csv", lambda data: data.replace(b"HC-002", b"HC-\x81002"))
    with pytest.raises(SpreadsheetError) as caught:
        care_template_to_package(path, published=PUBLISHED)
    assert caught.value.message == (
        "Line 4 of Targets.csv has characters that are neither UTF-8 nor Windows-1252, so the file cannot be read"
    )
    assert "CSV UTF-8" in caught.value.how_to_fix
    assert caught.value.sheet == "Targets.csv"


def _ods_with(tmp_path: Path, change: Any) -> Path:
    """The filled template as ODS, with its content.xml changed as a spreadsheet program would save it."""
    package = care_template_to_package(filled_template(tmp_path / "f.xlsx"), published=PUBLISHED)
    package_to_care_template(package, tmp_path / "f.ods", "ods")
    with zipfile.ZipFile(tmp_path / "f.ods") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["content.xml"] = change(parts["content.xml"].decode()).encode()
    with zipfile.ZipFile(tmp_path / "changed.ods", "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return tmp_path / "changed.ods"


def test_a_hidden_sheet_in_an_ods_template_is_named(tmp_path):
    def hide_targets(content: str) -> str:
        hidden = ('<style:style style:name="hidden" style:family="table"><style:table-properties '
                  'table:display="false"/></style:style>')  # fmt: skip
        content = content.replace("<office:automatic-styles>", "<office:automatic-styles>" + hidden, 1)
        return content.replace('table:name="Targets"', 'table:name="Targets" table:style-name="hidden"', 1)

    assert _problems(_ods_with(tmp_path, hide_targets)) == [
        "Targets!A1: this sheet is hidden, so what it holds would be published without anyone seeing it. Unhide it "
        "(right-click a sheet's tab and choose Unhide), check it, then try again."
    ]


def test_merged_cells_in_an_ods_template_are_named_once(tmp_path):
    def merge_a_review(content: str) -> str:
        reviews = content.index('table:name="Reviews"')
        row = content.index("The first six months", reviews)
        cell = content.rindex("<table:table-cell", reviews, row)
        merged = content[:cell] + '<table:table-cell table:number-columns-spanned="2" ' + content[cell + 18 :]
        end = merged.index("</table:table-cell>", cell) + len("</table:table-cell>")
        following = merged.index("</table:table-cell>", end) + len("</table:table-cell>")
        return merged[:end] + "<table:covered-table-cell/>" + merged[following:]

    assert _problems(_ods_with(tmp_path, merge_a_review)) == [
        "Reviews!C3: this cell is merged with others. Unmerge it and write the value in each cell of its own."
    ]
