"""Every URL that changes data refuses whoever may not change it: the completeness guard over the whole URL map.

test_authorisation_matrix.py proves cell by cell who may take each publishing action. This module makes sure no
address escapes such a test: it walks Django's URL resolver (and every django-ninja operation), and each URL pattern
must be listed below as one of

- READ_ONLY: no POST, PUT, PATCH or DELETE, from anyone (nobody, or a superuser), changes anything;
- GUARDED: it changes data, and people signed out, signed in without the right role, and publishers of another
  organisation are refused (sent to sign in, 401 or 403) with nothing changed;
- PUBLIC_BY_DESIGN: anyone may change something there, on purpose; the reason is given, with the test of its own
  safeguards;
- or be under admin/, where the Django admin's staff check must refuse everyone who is not staff, for every pattern.

A new URL pattern (or a new POST, PUT, PATCH or DELETE operation of the API) that is in none of them fails
test_every_url_pattern_is_listed, so it cannot ship without someone deciding who may use it and testing that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from opencare.config.api import api
from opencare.publishing.models import ApiToken, AuditEntry, Draft, StoredDocument
from opencare.publishing.tokens import create_token, revoke_token
from opencare.registry.models import Organisation, Process
from opencare.reviews.services.uploads import accept_upload

from .test_authorisation_matrix import (
    ACTUALS_CSV,
    ANONYMOUS,
    BUYER,
    POSTED_ANSWERS,
    PUBLISHER_OF_BUYER,
    PUBLISHER_OF_SUPPLIER,
    PUBLISHER_OF_UNRELATED_PROVIDER,
    SITE_MODERATOR,
    SUPERUSER,
    UNRELATED_PROVIDER,
    VIEWER_OF_BUYER,
    World,
    world_for_a_module,
)

pytestmark = pytest.mark.django_db

#: A signed-in account with no organisation and no site role.
NO_ROLE = "signed-in-without-a-role"
#: A staff account (it may open the Django admin) with no permissions in it.
STAFF_WITHOUT_PERMISSIONS = "staff-without-permissions"
CHANGING_METHODS = ("post", "put", "patch", "delete")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- The URL map, as the resolver and django-ninja see it ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name ("namespace:name", or the route itself when it has none) and its route."""

    key: str
    route: str


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> list[Route]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            found += _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            key = f"{namespace}:{pattern.name}" if pattern.name and namespace else (pattern.name or route)
            found.append(Route(key=key, route=route))
    return found


ROUTES = _walk(get_resolver().url_patterns)
ADMIN_ROUTES = [route for route in ROUTES if route.route.startswith("admin/")]
#: The admin's pages about one model, which a staff account needs that model's permissions for.
ADMIN_MODEL_ROUTES = [
    route for route in ADMIN_ROUTES if re.search(r"^admin:\w+_\w+_(add|change|delete|changelist|history)$", route.key)
]
SITE_ROUTES = [route for route in ROUTES if not route.route.startswith("admin/")]


def _api_operations() -> set[str]:
    """Every operation of the API that may change data, as "POST /api/path"."""
    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    if method.lower() in CHANGING_METHODS:
                        found.add(f"{method} /api{prefix}{path}")
    return found


# --- What each URL is -----------------------------------------------------------------------------------------------

READ_ONLY = {
    "explore:home", "explore:contracts", "explore:contract", "explore:contract_easy_read", "explore:contract_record",
    "explore:contract_performance_csv", "explore:contract_chart", "explore:organisations", "explore:organisation",
    "explore:compare", "explore:compare_csv", "explore:compare_chart", "explore:glossary", "explore:about_data",
    "explore:feed", "explore:downloads", "explore:downloads_index", "explore:download_file",
    "participation:policy", "participation:queue", "participation:stories_csv",
    "standard:index", "standard:catalogue_json", "standard:catalogue_csv", "standard:reference_rates_json",
    "standard:fields_csv", "standard:schema",
    "standard:codelist",
    "reviews:template", "reviews:care_template", "reviews:review", "reviews:status", "reviews:report_json",
    "reviews:download",
    "publishing:home", "publishing:organisation", "publishing:process", "publishing:document", "publishing:audit",
    "publishing:actuals_template",
    "harvest:harvests",
    "api-1:openapi-json", "api-1:openapi-view", "api-1:api-root", "api-1:review_job", "api-1:release_list",
    "api-1:release_package", "api-1:record_list", "api-1:record_package", "api-1:organisation_list",
    "api-1:organisation_detail", "api-1:stories", "health", "favicon",
}  # fmt: skip

