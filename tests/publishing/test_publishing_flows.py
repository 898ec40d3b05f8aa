"""A commissioner and a provider publish a contract's whole story through forms and a spreadsheet; every publish
is an immutable release, reviewed first, logged, and shown on the public page."""

from __future__ import annotations

import io

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencare.ocds.review.engine import review
from opencare.publishing import services
from opencare.publishing.models import AuditEntry, Draft, StoredDocument
from opencare.registry.models import Process, Release

from .conftest import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROCESS_ANSWERS = {
    "title": "Home care in Saltmarsh (test)",
    "description": "Care and support at home for adults in Saltmarsh.",
    "service": "home-care",
    "place": "Saltmarsh",
    "value": "900000",
    "start": "2026-04-01",
    "end": "2029-03-31",
    "lots": "",
    "options": "One extension of 24 months",
    "award_criteria": "Quality 70%, price 30%",
    "spec_pages": "6-9",
    "outcomes_url": "https://borsetdale.example.org/outcomes.pdf",
    "outcomes_pages": "1",
}


def contract_answers(provider_pk: int) -> dict[str, str]:
    return {
        "provider": str(provider_pk),
        "title": "Saltmarsh home care: contract with Moorside",
        "value": "900000",
        "start": "2026-04-01",
        "end": "2029-03-31",
        "date_signed": "2026-03-10",
        "price_per_hour": "29.10",
        "worker_pay_per_hour": "13.45",
        "worker_pay_note": "At least the Real Living Wage; travel time is paid",
        "social_standards": "Real Living Wage for all working time",
        "performance_terms": "Monthly figures",
        "financial_terms": "",
        "rewards_and_penalties": "",
        "metric_1": "sc-missed-visits",
        "target_1": "2",
        "metric_2": "sc-punctuality",
        "target_2": "90",
        "metric_3": "sc-continuity-of-carer",
        "target_3": "80",
    }


