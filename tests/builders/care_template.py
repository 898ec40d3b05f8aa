"""A social-care template filled in with openpyxl, as a council officer would fill it in Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from opencare.ocds.spreadsheets.care_template import write_care_template

ABOUT = ["Borsetdale Council", "GB-LAE", "BDL", "https://www.borsetdale.gov.uk",
         "https://www.borsetdale.gov.uk/open-data/care.json",
         "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "", "ocds-b5fd17"]  # fmt: skip


def filled_template(path: Path, *, contracts: int = 2) -> Path:
    """A blank template from ``write_care_template``, its example rows left in place, filled with ``contracts``
    home care contracts of one council, each with a target, two months' figures, a review and a document."""
    write_care_template(path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    about = workbook["About the publisher"]
    for row, answer in enumerate(ABOUT, start=2):
        about.cell(row, 2, answer or None)
    organisations = workbook["Organisations"]
    organisations.append(["Borsetdale Council", "GB-LAE", "BDL", "Buyer", "Town Hall", "Borsetdale", "BD1 1AA",
                          "Commissioning team", "care@borsetdale.gov.uk"])  # fmt: skip
    for number in range(1, contracts + 1):
        provider = f"Kind Hands Care {number} Ltd"
        organisations.append([provider, "GB-COH", f"0123456{number}", "Provider"])
        workbook["Contracts"].append(
            [f"HC-{number:03}", f"Home care, area {number}", "Borsetdale Council", provider, "Home care",
             dt.datetime(2026, 4, 1), "31/3/2029", None, 1_500_000 * number, 25.5, 13.1, f"Area {number}"]
        )  # fmt: skip
        workbook["Targets"].append([f"HC-{number:03}", "Visits on time", 95])
        workbook["Monthly figures"].append([f"HC-{number:03}", "Visits on time", "April 2026", 96.5])
        workbook["Monthly figures"].append([f"HC-{number:03}", "Hours of care delivered", dt.datetime(2026, 5, 1),
                                            10450])  # fmt: skip
        workbook["Reviews"].append([f"HC-{number:03}", "15/10/2026", "The first six months", "Evening visits"])
        url = f"https://www.borsetdale.gov.uk/contracts/hc-{number:03}.pdf"
        workbook["Documents"].append([f"HC-{number:03}", "Signed contract", f"Contract HC-{number:03}", url, "12-14"])
    workbook.save(path)
    return path
