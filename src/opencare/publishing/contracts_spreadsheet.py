"""A council's contracts from one spreadsheet: the social-care template, read, checked and published in one go.

A council publisher fills in the template (one row per contract on its Contracts sheet, with the contracts'
targets, monthly figures, reviews and documents on the other sheets) and uploads it. Every problem is named by sheet
and cell. Each contract is then compared with what is published (new, changed or unchanged, and what changes), and
Publish stores one release per new or changed contract, all in one transaction: if one is refused, none is stored.
Uploading the same sheet again publishes nothing.

Identity and permission come only from the account or token (decision 0025). The About the publisher sheet is not
read: the publisher is the signed-in organisation. Every contract's buyer must be that organisation (by its register
and number on the Organisations sheet), and its party in the release is the account's, not the sheet's. A contract
ID that is the full Open Contracting ID of a process already here must be one the organisation buys; any other
contract ID is the organisation's own reference, made into an ocid under the site's prefix and the organisation's
identifier, so the same reference always names the same contract and no one else's.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from opencare.ocds.merge import compile_releases
from opencare.ocds.spreadsheets.care_layout import CONTRACTS_SHEET
from opencare.ocds.spreadsheets.errors import SpreadsheetError
from opencare.ocds.spreadsheets.source_map import SourceMap
from opencare.publishing.documents import UploadRefused
from opencare.publishing.models import Publisher
from opencare.publishing.monthly_figures import SheetProblem, SheetRefused
from opencare.publishing.permissions import Side, sides_in_process
from opencare.publishing.services import (
    NotAllowed,
    Published,
    PublishRefused,
    ReleaseIdTaken,
    errors_added,
    party_of,
    record,
    store_reviewed,
)
from opencare.registry.selectors import process_by_ocid, process_releases

DRAFT_KIND = "publish-contracts-spreadsheet"
#: How many contracts one upload may hold: more is split into several files.
MAX_CONTRACTS = 1000
#: A contract ID the organisation makes up: letters, digits and . _ / - (it becomes part of the contract's ocid).
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
#: What changes in a contract's compiled release, in words: the first whose fields the changed path passes through.
CHANGE_WORDS = (
    ("organisations' details", ("parties",)),
    ("targets, price or pay", ("agreedMetrics",)),
    ("monthly figures", ("metrics",)),
    ("reviews", ("milestones",)),
    ("documents", ("documents",)),
    ("type of service", ("items",)),
    ("value", ("value",)),
    ("dates", ("period", "contractPeriod", "dateSigned", "date")),
    ("title", ("title",)),
    ("lot", ("lots", "relatedLots")),
)
UPDATE_TAGS = {
    "tender": "tenderUpdate",
    "award": "awardUpdate",
    "contract": "contractUpdate",
    "implementation": "implementationUpdate",
}


@dataclass(frozen=True)
class PlannedContract:
    """One contract of the sheet and what publishing it would do."""

    ocid: str
    reference: str  # the Contract ID as written in the sheet
    row: int  # its row on the Contracts sheet
    title: str
    status: str  # "new", "changed" or "unchanged"
    changes: tuple[str, ...]  # for a changed contract: what changes, in words
    release: dict[str, Any]
    errors: tuple[dict[str, Any], ...] = ()  # review errors the release would add: it cannot be published then

    @property
    def cell(self) -> str:
        """The contract's first cell, to name it in messages."""
        return f"{CONTRACTS_SHEET}!A{self.row}"


# --- Reading the sheet ------------------------------------------------------------------------------------------


def ocid_prefix(publisher: Publisher) -> str:
    """The prefix of the ocids of contracts the organisation names by its own reference: site prefix and party id."""
    return f"{settings.OPENCARE_OCID_PREFIX}-{publisher.party_id}"


