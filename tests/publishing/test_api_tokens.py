"""API tokens and the publishing API: tokens shown once and kept hashed, scoped and revocable; posts checked as the
website checks them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.urls import reverse
from tests.builders.accounts import user
from tests.builders.organisations import member, organisation
from tests.builders.processes import DALES, NORTH, WENDMOOR, stored_borsetdale

from opencare.publishing.models import ApiToken, AuditEntry, Membership, Publisher
from opencare.publishing.services import NotAllowed
from opencare.publishing.tokens import create_token, revoke_token, token_for
from opencare.registry.models import Release
from opencare.registry.selectors import parts_played_by, process_by_ocid

RELEASES_URL = "/api/publish/releases"


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    """The invented contracts the tests post to: Borsetdale's with Moorside (north), the one it buys jointly with
    the ICB (dales) and Wendmoor's."""
    stored_borsetdale(NORTH, DALES, WENDMOOR)


@pytest.fixture
def council(demo):
    return organisation(
        "Borsetdale Council (invented sample)", kind=Publisher.Kind.COUNCIL, scheme="GB-LAE", identifier="BSD",
        is_invented=True,
    )  # fmt: skip


@pytest.fixture
def provider(demo):
    return organisation(
        "Moorside Care Co-operative (invented)", kind=Publisher.Kind.PROVIDER, scheme="GB-MPR", identifier="IP99001",
        is_invented=True,
    )  # fmt: skip


def _member(username, publisher, role):
    person = user(username)
    member(person, publisher, role=role)
    return person


@pytest.fixture
def council_publisher(council):
    return _member("cleo.council", council, Membership.Role.PUBLISHER)


@pytest.fixture
def council_viewer(council):
    return _member("vic.viewer", council, Membership.Role.VIEWER)


@pytest.fixture
def provider_publisher(provider):
    return _member("pip.provider", provider, Membership.Role.PUBLISHER)


@pytest.fixture
def council_token(council, council_publisher):
    """The text of a council token that may post releases and actuals."""
    _, text = create_token(
        user=council_publisher, publisher=council, name="care system", scopes=["releases", "actuals"]
    )
    return text


@pytest.fixture
def provider_token(provider, provider_publisher):
    _, text = create_token(
        user=provider_publisher, publisher=provider, name="rostering", scopes=["releases", "actuals"]
    )
    return text


def _ocid_where(scheme, identifier, role):
    return next(
        part.process.ocid for part in parts_played_by(scheme=scheme, identifier=identifier) if role in part.roles
    )


@pytest.fixture
def north_ocid(demo):
    """The process Borsetdale buys and Moorside supplies."""
    ocid = _ocid_where("GB-MPR", "IP99001", "supplier")
    assert "buyer" in {
        role for part in parts_played_by(scheme="GB-LAE", identifier="BSD", ocid=ocid) for role in part.roles
    }
    return ocid


@pytest.fixture
def wendmoor_ocid(demo):
    """A process where neither Borsetdale nor Moorside plays any part."""
    ocid = _ocid_where("GB-LAE", "WDM", "buyer")
    assert not parts_played_by(scheme="GB-LAE", identifier="BSD", ocid=ocid)
    assert not parts_played_by(scheme="GB-MPR", identifier="IP99001", ocid=ocid)
    return ocid


def _moorside_contract(ocid):
    compiled = process_by_ocid(ocid=ocid).compiled_release
    awards = {award["id"]: award for award in compiled["awards"]}
    for contract in compiled["contracts"]:
        if any(s["id"] == "GB-MPR-IP99001" for s in awards[contract["awardID"]].get("suppliers", [])):
            return contract
    raise AssertionError("Moorside supplies no contract in the demo data")


