"""Which requests read from a read replica (opencare.config.read_replicas); tests/deployment/test_read_replicas.py
runs the same rules against a real PostgreSQL streaming replica."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError
from django.http import HttpResponse
from django.test import RequestFactory

from opencare.config import read_replicas
from opencare.config.read_replicas import PIN_COOKIE, ReadReplicaMiddleware, ReadReplicaRouter

from .django_process import run_django, run_python


class FakeConnection:
    def __init__(self, reachable: bool = True) -> None:
        self.reachable = reachable
        self.in_atomic_block = False

    def close_if_health_check_failed(self) -> None:
        pass

    def ensure_connection(self) -> None:
        if not self.reachable:
            raise DatabaseError("connection refused")


@pytest.fixture
def fake_databases(monkeypatch):
    """One replica, replica1; the connections are fakes, so each test can say which can be reached."""
    fake = {"default": FakeConnection(), "replica1": FakeConnection()}
    monkeypatch.setattr(read_replicas, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(read_replicas, "connections", fake)
    monkeypatch.setattr(read_replicas, "_down_until", {})
    return fake


def reads_from(request, seen: list) -> HttpResponse:
    """Answer a request through the middleware, noting where its model reads would go."""

    def view(request):
        seen.append(ReadReplicaRouter().db_for_read(object))
        return HttpResponse("ok")

    return ReadReplicaMiddleware(view)(request)


def test_an_anonymous_get_reads_from_the_replica(fake_databases):
    seen = []
    response = reads_from(RequestFactory().get("/contracts/"), seen)
    assert seen == ["replica1"]
    assert PIN_COOKIE not in response.cookies


def test_a_post_reads_and_writes_the_primary_and_pins_that_browser_to_it(fake_databases, settings):
    settings.OPENCARE_REPLICA_PIN_SECONDS = 10
    seen = []
    response = reads_from(RequestFactory().post("/contracts/x/feedback/"), seen)
    assert seen == [None]
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert response.cookies[PIN_COOKIE]["httponly"]
    assert ReadReplicaRouter().db_for_write(object) == "default"


def test_a_browser_pinned_after_a_write_reads_the_primary(fake_databases):
    seen = []
    factory = RequestFactory()
    factory.cookies[PIN_COOKIE] = "1"
    reads_from(factory.get("/contracts/x/"), seen)
    assert seen == [None]


def test_a_signed_in_person_reads_the_primary(fake_databases, settings):
    seen = []
    factory = RequestFactory()
    factory.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
    reads_from(factory.get("/publish/"), seen)
    assert seen == [None]


def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary(fake_databases):
    seen = []

    def view(request):
        fake_databases["default"].in_atomic_block = True
        seen.append(ReadReplicaRouter().db_for_read(object))
        return HttpResponse("ok")

    ReadReplicaMiddleware(view)(RequestFactory().get("/"))
    assert seen == [None]


def test_a_replica_that_cannot_be_reached_is_left_alone_and_its_readers_go_to_the_primary(fake_databases):
    fake_databases["replica1"].reachable = False
    seen = []
    reads_from(RequestFactory().get("/"), seen)
    fake_databases["replica1"].reachable = True  # back, but not tried again until REPLICA_RETRY_SECONDS have passed
    reads_from(RequestFactory().get("/"), seen)
    assert seen == [None, None]
    read_replicas._down_until["replica1"] = 0.0
    reads_from(RequestFactory().get("/"), seen)
    assert seen[-1] == "replica1"


def test_a_not_found_from_the_replica_is_asked_again_of_the_primary(fake_databases):
    seen = []

    def view(request):
        seen.append(ReadReplicaRouter().db_for_read(object))
        return HttpResponse("found" if seen[-1] is None else "not yet", status=200 if seen[-1] is None else 404)

    response = ReadReplicaMiddleware(view)(RequestFactory().get("/api/review/just-made"))
    assert seen == ["replica1", None]
    assert response.status_code == 200


def test_outside_a_request_reads_go_to_the_primary(fake_databases):
    assert ReadReplicaRouter().db_for_read(object) is None


def test_migrations_run_only_on_the_primary():
    router = ReadReplicaRouter()
    assert router.allow_migrate("default", "registry") is True
    assert router.allow_migrate("replica1", "registry") is False


def test_replica_urls_become_replica_databases_that_mirror_the_default_in_tests():
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({k: [v['HOST'], v['PORT'], v.get('TEST', {}).get('MIRROR')] "
        "for k, v in settings.DATABASES.items()}))"
    )
    replicas = "postgres://opencare@r1.example:5432/opencare, postgres://opencare@r2.example/x"
    result = run_python(code, DATABASE_URL="postgres://opencare@db.example:5432/opencare",
                        DATABASE_REPLICA_URLS=replicas)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "default": ["db.example", 5432, None],
        "replica1": ["r1.example", 5432, "default"],
        "replica2": ["r2.example", "", "default"],
    }


def test_replicas_need_postgresql(tmp_path):
    result = run_django("check", DATABASE_URL=f"sqlite:///{tmp_path / 'opencare.sqlite3'}",
                        DATABASE_REPLICA_URLS="postgres://opencare@r1.example/opencare")  # fmt: skip
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL to be PostgreSQL" in result.stderr