def read_contracts(
    data: bytes, name: str, publisher: Publisher
) -> tuple[list[dict[str, Any]], dict[str, int], dict[str, Any]]:
    """The releases of a filled template (one per contract row), each one's row on the Contracts sheet, and where
    each of their values came from (a SourceMap's places and columns, as JSON, for plan_contracts' ``cells``).

    Raises UploadRefused for a file that is not the template, SheetRefused listing every problem by sheet and cell.
    """
    if len(data) > settings.OPENCARE_PUBLISH_SPREADSHEET_MAX_BYTES:
        limit = settings.OPENCARE_PUBLISH_SPREADSHEET_MAX_BYTES // 1_000_000
        raise UploadRefused(
            f"The spreadsheet is larger than {limit} MB. Split your contracts into several files.", status=413
        )
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".ods", ".zip"):
        raise UploadRefused(
            f"'{name}' is not an Excel (.xlsx) or OpenDocument (.ods) file, or a zip of the template's CSV files. "
            "Download the social care template, fill it in and save it as .xlsx or .ods."
        )
    # Imported when needed: the template's reader brings openpyxl, slow to import, into every process otherwise.
    from opencare.ocds.spreadsheets.care_template import TemplateProblems, is_care_template, read_care_template
    from opencare.ocds.spreadsheets.care_template_places import template_places

    with tempfile.TemporaryDirectory(prefix="opencare-contracts-") as folder:
        path = Path(folder) / f"contracts{suffix}"
        path.write_bytes(data)
        if not is_care_template(path):
            raise UploadRefused(
                "This file is not the social care template: it needs the sheets About the publisher, Contracts and "
                "Organisations. Download the template from this page and copy your contracts into it."
            )
        try:
            filled = read_care_template(path, about=_about(publisher))
        except TemplateProblems as problems:
            raise SheetRefused([SheetProblem(f"{p.sheet}!{p.cell}", p.message) for p in problems.problems]) from None
        except SpreadsheetError as error:
            if error.sheet:
                raise SheetRefused([SheetProblem(f"{error.sheet}!{error.cell or 'A1'}", str(error))]) from None
            raise UploadRefused(str(error)) from None
    releases = filled.package["releases"]
    if len(releases) > MAX_CONTRACTS:
        raise SheetRefused(
            [
                SheetProblem(
                    f"{CONTRACTS_SHEET}!A{max(filled.contract_rows.values())}",
                    f"the sheet has {len(releases)} contracts; one file can hold at most {MAX_CONTRACTS}. Split "
                    "them into several files.",
                )
            ]
        )
    places = template_places(filled.package, filled.reader)
    return releases, filled.contract_rows, {"places": places.places, "columns": places.columns}


def _about(publisher: Publisher) -> dict[str, str]:
    """The About the publisher answers, from the account: the sheet's own answers are never read."""
    return {
        "publisher_name": publisher.name,
        "publisher_scheme": publisher.scheme,
        "publisher_uid": publisher.identifier,
        "uri": settings.OPENCARE_SITE_URL.rstrip("/") + f"/publish/organisations/{publisher.pk}/",
        "license": settings.OPENCARE_PUBLISHED_LICENCE_URL,
        "ocid_prefix": ocid_prefix(publisher),
    }


# --- What would be published ------------------------------------------------------------------------------------


def plan_contracts(
    publisher: Publisher,
    releases: list[dict[str, Any]],
    rows: dict[str, int],
    *,
    review: bool = True,
    cells: dict[str, Any] | None = None,
) -> list[PlannedContract]:
    """Each contract of the sheet as new, changed or unchanged against what is published, in the sheet's order;
    raises SheetRefused naming the cell of every contract the organisation may not publish.

    ``review``: also find the errors each new or changed release would add (a review per contract, the slow part;
    publishing reviews each release again, in the transaction that stores it). ``cells``, from read_contracts,
    names the sheet and cell of each error (its ``cell``)."""
    plans: list[PlannedContract] = []
    problems: list[SheetProblem] = []
    source_map = SourceMap(places={k: [tuple(p) for p in v] for k, v in (cells or {}).get("places", {}).items()},
                           columns=(cells or {}).get("columns", {}))  # fmt: skip
    source_map.sheets = list(source_map.columns)
    position = {id(release): index for index, release in enumerate(releases)}
    for release in sorted(releases, key=lambda r: rows.get(str(r.get("ocid")), 0)):
        index = position[id(release)]
        ocid = str(release["ocid"])
        row = rows.get(ocid, 0)
        reference = ocid.removeprefix(ocid_prefix(publisher) + "-")
        problem = _reference_problem(reference, ocid, publisher) or _buyer_problem(release, publisher)
        if problem:
            problems.append(SheetProblem(problem[0].format(row=row), problem[1]))
            continue
        where = _Places(source_map, index) if review else None
        planned = _plan_one(publisher, _as_own_buyer(release, publisher), reference, row, where)
        if isinstance(planned, SheetProblem):
            problems.append(planned)
        else:
            plans.append(planned)
    if problems:
        raise SheetRefused(problems)
    return plans