PUBLIC_BY_DESIGN = {
    "participation:give": "Feedback without an account is the point of it (issue 8). Bots meet a honeypot, a signed "
    "time stamp, hourly limits and repeat detection, and nothing is public until a moderator decides "
    "(tests/participation/test_feedback.py).",
    "participation:give_easy_read": "The easy read version of the same feedback form, with the same checks.",
    "participation:rate": "The person who gave feedback rates the reply through the unguessable link emailed to "
    "them: the link is the permission, and it rates that one reply (tests/participation/test_feedback.py).",
    "reviews:upload": "The Data Review Tool is for anyone: an upload makes only a private report at an unguessable "
    "address, deleted after 7 days, with size and zip-bomb limits (tests/reviews/).",
    "reviews:delete": "Whoever holds a report's unguessable address may delete that report, and only it, as the "
    "report page offers (tests/reviews/test_upload_and_report.py).",
    "api-1:review": "POST /api/review: the review tool for programs, the same as the upload page.",
    "accounts:sign_in": "Signing in. Guessing is slowed by django-axes' lockout (tests/accounts/test_sign_in.py).",
    "accounts:sign_in_code": "Signing in, the second step (tests/accounts/test_sign_in_code.py).",
    "accounts:sign_out": "Signing out ends only the caller's own session.",
    "admin:login": "The Django admin's sign-in page, with the same lockout (django-axes' authentication backend).",
}

#: The API's changing operations and the URL pattern each is served at.
PUBLIC_API_OPERATIONS = {"POST /api/review": "api-1:review"}
GUARDED_API_OPERATIONS = {
    "POST /api/publish/releases": "api-1:post_release",
    "POST /api/publish/processes/{ocid}/contracts/{contract_id}/actuals": "api-1:post_actuals",
    "POST /api/publish/contracts-spreadsheet": "api-1:post_contracts_spreadsheet",
    "POST /api/publish/monthly-figures": "api-1:post_monthly_figures",
}


@dataclass(frozen=True)
class Guard:
    """How a changing URL is proven guarded: what is posted, who is refused and how those signed out are answered.

    signed_out: "sign-in" (a redirect to the sign-in page) or a status code (403 for a public page that has a form
    only some may use). Everyone else in `refused` gets 403.
    """

    data: dict[str, Any] = field(default_factory=dict)
    refused: tuple[str, ...] = (ANONYMOUS, NO_ROLE, VIEWER_OF_BUYER, PUBLISHER_OF_UNRELATED_PROVIDER)
    signed_out: str | int = "sign-in"
    where: str = "the buyer"  # whose organisation the address names, when it names one


#: Refused, besides nobody: every signed-in kind of person who is not a moderator.
NOT_MODERATORS = (ANONYMOUS, NO_ROLE, VIEWER_OF_BUYER, PUBLISHER_OF_BUYER, PUBLISHER_OF_UNRELATED_PROVIDER)
NOT_ADMINISTRATORS = (*NOT_MODERATORS, SITE_MODERATOR)
MODERATION = {"decision": "published", "reason": "Posted by someone refused.", "published_story": "Published!"}
METRIC = {"id": "local-guard", "title": "A metric posted by someone refused", "asked_for_by": "x", "reason": "x"}