def _now():
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _council_release(ocid, release_id="api-tender-update-1", description="Visits now include weekend evenings."):
    """A tender update by the buyer, restating the buyer exactly as the process has it."""
    compiled = process_by_ocid(ocid=ocid).compiled_release
    buyer = next(party for party in compiled["parties"] if party["id"] == compiled["buyer"]["id"])
    return {
        "ocid": ocid,
        "id": release_id,
        "date": _now(),
        "tag": ["tenderUpdate"],
        "initiationType": "tender",
        "language": "en",
        "parties": [{**buyer, "roles": ["buyer"]}],
        "buyer": compiled["buyer"],
        "tender": {"id": compiled["tender"]["id"], "description": description},
    }


def _post_json(client, token, body, url=RELEASES_URL):
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def _post_csv(client, token, ocid, contract_id, text):
    url = f"/api/publish/processes/{ocid}/contracts/{contract_id}/actuals"
    return client.post(url, data=text.encode(), content_type="text/csv", headers={"Authorization": f"Bearer {token}"})


def _release_count(ocid):
    return Release.objects.filter(ocid=ocid).count()


# --- Tokens -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_text_is_shown_once_and_only_its_sha256_is_stored(client, council, council_publisher):
    client.force_login(council_publisher)
    url = reverse("publishing:tokens", args=[council.pk])

    created = client.post(url, {"name": "care management system", "scopes": ["releases", "actuals"]})

    assert created.status_code == 200
    token = ApiToken.objects.get(publisher=council)
    text = created.context["created_text"]
    assert text.startswith("oc_")
    assert len(text) > 40
    assert text in created.content.decode()
    assert "Copy this token now" in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert token.token_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert token.prefix == text[:10]
    assert token.scopes == ["actuals", "releases"]
    assert not any(text in str(value) for value in ApiToken.objects.values().get().values())
    assert AuditEntry.objects.filter(action="create-token", publisher=council, user=council_publisher).exists()
    listed = client.get(url)
    assert listed.status_code == 200
    assert text not in listed.content.decode()
    assert f"{token.prefix}…" in listed.content.decode()
    assert token_for(text) == token


@pytest.mark.django_db
def test_token_form_without_a_name_or_scope_is_shown_again_with_errors(client, council, council_publisher):
    client.force_login(council_publisher)

    page = client.post(reverse("publishing:tokens", args=[council.pk]), {"name": ""})

    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    assert 'href="#id_scopes"' in page.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_viewers_see_tokens_but_cannot_create_them(client, council, council_publisher, council_viewer, council_token):
    client.force_login(council_viewer)
    url = reverse("publishing:tokens", args=[council.pk])

    page = client.get(url)
    refused = client.post(url, {"name": "sneaky", "scopes": ["releases"]})

    assert page.status_code == 200
    assert "care system" in page.content.decode()
    assert "Create token" not in page.content.decode()
    assert refused.status_code == 403
    assert ApiToken.objects.count() == 1
    with pytest.raises(NotAllowed):
        create_token(user=council_viewer, publisher=council, name="sneaky", scopes=["releases"])


@pytest.mark.django_db
def test_people_outside_the_organisation_get_403_and_anonymous_people_sign_in(client, council, provider_publisher):
    url = reverse("publishing:tokens", args=[council.pk])

    assert client.get(url).status_code == 302
    client.force_login(provider_publisher)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_revoked_token_gets_401(client, council, council_publisher, council_token, north_ocid):
    token = token_for(council_token)
    client.force_login(council_publisher)

    revoked = client.post(reverse("publishing:tokens", args=[council.pk]), {"revoke": str(token.pk)})
    answer = _post_json(client, council_token, _council_release(north_ocid))

    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_for(council_token) is None
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]
    assert AuditEntry.objects.filter(action="revoke-token", publisher=council).exists()


@pytest.mark.django_db
def test_viewers_cannot_revoke_tokens(client, council, council_viewer, council_token):
    token = token_for(council_token)
    client.force_login(council_viewer)

    assert client.post(reverse("publishing:tokens", args=[council.pk]), {"revoke": str(token.pk)}).status_code == 403
    with pytest.raises(NotAllowed):
        revoke_token(user=council_viewer, token=token)
    assert token_for(council_token) is not None


