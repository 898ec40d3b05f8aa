"""Two app servers and a task worker on one PostgreSQL, as docs/deploy.md describes, sharing nothing but the database
and the file stores: what is published through one server is read on the other, an upload to one is checked by the
worker and its report read on the other, and sign-ins and lockouts hold on every server."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import orjson

from .conftest import Browser

OCID = "ocds-abcdef-deploy-journey"


def tender_update(description: str, ocid: str = OCID) -> bytes:
    """The council's update to its tender, as its own system would post it."""
    council = {"id": "GB-LAE-BSD", "name": "Borsetdale Council", "identifier": {"scheme": "GB-LAE", "id": "BSD"}}
    return orjson.dumps({
        "ocid": ocid, "id": "tender-update-1", "date": datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tag": ["tenderUpdate"], "initiationType": "tender", "language": "en",
        "parties": [{**council, "roles": ["buyer"]}], "buyer": {"id": council["id"], "name": council["name"]},
        "tender": {"id": "home-care", "description": description},
    })  # fmt: skip


def releases_on(server) -> int:
    (record,) = server.get(f"/api/records/{OCID}").json()["records"]
    return len(record["releases"])


def test_two_app_servers_and_a_worker_share_only_the_database_and_the_file_stores(deployment):
    a = deployment.serve("server-a", OPENCARE_SIGN_IN_ATTEMPTS="2")
    b = deployment.serve("server-b", OPENCARE_SIGN_IN_ATTEMPTS="2")
    deployment.worker("worker")
    publisher = deployment.seed(OCID)
    deployment.wait_until_up(a, b)

    # Server B reads the record, and keeps its answer (the API cache is on, as in production).
    assert releases_on(b) == 1

    # The council's system publishes through server A...
    posted = Browser().request(
        a.url + "/api/publish/releases",
        tender_update("Visits now include weekend evenings."),
        {"Content-Type": "application/json", "Authorization": f"Bearer {publisher['token']}"},
    )
    assert posted.status == 201, posted.text
    # ...and server B shows it within a second or so: its kept answers are keyed by the registry's version.
    published_at = time.monotonic()
    while releases_on(b) == 1:
        assert time.monotonic() - published_at < 5, "server B still shows the record as it was"
        time.sleep(0.1)
    contract_page = b.get(f"/contracts/{OCID}/")
    assert contract_page.status == 200
    assert "Visits now include weekend evenings." in contract_page.text

    # An upload to server B's Data Review Tool is checked by the worker, and its report is read on server A.
    person = Browser()
    uploaded = person.upload(b.url + "/review/", "releases.json", orjson.dumps({"version": "1.1", "releases": [
        orjson.loads(tender_update("Checked on the web."))
    ]}))  # fmt: skip
    assert uploaded.status == 302, uploaded.text[:2000]
    review = uploaded.headers["Location"]
    deadline = time.monotonic() + 60
    while (status := person.request(a.url + review + "status.json").json()["status"]) not in {"ready", "failed"}:
        assert time.monotonic() < deadline, "the worker did not check the upload"
        time.sleep(0.2)
    assert status == "ready"
    report = person.request(a.url + review + "report.json").json()
    assert report["counts"]["releases"] == 1
    assert "Report on your data" in person.request(a.url + review).text

    # Signed in on server A, the same person is signed in on server B: sessions live in the database.
    assert person.post_form(a.url + "/account/sign-in/", {
        "username": publisher["username"], "password": publisher["password"],
    }).status == 302  # fmt: skip
    assert person.request(b.url + "/publish/").status == 200

    # Wrong passwords on server A lock the account on server B too: django-axes keeps attempts in the database.
    stranger = Browser()
    for _ in range(2):
        stranger.post_form(a.url + "/account/sign-in/", {"username": publisher["username"], "password": "guess"})
    locked = stranger.post_form(b.url + "/account/sign-in/", {
        "username": publisher["username"], "password": publisher["password"],
    })  # fmt: skip
    assert locked.status == 429
    assert "Traceback" not in deployment.log("server-a") + deployment.log("server-b")
    assert json.loads(b.get("/health/").text) == {"status": "ok", "database": "ok"}