GUARDED = {
    "participation:moderate": Guard(data=MODERATION, refused=NOT_MODERATORS),
    "participation:publish_counts": Guard(refused=NOT_MODERATORS),
    # The address names no organisation: the site finds the actor's own, so a provider or council not in the
    # contract is refused (the matrix's reply-to-feedback cells go further).
    "participation:reply": Guard(data=POSTED_ANSWERS),
    "publishing:new_process": Guard(data=POSTED_ANSWERS),
    "publishing:new_process_check": Guard(),
    "publishing:flow": Guard(data=POSTED_ANSWERS),
    "publishing:flow_check": Guard(),
    "publishing:actuals_upload": Guard(where="the supplier"),
    "publishing:actuals_upload_check": Guard(where="the supplier"),
    "publishing:monthly_figures": Guard(where="the supplier"),
    "publishing:monthly_figures_check": Guard(where="the supplier"),
    "publishing:contracts_spreadsheet": Guard(),
    "publishing:contracts_spreadsheet_check": Guard(),
    # Any signed-in person may ask for a provider's account; the claim gives nothing until an administrator approves.
    "publishing:claim_request": Guard(
        data={"name": "A claim", "register": "coh", "number": "01234567", "note": "x"}, refused=(ANONYMOUS,)
    ),
    "publishing:claims": Guard(data={"claim": "1", "decision": "approve"}, refused=NOT_ADMINISTRATORS),
    "publishing:tokens": Guard(data={"name": "A token posted by someone refused", "scopes": ["releases"]}),
    # The catalogue is a public page, so a change is refused with 403 even when signed out.
    "publishing:catalogue": Guard(data=METRIC, refused=NOT_ADMINISTRATORS, signed_out=403),
    # Any signed-in person may turn on two-factor codes for their own account, which changes nothing else.
    "accounts:two_factor": Guard(data={"action": "start"}, refused=(ANONYMOUS,)),
    # The publishing API: see test_the_publishing_api_refuses_every_caller_without_a_token_of_the_organisation.
    "api-1:post_release": Guard(),
    "api-1:post_actuals": Guard(),
    "api-1:post_contracts_spreadsheet": Guard(),
    "api-1:post_monthly_figures": Guard(),
}


# --- The completeness guard -----------------------------------------------------------------------------------------


def test_every_url_pattern_is_listed():
    listed = READ_ONLY | set(PUBLIC_BY_DESIGN) | set(GUARDED)
    site = {route.key for route in SITE_ROUTES}
    assert sorted(site - listed) == [], (
        "New URLs: decide whether they change data and who may use them, list them in READ_ONLY, GUARDED or "
        "PUBLIC_BY_DESIGN, and test them (test_authorisation_matrix.py for publishing actions)."
    )
    assert sorted(listed - site - {"admin:login"}) == [], "Listed URLs that no longer exist"
    assert not READ_ONLY & set(GUARDED), "A URL is both read-only and guarded"
    assert not set(PUBLIC_BY_DESIGN) & (READ_ONLY | set(GUARDED)), "A public URL is listed twice"


def test_every_api_operation_that_changes_data_is_listed():
    listed = set(PUBLIC_API_OPERATIONS) | set(GUARDED_API_OPERATIONS)
    assert _api_operations() == listed
    assert set(PUBLIC_API_OPERATIONS.values()) <= set(PUBLIC_BY_DESIGN)
    assert set(GUARDED_API_OPERATIONS.values()) <= set(GUARDED)


def test_the_guard_sees_the_whole_url_map():
    """A control for the walk over the resolver: it finds the addresses we know of, admin included."""
    keys = {route.key for route in ROUTES}
    assert {"explore:home", "publishing:flow_check", "api-1:post_release", "admin:auth_user_change"} <= keys
    assert len(ADMIN_ROUTES) > 30
    assert any(route.key == "admin/(?P<url>.*)$" for route in ADMIN_ROUTES)  # unnamed patterns too
    assert "POST /api/publish/releases" in _api_operations()


# --- What "nothing changed" means -----------------------------------------------------------------------------------

#: Bookkeeping, not data: sessions, sign-in attempts (django-axes), when someone last signed in and when an API token
#: was last used. A refusal is logged in the audit log on purpose ("refused:..."), so those entries are left out too.
NOT_DATA = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
NOT_DATA_FIELDS = {"auth.user": {"last_login"}, "publishing.apitoken": {"last_used_at"}}


def database_state() -> dict[str, int]:
    """A fingerprint of every row of every table (but bookkeeping), many-to-many tables included: equal before and
    after means nothing changed.

    Each column is read as the database's own text (CAST ... AS TEXT), not turned into Python values: decoding every
    release's JSON took half of this module's time, and any change to a value changes its text too.
    """
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in NOT_DATA or model._meta.proxy:
                continue
            skipped = NOT_DATA_FIELDS.get(label, ())
            columns = [f.column for f in model._meta.concrete_fields if f.attname not in skipped]
            selected = ", ".join(f"CAST({quote(column)} AS TEXT)" for column in columns)
            sql, params = f"SELECT {selected} FROM {quote(model._meta.db_table)}", []
            if label == "publishing.auditentry":
                sql, params = f"{sql} WHERE {quote('action')} NOT LIKE %s", ["refused:%"]
            cursor.execute(f"{sql} ORDER BY {quote(model._meta.pk.column)}", params)
            state[label] = hash(tuple(cursor.fetchall()))
    return state