def _reference_problem(reference: str, ocid: str, publisher: Publisher) -> tuple[str, str] | None:
    cell = f"{CONTRACTS_SHEET}!A{{row}}"
    if reference == ocid:  # a full ocid: a process already here
        if process_by_ocid(ocid=ocid) is None:
            return cell, (
                f"no contract with the Open Contracting ID {ocid} is published here. To add a new contract, give "
                "it your own reference instead, for example HC-2026-001."
            )
        if Side.BUYER not in sides_in_process(publisher, ocid):
            return cell, (
                f"the contract {ocid} is not one {publisher.name} buys, so you cannot publish it. Check the "
                "contract ID."
            )
        return None
    if not REFERENCE_RE.fullmatch(reference):
        return cell, (
            f"the contract ID '{reference[:60]}' can have only letters, digits and the signs . _ / - (no spaces), "
            "and at most 100 of them. For example: HC-2026-001."
        )
    return None


def _buyer_problem(release: dict[str, Any], publisher: Publisher) -> tuple[str, str] | None:
    buyer = release.get("buyer") or {}
    if str(buyer.get("id", "")).lower() == publisher.party_id.lower():
        return None
    party = next((p for p in release.get("parties") or [] if p.get("id") == buyer.get("id")), {})
    identifier = party.get("identifier") or {}
    return f"{CONTRACTS_SHEET}!C{{row}}", (
        f"{buyer.get('name', 'this buyer')} ({identifier.get('scheme', '')} {identifier.get('id', '')}) is not "
        f"{publisher.name}. You are publishing for {publisher.name}, so each contract's buyer must be it: on the "
        f"Organisations sheet give it the register {publisher.scheme} and the number {publisher.identifier}."
    )


def _as_own_buyer(release: dict[str, Any], publisher: Publisher) -> dict[str, Any]:
    """The release with the buyer as the account describes the organisation (the sheet may spell it otherwise): its
    party, and every reference to it (the release's buyer, each award's buyer)."""
    own = party_of(publisher)
    buyer_id = str(release["buyer"]["id"])

    def restated(value: Any) -> Any:
        if isinstance(value, list):
            return [restated(item) for item in value]
        if not isinstance(value, dict):
            return value
        if value.get("id") == buyer_id and "roles" in value:
            return own.as_party(list(value.get("roles") or ["buyer"]))
        if value.get("id") == buyer_id and set(value) <= {"id", "name"}:
            return own.reference()
        return {key: restated(item) for key, item in value.items()}

    return restated(release)


def _plan_one(
    publisher: Publisher, release: dict[str, Any], reference: str, row: int, where: _Places | None
) -> PlannedContract | SheetProblem:
    ocid = str(release["ocid"])
    title = str(release.get("title") or reference)
    process = process_by_ocid(ocid=ocid)
    if process is None:
        return PlannedContract(ocid, reference, row, title, "new", (), release, _errors(ocid, release, where, 0))
    if Side.BUYER not in sides_in_process(publisher, ocid):
        return SheetProblem(
            f"{CONTRACTS_SHEET}!A{row}",
            f"the contract ID {reference} is taken by a contract {publisher.name} does not buy. Give it another ID.",
        )
    stored = [stored.data for stored in process_releases(ocid=ocid)]
    compiled = compile_releases(stored)
    release = _same_ids(release, compiled)
    if release is None:
        return SheetProblem(
            f"{CONTRACTS_SHEET}!A{row}",
            "this contracting process has several contracts, so it cannot be updated from one row. Update it with "
            "the website's forms.",
        )
    release = release | {"tag": [UPDATE_TAGS.get(tag, tag) for tag in release.get("tag") or []]}
    after = compile_releases([*stored, release])
    changes = _changes(compiled, after)
    if not changes:
        return PlannedContract(ocid, reference, row, title, "unchanged", (), release)
    errors = _errors(ocid, release, where, len(stored))
    return PlannedContract(ocid, reference, row, title, "changed", changes, release, errors)


