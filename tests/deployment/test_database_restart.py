"""PostgreSQL restarting under a running site (real gunicorn workers, a task worker, persistent connections): requests
while it is away get a clean 503 "try again shortly", requests afterwards work, and nothing had to be restarted."""

from __future__ import annotations

import threading
import time

import orjson
import psycopg

from .conftest import Browser

OCID = "ocds-abcdef-deploy-restart"
MESSAGE = "The service is unavailable. Try again shortly."


def client_connections(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone()[0]


class RequestLoop:
    """Asks for a contract's record and page, over and over, noting when each request started and how it ended."""

    def __init__(self, server) -> None:
        self.server, self.answers, self.stopped = server, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        paths = [f"/api/records/{OCID}", f"/contracts/{OCID}/"]
        while not self.stopped.is_set():
            for path in paths:
                started = time.monotonic()
                answer = self.server.get(path)
                self.answers.append((started, path, answer))

    def wait_for_answers(self, *, started_after: float, count: int, settled: float = 0, seconds: float = 30) -> None:
        """Wait until ``count`` requests started after ``started_after`` have been answered, each started at least
        ``settled`` seconds ago."""
        deadline = time.monotonic() + seconds
        while sum(started_after < started < time.monotonic() - settled for started, _, _ in self.answers) < count:
            assert time.monotonic() < deadline, f"fewer than {count} requests answered in {seconds} s"
            assert self.thread.is_alive(), "the request loop stopped"
            time.sleep(0.05)

    def __enter__(self) -> RequestLoop:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(30)


def test_a_database_restart_gives_clean_503s_and_the_site_recovers_without_restarting_anything(deployment, postgres):
    site = deployment.serve("server", workers=2, task_workers=1, OPENCARE_API_CACHE_SECONDS="0",
                            OPENCARE_PAGE_CACHE_SECONDS="0")  # fmt: skip
    deployment.seed(OCID)
    deployment.wait_until_up(site)
    for _ in range(60):  # until both web workers hold a connection (and the task worker its two)
        assert site.get(f"/api/records/{OCID}").status == 200
        if client_connections(postgres.url) >= 4:
            break
    assert client_connections(postgres.url) >= 4
    web_workers = site.worker_pids()

    # A quick restart with no request meanwhile: every connection the workers keep is now broken. Django checks a
    # kept connection before using it (CONN_HEALTH_CHECKS) and opens a new one, so not even the first request fails.
    postgres.stop()
    postgres.start()
    after_restart = [site.get(f"/api/records/{OCID}").status for _ in range(20)]
    assert after_restart == [200] * 20

    # Down for a while, with requests arriving all along.
    with RequestLoop(site) as loop:
        loop.wait_for_answers(started_after=0, count=2)  # requests arrive before the stop
        postgres.stop()
        stopped_at = time.monotonic()
        page, api, health = site.get(f"/contracts/{OCID}/"), site.get(f"/api/records/{OCID}"), site.get("/health/")
        # Requests go on arriving while it is down (counted only once started 0.2 s before the start, as below).
        loop.wait_for_answers(started_after=stopped_at, count=2, settled=0.2)
        postgres.start()
        back_at = time.monotonic()
        loop.wait_for_answers(started_after=back_at, count=4)  # and after it is back, each path at least twice

    assert (page.status, api.status, health.status) == (503, 503, 503)
    assert MESSAGE in page.text
    assert "Sorry, the service is unavailable" in page.text
    assert "Traceback" not in page.text
    assert page.headers["Retry-After"] == "5"
    assert api.json() == {"detail": MESSAGE}
    statuses = {answer.status for _, _, answer in loop.answers}
    assert statuses == {200, 503}, statuses  # never a 500, never a dropped connection
    during = [answer for started, _, answer in loop.answers if stopped_at < started < back_at - 0.2]
    assert during
    assert all(answer.status == 503 and MESSAGE in answer.text for answer in during)
    after = [answer.status for started, _, answer in loop.answers if started > back_at]
    assert after
    assert set(after) == {200}

    # Nothing was restarted: the same gunicorn workers, and the task worker (had it died, `opencare serve` would
    # have stopped) still takes work.
    assert site.process.poll() is None
    assert site.worker_pids() == web_workers
    person = Browser()
    uploaded = person.upload(site.url + "/review/", "releases.json", orjson.dumps({"version": "1.1", "releases": []}))
    assert uploaded.status == 302
    deadline = time.monotonic() + 30
    while person.request(site.url + uploaded.headers["Location"] + "status.json").json()["status"] != "ready":
        assert time.monotonic() < deadline, "the task worker did not come back after the restart"
        time.sleep(0.2)
    assert "Traceback" not in deployment.log("server")