@pytest.mark.django_db
def test_missing_or_unknown_token_gets_401(client, council_token, north_ocid):
    body = orjson.dumps(_council_release(north_ocid))

    missing = client.post(RELEASES_URL, data=body, content_type="application/json")
    unknown = _post_json(client, "oc_" + "x" * 43, body)

    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["detail"]
    assert unknown.status_code == 401
    assert _release_count(north_ocid) == process_by_ocid(ocid=north_ocid).release_count


@pytest.mark.django_db
def test_token_without_the_scope_gets_403(
    client, council, council_publisher, provider, provider_publisher, north_ocid
):
    _, actuals_only = create_token(user=council_publisher, publisher=council, name="figures", scopes=["actuals"])
    _, releases_only = create_token(user=provider_publisher, publisher=provider, name="json", scopes=["releases"])
    before = _release_count(north_ocid)
    contract = _moorside_contract(north_ocid)

    release = _post_json(client, actuals_only, _council_release(north_ocid))
    actuals = _post_csv(
        client,
        releases_only,
        north_ocid,
        contract["id"],
        "metric_id,period_start,period_end,value\nsc-missed-visits,2026-04-01,2026-04-30,1.0\n",
    )

    assert release.status_code == 403
    assert "releases" in release.json()["detail"]
    assert actuals.status_code == 403
    assert "actuals" in actuals.json()["detail"]
    assert _release_count(north_ocid) == before


# --- Posting releases -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_council_token_posts_a_valid_release_and_it_is_stored_and_logged(client, council, council_token, north_ocid):
    before = process_by_ocid(ocid=north_ocid).release_count

    answer = _post_json(client, council_token, _council_release(north_ocid))

    assert answer.status_code == 201, answer.content
    assert answer.json() == {
        "ocid": north_ocid,
        "release_id": "api-tender-update-1",
        "tags": ["tenderUpdate"],
        "record": f"/api/records/{north_ocid}",
    }
    process = process_by_ocid(ocid=north_ocid)
    assert process.release_count == before + 1
    assert process.compiled_release["tender"]["description"] == "Visits now include weekend evenings."
    entry = AuditEntry.objects.get(action="post-release", publisher=council)
    assert (entry.ocid, entry.release_id, entry.via, entry.user) == (
        north_ocid,
        "api-tender-update-1",
        "api:care system",
        None,
    )
    assert token_for(council_token).last_used_at is not None
    assert client.get(answer.json()["record"]).status_code == 200


@pytest.mark.django_db
def test_release_package_with_one_release_is_accepted(client, council_token, north_ocid):
    package = {"uri": "https://example.org/p.json", "releases": [_council_release(north_ocid, "api-in-package")]}

    answer = _post_json(client, council_token, package)

    assert answer.status_code == 201, answer.content
    assert answer.json()["release_id"] == "api-in-package"


@pytest.mark.django_db
def test_release_that_adds_schema_errors_gets_400_with_findings_and_nothing_is_stored(
    client, council, council_token, north_ocid
):
    release = _council_release(north_ocid) | {"date": "next Tuesday", "tag": ["notATag"]}
    before = _release_count(north_ocid)

    answer = _post_json(client, council_token, release)

    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["findings"]
    assert all(finding["severity"] == "error" for finding in body["findings"])
    assert {"check", "path", "count", "message", "how_to_fix"} <= set(body["findings"][0])
    assert _release_count(north_ocid) == before
    assert AuditEntry.objects.filter(action="refused:post-release", publisher=council, via="api:care system").exists()


@pytest.mark.django_db
def test_posting_to_a_process_where_the_organisation_plays_no_part_gets_403_and_nothing_is_stored(
    client, council, council_token, wendmoor_ocid
):
    before = _release_count(wendmoor_ocid)

    answer = _post_json(client, council_token, _council_release(wendmoor_ocid))

    assert answer.status_code == 403
    assert "neither the buyer nor a provider" in answer.json()["detail"]
    assert _release_count(wendmoor_ocid) == before
    assert AuditEntry.objects.filter(action="refused:post-release", publisher=council, ocid=wendmoor_ocid).exists()


