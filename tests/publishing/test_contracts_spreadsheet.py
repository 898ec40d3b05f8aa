"""A council's contracts published from one social-care template (issue 18): upload, check your answers per
contract (new, changed, unchanged, with every problem by sheet and cell), publish one release per new or changed
contract, all or nothing; the same sheet again publishes nothing. Identity and permission come from the account
only (decision 0025): the sheet's About the publisher answers and its buyer's name are never trusted."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.builders.accounts import user
from tests.builders.care_template import filled_template
from tests.builders.organisations import member, organisation

from opencare.publishing import contracts_spreadsheet as sheet
from opencare.publishing.models import AuditEntry, Draft, Membership, Publisher
from opencare.registry.models import Process, Release

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(db):
    """Borsetdale Council (GB-LAE BDL, as the filled template names its buyer), with a publisher signed in."""
    return organisation("Borsetdale Council", identifier="BDL")


@pytest.fixture
def officer(client, council):
    person = user("officer")
    member(person, council)
    client.force_login(person)
    return client


def _upload(client, council: Publisher, path: Path, name: str = "contracts.xlsx"):
    url = reverse("publishing:contracts_spreadsheet", args=[council.pk])
    return client.post(url, {"spreadsheet": SimpleUploadedFile(name, path.read_bytes())})


def _check_url(council: Publisher) -> str:
    return reverse("publishing:contracts_spreadsheet_check", args=[council.pk])


def _statuses(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-status="')[1:]]


def _page(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_forty_contracts_are_checked_then_published_one_release_each_and_the_same_sheet_again_publishes_nothing(
    officer, council, tmp_path
):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=40)

    response = _upload(officer, council, path)
    assert response.status_code == 302
    assert response["Location"] == _check_url(council)
    check = officer.get(_check_url(council))
    assert check.status_code == 200
    assert _statuses(check) == ["new"] * 40
    assert "40 new, 0 changed and 0 unchanged" in _page(check)
    assert Release.objects.count() == 0  # nothing is published before Publish

    published = officer.post(_check_url(council))
    assert published.status_code == 302
    assert Process.objects.count() == 40
    assert Release.objects.count() == 40
    ocids = set(Process.objects.values_list("ocid", flat=True))
    assert "ocds-opncar-GB-LAE-BDL-HC-001" in ocids
    assert "ocds-opncar-GB-LAE-BDL-HC-040" in ocids
    assert not Draft.objects.filter(kind=sheet.DRAFT_KIND).exists()

    again = _upload(officer, council, path)
    assert again.status_code == 302
    check_again = officer.get(_check_url(council))
    assert _statuses(check_again) == ["unchanged"] * 40
    assert "Nothing new to publish" in _page(check_again)
    officer.post(_check_url(council))
    assert Release.objects.count() == 40


def test_a_changed_row_publishes_one_update_for_its_contract_and_says_what_changes(officer, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=3)
    _upload(officer, council, path)
    officer.post(_check_url(council))
    workbook = openpyxl.load_workbook(path)
    workbook["Contracts"]["I5"] = 9_999_999  # the second contract's value
    workbook["Monthly figures"].append(["HC-002", "Visits on time", "June 2026", 91])
    workbook.save(path)

    _upload(officer, council, path)
    check = officer.get(_check_url(council))
    assert _statuses(check) == ["unchanged", "changed", "unchanged"]
    changes = _page(check).split('data-reference="HC-002"')[1].split("</tr>")[0]
    assert "Monthly figures, value</td>" in changes
    officer.post(_check_url(council))

    changed = Process.objects.get(ocid="ocds-opncar-GB-LAE-BDL-HC-002")
    releases = list(Release.objects.filter(ocid=changed.ocid).order_by("date"))
    assert len(releases) == 2
    assert set(releases[1].tags) == {"tenderUpdate", "awardUpdate", "contractUpdate", "implementationUpdate"}
    assert changed.compiled_release["contracts"][0]["value"]["amount"] == 9_999_999
    assert Release.objects.count() == 4


def test_the_publisher_comes_from_the_account_not_from_the_about_sheet_or_the_buyers_name(officer, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=1)
    workbook = openpyxl.load_workbook(path)
    workbook["About the publisher"]["B2"] = "Somebody Else Council"
    workbook["About the publisher"]["B9"] = "not a prefix"  # never read, so not a problem either
    workbook["Organisations"]["A4"] = "Borsetdale Cncl"
    workbook["Contracts"]["C4"] = "Borsetdale Cncl"
    workbook.save(path)

    assert _upload(officer, council, path).status_code == 302
    officer.post(_check_url(council))

    process = Process.objects.get()
    buyer = process.compiled_release["buyer"]
    assert buyer == {"id": "GB-LAE-BDL", "name": "Borsetdale Council"}
    names = {party["name"] for party in process.compiled_release["parties"]}
    assert process.compiled_release["awards"][0]["buyer"] == {"id": "GB-LAE-BDL", "name": "Borsetdale Council"}
    assert "Borsetdale Cncl" not in names
    assert "Somebody Else Council" not in names
    assert AuditEntry.objects.filter(action="create-process", publisher=council, ocid=process.ocid).exists()


def test_a_contract_bought_by_another_council_is_refused_naming_its_buyer_cell_and_nothing_is_published(
    officer, council, tmp_path
):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=2)
    workbook = openpyxl.load_workbook(path)
    workbook["Organisations"].append(["Wendmoor Council", "GB-LAE", "WND", "Buyer"])
    workbook["Contracts"]["C5"] = "Wendmoor Council"
    workbook.save(path)

    response = _upload(officer, council, path)

    assert response.status_code == 400
    assert "Contracts!C5: Wendmoor Council (GB-LAE WND) is not Borsetdale Council" in _page(response)
    assert "Nothing was published" in _page(response)
    assert Release.objects.count() == 0
    assert not Draft.objects.exists()


def test_a_full_ocid_of_another_councils_contract_is_refused_naming_its_cell(officer, council, tmp_path):
    other = organisation("Wendmoor Council", identifier="WND")
    other_officer = user("wendmoor")
    member(other_officer, other)
    from django.test import Client

    theirs = Client()
    theirs.force_login(other_officer)
    their_path = filled_template(tmp_path / "theirs.xlsx", contracts=1)
    workbook = openpyxl.load_workbook(their_path)
    workbook["Organisations"]["B4"] = "GB-LAE"
    workbook["Organisations"]["C4"] = "WND"
    workbook.save(their_path)
    assert _upload(theirs, other, their_path).status_code == 302
    theirs.post(_check_url(other))
    their_ocid = Process.objects.get().ocid

    path = filled_template(tmp_path / "mine.xlsx", contracts=1)
    workbook = openpyxl.load_workbook(path)
    for sheet_name in ("Contracts", "Targets", "Monthly figures", "Reviews", "Documents"):
        for row in workbook[sheet_name].iter_rows(min_row=4):
            if row[0].value == "HC-001":
                row[0].value = their_ocid
    workbook.save(path)

    response = _upload(officer, council, path)

    assert response.status_code == 400
    assert f"Contracts!A4: the contract {their_ocid} is not one Borsetdale Council buys" in _page(response)
    assert Release.objects.count() == 1


def test_a_template_with_cell_problems_lists_each_by_sheet_and_cell_and_publishes_nothing(officer, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=2)
    workbook = openpyxl.load_workbook(path)
    workbook["Contracts"]["F5"] = "31/02/2026"
    workbook["Targets"]["C5"] = "ninety"
    workbook.save(path)

    response = _upload(officer, council, path)

    page = _page(response)
    assert response.status_code == 400
    assert "Contracts!F5" in page
    assert "Targets!C5" in page
    assert Release.objects.count() == 0
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("contracts.csv", b"a,b\n1,2\n", "is not an Excel (.xlsx) or OpenDocument (.ods) file"),
        ("contracts.xlsx", b"not a workbook", "not the social care template"),
    ],
)
def test_a_file_that_is_not_the_template_gets_a_clear_message(officer, council, name, content, expected, tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(content)

    response = _upload(officer, council, path, name)

    assert response.status_code == 400
    assert expected in _page(response)


def test_a_spreadsheet_that_is_not_the_care_template_is_refused(officer, council, tmp_path):
    path = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Hello"])
    workbook.save(path)

    response = _upload(officer, council, path)

    assert response.status_code == 400
    assert "not the social care template" in _page(response)


def test_a_contract_id_with_spaces_is_refused_because_it_becomes_the_contracts_ocid(officer, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=1)
    workbook = openpyxl.load_workbook(path)
    for sheet_name in ("Contracts", "Targets", "Monthly figures", "Reviews", "Documents"):
        for row in workbook[sheet_name].iter_rows(min_row=4):
            if row[0].value == "HC-001":
                row[0].value = "HC 001"
    workbook.save(path)

    response = _upload(officer, council, path)

    assert response.status_code == 400
    assert "Contracts!A4: the contract ID 'HC 001' can have only letters, digits" in _page(response)


@pytest.mark.parametrize("who", ["provider", "viewer", "stranger"])
def test_only_a_councils_publishers_may_publish_contracts_from_a_spreadsheet(client, council, who, tmp_path):
    if who == "provider":
        target = organisation("Kind Hands Care", kind=Publisher.Kind.PROVIDER, scheme="GB-COH", identifier="0123")
        member(user("carer"), target)
        client.force_login(target.memberships.get().user)
    else:
        target = council
        person = user(who)
        if who == "viewer":
            member(person, council, role=Membership.Role.VIEWER)
        client.force_login(person)
    path = filled_template(tmp_path / "contracts.xlsx", contracts=1)

    assert client.get(reverse("publishing:contracts_spreadsheet", args=[target.pk])).status_code == 403
    assert _upload(client, target, path).status_code == 403
    assert client.post(_check_url(target)).status_code == 403
    assert Release.objects.count() == 0


def test_if_one_contract_is_refused_at_publishing_none_is_published(officer, council, tmp_path, monkeypatch):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=3)
    _upload(officer, council, path)
    real = sheet.store_reviewed
    calls = []

    def refuse_the_third(**kwargs):
        calls.append(kwargs["release"]["ocid"])
        if len(calls) == 3:
            raise sheet.NotAllowed("Refused for the test.")
        return real(**kwargs)

    monkeypatch.setattr(sheet, "store_reviewed", refuse_the_third)

    response = officer.post(_check_url(council))

    assert response.status_code == 400
    assert "Nothing was published" in _page(response)
    assert "Contracts!A6" in _page(response)
    assert Release.objects.count() == 0
    assert Process.objects.count() == 0
    assert AuditEntry.objects.filter(action=f"refused:{sheet.DRAFT_KIND}").count() == 1


# --- The API ----------------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _token(council: Publisher, scopes: list[str] | None = None) -> str:
    from opencare.publishing.models import ApiToken
    from opencare.publishing.tokens import create_token

    person = user(f"system-{council.pk}")
    member(person, council)
    _, text = create_token(user=person, publisher=council, name="contracts system",
                           scopes=scopes or [ApiToken.Scope.RELEASES])  # fmt: skip
    return text


def _post(client, token: str, path: Path, *, query: str = "", content_type: str = XLSX):
    return client.post(
        f"/api/publish/contracts-spreadsheet{query}",
        path.read_bytes(),
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_checks_then_publishes_the_contracts_and_the_same_file_again_publishes_nothing(
    client, council, tmp_path
):
    token = _token(council)
    path = filled_template(tmp_path / "contracts.xlsx", contracts=3)

    checked = _post(client, token, path, query="?check=true")
    assert checked.status_code == 200
    assert checked.json()["published"] == 0
    assert [c["status"] for c in checked.json()["contracts"]] == ["new", "new", "new"]
    assert Release.objects.count() == 0

    published = _post(client, token, path)
    assert published.status_code == 201
    assert published.json()["published"] == 3
    assert published.json()["contracts"][0] == {
        "ocid": "ocds-opncar-GB-LAE-BDL-HC-001", "contract_id": "HC-001", "row": 4, "status": "new", "changes": [],
    }  # fmt: skip
    assert Release.objects.count() == 3
    assert AuditEntry.objects.filter(via="api:contracts system", action="create-process").count() == 3

    again = _post(client, token, path)
    assert again.status_code == 200
    assert again.json()["published"] == 0
    assert {c["status"] for c in again.json()["contracts"]} == {"unchanged"}
    assert Release.objects.count() == 3


def test_the_api_names_every_problem_by_sheet_and_cell_and_publishes_nothing(client, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=2)
    workbook = openpyxl.load_workbook(path)
    workbook["Contracts"]["F5"] = "31/02/2026"
    workbook.save(path)

    response = _post(client, _token(council), path)

    assert response.status_code == 400
    assert [p["cell"] for p in response.json()["problems"]] == ["Contracts!F5"]
    assert Release.objects.count() == 0


def test_the_api_refuses_a_sheet_whose_buyer_is_not_the_tokens_organisation(client, council, tmp_path):
    wendmoor = organisation("Wendmoor Council", identifier="WND")
    path = filled_template(tmp_path / "contracts.xlsx", contracts=1)  # its buyer is Borsetdale (GB-LAE BDL)

    response = _post(client, _token(wendmoor), path)

    assert response.status_code == 400
    assert response.json()["problems"][0]["cell"] == "Contracts!C4"
    assert "is not Wendmoor Council" in response.json()["problems"][0]["problem"]
    assert Release.objects.count() == 0


def test_the_api_refuses_a_token_without_the_releases_scope_and_a_body_that_is_not_a_spreadsheet(
    client, council, tmp_path
):
    from opencare.publishing.models import ApiToken

    path = filled_template(tmp_path / "contracts.xlsx", contracts=1)

    actuals_only = _post(client, _token(council, [ApiToken.Scope.ACTUALS]), path)
    as_json = _post(client, _token(organisation("Other", identifier="OTH")), path, content_type="application/json")

    assert actuals_only.status_code == 403
    assert "releases" in actuals_only.json()["detail"]
    assert as_json.status_code == 400
    assert "Content-Type" in as_json.json()["detail"]
    assert Release.objects.count() == 0


def test_the_template_saved_as_ods_publishes_the_same_contracts(officer, council, tmp_path):
    from opencare.ocds.spreadsheets.care_template import care_template_to_package, package_to_care_template

    package = care_template_to_package(filled_template(tmp_path / "contracts.xlsx", contracts=2))
    package_to_care_template(package, tmp_path / "contracts.ods", "ods")

    response = _upload(officer, council, tmp_path / "contracts.ods", "contracts.ods")
    assert response.status_code == 302
    assert _statuses(officer.get(_check_url(council))) == ["new", "new"]
    officer.post(_check_url(council))

    assert set(Process.objects.values_list("ocid", flat=True)) == {
        "ocds-opncar-GB-LAE-BDL-HC-001",
        "ocds-opncar-GB-LAE-BDL-HC-002",
    }


def test_a_contract_that_would_add_errors_is_shown_with_its_row_and_nothing_can_be_published(
    officer, council, tmp_path
):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=3)
    workbook = openpyxl.load_workbook(path)
    workbook["Reviews"]["B6"] = "1/1/2031"  # the third contract's review, held in the future
    workbook.save(path)
    assert _upload(officer, council, path).status_code == 302

    check = officer.get(_check_url(council))
    page = _page(check)

    assert "1 contract would add errors to the published data" in page
    assert "Reviews!B6 (Home care, area 3): <strong>A milestone" in page
    assert ">Publish</button>" not in page
    refused = officer.post(_check_url(council))
    assert refused.status_code == 400
    assert "Nothing was published" in _page(refused)
    assert Release.objects.count() == 0


def test_the_api_names_the_cell_of_an_error_the_data_would_gain_and_publishes_nothing(client, council, tmp_path):
    path = filled_template(tmp_path / "contracts.xlsx", contracts=3)
    workbook = openpyxl.load_workbook(path)
    workbook["Reviews"]["B6"] = "1/1/2031"
    workbook.save(path)

    response = _post(client, _token(council), path)

    assert response.status_code == 400
    assert response.json()["problems"][0]["cell"] == "Reviews!B6"
    assert response.json()["problems"][0]["problem"].startswith("A milestone (such as an interim review)")
    assert Release.objects.count() == 0


def test_the_template_as_csv_files_in_a_zip_publishes_the_same_contracts(officer, council, tmp_path):
    from opencare.ocds.spreadsheets.care_template import care_template_to_package, package_to_care_template

    package = care_template_to_package(filled_template(tmp_path / "contracts.xlsx", contracts=2))
    package_to_care_template(package, tmp_path / "contracts.zip", "csv")

    response = _upload(officer, council, tmp_path / "contracts.zip", "contracts.zip")
    assert response.status_code == 302
    assert _statuses(officer.get(_check_url(council))) == ["new", "new"]
