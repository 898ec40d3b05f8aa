"""The social-care template's layout: its sheets, their columns in plain English, hints, examples and drop-downs.

The template is for council contracts officers and providers, not OCDS experts: eight sheets a person fills in
(and a ninth, Lists, that holds the drop-downs' choices). Row 1 holds the column titles, row 2 a hint for each
column, and row 3 one filled example whose first cell starts with "Example:" (the reader skips such a row). The
About the publisher sheet is a list of questions instead: the answer goes in column B of each question's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from opencare.ocds.metric_catalogue import Metric, metric_catalogue
from opencare.ocds.promises import DOCUMENT_TYPES
from opencare.ocds.service_types import SERVICE_TYPES

INSTRUCTIONS_SHEET = "Instructions"
ABOUT_SHEET = "About the publisher"
CONTRACTS_SHEET = "Contracts"
ORGANISATIONS_SHEET = "Organisations"
TARGETS_SHEET = "Targets"
FIGURES_SHEET = "Monthly figures"
REVIEWS_SHEET = "Reviews"
DOCUMENTS_SHEET = "Documents"
LISTS_SHEET = "Lists"
#: Every sheet, in the order the workbook has them. A workbook with all the data sheets is the care template.
SHEETS = (INSTRUCTIONS_SHEET, ABOUT_SHEET, CONTRACTS_SHEET, ORGANISATIONS_SHEET, TARGETS_SHEET, FIGURES_SHEET,
          REVIEWS_SHEET, DOCUMENTS_SHEET, LISTS_SHEET)  # fmt: skip
#: The sheets whose presence marks a workbook as the care template (Instructions and Lists may be deleted).
MARKER_SHEETS = frozenset({ABOUT_SHEET, CONTRACTS_SHEET, ORGANISATIONS_SHEET})
EXAMPLE_MARK = "Example:"
FIRST_DATA_ROW = 3
#: The measures given in their own columns of the Contracts sheet, so not chosen as targets.
CONTRACT_COLUMN_MEASURES = ("sc-price-per-hour", "sc-worker-pay-per-hour")


@dataclass(frozen=True)
class Column:
    """One column: its key in the reader's rows, title (row 1), hint (row 2), example (row 3) and kind of value.

    ``kind`` is text, date, month, money, number or pages; ``choices`` names a list on the Lists sheet that the
    column's drop-down offers (and that its values must come from).
    """

    key: str
    title: str
    hint: str
    example: object
    kind: str = "text"
    required: bool = False
    choices: str = ""
    width: int = 20


@dataclass(frozen=True)
class Question:
    """One question of the About the publisher sheet: its key, the question, a hint and whether it must be answered."""

    key: str
    title: str
    hint: str
    required: bool = False


ABOUT_QUESTIONS = (
    Question("publisher_name", "Publisher's name", "Your organisation's name. For example: Borsetdale Council",
             required=True),
    Question("publisher_scheme", "Publisher's register", "The register your organisation is on. For example: "
             "GB-LAE (English councils)"),
    Question("publisher_uid", "Publisher's number in that register", "For example: BDL"),
    Question("publisher_uri", "Publisher's web address", "For example: https://www.borsetdale.gov.uk"),
    Question("uri", "Where this data is published", "The web address of this data. For example: "
             "https://www.borsetdale.gov.uk/open-data/care-contracts.json", required=True),
    Question("license", "Licence", "The licence's web address. For example: "
             "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", required=True),
    Question("publication_policy", "Publication policy", "The web address of your publication policy."),
    Question("ocid_prefix", "Open Contracting ID prefix", "The prefix you registered with Open Contracting. "
             "For example: ocds-b5fd17", required=True),
)  # fmt: skip

CONTRACTS = (
    Column("contract", "Contract ID", "Your own reference, or the full Open Contracting ID", "Example: HC-2026-001",
           required=True),
    Column("title", "Title", "What the contract is for, in a few words", "Home care in the north of Borsetdale",
           required=True, width=36),
    Column("buyer", "Buyer", "The council or NHS body: its name as on the Organisations sheet", "Borsetdale Council",
           required=True, width=28),
    Column("provider", "Provider", "The care provider: its name as on the Organisations sheet",
           "Example Care Ltd", required=True, width=28),
    Column("service", "Type of service", "Choose from the list", "Home care", required=True, choices="services"),
    Column("start", "Start date", "Day/month/year, for example 1/4/2026", "1/4/2026", kind="date", required=True),
    Column("end", "End date", "Day/month/year, for example 31/3/2029", "31/3/2029", kind="date", required=True),
    Column("signed", "Date signed", "Day/month/year; leave blank if the same as the start date", "", kind="date"),
    Column("value", "Total value (£)", "The whole contract's value in pounds, without the £ sign", 4500000,
           kind="money"),
    Column("price_per_hour", "Price per hour (£)", "What the buyer pays the provider for an hour of care", 25.5,
           kind="money"),
    Column("worker_pay_per_hour", "Care worker pay per hour (£)", "The least a care worker is paid an hour", 13.1,
           kind="money"),
    Column("lot", "Lot", "If the contract is one part (lot) of a larger tender: the lot's name or number", "North"),
)  # fmt: skip

ORGANISATIONS = (
    Column("name", "Name", "The organisation's name", "Example: Example Care Ltd", required=True, width=28),
    Column("scheme", "Register", "Choose from the list", "GB-COH", required=True, choices="schemes"),
    Column("identifier", "Number in the register", "For example a company number", "01234567", required=True),
    Column("role", "Role", "Buyer or provider", "Provider", required=True, choices="roles"),
    Column("street", "Street address", "", "1 High Street", width=24),
    Column("locality", "Town", "", "Borsetdale"),
    Column("postcode", "Postcode", "", "BD1 1AA"),
    Column("contact_name", "Contact name", "A person or team people can write to", "Contracts team"),
    Column("email", "Contact email", "", "contracts@example.org", width=26),
)  # fmt: skip

TARGETS = (
    Column("contract", "Contract ID", "As on the Contracts sheet", "Example: HC-2026-001", required=True),
    Column("measure", "Measure", "Choose from the list", "Visits on time", required=True, choices="measures",
           width=36),
    Column("target", "Target", "A number, without units", 95, kind="number", required=True),
    Column("unit", "Unit", "Filled in from the measure; you may leave it blank", "percent"),
    Column("period_start", "From", "Day/month/year; blank for the contract's first year", "1/4/2026", kind="date"),
    Column("period_end", "To", "Day/month/year; blank for the contract's first year", "31/3/2027", kind="date"),
)  # fmt: skip

FIGURES = (
    Column("contract", "Contract ID", "As on the Contracts sheet", "Example: HC-2026-001", required=True),
    Column("measure", "Measure", "Choose from the list", "Hours of care delivered", required=True,
           choices="measures", width=36),
    Column("month", "Month", "Month and year, for example April 2026", "April 2026", kind="month", required=True),
    Column("figure", "Figure", "A number, without units", 10450, kind="number", required=True),
)  # fmt: skip

REVIEWS = (
    Column("contract", "Contract ID", "As on the Contracts sheet", "Example: HC-2026-001", required=True),
    Column("date", "Date of the review", "Day/month/year", "15/10/2026", kind="date", required=True),
    Column("reviewed", "What was reviewed", "For example: the first six months", "The first six months",
           required=True, width=36),
    Column("agreed", "What was agreed", "What the buyer and provider agreed to do",
           "More visits in the evening; a report on missed visits every month", width=48),
)  # fmt: skip

DOCUMENTS = (
    Column("contract", "Contract ID", "As on the Contracts sheet", "Example: HC-2026-001", required=True),
    Column("type", "Type of document", "Choose from the list", "Signed contract", required=True,
           choices="documents"),
    Column("title", "Title", "The document's title", "Home care contract, north", required=True, width=30),
    Column("url", "Web address", "Where people can read it, starting https://",
           "https://www.borsetdale.gov.uk/contracts/hc-2026-001.pdf", required=True, width=40),
    Column("pages", "Pages", "Optional: the page or pages that matter, for example 12 or 12-14", "12-14",
           kind="pages"),
)  # fmt: skip

#: Each data sheet's columns, in order.
COLUMNS = {
    CONTRACTS_SHEET: CONTRACTS,
    ORGANISATIONS_SHEET: ORGANISATIONS,
    TARGETS_SHEET: TARGETS,
    FIGURES_SHEET: FIGURES,
    REVIEWS_SHEET: REVIEWS,
    DOCUMENTS_SHEET: DOCUMENTS,
}
#: Organisation roles: the word in the template and the OCDS party role.
ROLES = {"Buyer": "buyer", "Provider": "supplier"}
#: The registers organisations are identified in, as org-id.guide names them.
SCHEMES = {
    "GB-LAE": "English council",
    "GB-LAS": "Scottish council",
    "GB-PLA": "Welsh council",
    "GB-LANI": "Northern Ireland council",
    "GB-NHS": "NHS body",
    "GB-GOR": "Government body",
    "GB-COH": "Companies House",
    "GB-CHC": "Charity Commission for England and Wales",
    "GB-SC": "Scottish Charity Regulator",
    "GB-NIC": "Charity Commission for Northern Ireland",
    "GB-MPR": "Mutuals Public Register",
    "GB-CQC": "Care Quality Commission",
}
#: The document types the template offers, in plain English (the words pages use for them).
TEMPLATE_DOCUMENT_TYPES = ("contractSigned", "technicalSpecifications", "contractSchedule", "contractAnnexe",
                           "submissionDocuments", "physicalProgressReport", "financialProgressReport",
                           "evaluationCriteria", "awardNotice", "contractNotice")  # fmt: skip


def document_type_names() -> dict[str, str]:
    """Document type code → its words in the template."""
    return {code: DOCUMENT_TYPES[code] for code in TEMPLATE_DOCUMENT_TYPES}


@cache
def target_measures() -> dict[str, Metric]:
    """The catalogue's measures a contract can have targets and monthly figures for, by title."""
    return {metric.title: metric for metric in metric_catalogue().metrics.values()}