@pytest.mark.django_db
def test_posting_for_an_ocid_not_in_the_registry_gets_403(client, council_token, north_ocid):
    answer = _post_json(client, council_token, _council_release(north_ocid) | {"ocid": "ocds-nowhere-1"})

    assert answer.status_code == 403
    assert "ocds-nowhere-1" in answer.json()["detail"]
    assert not Release.objects.filter(ocid="ocds-nowhere-1").exists()


@pytest.mark.django_db
def test_provider_token_release_touching_tender_gets_403(client, provider, provider_token, north_ocid):
    before = _release_count(north_ocid)
    release = _council_release(north_ocid, "provider-tender")
    release["parties"] = []

    answer = _post_json(client, provider_token, release)

    assert answer.status_code == 403
    assert "tender" in answer.json()["detail"]
    assert _release_count(north_ocid) == before


@pytest.mark.django_db
def test_provider_token_may_not_rewrite_the_buyer_or_other_contracts(client, provider_token, north_ocid):
    contract = _moorside_contract(north_ocid)
    base = {
        "ocid": north_ocid,
        "date": _now(),
        "tag": ["implementationUpdate"],
        "initiationType": "tender",
        "language": "en",
    }
    renamed = base | {"id": "p-1", "parties": [{"id": "GB-LAE-BSD", "name": "Someone else", "roles": ["buyer"]}]}
    priced = base | {"id": "p-2", "contracts": [{"id": contract["id"], "value": {"amount": 1, "currency": "GBP"}}]}
    elsewhere = base | {"id": "p-3", "contracts": [{"id": "not-moorsides", "implementation": {}}]}

    for release in (renamed, priced, elsewhere):
        answer = _post_json(client, provider_token, release)
        assert answer.status_code == 403, (release["id"], answer.content)


@pytest.mark.django_db
def test_provider_token_posts_its_own_contract_documents(client, provider, provider_token, north_ocid):
    contract = _moorside_contract(north_ocid)
    document = {
        "id": "api-staff-survey-2026",
        "documentType": "contractAnnexe",
        "title": "Care worker survey 2026",
        "url": "https://example.org/moorside/survey-2026.pdf",
        "datePublished": _now(),
        "language": "en",
    }
    release = {
        "ocid": north_ocid,
        "id": "moorside-api-1",
        "date": _now(),
        "tag": ["contractUpdate"],
        "initiationType": "tender",
        "language": "en",
        "awards": [{"id": contract["awardID"]}],
        "contracts": [{"id": contract["id"], "awardID": contract["awardID"], "documents": [document]}],
    }

    answer = _post_json(client, provider_token, release)

    assert answer.status_code == 201, answer.content
    compiled = process_by_ocid(ocid=north_ocid).compiled_release
    stored = next(c for c in compiled["contracts"] if c["id"] == contract["id"])
    assert "api-staff-survey-2026" in {d["id"] for d in stored["documents"]}
    assert AuditEntry.objects.filter(action="post-release", publisher=provider, via="api:rostering").exists()
    # The provider's release is published under the site's licence, named as well as linked (it was unnamed).
    source = Release.objects.get(ocid=north_ocid, release_id="moorside-api-1").source
    assert (source.licence_name, source.licence_url) == ("Open Government Licence v3.0", _OGL)


_OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"ocid": "x", "id": ', "not valid JSON"),
        (b"", "empty"),
        (b"[]", "an array, not a JSON object"),
        (b'"a release"', "a string, not a JSON object"),
        (b'{"releases": [{}, {}]}', "exactly one release"),
        (b'{"id": "1"}', "no 'ocid'"),
    ],
)
def test_malformed_json_or_not_an_object_gets_400_saying_what_to_fix(client, council_token, body, words):
    answer = _post_json(client, council_token, body)

    assert answer.status_code == 400
    assert words in answer.json()["detail"]


