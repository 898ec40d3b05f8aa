"""One publishing path: the forms and both API endpoints publish through one service (publishing.services), with one
set of ownership rules (publishing.ownership), and each release is checked, reviewed and stored in one transaction
with its process locked, so two simultaneous posts cannot both pass on the same stored state."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.publishing import ownership, services
from opencare.publishing.models import AuditEntry, Draft, Membership, Publisher
from opencare.publishing.tokens import create_token
from opencare.registry.models import Release
from opencare.registry.selectors import parts_played_by, process_by_ocid

RELEASES_URL = "/api/publish/releases"
PROCESS_ANSWERS = {
    "title": "Home care in Saltmarsh (test)",
    "description": "Care and support at home for adults in Saltmarsh.",
    "service": "home-care",
    "place": "Saltmarsh",
    "value": "900000",
    "start": "2026-04-01",
    "end": "2029-03-31",
    "lots": "",
    "options": "",
    "award_criteria": "Quality 70%, price 30%",
    "spec_pages": "6-9",
    "spec_url": "https://borsetdale.example.org/spec.pdf",
}


def _publisher(name, kind, scheme, identifier):
    return Publisher.objects.create(name=name, kind=kind, scheme=scheme, identifier=identifier, is_invented=True)


def _member(username, publisher):
    user = get_user_model().objects.create_user(username=username, password="a long and unusual passphrase 7")
    Membership.objects.create(user=user, publisher=publisher, role=Membership.Role.PUBLISHER)
    return user


@pytest.fixture
def setting(db):
    """The demo data, Borsetdale council and Moorside with a publisher each and a token each."""
    stored_borsetdale(NORTH)
    council = _publisher("Borsetdale Council (invented sample)", Publisher.Kind.COUNCIL, "GB-LAE", "BSD")
    provider = _publisher("Moorside Care Co-operative (invented)", Publisher.Kind.PROVIDER, "GB-MPR", "IP99001")
    council_user, provider_user = _member("cleo.council", council), _member("pip.provider", provider)
    _, council_token = create_token(user=council_user, publisher=council, name="care system", scopes=["releases"])
    _, provider_token = create_token(user=provider_user, publisher=provider, name="rostering", scopes=["actuals"])
    supplied = {
        p.process.ocid for p in parts_played_by(scheme="GB-MPR", identifier="IP99001") if "supplier" in p.roles
    }
    ocid = sorted(
        p.process.ocid for p in parts_played_by(scheme="GB-LAE", identifier="BSD") if p.process.ocid in supplied
    )[0]
    return {
        "council": council, "provider": provider, "council_user": council_user, "provider_user": provider_user,
        "council_token": council_token, "provider_token": provider_token, "ocid": ocid,
    }  # fmt: skip


def _now():
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tender_update(ocid, release_id, description):
    compiled = process_by_ocid(ocid=ocid).compiled_release
    return {
        "ocid": ocid, "id": release_id, "date": _now(), "tag": ["tenderUpdate"], "initiationType": "tender",
        "language": "en", "tender": {"id": compiled["tender"]["id"], "description": description},
    }  # fmt: skip


def _post(client, token, release):
    return client.post(RELEASES_URL, data=orjson.dumps(release), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def _provider_contract(ocid):
    compiled = process_by_ocid(ocid=ocid).compiled_release
    awards = {award["id"]: award for award in compiled["awards"]}
    return next(
        contract for contract in compiled["contracts"]
        if any(s["id"] == "GB-MPR-IP99001" for s in awards[contract["awardID"]].get("suppliers", []))
    )  # fmt: skip


@pytest.fixture
def refusing_rules(monkeypatch):
    """The one set of ownership rules, made to refuse everything: whatever path is taken must say so."""
    calls = []

    def refuse(publisher, release, compiled, sides):
        calls.append((publisher.name, release.get("ocid")))
        return "Refused by the ownership rules under test."

    monkeypatch.setattr(services, "release_problem", refuse)
    return calls


@pytest.mark.django_db
def test_the_releases_api_the_actuals_api_and_the_forms_all_answer_to_the_one_set_of_ownership_rules(
    client, setting, refusing_rules
):
    ocid = setting["ocid"]
    before = Release.objects.filter(ocid=ocid).count()
    releases_before = Release.objects.count()
    contract = _provider_contract(ocid)
    csv = "metric_id,period_start,period_end,value\nsc-missed-visits,2026-04-01,2026-04-30,1.0\n"

    posted = _post(client, setting["council_token"], _tender_update(ocid, "one-path-1", "Weekend visits"))
    actuals = client.post(
        f"/api/publish/processes/{ocid}/contracts/{contract['id']}/actuals", data=csv.encode(),
        content_type="text/csv", headers={"Authorization": f"Bearer {setting['provider_token']}"},
    )  # fmt: skip
    client.force_login(setting["council_user"])
    council = setting["council"]
    answers = PROCESS_ANSWERS | {"spec_url": "https://borsetdale.example.org/spec.pdf"}
    assert client.post(reverse("publishing:new_process", args=[council.pk]), answers).status_code == 302
    form = client.post(reverse("publishing:new_process_check", args=[council.pk]))

    assert posted.status_code == 403
    assert posted.json()["detail"] == "Refused by the ownership rules under test."
    assert actuals.status_code == 403, actuals.content
    assert actuals.json()["detail"] == "Refused by the ownership rules under test."
    assert form.status_code == 403
    page = form.content.decode()
    assert "This was not published" in page
    assert "Refused by the ownership rules under test." in page
    assert Draft.objects.filter(publisher=council, kind="create-process").exists()  # the answers are kept
    assert [name for name, _ in refusing_rules] == [council.name, setting["provider"].name, council.name]
    assert Release.objects.filter(ocid=ocid).count() == before
    assert Release.objects.count() == releases_before
    refusals = AuditEntry.objects.filter(action__startswith="refused:").values_list("action", "via", "detail")
    assert {(action, via, detail["reason"]) for action, via, detail in refusals} == {
        ("refused:post-release", "api:care system", "Refused by the ownership rules under test."),
        ("refused:publish-actuals", "api:rostering", "Refused by the ownership rules under test."),
        ("refused:create-process", "web", "Refused by the ownership rules under test."),
    }


@pytest.mark.django_db
def test_the_release_is_checked_reviewed_and_stored_in_one_transaction_on_the_locked_process(
    client, setting, monkeypatch
):
    ocid = setting["ocid"]
    seen: list[tuple[str, list]] = []

    def watched(name, function):
        def run(*args, **kwargs):
            seen.append((name, list(connection.atomic_blocks)))
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(services, "locked_process", watched("lock", services.locked_process))
    monkeypatch.setattr(services, "release_problem", watched("rules", ownership.release_problem))
    monkeypatch.setattr(services, "errors_added", watched("review", services.errors_added))
    monkeypatch.setattr(services, "store_releases", watched("store", services.store_releases))

    with CaptureQueriesContext(connection) as queries:
        answer = _post(client, setting["council_token"], _tender_update(ocid, "one-path-2", "Evening visits"))

    assert answer.status_code == 201, answer.content
    assert [name for name, _ in seen] == ["lock", "rules", "review", "store"]
    lock_blocks = seen[0][1]
    service_block = lock_blocks[-1]  # the transaction the service opened before locking the process
    assert all(service_block in blocks for _, blocks in seen)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    if connection.features.has_select_for_update:  # PostgreSQL: a real row lock (SQLite's writes are serialised)
        assert len(locks) == 1
        assert 'FROM "registry_process"' in locks[0]


@pytest.mark.django_db
def test_a_provider_release_tagged_as_the_buyers_is_refused_by_the_one_tag_rule(client, setting):
    ocid = setting["ocid"]
    contract = _provider_contract(ocid)
    _, token = create_token(
        user=setting["provider_user"], publisher=setting["provider"], name="json", scopes=["releases"]
    )
    release = {
        "ocid": ocid, "id": "moorside-tagged-award", "date": _now(), "tag": ["award"], "initiationType": "tender",
        "language": "en", "contracts": [{"id": contract["id"], "awardID": contract["awardID"], "documents": []}],
    }  # fmt: skip

    answer = _post(client, token, release)

    assert answer.status_code == 403, answer.content
    assert "tagged award" in answer.json()["detail"]
    assert not Release.objects.filter(release_id="moorside-tagged-award").exists()


def _wait_until_stored(ocid: str, release_id: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OperationalError):  # SQLite's shared cache: the other is writing
            if Release.objects.filter(ocid=ocid, release_id=release_id).exists():
                return
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_release_id_cannot_both_pass_on_the_same_stored_state(setting, monkeypatch):
    """Two API posts give the same new release id with different content. Checked on the same stored state (as the
    API did before, outside its transaction), both would pass the API's checks. Each review waits, for a while,
    for the other post to reach its review too; with the process locked, the second cannot get there."""
    ocid = setting["ocid"]
    both_reviewing = threading.Barrier(2, timeout=3)
    review = services.errors_added

    def review_side_by_side(*args, **kwargs):
        try:
            arrived = both_reviewing.wait()
        except threading.BrokenBarrierError:  # the other post is held at the lock: the point of the test
            return review(*args, **kwargs)
        if arrived == 0:  # both passed the checks on the same state: one stores first, then the other
            _wait_until_stored(ocid, "simultaneous-1")
        return review(*args, **kwargs)

    monkeypatch.setattr(services, "errors_added", review_side_by_side)
    answers: dict[str, int | str] = {}

    def post(name: str) -> None:
        release = _tender_update(ocid, "simultaneous-1", f"Text of the {name} post")
        deadline = time.monotonic() + 30
        try:
            # The test database is SQLite in memory, whose shared cache refuses a second writer at once (answered
            # 503, "try again") where a file or PostgreSQL would make it wait: the waiting is done here.
            while (status := _post(Client(), setting["council_token"], release).status_code) == 503:
                assert time.monotonic() < deadline, "the other post never finished"
                time.sleep(0.02)
            answers[name] = status
        except Exception as error:
            answers[name] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(answers.values(), key=str) == [201, 409], answers
    assert Release.objects.filter(ocid=ocid, release_id="simultaneous-1").count() == 1