def create_process(client, council) -> str:
    url = reverse("publishing:new_process", args=[council.pk])
    spec = SimpleUploadedFile("../../Service spec.pdf", PDF, content_type="text/html")
    response = client.post(url, PROCESS_ANSWERS | {"spec_file": spec})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(response["Location"])
    assert response.status_code == 302
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def publish_flow(client, publisher, ocid: str, action: str, answers: dict, contract: str = "") -> None:
    query = f"?contract={contract}" if contract else ""
    response = client.post(reverse("publishing:flow", args=[publisher.pk, ocid, action]) + query, answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    check = client.get(response["Location"])
    assert check.status_code == 200
    assert "Check your answers" in check.content.decode()
    published = client.post(response["Location"])
    assert published.status_code == 302, published.content.decode()[:3000]


@pytest.mark.django_db
def test_a_commissioner_creates_a_process_with_an_uploaded_specification(client, demo_publishing):
    council = demo_publishing["council"]
    ocid = create_process(signed_in(client, "commissioner"), council)
    process = Process.objects.get(ocid=ocid)
    assert ocid.startswith("ocds-opncar-")
    assert process.service_type == "home-care"
    assert process.is_invented  # a demo organisation's data stays labelled as invented
    release = Release.objects.get(ocid=ocid)
    assert release.tags == ["tender"]
    assert release.schema_error_count == 0
    spec = release.data["tender"]["documents"][0]
    assert (spec["pageStart"], spec["pageEnd"], spec["format"]) == ("6", "9", "application/pdf")
    stored = StoredDocument.objects.get()
    assert stored.filename == "Service spec.pdf"  # no folders from the uploaded name
    download = client.get(spec["url"].removeprefix("http://127.0.0.1:8000"))
    assert download["Content-Type"] == "application/pdf"  # ours, not the uploader's text/html
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF
    assert not Draft.objects.exists()  # the draft went when it was published
    assert AuditEntry.objects.filter(action="create-process", ocid=ocid, user__username="commissioner").exists()


@pytest.mark.django_db
def test_the_whole_story_is_published_and_the_record_has_no_errors(client, demo_publishing):
    council, provider = demo_publishing["council"], demo_publishing["provider"]
    ocid = create_process(signed_in(client, "commissioner"), council)
    publish_flow(client, council, ocid, "publish-contract", contract_answers(provider.pk))
    publish_flow(
        client,
        council,
        ocid,
        "record-review",
        {
            "title": "Quarterly contract review",
            "date_met": "2026-07-10",
            "description": "First quarter reviewed.",
            "minutes_url": "https://borsetdale.example.org/minutes-q1.pdf",
        },
    )
    signed_in(client, "provider")
    publish_flow(
        client,
        provider,
        ocid,
        "publish-actuals",
        {
            "month": "2026-04",
            "figure__sc-missed-visits": "1.5",
            "figure__sc-punctuality": "88",
        },
    )
    publish_flow(
        client,
        provider,
        ocid,
        "publish-method-statement",
        {
            "statement_url": "https://moorside.example.org/method.pdf",
            "commitments": "Care workers are paid for travel time | 4-5\nThe same small team visits each person | 7",
        },
    )
    csv = (
        b"metric_id,period_start,period_end,value,notes\n"
        b"sc-missed-visits,2026-05-01,2026-05-31,2.5,Snow\nsc-punctuality,2026-05-01,2026-05-31,93,\n"
    )
    upload_url = reverse("publishing:actuals_upload", args=[provider.pk, ocid])
    response = client.post(upload_url, {"spreadsheet": SimpleUploadedFile("may.csv", csv)})
    assert response.status_code == 302
    assert "below the target" in client.get(response["Location"]).content.decode()
    assert client.post(response["Location"]).status_code == 302

    tags = list(Release.objects.filter(ocid=ocid).order_by("pk").values_list("tags", flat=True))
    assert tags == [
        ["tender"],
        ["award", "contract"],
        ["implementation"],
        ["implementationUpdate"],
        ["contractUpdate"],
        ["implementationUpdate"],
    ]
    compiled = Process.objects.get(ocid=ocid).compiled_release
    contract = compiled["contracts"][0]
    assert [m["id"] for m in contract["agreedMetrics"]] == [
        "sc-price-per-hour",
        "sc-worker-pay-per-hour",
        "sc-missed-visits",
        "sc-punctuality",
        "sc-continuity-of-carer",
    ]
    missed = next(m for m in contract["implementation"]["metrics"] if m["id"] == "sc-missed-visits")
    assert [o["measureClassification"]["id"] for o in missed["observations"]] == ["met", "below"]
    assert contract["implementation"]["milestones"][0]["status"] == "met"
    assert {d["pageStart"] for d in contract["documents"] if d["documentType"] == "submissionDocuments"} == {"4", "7"}

    package = {
        "version": "1.1",
        "uri": "https://x.example/r.json",
        "publishedDate": "2026-08-01T00:00:00Z",
        "publisher": {"name": "t"},
        "extensions": list(services.rb.PUBLISHED_EXTENSIONS),
        "records": [
            {
                "ocid": ocid,
                "releases": [
                    {"url": f"https://x.example/{r.release_id}", "date": r.data["date"], "tag": r.tags}
                    for r in Release.objects.filter(ocid=ocid)
                ],
                "compiledRelease": compiled,
            }
        ],
    }
    report = review(io.BytesIO(orjson.dumps(package)))
    assert [f.as_json() for f in report.findings if f.severity == "error"] == []

    page = client.get(reverse("explore:contract", args=[ocid])).content.decode()
    for shown in ("Saltmarsh", "Missed visits", "Quarterly contract review", "paid for travel time", "29.10"):
        assert shown in page


@pytest.mark.django_db
def test_a_release_that_would_add_errors_is_refused_and_nothing_is_stored(demo_publishing):
    from django.contrib.auth import get_user_model

    council = demo_publishing["council"]
    user = get_user_model().objects.get(username="commissioner")
    before = Release.objects.count()

    def broken(header):
        release = services.rb.tender_release(
            header, services.rb.ProcessFacts("Home care", "d", "85312400", "x", "", "GBP", None, None, None)
        )
        release["tender"]["value"] = {"amount": "lots", "currency": "GBP"}
        return release

    with pytest.raises(services.PublishRefused) as refused:
        services.publish(user=user, publisher=council, action="create-process", build=broken)
    assert any(f["path"].endswith("tender/value/amount") for f in refused.value.findings)
    assert Release.objects.count() == before
    assert AuditEntry.objects.filter(action="refused:create-process").exists()


@pytest.mark.django_db
def test_a_bad_spreadsheet_is_refused_naming_the_row_and_nothing_is_stored(client, demo_publishing):
    provider, ocid = demo_publishing["provider"], demo_publishing["shared_ocid"]
    signed_in(client, "provider")
    before = Release.objects.count()
    csv = (
        b"metric_id,period_start,period_end,value\n"
        b"sc-missed-visits,2026-13-01,2026-05-31,2\nsc-made-up,2026-05-01,2026-05-31,x\n"
    )
    response = client.post(
        reverse("publishing:actuals_upload", args=[provider.pk, ocid]),
        {"spreadsheet": SimpleUploadedFile("bad.csv", csv)},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Row 2: period_start" in text
    assert "Row 3: &#x27;sc-made-up&#x27; is not a metric agreed in this contract" in text
    assert Release.objects.count() == before


@pytest.mark.django_db
def test_an_upload_that_is_not_what_its_name_says_is_refused(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    fake = SimpleUploadedFile("spec.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    response = client.post(reverse("publishing:new_process", args=[council.pk]), PROCESS_ANSWERS | {"spec_file": fake})
    assert response.status_code == 400
    assert "does not look like a .pdf file inside" in response.content.decode()
    assert not StoredDocument.objects.exists()
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(reverse("publishing:new_process", args=[council.pk]), PROCESS_ANSWERS | {"spec_file": exe})
    assert "is not a type of document we accept" in response.content.decode()


@pytest.mark.django_db
def test_answers_are_kept_as_a_draft_until_published(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    url = reverse("publishing:new_process", args=[council.pk])
    answers = PROCESS_ANSWERS | {"spec_url": "https://borsetdale.example.org/spec.pdf"}
    assert client.post(url, answers).status_code == 302
    draft = Draft.objects.get(publisher=council, kind="create-process")
    assert draft.answers["title"] == PROCESS_ANSWERS["title"]
    assert AuditEntry.objects.filter(action="save-draft:create-process", user__username="commissioner").exists()
    assert PROCESS_ANSWERS["title"] in client.get(url).content.decode()  # the form comes back filled in
    signed_in(client, "viewer")
    assert "create-process" in client.get(reverse("publishing:organisation", args=[council.pk])).content.decode()
    signed_in(client, "kestrel")
    assert client.get(reverse("publishing:organisation", args=[council.pk])).status_code == 403
    assert client.get(reverse("publishing:new_process_check", args=[council.pk])).status_code == 403


@pytest.mark.django_db
def test_a_title_that_does_not_name_the_service_is_explained(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    answers = PROCESS_ANSWERS | {"title": "Saltmarsh services", "spec_url": "https://x.example/s.pdf"}
    response = client.post(reverse("publishing:new_process", args=[council.pk]), answers)
    assert response.status_code == 400
    assert "Say in the title that this is home care" in response.content.decode()


@pytest.mark.django_db
def test_a_document_the_disk_has_no_room_for_is_refused_on_the_form_with_507(client, demo_publishing, monkeypatch):
    from opencare.publishing.documents import UploadRefused

    def no_room(**kwargs):
        raise UploadRefused("There is no room left on our server to keep 'spec.pdf'. Try again later.", status=507)

    monkeypatch.setattr("opencare.publishing.views.store_upload", no_room)
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    spec = SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")

    response = client.post(reverse("publishing:new_process", args=[council.pk]), PROCESS_ANSWERS | {"spec_file": spec})

    assert response.status_code == 507
    assert "There is no room left on our server to keep" in response.content.decode()
    assert not StoredDocument.objects.exists()


@pytest.mark.django_db
def test_pay_above_its_agreed_target_but_below_the_promised_real_living_wage_is_published_as_below(
    client, demo_publishing
):
    """The contract agrees £12.60 (the Real Living Wage of 2025-26) and its terms promise the Real Living Wage for
    all working time; October 2026's £13.00 beats the agreed figure but not that year's £13.45. The provider is
    told so before publishing, and the release says "below", as the contract page does."""
    council, provider = demo_publishing["council"], demo_publishing["provider"]
    ocid = create_process(signed_in(client, "commissioner"), council)
    answers = contract_answers(provider.pk) | {
        "start": "2025-04-01", "end": "2028-03-31", "date_signed": "2025-03-10", "worker_pay_per_hour": "12.60",
        "worker_pay_note": "",
    }  # fmt: skip
    publish_flow(client, council, ocid, "publish-contract", answers)
    signed_in(client, "provider")
    form = client.get(reverse("publishing:flow", args=[provider.pk, ocid, "publish-actuals"])).content.decode()
    assert "Target: £12.60 (higher is better)" in form  # money in pounds and pence, not "£12.6"
    assert "Target: £29.10" in form
    month = {"month": "2026-10", "figure__sc-worker-pay-per-hour": "13.00", "figure__sc-punctuality": "91"}
    response = client.post(reverse("publishing:flow", args=[provider.pk, ocid, "publish-actuals"]), month)
    assert response.status_code == 302, response.content.decode()[:3000]
    check = client.get(response["Location"]).content.decode()
    reason = "£13.00 is below the Real Living Wage for 2026\N{EN DASH}27, £13.45, which the contract terms promise."
    assert f"£13.00: below. {reason}" in check
    assert "91: meets the target" in check
    assert client.post(response["Location"]).status_code == 302

    release = Release.objects.filter(ocid=ocid).order_by("-pk").first()
    metrics = {metric["id"]: metric for metric in release.data["contracts"][0]["implementation"]["metrics"]}
    pay = metrics["sc-worker-pay-per-hour"]["observations"][0]
    punctuality = metrics["sc-punctuality"]["observations"][0]
    assert (pay["value"]["amount"], pay["measureClassification"]["id"]) == (13.0, "below")
    assert punctuality["measureClassification"]["id"] == "met"


@pytest.mark.django_db
def test_pay_that_meets_its_target_and_every_promised_wage_is_published_as_met(client, demo_publishing):
    council, provider = demo_publishing["council"], demo_publishing["provider"]
    ocid = create_process(signed_in(client, "commissioner"), council)
    publish_flow(client, council, ocid, "publish-contract", contract_answers(provider.pk))
    signed_in(client, "provider")
    month = {"month": "2026-10", "figure__sc-worker-pay-per-hour": "13.50"}
    response = client.post(reverse("publishing:flow", args=[provider.pk, ocid, "publish-actuals"]), month)
    check = client.get(response["Location"]).content.decode()
    assert "£13.50: meets the target, every wage the contract promises and the legal minimum" in check
    assert client.post(response["Location"]).status_code == 302
    release = Release.objects.filter(ocid=ocid).order_by("-pk").first()
    (metric,) = release.data["contracts"][0]["implementation"]["metrics"]
    assert metric["observations"][0]["measureClassification"]["id"] == "met"
