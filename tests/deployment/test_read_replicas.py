"""An app server with a streaming read replica (DATABASE_REPLICA_URLS), as docs/deploy.md describes: the public
reads from the replica, whoever has just written or is signed in reads from the primary, and a replica that goes
down costs no failed request."""

from __future__ import annotations

import time

import psycopg

from .conftest import Browser, Deployment, throwaway_postgres
from .test_several_servers import tender_update

OCID = "ocds-abcdef-deploy-replica"


def releases_seen_by(browser: Browser, server) -> int:
    answer = browser.request(f"{server.url}/api/records/{OCID}")
    assert answer.status == 200, answer.text
    (record,) = answer.json()["records"]
    return len(record["releases"])


def wait_for(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def replay(replica, action: str) -> None:
    with psycopg.connect(replica.url, autocommit=True) as connection:
        connection.execute(f"SELECT pg_wal_replay_{action}()")


def without_cookie(browser: Browser, name: str) -> None:
    for cookie in list(browser.jar):
        if cookie.name == name:
            browser.jar.clear(cookie.domain, cookie.path, cookie.name)


def test_the_public_reads_from_a_replica_and_whoever_writes_reads_the_primary(postgres, tmp_path):
    with throwaway_postgres.throwaway_replica(postgres) as replica:
        site = Deployment(postgres.url, tmp_path)
        try:
            server = site.serve("server", DATABASE_REPLICA_URLS=replica.url)
            publisher = site.seed(OCID)
            site.wait_until_up(server)
            wait_for(lambda: releases_seen_by(Browser(), server) == 1, "the replica never had the seeded process")

            # The replica stops applying the primary's changes, so what it serves is visibly behind.
            replay(replica, "pause")
            council = Browser()
            posted = council.request(
                server.url + "/api/publish/releases",
                tender_update("Visits now include weekend evenings.", OCID),
                {"Content-Type": "application/json", "Authorization": f"Bearer {publisher['token']}"},
            )
            assert posted.status == 201, posted.text
            assert "opencare_primary=" in posted.headers["Set-Cookie"]

            # Within a second (kept answers are keyed by a version re-read once a second), as with no replica.
            wait_for(lambda: releases_seen_by(council, server) == 2, "the publisher did not read its own release", 5)
            # Once the version is read again (it is kept a second), what the public reads is the replica's state.
            wait_for(
                lambda: releases_seen_by(Browser(), server) == 1, "the public's reads did not come from the replica", 5
            )

            # Signed in (a session cookie), a person reads the primary even when the pin after a write has gone.
            person = Browser()
            signed_in = person.post_form(server.url + "/account/sign-in/", {
                "username": publisher["username"], "password": publisher["password"],
            })  # fmt: skip
            assert signed_in.status == 302, signed_in.text[:2000]
            without_cookie(person, "opencare_primary")
            assert releases_seen_by(person, server) == 2

            # When the replica catches up, the public sees the new release too.
            replay(replica, "resume")
            wait_for(lambda: releases_seen_by(Browser(), server) == 2, "the public never saw the new release")

            # The replica goes down: the public's reads go to the primary, and no request fails.
            replica.stop()
            for _ in range(5):
                assert releases_seen_by(Browser(), server) == 2
            assert Browser().request(server.url + "/contracts/" + OCID + "/").status == 200
            log = site.log("server")
            assert "Traceback" not in log
            assert "Read replica replica1 cannot be reached, reading from the primary" in log
        finally:
            site.stop()