def test_the_fingerprint_sees_a_change_to_a_draft_a_many_to_many_row_and_an_audit_entry(site):
    """A control for database_state: changes it must see, in a JSON column, a many-to-many table and the audit log
    (but not a refusal logged there on purpose)."""
    before = database_state()
    draft = Draft.objects.order_by("pk").first()
    Draft.objects.filter(pk=draft.pk).update(answers={**draft.answers, "title": "Changed by the control"})
    assert database_state()["publishing.draft"] != before["publishing.draft"]
    user = site.users[NO_ROLE]
    user.groups.add(Group.objects.get_or_create(name="A group added by the control")[0])
    groups = user.groups.through._meta.label_lower
    assert database_state()[groups] != before[groups]
    AuditEntry.objects.create(action="refused:a control", detail={})
    assert database_state()["publishing.auditentry"] == before["publishing.auditentry"]


# --- Addresses to send requests to ----------------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


@dataclass
class Site:
    """The matrix's world, with the few things more the other addresses need."""

    world: World
    users: dict[str, Any]
    document: StoredDocument
    review_token: str

    def values(self, key: str) -> dict[str, str]:
        """A real value for each parameter an address may have."""
        world = self.world
        names = {
            "explore:download_file": "index.json",
            "reviews:download": "json",
            "standard:schema": "release-schema.json",
        }
        return {
            "ocid": world.ocid,
            "publisher_pk": str(world.organisations[BUYER].pk),
            "supplier_pk": str(world.organisations["supplier"].pk),
            "action": "record-review",
            "metric_id": "sc-missed-visits",
            "pk": str(Organisation.objects.order_by("pk").first().pk),  # a council or provider in the registry
            "key": str(self.document.key if key == "publishing:document" else world.feedback.key),
            "filename": self.document.filename,
            "token": self.review_token if key.startswith(("reviews", "api-1")) else "no-such-rating-link",
            "name": names.get(key, "currency.csv"),
            "fmt": "xlsx",
            "contract_id": Process.objects.get(ocid=world.ocid).compiled_release["contracts"][0]["id"],
        }

    def url(self, route: Route) -> str:
        values = self.values(route.key)
        if route.key in (
            "publishing:actuals_upload",
            "publishing:actuals_upload_check",
            "publishing:actuals_template",
            "publishing:monthly_figures",
            "publishing:monthly_figures_check",
        ):
            values["publisher_pk"] = values["supplier_pk"]
        if route.route.startswith("admin/"):
            values |= _admin_values(route)

        def fill(match: re.Match) -> str:
            return values[match.group("name") or match.group("group")]

        return "/" + PARAMETER.sub(fill, route.route).replace("^", "").replace("$", "")


def _admin_values(route: Route) -> dict[str, str]:
    """Real objects for the admin's addresses: the first row of the model the address is about."""
    parts = route.route.split("/")
    values = {"url": "no-such-page/", "app_label": "publishing", "id": str(get_user_model().objects.first().pk)}
    values["content_type_id"] = str(ContentType.objects.get_for_model(get_user_model()).pk)
    values["object_id"] = values["id"]
    if len(parts) > 3 and not parts[1].startswith(("^", "(")):
        try:
            model = apps.get_model(parts[1], parts[2])
        except LookupError:
            return values
        first = model._default_manager.order_by("pk").first()
        values["object_id"] = values["pk"] = str(first.pk) if first is not None else "0"  # 0: no row ever has it
    return values


