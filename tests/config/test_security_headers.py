"""Security headers on every kind of response, the production-only ones (HSTS), and templates the policy allows."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from opencare.publishing.models import Publisher, StoredDocument

from .django_process import ROOT, run_in_production

SRC = ROOT / "src" / "opencare"

#: The whole policy, exactly: a change to it should be a decision, seen in review, not an accident.
POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; connect-src 'self'"
)
#: What uploaded documents and the review tool's downloads are served with: nothing runs, even opened in the site.
SANDBOX = "default-src 'none'; sandbox"


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split("; ")}


def assert_secure_headers(response, policy: str = POLICY) -> None:
    if response.streaming:  # read to the end, so the file behind it is closed (close() would close the connection)
        b"".join(response.streaming_content)
    assert _directives(response["Content-Security-Policy"]) == _directives(policy)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# Kinds of response that are made by different code paths: templates, django-ninja, WhiteNoise, Django's own
# redirects and error pages, and method refusals.
RESPONSES = {
    "a page": ("get", "/glossary/", 200),
    "an API answer": ("get", "/api/organisations", 200),
    "the API documentation": ("get", "/api/docs", 200),
    "the OpenAPI document": ("get", "/api/openapi.json", 200),
    "a static file": ("get", "/static/opencare/js-enabled.js", 200),
    "a GOV.UK Frontend file": ("get", "/static/govuk/govuk-frontend.min.js", 200),
    "a page that is not there": ("get", "/no-such-page/", 404),
    "the sign-in redirect": ("get", "/publish/", 302),
    "a refused method": ("delete", "/data-standard/", 405),
    "a refused API call": ("post", "/api/publish/releases", 401),
    "the sign-in page": ("get", "/account/sign-in/", 200),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(RESPONSES))
def test_every_kind_of_response_carries_the_security_headers(client, kind):
    method, path, status = RESPONSES[kind]
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_secure_headers(response)


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    policy = _directives(POLICY)
    assert "'unsafe-inline'" not in POLICY
    assert "'unsafe-eval'" not in POLICY
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.django_db
def test_uploaded_documents_keep_their_sandbox_policy(client, django_user_model):
    user = django_user_model.objects.create_user("uploader")
    council = Publisher.Kind.COUNCIL
    publisher = Publisher.objects.create(name="A council", kind=council, scheme="GB-LAE", identifier="X")
    document = StoredDocument(
        publisher=publisher, filename="spec.pdf", content_type="application/pdf", size=8, sha256="-", uploaded_by=user
    )
    document.file.save("spec.pdf", ContentFile(b"%PDF-1.7"), save=True)
    response = client.get(reverse("publishing:document", args=[document.key, "spec.pdf"]))
    assert response.status_code == 200
    assert_secure_headers(response, policy=SANDBOX)
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_review_downloads_keep_their_sandbox_policy(client, review_store):
    package = {"uri": "x", "publishedDate": "2024-01-01T00:00:00Z", "version": "1.1", "releases": []}
    posted = client.post(reverse("reviews:upload"), {"pasted": json.dumps(package)})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    token = posted["Location"].rstrip("/").rsplit("/", 1)[-1]
    response = client.get(reverse("reviews:download", args=[token, "json"]))
    assert response.status_code == 200
    assert_secure_headers(response, policy=SANDBOX)


def _production(code: str) -> subprocess.CompletedProcess:
    """Python ``code`` with the production settings and a test ``client``."""
    return run_in_production("from django.test import Client; client = Client()\n" + code)


def test_production_sends_hsts_and_the_other_headers_over_https():
    code = (
        "r = client.get('/api/openapi.json', secure=True, HTTP_HOST='opencare.example.org');"
        "import json; print(json.dumps({'status': r.status_code, **dict(r.headers)}))"
    )
    result = _production(code)
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert _directives(headers["Content-Security-Policy"]) == _directives(POLICY)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_sends_plain_http_to_https():
    code = "r = client.get('/api/openapi.json', HTTP_HOST='opencare.example.org'); print(r.status_code, r['Location'])"
    result = _production(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["301", "https://opencare.example.org/api/openapi.json"]


@pytest.mark.django_db
def test_local_runs_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/api/openapi.json", secure=True)


# --- Templates: nothing inline that the policy would refuse -------------------------------------------------------

TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))
#: A <script> element with content rather than a src (data blocks of type application/json are not scripts).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_PROBLEMS = {
    "an inline <script>": INLINE_SCRIPT,
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: address": re.compile(r"javascript:", re.I),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 40
    assert SRC / "explore" / "templates" / "layouts" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(SRC)) for t in TEMPLATES])
def test_templates_hold_no_inline_script_style_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{problem}: {hit.group(0)!r}" for problem, rx in INLINE_PROBLEMS.items() for hit in rx.finditer(text)]
    assert found == [], f"{template.relative_to(ROOT)} has what the Content-Security-Policy refuses: {found}"


def test_the_inline_checks_find_what_they_look_for():
    samples = {
        "an inline <script>": '<script>alert(1)</script> <script type="module">x</script>',
        "a <style> element": "<style>p {}</style>",
        "a style attribute": '<p style="color: red">',
        "an event handler attribute": '<a onclick="go()">',
        "a javascript: address": '<a href="javascript:go()">',
    }
    for problem, sample in samples.items():
        assert INLINE_PROBLEMS[problem].search(sample), problem
    allowed = '<script src="/static/x.js"></script> <script type="application/json" id="d">{}</script>'
    assert not any(rx.search(allowed) for rx in INLINE_PROBLEMS.values())
    assert len(INLINE_SCRIPT.findall(samples["an inline <script>"])) == 2
