"""Providers' monthly figures from one spreadsheet (issue 18): the actuals template, reading it with every problem
named by sheet and cell, checking new, changed and unchanged figures per contract, and publishing all or nothing,
with identity and permission from the account only (decision 0025)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.builders.processes import WENDMOOR, stored_borsetdale

from opencare.publishing import monthly_figures as figures
from opencare.publishing.models import AuditEntry, Draft, Publisher
from opencare.registry.models import Process, Release

from .conftest import signed_in

pytestmark = pytest.mark.django_db

HOURS = "Hours of care delivered"


def _template(client, publisher) -> Workbook:
    response = client.get(reverse("publishing:actuals_template", args=[publisher.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def _contract_label(workbook: Workbook) -> str:
    return workbook["Instructions"]["A14"].value


def _filled(workbook: Workbook, *rows: list) -> Workbook:
    for row in rows:
        workbook["Monthly figures"].append(row)
    return workbook


def _upload(client, publisher, workbook: Workbook, name: str = "figures.xlsx"):
    out = io.BytesIO()
    workbook.save(out)
    url = reverse("publishing:monthly_figures", args=[publisher.pk])
    return client.post(url, {"spreadsheet": SimpleUploadedFile(name, out.getvalue())})


def _problems(response) -> str:
    assert response.status_code == 400
    return response.content.decode().replace("&#x27;", "'")


# --- The template -----------------------------------------------------------------------------------------------


def test_the_actuals_template_has_a_figures_sheet_with_drop_downs_of_the_providers_contracts_and_measures(
    client, demo_publishing
):
    provider = demo_publishing["provider"]
    workbook = _template(signed_in(client, "provider"), provider)

    assert workbook.sheetnames == ["Monthly figures", "Instructions"]
    assert all(sheet.sheet_state == "visible" for sheet in workbook.worksheets)
    sheet = workbook["Monthly figures"]
    assert [cell.value for cell in sheet[1]] == ["Contract", "Measure", "Month", "Figure", "Notes"]
    assert sheet["A2"].value.startswith("Choose")  # the hint row
    assert sheet["A3"].value.startswith("Example (not read):")  # the example row
    assert sheet.max_row == 3  # figures are added from row 4, even by openpyxl's append

    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    contracts, measures = validations["A4:A5003"], validations["B4:B5003"]
    assert contracts.type == measures.type == "list"
    assert contracts.showErrorMessage
    assert measures.showErrorMessage
    assert validations["D4:D5003"].type == "decimal"

    instructions = workbook["Instructions"]

    def listed(formula: str) -> list[str]:
        first, last = formula.removeprefix("=Instructions!").replace("$", "").split(":")
        return [row[0].value for row in instructions[first:last]]

    assert listed(contracts.formula1) == [_contract_label(workbook)]
    assert "Moorside" in _contract_label(workbook)
    assert "Borsetdale Council" in _contract_label(workbook)
    assert listed(measures.formula1) == [
        "Missed visits",
        "Visits on time",
        "Visits from familiar care workers",
        "Price per hour of care",
        "Care worker pay per hour",
        HOURS,
    ]


def test_the_publishing_page_of_a_provider_offers_the_template_and_the_upload(client, demo_publishing):
    provider = demo_publishing["provider"]
    page = signed_in(client, "provider").get(reverse("publishing:organisation", args=[provider.pk])).content.decode()
    assert reverse("publishing:actuals_template", args=[provider.pk]) in page
    assert reverse("publishing:monthly_figures", args=[provider.pk]) in page


# --- Publishing -------------------------------------------------------------------------------------------------


def test_hours_delivered_uploaded_from_the_template_appear_on_the_public_contract_page(client, demo_publishing):
    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    label = _contract_label(workbook)
    _filled(
        workbook,
        [label, HOURS, "April 2026", 4321.5, "From electronic call monitoring"],
        [label, "Missed visits", "04/2026", "2.5%", ""],
    )
    releases = Release.objects.filter(ocid=ocid).count()

    response = _upload(client, provider, workbook)
    assert response.status_code == 302
    check = client.get(response["Location"]).content.decode()
    assert check.count("New") >= 2
    assert "April 2026" in check
    assert "4321.5" in check

    published = client.post(response["Location"])
    assert published.status_code == 302
    assert Release.objects.filter(ocid=ocid).count() == releases + 1
    contract = Process.objects.get(ocid=ocid).compiled_release["contracts"][0]
    hours = next(m for m in contract["implementation"]["metrics"] if m["id"] == "sc-hours-delivered")
    april = [o for o in hours["observations"] if o["period"]["startDate"].startswith("2026-04-01")]
    assert [o["measure"] for o in april] == [4321.5]
    assert april[0]["notes"] == "From electronic call monitoring"

    page = client.get(reverse("explore:contract", args=[ocid])).content.decode()
    assert "4,321.5" in page or "4321.5" in page


def test_the_same_sheet_uploaded_again_publishes_nothing(client, demo_publishing):
    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    signed_in(client, "provider")
    workbook = _filled(_template(client, provider), [None, HOURS, "May 2026", 4100, ""])
    workbook["Monthly figures"]["A4"] = _contract_label(workbook)
    first = _upload(client, provider, workbook)
    assert client.post(first["Location"]).status_code == 302
    releases = Release.objects.filter(ocid=ocid).count()

    again = _upload(client, provider, workbook)
    check = client.get(again["Location"]).content.decode()
    assert "Nothing new to publish: every figure is already published" in check
    assert "Unchanged" in check
    assert 'type="submit"' not in check.split("Check your monthly figures", 2)[-1]
    done = client.post(again["Location"], follow=True)
    assert "Nothing new to publish: every figure is already published" in done.content.decode()
    assert Release.objects.filter(ocid=ocid).count() == releases


def test_a_changed_figure_is_shown_as_changed_and_published_again(client, demo_publishing):
    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    label = _contract_label(workbook)
    first = _upload(client, provider, _filled(workbook, [label, HOURS, "June 2026", 4000, ""]))
    client.post(first["Location"])
    workbook["Monthly figures"]["D4"] = 4050

    second = _upload(client, provider, workbook)
    check = client.get(second["Location"]).content.decode()
    assert "Changed (published now: 4000)" in check
    client.post(second["Location"])
    contract = Process.objects.get(ocid=ocid).compiled_release["contracts"][0]
    hours = next(m for m in contract["implementation"]["metrics"] if m["id"] == "sc-hours-delivered")
    assert [o["measure"] for o in hours["observations"] if o["period"]["startDate"].startswith("2026-06")] == [4050]


def test_a_row_for_another_providers_contract_is_refused_naming_its_cell_and_nothing_is_published(
    client, demo_publishing
):
    stored_borsetdale(WENDMOOR)  # Kestrel Homecare's contract with Wendmoor Council
    provider = demo_publishing["provider"]
    kestrel = Publisher.objects.get(name__startswith="Kestrel")
    kestrels = _contract_label(_template(signed_in(client, "kestrel"), kestrel))
    assert "Kestrel" in kestrels
    signed_in(client, "provider")
    workbook = _template(client, provider)
    _filled(
        workbook, [_contract_label(workbook), HOURS, "April 2026", 4000, ""], [kestrels, HOURS, "April 2026", 9, ""]
    )
    before = Release.objects.count()

    page = _problems(_upload(client, provider, workbook))
    assert f"Monthly figures!A5: '{kestrels}' is not one of your organisation's contracts." in page
    assert "Nothing was published" in page
    assert Release.objects.count() == before
    assert not Draft.objects.filter(publisher=provider).exists()


def test_publishing_is_all_or_nothing_when_one_contracts_release_is_refused(demo_publishing, monkeypatch):
    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    user = get_user_model().objects.get(username="provider")
    contracts = figures.provider_contracts(provider)

    def planned(month: date, figure: int) -> list[figures.ContractPlan]:
        row = figures.FigureRow(ocid, contracts[0].contract_id, "sc-hours-delivered", month, Decimal(figure), "", 4)
        return figures.plan(provider, [row], contracts)

    calls = []
    real_publish = figures.publish

    def refuse_the_second(**kwargs):
        calls.append(kwargs["ocid"])
        if len(calls) == 2:
            raise figures.PublishRefused([{"title": "An error", "explanation": "Refused for the test."}])
        return real_publish(**kwargs)

    monkeypatch.setattr(figures, "publish", refuse_the_second)
    before = Release.objects.filter(ocid=ocid).count()
    plans = [*planned(date(2026, 7, 1), 4000), *planned(date(2026, 8, 1), 4100)]
    with pytest.raises(figures.FiguresRefused):
        figures.publish_plans(user=user, publisher=provider, plans=plans)
    assert len(calls) == 2
    assert Release.objects.filter(ocid=ocid).count() == before  # the first release was rolled back with the second
    assert AuditEntry.objects.filter(action="refused:publish-monthly-figures", publisher=provider).exists()


def test_a_measure_not_agreed_in_the_contract_is_refused_naming_its_cell(client, demo_publishing):
    provider = demo_publishing["provider"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    _filled(workbook, [_contract_label(workbook), "Number of complaints", "April 2026", 3, ""])
    page = _problems(_upload(client, provider, workbook))
    assert "Monthly figures!B4: 'Number of complaints' is not a measure agreed in the contract" in page


def _hidden_sheet(workbook: Workbook) -> None:
    workbook.create_sheet("Old figures").sheet_state = "hidden"


def _merged(workbook: Workbook) -> None:
    workbook["Monthly figures"].merge_cells("D4:E4")


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (
            lambda wb: wb["Monthly figures"].__setitem__("D4", "about 40"),
            "Monthly figures!D4: 'about 40' is not a number. Write the figure alone, like 40 or 97.5.",
        ),
        (
            lambda wb: wb["Monthly figures"].__setitem__("D4", "=B2*2"),
            "Monthly figures!D4: this cell holds a formula.",
        ),
        (_merged, "Monthly figures!D4: the cells D4:E4 are merged."),
        (
            lambda wb: wb["Monthly figures"].__setitem__("C4", "Marchuary 2026"),
            "Monthly figures!C4: 'Marchuary 2026' is not a month we can read.",
        ),
        (_hidden_sheet, "Old figures!A1: this sheet is hidden."),
    ],
    ids=["text-in-a-figure", "a-formula", "a-merged-cell", "an-unknown-month", "a-hidden-sheet"],
)
def test_a_bad_cell_is_refused_naming_its_sheet_and_cell_and_nothing_is_published(
    client, demo_publishing, spoil: Callable[[Workbook], None], expected: str
):
    provider = demo_publishing["provider"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    _filled(workbook, [_contract_label(workbook), HOURS, "March 2026", 4000, "note"])
    spoil(workbook)
    before = Release.objects.count()
    assert expected in _problems(_upload(client, provider, workbook))
    assert Release.objects.count() == before


def test_months_are_read_in_the_common_uk_forms(client, demo_publishing):
    provider = demo_publishing["provider"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    label = _contract_label(workbook)
    from datetime import datetime

    months = ["March 2026", "Feb 2026", "01/2026", "2025-12", datetime(2025, 11, 1)]
    _filled(workbook, *[[label, HOURS, month, 4000 + index, ""] for index, month in enumerate(months)])
    response = _upload(client, provider, workbook)
    assert response.status_code == 302
    rows = Draft.objects.get(publisher=provider, kind="publish-monthly-figures").answers["rows"]
    assert [row["month"] for row in rows] == ["2026-03-01", "2026-02-01", "2026-01-01", "2025-12-01", "2025-11-01"]


# --- Identity comes from the account, never from the sheet ------------------------------------------------------


def _claiming(workbook: Workbook, organisation: str, role: str) -> Workbook:
    """The sheet dressed up to claim another organisation and role: extra columns and a changed Instructions."""
    sheet = workbook["Monthly figures"]
    sheet["F1"], sheet["G1"] = "Publisher", "Role"
    for row in range(4, sheet.max_row + 1):
        sheet[f"F{row}"], sheet[f"G{row}"] = organisation, role
    workbook["Instructions"]["A1"] = f"Monthly figures for {organisation} (role: {role})"
    return workbook


def test_a_sheet_naming_the_provider_gives_another_provider_no_rights(client, demo_publishing):
    provider = demo_publishing["provider"]
    moorside = _template(signed_in(client, "provider"), provider)
    label = _contract_label(moorside)
    kestrel = Publisher.objects.get(name__startswith="Kestrel")
    signed_in(client, "kestrel")
    workbook = _claiming(
        _filled(_template(client, kestrel), [label, HOURS, "April 2026", 1, ""]), provider.name, "supplier"
    )
    before = Release.objects.count()

    assert "Monthly figures!A4:" in _problems(_upload(client, kestrel, workbook))
    # Nor may Kestrel upload on Moorside's page, whatever the sheet says.
    assert _upload(client, provider, workbook).status_code == 403
    assert Release.objects.count() == before


def test_a_sheet_claiming_a_buyer_role_gives_no_rights(client, demo_publishing):
    provider, council, ocid = demo_publishing["provider"], demo_publishing["council"], demo_publishing["shared_ocid"]
    signed_in(client, "provider")
    workbook = _template(client, provider)
    _claiming(_filled(workbook, [_contract_label(workbook), HOURS, "April 2026", 4000, ""]), council.name, "buyer")

    # The council's page is not the provider's to use, whatever the sheet says.
    assert _upload(client, council, workbook).status_code == 403
    # On its own page the figure is published as the provider's, as a supplier's implementation release only.
    response = _upload(client, provider, workbook)
    client.post(response["Location"])
    release = Release.objects.filter(ocid=ocid).order_by("-pk").first()
    assert release.tags == ["implementationUpdate"] or release.tags == ["implementation"]
    assert {tuple(p["roles"]) for p in release.data["parties"]} == {("buyer",), ("supplier",)}
    supplier = next(p for p in release.data["parties"] if p["roles"] == ["supplier"])
    assert supplier["id"] == provider.party_id
    assert AuditEntry.objects.filter(action="publish-actuals", publisher=provider, ocid=ocid).exists()
    assert not AuditEntry.objects.filter(publisher=council, action="publish-actuals").exists()
    # And the provider still cannot act as the buyer.
    targets = client.get(reverse("publishing:flow", args=[provider.pk, ocid, "set-targets"]))
    assert targets.status_code == 403


def test_the_councils_publisher_uploading_the_providers_sheet_publishes_nothing(client, demo_publishing):
    provider, council = demo_publishing["provider"], demo_publishing["council"]
    workbook = _template(signed_in(client, "provider"), provider)
    _filled(workbook, [_contract_label(workbook), HOURS, "April 2026", 4000, ""])
    _claiming(workbook, provider.name, "supplier")
    signed_in(client, "commissioner")
    before = Release.objects.count()
    page = _problems(_upload(client, council, workbook))
    assert "Monthly figures!A4:" in page
    assert "is not one of your organisation's contracts" in page
    assert Release.objects.count() == before


# --- The API ----------------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _token_of(publisher, scopes) -> str:
    from opencare.publishing.tokens import create_token

    person = publisher.memberships.first().user
    return create_token(user=person, publisher=publisher, name="care records system", scopes=scopes)[1]


def _post_figures(client, token: str, workbook: Workbook, query: str = ""):
    out = io.BytesIO()
    workbook.save(out)
    return client.post(f"/api/publish/monthly-figures{query}", out.getvalue(), content_type=XLSX,
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_a_providers_system_checks_then_publishes_the_figures_sheet_by_api_and_the_same_sheet_again_publishes_nothing(
    client, demo_publishing
):
    from opencare.publishing.models import ApiToken

    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    workbook = _template(signed_in(client, "provider"), provider)
    client.logout()
    _filled(workbook, [_contract_label(workbook), HOURS, "April 2026", 4321.5, ""])
    token = _token_of(provider, [ApiToken.Scope.ACTUALS])
    releases = Release.objects.filter(ocid=ocid).count()

    checked = _post_figures(client, token, workbook, "?check=true")
    assert checked.status_code == 200
    assert checked.json()["published"] == 0
    assert checked.json()["contracts"][0]["figures"] == [
        {"measure": "sc-hours-delivered", "month": "2026-04", "figure": "4321.5", "status": "new"}
    ]
    assert Release.objects.filter(ocid=ocid).count() == releases

    published = _post_figures(client, token, workbook)
    assert published.status_code == 201
    assert published.json()["published"] == 1
    assert Release.objects.filter(ocid=ocid).count() == releases + 1
    assert AuditEntry.objects.filter(action="publish-actuals", via="api:care records system").count() == 1

    again = _post_figures(client, token, workbook)
    assert again.status_code == 200
    assert again.json()["contracts"][0]["figures"][0]["status"] == "unchanged"
    assert Release.objects.filter(ocid=ocid).count() == releases + 1


def test_the_figures_api_names_a_bad_cell_and_refuses_a_token_without_the_actuals_scope(client, demo_publishing):
    from opencare.publishing.models import ApiToken

    provider = demo_publishing["provider"]
    workbook = _template(signed_in(client, "provider"), provider)
    client.logout()
    _filled(workbook, [_contract_label(workbook), HOURS, "April 2026", "lots", ""])
    releases = Release.objects.count()

    bad = _post_figures(client, _token_of(provider, [ApiToken.Scope.ACTUALS]), workbook)
    wrong_scope = _post_figures(client, _token_of(provider, [ApiToken.Scope.RELEASES]), workbook)

    assert bad.status_code == 400
    assert bad.json()["problems"][0]["cell"] == "Monthly figures!D4"
    assert wrong_scope.status_code == 403
    assert "actuals" in wrong_scope.json()["detail"]
    assert Release.objects.count() == releases