@pytest.mark.django_db
def test_same_release_id_with_different_content_gets_409_and_a_repeat_is_harmless(client, council_token, north_ocid):
    release = _council_release(north_ocid, "api-once")
    assert _post_json(client, council_token, release).status_code == 201
    count = _release_count(north_ocid)

    repeat = _post_json(client, council_token, release)
    changed = _post_json(client, council_token, release | {"tender": {**release["tender"], "description": "Other"}})

    assert repeat.status_code == 200
    assert repeat.json()["release_id"] == "api-once"
    assert changed.status_code == 409
    assert "new id" in changed.json()["detail"]
    assert _release_count(north_ocid) == count


# --- Posting actuals --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_provider_posts_actuals_csv_and_the_record_has_them_classified(client, provider, provider_token, north_ocid):
    contract = _moorside_contract(north_ocid)
    csv = (
        "metric_id,period_start,period_end,value,notes\n"
        "sc-missed-visits,2026-04-01,2026-04-30,1.2,\n"
        "sc-punctuality,2026-04-01,2026-04-30,80,Roads closed by flooding\n"
    )
    before = _release_count(north_ocid)

    answer = _post_csv(client, provider_token, north_ocid, contract["id"], csv)

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["figures"] == 2
    assert body["contract_id"] == contract["id"]
    assert body["tags"] == ["implementationUpdate"]  # the demo process already has implementation releases
    assert _release_count(north_ocid) == before + 1
    compiled = process_by_ocid(ocid=north_ocid).compiled_release
    stored = next(c for c in compiled["contracts"] if c["id"] == contract["id"])
    observations = {
        observation["id"]: observation
        for metric in stored["implementation"]["metrics"]
        for observation in metric.get("observations", [])
    }
    missed = observations["sc-missed-visits-2026-04-01-2026-04-30"]
    late = observations["sc-punctuality-2026-04-01-2026-04-30"]
    assert missed["measureClassification"]["id"] == "met"
    assert late["measureClassification"]["id"] == "below"
    assert late["notes"] == "Roads closed by flooding"
    entry = AuditEntry.objects.get(action="publish-actuals", publisher=provider)
    assert (entry.release_id, entry.via, entry.detail["figures"]) == (body["release_id"], "api:rostering", 2)


@pytest.mark.django_db
def test_bad_actuals_csv_gets_400_naming_the_rows(client, provider_token, north_ocid):
    contract = _moorside_contract(north_ocid)
    csv = (
        "metric_id,period_start,period_end,value\n"
        "sc-missed-visits,2026-04-01,2026-04-30,1.0\n"
        "sc-made-up,2026-04-01,2026-04-30,5\n"
        "sc-punctuality,the first of April,2026-04-30,91\n"
    )
    before = _release_count(north_ocid)

    answer = _post_csv(client, provider_token, north_ocid, contract["id"], csv)

    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "Row 3: 'sc-made-up' is not a metric agreed" in detail
    assert "Row 4: period_start 'the first of April' is not a date" in detail
    assert _release_count(north_ocid) == before


@pytest.mark.django_db
def test_actuals_from_an_organisation_that_is_not_the_provider_get_403(client, council_token, north_ocid):
    contract = _moorside_contract(north_ocid)
    before = _release_count(north_ocid)

    answer = _post_csv(
        client,
        council_token,
        north_ocid,
        contract["id"],
        "metric_id,period_start,period_end,value\nsc-missed-visits,2026-04-01,2026-04-30,1.0\n",
    )

    assert answer.status_code == 403
    assert _release_count(north_ocid) == before


@pytest.mark.django_db
def test_actuals_for_an_unknown_process_or_contract_get_404(client, provider_token, north_ocid):
    csv = "metric_id,period_start,period_end,value\nsc-missed-visits,2026-04-01,2026-04-30,1.0\n"

    assert _post_csv(client, provider_token, "ocds-nowhere-1", "contract-1", csv).status_code == 404
    assert _post_csv(client, provider_token, north_ocid, "no-such-contract", csv).status_code == 404