def _same_ids(release: dict[str, Any], compiled: dict[str, Any]) -> dict[str, Any] | None:
    """The release with its award and contract under the ids the process already gives them (the template writes
    award-1 and contract-1; the forms may have used others); None if the process has several contracts."""
    contracts = [c for c in compiled.get("contracts") or [] if isinstance(c, dict)]
    if len(contracts) > 1:
        return None
    if not contracts:
        return release
    contract_id, award_id = str(contracts[0].get("id")), str(contracts[0].get("awardID") or "award-1")
    release = dict(release)
    release["awards"] = [award | {"id": award_id} for award in release.get("awards") or []]
    release["contracts"] = [
        contract | {"id": contract_id, "awardID": award_id} for contract in release.get("contracts") or []
    ]
    return release


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """What differs between two compiled releases, in words (empty if only their ids, dates and tags do)."""
    found = {_words_for(path) for path in _differing_paths(_content(before), _content(after), ())}
    order = [words for words, _ in CHANGE_WORDS] + ["other details"]
    return tuple(sorted(found, key=order.index))


def _words_for(path: tuple[str, ...]) -> str:
    return next((words for words, fields in CHANGE_WORDS if set(path) & set(fields)), "other details")


def _content(compiled: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in compiled.items() if key not in ("id", "date", "tag")}


def _differing_paths(before: Any, after: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The paths (object keys only: list positions are left out) where two JSON values differ."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        return [p for key in before.keys() | after.keys() for p in _differing_paths(before.get(key), after.get(key),
                                                                                     (*path, key))]  # fmt: skip
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [p for old, new in zip(before, after, strict=True) for p in _differing_paths(old, new, path)]
    return [path or ("",)]


@dataclass(frozen=True)
class _Places:
    """Where the values of one release of the sheet came from: its place in the package read, and that package's
    SourceMap."""

    source_map: SourceMap
    index: int

    def cell(self, pointer: str, stored: int) -> str:
        """'Sheet!Cell' of a pointer into the reviewed releases (the process's ``stored`` ones, then this one)."""
        prefix = f"/releases/{stored}"
        if pointer != prefix and not pointer.startswith(prefix + "/"):
            return ""
        places = self.source_map.locate(f"/releases/{self.index}{pointer[len(prefix) :]}")
        return f"{places[0][0]}!{places[0][1]}" if places else ""


def _errors(ocid: str, release: dict[str, Any], where: _Places | None, stored: int) -> tuple[dict[str, Any], ...]:
    """The review errors the release adds, each with the ``cell`` of its first example in this release."""
    if where is None:
        return ()
    found = []
    for finding in errors_added(ocid, release):
        cells = [where.cell(str(example.get("pointer") or ""), stored) for example in finding.get("examples") or []]
        found.append(finding | {"cell": next((cell for cell in cells if cell), "")})
    return tuple(found)


# --- Publishing -------------------------------------------------------------------------------------------------


class ContractsRefused(Exception):
    """One contract's release was refused, so nothing was published; names the contract, its row and why."""

    def __init__(self, planned: PlannedContract, reason: str, findings: list[dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.planned = planned
        self.findings = findings or []


def publish_contracts(
    *,
    user: AbstractBaseUser | None,
    publisher: Publisher,
    plans: list[PlannedContract],
    via: str = "web",
    filename: str = "",
) -> list[Published]:
    """One release per new or changed contract, all in one transaction: if one is refused none is stored
    (ContractsRefused), and the refusal is logged. Unchanged contracts publish nothing."""
    published: list[Published] = []
    now = timezone.now()
    try:
        with transaction.atomic():
            for planned in plans:
                if planned.status == "unchanged":
                    continue
                release = planned.release | {"id": _release_id(planned, now), "date": f"{now:%Y-%m-%dT%H:%M:%SZ}"}
                action = "create-process" if planned.status == "new" else "update-process"
                try:
                    published.append(
                        store_reviewed(
                            user=user,
                            publisher=publisher,
                            action=action,
                            release=release,
                            via=via,
                            detail={"spreadsheet": filename[:200], "row": planned.row},
                        )
                    )
                except (NotAllowed, ReleaseIdTaken) as error:
                    raise ContractsRefused(planned, str(error)) from error
                except PublishRefused as error:
                    raise ContractsRefused(
                        planned, "it would add errors to the contract's data.", error.findings
                    ) from error
    except ContractsRefused as refused:
        record(
            user=user,
            publisher=publisher,
            action=f"refused:{DRAFT_KIND}",
            via=via,
            ocid=refused.planned.ocid,
            row=refused.planned.row,
            reason=str(refused),
        )
        raise
    return published


def _release_id(planned: PlannedContract, now: Any) -> str:
    content = {key: value for key, value in planned.release.items() if key not in ("id", "date")}
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:10]
    return f"spreadsheet-{now:%Y%m%dT%H%M%S}-{digest}-{secrets.token_hex(2)}"