def _admin_has_rows(route: Route) -> bool:
    _, app_label, model_name, *_ = route.route.split("/")
    return apps.get_model(app_label, model_name)._default_manager.exists()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Site]:
    """The authorisation matrix's world (the demo data, its organisations, the actors and two saved drafts), with
    two more accounts, an uploaded document and a review; made once, rolled back after the module."""
    folders = {
        "OPENCARE_REVIEW_DIR": tmp_path_factory.mktemp("reviews"),
        "FILE_UPLOAD_TEMP_DIR": tmp_path_factory.mktemp("incoming"),
    }
    with override_settings(**folders), world_for_a_module(django_db_blocker) as world:
        users = get_user_model().objects
        actors = dict(world.users)
        actors[NO_ROLE] = users.create_user("guard-no-role")
        actors[STAFF_WITHOUT_PERMISSIONS] = users.create_user("guard-staff", is_staff=True)
        document = StoredDocument(
            publisher=world.organisations[BUYER],
            filename="spec.pdf",
            content_type="application/pdf",
            size=8,
            sha256="-",
            uploaded_by=actors[PUBLISHER_OF_BUYER],
        )
        document.file.save("spec.pdf", ContentFile(b"%PDF-1.7"), save=True)
        review = accept_upload(uploaded=None, pasted=orjson.dumps({"version": "1.1", "releases": []}).decode())
        yield Site(world=world, users=actors, document=document, review_token=review.token)


def as_actor(client, site: Site, actor: str):
    if actor != ANONYMOUS:
        client.force_login(site.users[actor])
    return client


def assert_refused(response, actor: str, guard: Guard, url: str) -> None:
    if actor == ANONYMOUS and guard.signed_out == "sign-in":
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/account/sign-in/?next="), (url, response["Location"])
    elif actor == ANONYMOUS:
        assert response.status_code == guard.signed_out, (url, response.status_code)
    else:
        assert response.status_code == 403, (url, actor, response.status_code)


# --- The tests of each kind -----------------------------------------------------------------------------------------

READ_ONLY_ROUTES = [route for route in SITE_ROUTES if route.key in READ_ONLY]
WEB_GUARDED = [route for route in SITE_ROUTES if route.key in GUARDED and not route.key.startswith("api-1:")]


@pytest.mark.parametrize("route", READ_ONLY_ROUTES, ids=[route.key for route in READ_ONLY_ROUTES])
def test_no_method_changes_anything_at_a_read_only_url(client, site, route):
    url = site.url(route)
    before = database_state()
    for actor in (ANONYMOUS, SUPERUSER):
        as_actor(client, site, actor)
        for method in CHANGING_METHODS:
            response = getattr(client, method)(url, {"name": "x", "text": "x"} if method == "post" else None)
            if response.streaming:  # read to the end, so the file behind it is closed
                b"".join(response.streaming_content)
            assert response.status_code < 500, (method, url, actor)
    assert database_state() == before, f"a POST, PUT, PATCH or DELETE to {url} changed something"


@pytest.mark.parametrize("route", WEB_GUARDED, ids=[route.key for route in WEB_GUARDED])
def test_every_changing_url_refuses_whoever_may_not_use_it_and_changes_nothing(client, site, route):
    guard = GUARDED[route.key]
    url = site.url(route)
    before = database_state()
    for actor in guard.refused:
        client.logout()
        as_actor(client, site, actor)
        assert_refused(client.post(url, guard.data), actor, guard, url)
    assert database_state() == before, f"a refused POST to {url} changed something"


def test_publishers_of_another_organisation_are_among_the_refused():
    """Each guarded address that names an organisation is tried by a publisher of another one (Kestrel Homecare)."""
    for key, guard in GUARDED.items():
        # The catalogue and a provider's claim name no organisation (a claim is anyone's to ask, and gives nothing).
        if key.startswith("publishing:") and key not in ("publishing:catalogue", "publishing:claim_request"):
            assert PUBLISHER_OF_UNRELATED_PROVIDER in guard.refused, key
    assert UNRELATED_PROVIDER != BUYER


ADMIN_GUARDED = [route for route in ADMIN_ROUTES if route.key not in PUBLIC_BY_DESIGN]
ADMIN_POST = {"username": "guard-no-role", "is_superuser": "on", "is_staff": "on", "name": "Posted by someone refused"}


@pytest.mark.parametrize("route", ADMIN_GUARDED, ids=[route.key for route in ADMIN_GUARDED])
def test_every_admin_url_refuses_everyone_but_staff_and_changes_nothing(client, site, route):
    url = site.url(route)
    before = database_state()
    for actor in (ANONYMOUS, NO_ROLE, PUBLISHER_OF_BUYER, PUBLISHER_OF_UNRELATED_PROVIDER, SITE_MODERATOR):
        client.logout()
        as_actor(client, site, actor)
        response = client.post(url, ADMIN_POST)
        if response.status_code == 302 and not response["Location"].startswith("/admin/login/"):
            # A redirect-only address (e.g. admin/auth/user/1/ to its change page): where it leads must refuse too.
            assert response["Location"].startswith("/admin/"), response["Location"]
            response = client.post(response["Location"], ADMIN_POST)
        assert response.status_code == 302, (url, actor, response.status_code)
        assert response["Location"].startswith("/admin/login/?next="), (url, actor, response["Location"])
    assert database_state() == before, f"a refused POST to {url} changed something"