# --- The API description ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_endpoints_appear_in_the_openapi_document_with_the_bearer_scheme(client):
    schema = client.get("/api/openapi.json").json()

    release = schema["paths"]["/api/publish/releases"]["post"]
    actuals = schema["paths"]["/api/publish/processes/{ocid}/contracts/{contract_id}/actuals"]["post"]
    assert release["tags"] == actuals["tags"] == ["Publishing"]
    assert release["description"]
    assert actuals["description"]
    assert "application/json" in release["requestBody"]["content"]
    assert "text/csv" in actuals["requestBody"]["content"]
    assert {"201", "400", "401", "403", "409"} <= set(release["responses"])
    assert {"201", "400", "401", "403", "404"} <= set(actuals["responses"])
    scheme_name = next(iter(release["security"][0]))
    assert schema["components"]["securitySchemes"][scheme_name] == {"type": "http", "scheme": "bearer"}


def test_a_buyer_token_cannot_change_another_buyers_contract_in_a_joint_process(client, council_token):
    joint = {part.process.ocid for part in parts_played_by(scheme="GB-NHS", identifier="QBD")}
    ocid = next(p.process.ocid for p in parts_played_by(scheme="GB-LAE", identifier="BSD") if p.process.ocid in joint)
    compiled = process_by_ocid(ocid=ocid).compiled_release
    bought_by = {award["id"]: award["buyer"]["id"] for award in compiled["awards"]}
    icb_contract = next(c for c in compiled["contracts"] if bought_by[c["awardID"]] == "GB-NHS-QBD")
    release = _council_release(ocid, release_id="api-joint-1")
    del release["tender"]
    release["contracts"] = [{"id": icb_contract["id"], "awardID": icb_contract["awardID"], "title": "Changed"}]
    before = _release_count(ocid)
    response = _post_json(client, council_token, release)
    assert response.status_code == 403
    assert "bought by another organisation" in response.json()["detail"]
    assert _release_count(ocid) == before


def _review_release(ocid, release_id, *, held, dated=None):
    """The buyer's release recording an interim review of the Moorside contract as met on ``held``."""
    contract = _moorside_contract(ocid)
    milestone = {
        "id": f"review-{held:%Y-%m-%d}", "title": "Quarterly contract review", "type": "reporting",
        "description": "Missed visits discussed.", "status": "met",
        "dueDate": f"{held:%Y-%m-%d}T00:00:00Z", "dateMet": f"{held:%Y-%m-%d}T00:00:00Z",
    }  # fmt: skip
    release = _council_release(ocid, release_id) | {"tag": ["implementationUpdate"]}
    release.pop("tender")
    release["contracts"] = [
        {"id": contract["id"], "awardID": contract["awardID"], "implementation": {"milestones": [milestone]}}
    ]
    if dated is not None:
        release["date"] = f"{dated:%Y-%m-%d}T00:00:00Z"
    return release


@pytest.mark.django_db
def test_a_review_posted_as_met_on_a_day_still_to_come_gets_400_and_nothing_is_stored(
    client, council_token, north_ocid
):
    today = datetime.now(tz=UTC).date()
    next_year = today + timedelta(days=365)
    before = _release_count(north_ocid)

    refused = _post_json(client, council_token, _review_release(north_ocid, "api-review-future", held=next_year))
    # Dating the release itself next year does not help: a review cannot be met after today.
    also_refused = _post_json(
        client, council_token, _review_release(north_ocid, "api-review-dated", held=next_year, dated=next_year)
    )

    for answer in (refused, also_refused):
        assert answer.status_code == 400, answer.content
        [finding] = answer.json()["findings"]
        assert finding["check"] == "quality.milestone-met-in-future"
        assert "cannot have been met yet" in finding["message"]
    assert _release_count(north_ocid) == before
    held = _post_json(client, council_token, _review_release(north_ocid, "api-review-held", held=today))
    assert held.status_code == 201, held.content