def choice_lists() -> dict[str, list[str]]:
    """The drop-downs' choices, by list name: what the Lists sheet holds, one list a column."""
    return {
        "services": [service.name for service in SERVICE_TYPES],
        "measures": list(target_measures()),
        "documents": list(document_type_names().values()),
        "roles": list(ROLES),
        "schemes": list(SCHEMES),
    }


INSTRUCTIONS = (
    "How to fill in this template",
    "",
    "This workbook publishes social care contracts as open data (the Open Contracting Data Standard).",
    "1. About the publisher: answer the questions in column B.",
    "2. Organisations: one row for each council, NHS body and provider.",
    "3. Contracts: one row for each contract. Name the buyer and provider as on the Organisations sheet.",
    "4. Targets: what each contract promises, one row for each measure.",
    "5. Monthly figures: how each contract is going, one row for each measure and month.",
    "6. Reviews: what was reviewed and agreed at each contract review.",
    "7. Documents: where people can read the contract, the specification and other documents.",
    "",
    "Row 1 of each sheet has the column titles and row 2 a hint: do not change them.",
    "Row 3 is an example: it starts with 'Example:' and is not read. Write over it or leave it.",
    "Where a cell has a drop-down list, choose from it.",
    "Type values, not formulas, and do not merge cells.",
    "Write dates as day/month/year, for example 31/3/2026, and money without the £ sign.",
    "The Lists sheet holds the drop-down lists' choices: do not change it.",
    "",
    "Check the filled template with opencare's Data Review Tool, or run: opencare review FILE.xlsx",
)
