"""The HTTP layer of every kind of address: methods no page takes, oversized and lying headers, bodies too large,
too many fields, malformed multipart and the wrong Content-Type. Each is a 4xx saying what is wrong (JSON under
/api/, a page elsewhere), never a 500 or a traceback, and nothing is stored.

Cases (60): PUT, PATCH and DELETE on 8 pages and 6 API addresses (42); a made-up method and TRACE; POST on a GET-only
API list and GET on the POST-only review API; a Host header the site does not serve; a 100 KB bearer token; a body
over the limit on the feedback form and the sign-in form; 2,000 form fields; multipart with no boundary, an empty one
and a part cut short (3); a JSON body sent as a form and a form sent as JSON to the review API and
page (3); and, through a real gunicorn as `opencare serve` runs it, a 20 KB header, a 10 KB address and a request
line that is not HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from opencare.participation.models import Feedback
from opencare.reviews.models import ReviewRequest

from .conftest import assert_no_traceback, assert_refused, registry_rows

OCID = "ocds-bdemo1-hc-north"
PAGES = ["/", "/contracts/", "/compare/", "/organisations/", f"/contracts/{OCID}/", "/feeds/processes.atom",
         "/review/", f"/contracts/{OCID}/feedback/"]  # fmt: skip
API = ["/api/releases", "/api/records", "/api/organisations", "/api/review", "/api/publish/releases",
       "/api/feedback/stories"]  # fmt: skip
METHOD_CASES = [(method, url) for url in PAGES + API for method in ("PUT", "PATCH", "DELETE")]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), METHOD_CASES, ids=[f"{m} {u}" for m, u in METHOD_CASES])
def test_put_patch_and_delete_are_refused_with_405_naming_the_methods_taken(borsetdale, client, method, url):
    before = registry_rows()
    response = client.generic(method, url, data=b'{"ocid": "x"}', content_type="application/json")
    shown = assert_refused(response, 405, f"This address does not take {method} requests", "Use one of:")
    assert "GET" in response["Allow"]
    if url.startswith("/api/"):
        assert response.json()["detail"].startswith(f"This address does not take {method}")
    else:
        assert "Go to the home page" in shown
    assert registry_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["FROBNICATE", "TRACE"])
def test_a_made_up_method_or_trace_is_refused(borsetdale, client, method):
    assert_refused(client.generic(method, "/contracts/"), 405, f"does not take {method} requests")


@pytest.mark.django_db
def test_post_on_a_list_of_the_api_names_get(borsetdale, client):
    response = client.post("/api/releases", data=b"{}", content_type="application/json")
    assert_refused(response, 405, "does not take POST requests", "Use one of: GET")
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_get_on_the_review_api_names_post(client):
    assert_refused(client.get("/api/review"), 405, "does not take GET requests", "Use one of: POST")


@pytest.mark.django_db
def test_a_host_the_site_does_not_serve_is_a_400_page(client):
    assert_refused(client.get("/", headers={"host": "evil.example"}), 400, "The request could not be read")


@pytest.mark.django_db
def test_a_100_kb_bearer_token_is_just_an_unknown_token(client):
    response = client.post("/api/publish/releases", data=b"{}", content_type="application/json",
                           headers={"Authorization": "Bearer " + "x" * 100_000})  # fmt: skip
    assert_refused(response, 401, "This API token is not known or has been revoked")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"/contracts/{OCID}/feedback/", "/account/sign-in/"])
def test_a_form_body_over_the_limit_is_413_and_nothing_stored(borsetdale, client, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000  # the same check as the 10 MB of production, with less to send
    response = client.post(url, data=b"story=" + b"x" * 200_000, content_type="application/x-www-form-urlencoded")
    assert_refused(response, 413, "The request is too large", "Send less at once")
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_2000_form_fields_are_refused_and_nothing_stored(borsetdale, client):
    body = "&".join(f"field{number}=x" for number in range(2000)).encode()
    response = client.post(f"/contracts/{OCID}/feedback/", data=body, content_type="application/x-www-form-urlencoded")
    assert_refused(response, 400, "The request has too many fields or files")
    assert Feedback.objects.count() == 0


MULTIPART_CASES = [
    ("/review/", "multipart/form-data", b"--xyz\r\n\r\n", "The form could not be read"),
    ("/api/review", "multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; fi",
     "The form has no `file` field"),
    (f"/contracts/{OCID}/feedback/", "multipart/form-data; boundary=", b"garbage", "The request could not be read"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "content_type", "body", "words"), MULTIPART_CASES, ids=["page", "API", "feedback"])
def test_malformed_multipart_is_a_400_and_nothing_stored(borsetdale, client, review_store, url, content_type, body,
                                                        words):  # fmt: skip
    response = client.post(url, data=body, content_type=content_type)
    assert_refused(response, 400, words)
    assert ReviewRequest.objects.count() == Feedback.objects.count() == 0


@pytest.mark.django_db
def test_json_sent_as_a_form_to_the_review_api_is_read_as_the_data(client, review_store):
    # The review API reads any body that is not a form as the data: a form-encoded body is not JSON, and says so.
    response = client.post(
        "/api/review", data=b"file=releases.json&x=1", content_type="application/x-www-form-urlencoded"
    )
    assert_refused(response, 422, "The data starts with 'f', not with { or [")


@pytest.mark.django_db
def test_a_form_that_says_it_is_multipart_but_is_json_is_refused(client, review_store):
    response = client.post("/api/review", data=b'{"releases": []}', content_type="multipart/form-data; boundary=b")
    assert_refused(response, 400, "The form has no `file` field")
    assert ReviewRequest.objects.count() == 0


@pytest.mark.django_db
def test_json_posted_to_the_upload_page_asks_for_a_file(client, review_store):
    response = client.post("/review/", data=b'{"releases": []}', content_type="application/json")
    assert_refused(response, 400, "Choose a file or paste some JSON")
    assert ReviewRequest.objects.count() == 0


# --- Through gunicorn, as `opencare serve` runs the site: the limits of the HTTP server itself --------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn serving the site on loopback (the requests here are refused before the site reads a database)."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "OPENCARE_VAR_DIR": str(folder),
           "DJANGO_SETTINGS_MODULE": "opencare.config.settings"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "-m", "gunicorn", "opencare.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "1"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=15)


def raw_request(port: int, request: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.decode("latin-1")


SERVER_CASES = [
    (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"x" * 20_000 + b"\r\n\r\n",
        "431",
        "Request Header Fields Too Large",
    ),
    (b"GET /" + b"x" * 10_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "414", "URI Too Long"),
    (b"HELLO THERE\r\n\r\n", "400", "Bad Request"),
]


@pytest.mark.parametrize(("request_bytes", "status", "words"), SERVER_CASES,
                         ids=["20 KB header", "10 KB address", "not HTTP"])  # fmt: skip
def test_the_http_server_refuses_what_is_not_a_reasonable_request(server, request_bytes, status, words):
    answer = raw_request(server, request_bytes)
    status_line = answer.split("\r\n", 1)[0]
    assert status_line.split(" ")[1] == status, status_line
    assert words in answer
    assert_no_traceback(answer)