@pytest.mark.parametrize("route", ADMIN_MODEL_ROUTES, ids=[route.key for route in ADMIN_MODEL_ROUTES])
def test_staff_without_the_models_permissions_are_refused_in_the_admin(client, site, route):
    url = site.url(route)
    about_a_row = _admin_has_rows(route)  # before signing in, which adds a row to django-axes' access log
    as_actor(client, site, STAFF_WITHOUT_PERMISSIONS)
    before = database_state()
    response = client.post(url, ADMIN_POST)
    if route.key.endswith("_history") and not about_a_row:
        # The history of a row that is not there sends everyone back to the admin's home page, before any check.
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    else:
        assert response.status_code == 403, url
    assert database_state() == before


def _supplier_figures(supplier) -> bytes:
    """The supplier's actuals template with a figure for its contract, as another provider's system might post it."""
    import io

    from openpyxl import load_workbook

    from opencare.publishing.actuals_template import actuals_template
    from opencare.publishing.monthly_figures import provider_contracts

    workbook = load_workbook(io.BytesIO(actuals_template(supplier.name, provider_contracts(supplier))))
    workbook["Monthly figures"].append(
        [workbook["Instructions"]["A14"].value, "Hours of care delivered", "April 2026", 1]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_publishing_api_refuses_every_caller_without_a_live_token_of_the_organisation(client, site):
    world, users = site.world, site.users
    buyer, kestrel = world.organisations[BUYER], world.organisations[UNRELATED_PROVIDER]
    scopes = [ApiToken.Scope.RELEASES, ApiToken.Scope.ACTUALS]
    _, kestrels = create_token(user=users[PUBLISHER_OF_UNRELATED_PROVIDER], publisher=kestrel, name="k", scopes=scopes)
    old, revoked = create_token(user=users[PUBLISHER_OF_BUYER], publisher=buyer, name="old", scopes=scopes)
    revoke_token(user=users[PUBLISHER_OF_BUYER], token=old)
    contract_id = site.values("api-1:post_actuals")["contract_id"]
    release = {
        "ocid": world.ocid,
        "id": "posted-by-someone-refused",
        "date": "2025-02-01T00:00:00Z",
        "tag": ["tenderUpdate"],
        "tender": {"id": "1", "title": "Posted by someone refused"},
    }
    posts = {
        "/api/publish/releases": (orjson.dumps(release), "application/json"),
        f"/api/publish/processes/{world.ocid}/contracts/{contract_id}/actuals": (ACTUALS_CSV, "text/csv"),
        "/api/publish/contracts-spreadsheet": (b"PK\x03\x04 a workbook", XLSX),
        "/api/publish/monthly-figures": (_supplier_figures(world.organisations["supplier"]), XLSX),
    }
    callers = {
        "nobody": ("", None, 401),
        "a signed-in publisher of the buyer, with a session but no token": ("", PUBLISHER_OF_BUYER, 401),
        "a revoked token of the buyer": (revoked, None, 401),
        "a token of another organisation": (kestrels, None, 403),
        "the supplier's publisher with a session but no token": ("", PUBLISHER_OF_SUPPLIER, 401),
    }
    assert len(posts) == len(GUARDED_API_OPERATIONS)
    for url, (body, content_type) in posts.items():
        for caller, (token, session, status) in callers.items():
            client.logout()
            if session:
                as_actor(client, site, session)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            before = database_state()
            response = client.post(url, body, content_type=content_type, headers=headers)
            if url.endswith("/monthly-figures") and token == kestrels:
                # The address names no organisation: a token publishes only its own organisation's figures, so the
                # supplier's contract in the sheet is refused, naming its cell.
                status = 400
                assert "is not one of your organisation's contracts" in response.json()["problems"][0]["problem"]
            assert response.status_code == status, (url, caller, response.content)
            if status == 403:
                assert kestrel.name in response.json()["detail"], response.json()
            assert database_state() == before, f"{caller}'s refused post to {url} changed something"
