"""Who may do what, proven cell by cell: every combination of role, publishing action and organisation.

The issue asks that "a test matrix proves every role x action x organisation combination" and that "a publisher of
one organisation can never read drafts of or publish to another's processes". Every cell below is its own test,
named ``<actor>--<action>`` (acting for the actor's own organisation) or ``<actor>--<action>--as-<organisation>``
(acting for an organisation the actor does not belong to), and checks both the rule (``permissions.decide``, or the
site role for the site pages) and what the web answers: the page when allowed, 403 when a signed-in person is
refused, the sign-in page when nobody is signed in; a refused POST stores nothing (no release, draft, reply or
catalogue change).

Every cell acts on the demo process that Borsetdale Council buys and Moorside Care Co-operative supplies (the
"shared process"), except create-process, which makes a new process and so names none. Two drafts are saved on it
before the cells run (the buyer's interim review and the supplier's month of actuals), so a refused check-your-answers
POST would have something to publish, and a refused page something to leak.

Where the web surface of an action is not a publishing form: view-drafts is the process page; reply-to-feedback is
the reply page of a published story (its address names no organisation); update-process has no web form yet, so its
address answers 404 to everyone signed in. The metric catalogue is a public page, so a refused change is 403 even
when signed out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from tests.builders.processes import DALES, NORTH, WENDMOOR, stored_borsetdale

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS, is_administrator
from opencare.demo.accounts import create_demo_accounts, demo_publisher
from opencare.demo.borsetdale import COUNCIL, ICB, KESTREL, MOORSIDE, WENDMOOR_COUNCIL
from opencare.participation.models import Feedback, Reply
from opencare.publishing.flows import FLOWS
from opencare.publishing.models import CatalogueChange, Draft, Membership, Publisher, StoredDocument
from opencare.publishing.permissions import ACTIONS, decide
from opencare.publishing.services import NotAllowed, publish
from opencare.registry.models import Process, Release
from opencare.registry.selectors import parts_played_by

pytestmark = pytest.mark.django_db

ALLOWED = "allowed"
REFUSED = "refused"

# --- The actors and the organisations they act for ---------------------------------------------------------------

ANONYMOUS = "anonymous"
VIEWER_OF_BUYER = "viewer-of-buyer"
PUBLISHER_OF_BUYER = "publisher-of-buyer"
PUBLISHER_OF_SUPPLIER = "publisher-of-supplier"
PUBLISHER_OF_UNRELATED_PROVIDER = "publisher-of-unrelated-provider"
PUBLISHER_OF_UNRELATED_COUNCIL = "publisher-of-unrelated-council"
SITE_MODERATOR = "site-moderator"
SITE_ADMINISTRATOR = "site-administrator"
SUPERUSER = "superuser"
INACTIVE_PUBLISHER_OF_BUYER = "inactive-publisher-of-buyer"

#: The organisations: the shared process's buyer and supplier, and a provider and a council that play no part in it.
BUYER = "buyer"  # Borsetdale Council (GB-LAE-BSD)
SUPPLIER = "supplier"  # Moorside Care Co-operative (GB-MPR-IP99001)
UNRELATED_PROVIDER = "unrelated-provider"  # Kestrel Homecare (GB-COH-99000003), Wendmoor's provider
UNRELATED_COUNCIL = "unrelated-council"  # Wendmoor Council (GB-LAE-WDM), the buyer of its own process only
ORGANISATIONS = (BUYER, SUPPLIER, UNRELATED_PROVIDER, UNRELATED_COUNCIL)

#: The organisation each actor is a member of (None: a member of none).
MEMBER_OF: dict[str, str | None] = {
    ANONYMOUS: None,
    VIEWER_OF_BUYER: BUYER,
    PUBLISHER_OF_BUYER: BUYER,
    PUBLISHER_OF_SUPPLIER: SUPPLIER,
    PUBLISHER_OF_UNRELATED_PROVIDER: UNRELATED_PROVIDER,
    PUBLISHER_OF_UNRELATED_COUNCIL: UNRELATED_COUNCIL,
    SITE_MODERATOR: None,
    SITE_ADMINISTRATOR: None,
    SUPERUSER: None,
    INACTIVE_PUBLISHER_OF_BUYER: BUYER,  # the membership is kept; the account is switched off
}

#: Actors whose requests the site treats as signed out: nobody, and an account switched off after signing in.
SIGNED_OUT = {ANONYMOUS, INACTIVE_PUBLISHER_OF_BUYER}

# --- The actions --------------------------------------------------------------------------------------------------

#: Pages that are not an entry of permissions.ACTIONS but must follow the same rules.
VIEW_ORGANISATION_PAGE = "view-organisation-page"  # the organisation's drafts and history (rule: view-drafts)
UPLOAD_ACTUALS_PAGE = "upload-actuals-page"  # the actuals spreadsheet upload and its check (rule: publish-actuals)
CHECK_PAGE = "check-page"  # check-your-answers for a saved draft, which shows and publishes it
AUDIT_LOG_PAGE = "audit-log-page"  # site administrators only (rule: accounts.roles.is_administrator)
CATALOGUE_POST = "catalogue-post"  # changing the metric catalogue: site administrators only (same rule)
PAGES = (VIEW_ORGANISATION_PAGE, UPLOAD_ACTUALS_PAGE, CHECK_PAGE, AUDIT_LOG_PAGE, CATALOGUE_POST)
SITE_PAGES = {AUDIT_LOG_PAGE, CATALOGUE_POST}

#: THE MATRIX. Each actor acts for the organisation it is a member of (MEMBER_OF); an actor that is a member of none
#: acts for the organisation entitled to the action (the supplier for the provider's actions, else the buyer), the
#: strongest test of a non-member. Every cell of every actor acting for any *other* organisation is refused: see
#: test_no_one_acts_for_an_organisation_they_are_not_a_member_of.
EXPECTED: dict[str, dict[str, str]] = {
    ANONYMOUS: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: REFUSED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    VIEWER_OF_BUYER: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": ALLOWED,
        VIEW_ORGANISATION_PAGE: ALLOWED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    PUBLISHER_OF_BUYER: {
        "create-process": ALLOWED,
        "update-process": ALLOWED,
        "publish-contract": ALLOWED,
        "set-targets": ALLOWED,
        "record-review": ALLOWED,
        "record-failure": ALLOWED,
        "amend-contract": ALLOWED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": ALLOWED,
        "view-drafts": ALLOWED,
        VIEW_ORGANISATION_PAGE: ALLOWED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: ALLOWED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    PUBLISHER_OF_SUPPLIER: {
        "create-process": REFUSED,  # providers add to processes; they never create them
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": ALLOWED,
        "publish-actuals": ALLOWED,
        "reply-to-feedback": ALLOWED,
        "view-drafts": ALLOWED,
        VIEW_ORGANISATION_PAGE: ALLOWED,
        UPLOAD_ACTUALS_PAGE: ALLOWED,
        CHECK_PAGE: ALLOWED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    PUBLISHER_OF_UNRELATED_PROVIDER: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: ALLOWED,  # its own organisation's page
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    PUBLISHER_OF_UNRELATED_COUNCIL: {
        "create-process": ALLOWED,  # a council creates its own processes; it is not the buyer of anyone else's
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: ALLOWED,  # its own organisation's page
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    SITE_MODERATOR: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: REFUSED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
    SITE_ADMINISTRATOR: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: REFUSED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: ALLOWED,
        CATALOGUE_POST: ALLOWED,
    },
    SUPERUSER: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: REFUSED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: ALLOWED,
        CATALOGUE_POST: ALLOWED,
    },
    INACTIVE_PUBLISHER_OF_BUYER: {
        "create-process": REFUSED,
        "update-process": REFUSED,
        "publish-contract": REFUSED,
        "set-targets": REFUSED,
        "record-review": REFUSED,
        "record-failure": REFUSED,
        "amend-contract": REFUSED,
        "publish-method-statement": REFUSED,
        "publish-actuals": REFUSED,
        "reply-to-feedback": REFUSED,
        "view-drafts": REFUSED,
        VIEW_ORGANISATION_PAGE: REFUSED,
        UPLOAD_ACTUALS_PAGE: REFUSED,
        CHECK_PAGE: REFUSED,
        AUDIT_LOG_PAGE: REFUSED,
        CATALOGUE_POST: REFUSED,
    },
}

#: Every action and page whose web address names an organisation, for the cross-organisation cells. Replying to
#: feedback is left out: its address names no organisation (the site finds the actor's own one).
ORGANISATION_ACTIONS = (
    *(key for key in ACTIONS if key != "reply-to-feedback"),
    VIEW_ORGANISATION_PAGE,
    UPLOAD_ACTUALS_PAGE,
)
CROSS_CELLS = [
    (actor, action, organisation)
    for actor in EXPECTED
    for organisation in ORGANISATIONS
    if organisation != MEMBER_OF[actor]
    for action in ORGANISATION_ACTIONS
]

# --- Answers of the saved drafts ----------------------------------------------------------------------------------

BUYER_DRAFT_MARKER = "Confidential draft review of Borsetdale"
SUPPLIER_DRAFT_MARKER = "Confidential draft note of Moorside"
#: The buyer's saved draft of an interim review on the shared process.
REVIEW_ANSWERS = {
    "title": BUYER_DRAFT_MARKER,
    "date_met": "2025-01-15",
    "description": "The first year reviewed.",
    "minutes_url": "https://borsetdale.example.org/minutes-2025-01.pdf",
    "minutes_pages": "",
}
#: The supplier's saved draft of a month's actuals on the shared process.
ACTUALS_ANSWERS = {
    "month": "2025-01",
    "figure__sc-missed-visits": "1.5",
    "figure__sc-punctuality": "91",
    "notes": SUPPLIER_DRAFT_MARKER,
}
#: What a refused actor posts to any form: answers that would do for a review, actuals or a new process.
POSTED_ANSWERS = {
    **REVIEW_ANSWERS,
    **ACTUALS_ANSWERS,
    "title": "Home care in Saltmarsh (posted by someone refused)",
    "service": "home-care",
    "place": "Saltmarsh",
    "value": "900000",
    "start": "2026-04-01",
    "end": "2029-03-31",
    "spec_url": "https://example.org/spec.pdf",
    "statement_url": "https://example.org/method.pdf",
    "commitments": "Care workers are paid for travel time | 4",
    "text": "A reply from someone refused.",
}
ACTUALS_CSV = b"metric_id,period_start,period_end,value,notes\nsc-missed-visits,2025-02-01,2025-02-28,2.5,\n"


# --- The world: the demo data, the actors and the saved drafts, made once for this module --------------------------


@dataclass
class World:
    organisations: dict[str, Publisher]
    users: dict[str, Any]
    ocid: str
    feedback: Feedback
    #: Each signed-in actor's session key, made once: tests sign in by its cookie (force_login for each test wrote a
    #: session, the last sign-in and an access log entry, a fifth of the module's time).
    sessions: dict[str, str]

    def user(self, actor: str) -> Any:
        return self.users[actor] or AnonymousUser()


def _shared_ocid() -> str:
    """The process Borsetdale buys and Moorside supplies (as the demo_publishing fixture finds it)."""
    supplied = {part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)}
    bought = [
        part.process.ocid
        for part in parts_played_by(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
        if part.process.ocid in supplied
    ]
    return bought[0]


def _build_world() -> World:
    # The contract Borsetdale buys from Moorside, the one it buys jointly with the ICB, and Wendmoor's (Kestrel's).
    stored_borsetdale(NORTH, DALES, WENDMOOR)
    create_demo_accounts()
    organisations = {
        BUYER: demo_publisher(COUNCIL),
        SUPPLIER: demo_publisher(MOORSIDE),
        UNRELATED_PROVIDER: demo_publisher(KESTREL),
        UNRELATED_COUNCIL: demo_publisher(WENDMOOR_COUNCIL),
    }
    ocid = _shared_ocid()
    users = get_user_model().objects
    wendmoor = users.create_user("wendmoor-publisher")
    publisher_role = Membership.Role.PUBLISHER
    Membership.objects.create(user=wendmoor, publisher=organisations[UNRELATED_COUNCIL], role=publisher_role)
    moderator = users.create_user("matrix-moderator")
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    administrator = users.create_user("matrix-administrator")
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    inactive = users.create_user("former-commissioner", is_active=False)
    Membership.objects.create(user=inactive, publisher=organisations[BUYER], role=publisher_role)
    actors = {
        ANONYMOUS: None,
        VIEWER_OF_BUYER: users.get(username="viewer"),
        PUBLISHER_OF_BUYER: users.get(username="commissioner"),
        PUBLISHER_OF_SUPPLIER: users.get(username="provider"),
        PUBLISHER_OF_UNRELATED_PROVIDER: users.get(username="kestrel"),
        PUBLISHER_OF_UNRELATED_COUNCIL: wendmoor,
        SITE_MODERATOR: moderator,
        SITE_ADMINISTRATOR: administrator,
        SUPERUSER: users.create_superuser("matrix-superuser"),
        INACTIVE_PUBLISHER_OF_BUYER: inactive,
    }
    Draft.objects.create(
        publisher=organisations[BUYER],
        kind="record-review",
        ocid=ocid,
        answers=REVIEW_ANSWERS,
        created_by=actors[PUBLISHER_OF_BUYER],
    )
    Draft.objects.create(
        publisher=organisations[SUPPLIER],
        kind="publish-actuals",
        ocid=ocid,
        answers=ACTUALS_ANSWERS,
        created_by=actors[PUBLISHER_OF_SUPPLIER],
    )
    contract_id = Process.objects.get(ocid=ocid).compiled_release["contracts"][0]["id"]
    feedback = Feedback.objects.create(
        ocid=ocid,
        contract_id=contract_id,
        respondent_type="person",
        about_month="2025-01-01",
        story="My carer is always on time.",
        published_story="My carer is always on time.",
        status=Feedback.Status.PUBLISHED,
        fingerprint="matrix",
        address_hash="matrix",
    )
    sessions = {}
    for actor, user in actors.items():
        if user is not None:
            signed_in = Client()
            signed_in.force_login(user)
            sessions[actor] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    return World(organisations=organisations, users=actors, ocid=ocid, feedback=feedback, sessions=sessions)


@contextmanager
def world_for_a_module(django_db_blocker) -> Iterator[World]:
    """The demo data, the actors and two saved drafts, rolled back afterwards (also used by
    test_every_changing_url_is_guarded.py)."""
    with django_db_blocker.unblock(), override_settings(OPENCARE_DEMO_ACCOUNTS=True), transaction.atomic():
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, made once; each test's changes are rolled back after it, and all of it after the module."""
    with world_for_a_module(django_db_blocker) as made:
        yield made


# --- How a cell is checked ----------------------------------------------------------------------------------------


def entitled_organisation(action: str) -> str:
    """The organisation whose right the action is: the supplier for the provider's actions, else the buyer."""
    supplier_side = {"publish-method-statement", "publish-actuals", UPLOAD_ACTUALS_PAGE}
    return SUPPLIER if action in supplier_side else BUYER


def acting_for(actor: str, action: str) -> str:
    """The organisation the actor acts for in its own row of the matrix."""
    return MEMBER_OF[actor] or entitled_organisation(action)


def draft_action_of(publisher: Publisher) -> str:
    """The action whose saved draft the check-page cell opens: a review for a council, actuals for a provider."""
    return "record-review" if publisher.is_buyer_kind else "publish-actuals"


def rule(world: World, actor: str, action: str, publisher: Publisher) -> bool:
    """The rule's answer for the cell: permissions.decide, or the site role for the site pages."""
    user = world.user(actor)
    if action in SITE_PAGES:
        return is_administrator(user)
    if action == VIEW_ORGANISATION_PAGE:
        return bool(decide(user, "view-drafts", publisher))
    if action == UPLOAD_ACTUALS_PAGE:
        return bool(decide(user, "publish-actuals", publisher, world.ocid))
    if action == CHECK_PAGE:
        return bool(decide(user, draft_action_of(publisher), publisher, world.ocid))
    return bool(decide(user, action, publisher, None if action == "create-process" else world.ocid))


def stored(world: World) -> tuple:
    """Everything a POST could store: releases, drafts (with their answers), replies, catalogue changes, uploads."""
    drafts = tuple(Draft.objects.order_by("pk").values_list("pk", "publisher_id", "kind", "ocid", "answers"))
    counts = (
        Release.objects.count(),
        Reply.objects.count(),
        CatalogueChange.objects.count(),
        StoredDocument.objects.count(),
    )
    return drafts, counts


def sign_in(client, world: World, actor: str):
    """The client signed in as the actor, with the session made for them with the world."""
    if world.users[actor] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def assert_answered(response, actor: str, allowed: bool) -> None:
    """The page when allowed; 403 when a signed-in person is refused; the sign-in page when signed out."""
    if actor in SIGNED_OUT:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/account/sign-in/?next="), response["Location"]
    elif allowed:
        assert response.status_code == 200, response.content.decode()[:2000]
    else:
        assert response.status_code == 403, response.status_code


def assert_refused_post(client, url: str, actor: str, data: dict) -> None:
    """A refused POST: 403 when signed in, the sign-in page when signed out (what it stored is checked after)."""
    assert_answered(client.post(url, data), actor, allowed=False)


def flow_urls(world: World, publisher: Publisher, action: str) -> tuple[str, str]:
    """The form and check-your-answers addresses of a publishing flow."""
    if action == "create-process":
        return (
            reverse("publishing:new_process", args=[publisher.pk]),
            reverse("publishing:new_process_check", args=[publisher.pk]),
        )
    return (
        reverse("publishing:flow", args=[publisher.pk, world.ocid, action]),
        reverse("publishing:flow_check", args=[publisher.pk, world.ocid, action]),
    )


def check_over_http(client, world: World, actor: str, action: str, publisher: Publisher, allowed: bool) -> None:
    """What the web answers for one cell; every refused POST is checked to store nothing."""
    client = sign_in(client, world, actor)
    ocid = world.ocid
    if action == AUDIT_LOG_PAGE:
        assert_answered(client.get(reverse("publishing:audit")), actor, allowed)
    elif action == CATALOGUE_POST:
        # The catalogue is a public page, so a refused change is 403 even when signed out; an administrator's empty
        # change is read and refused as incomplete (400), not forbidden.
        response = client.post(reverse("publishing:catalogue"), {})
        assert response.status_code == (400 if allowed else 403)
    elif action == VIEW_ORGANISATION_PAGE:
        response = client.get(reverse("publishing:organisation", args=[publisher.pk]))
        assert_answered(response, actor, allowed)
        if response.status_code == 200:  # it shows its own drafts, never another organisation's
            others = list(Draft.objects.exclude(publisher=publisher))
            assert others
            for draft in others:
                assert f"{draft.kind} ({draft.ocid})" not in response.content.decode()
            for draft in Draft.objects.filter(publisher=publisher):
                assert f"{draft.kind} ({draft.ocid})" in response.content.decode()
    elif action == "view-drafts":
        assert_answered(client.get(reverse("publishing:process", args=[publisher.pk, ocid])), actor, allowed)
    elif action == "reply-to-feedback":
        url = reverse("participation:reply", args=[world.feedback.key])
        assert_answered(client.get(url), actor, allowed)
        if not allowed:
            assert_refused_post(client, url, actor, POSTED_ANSWERS)
    elif action == UPLOAD_ACTUALS_PAGE:
        url = reverse("publishing:actuals_upload", args=[publisher.pk, ocid])
        assert_answered(client.get(url), actor, allowed)
        if not allowed:
            assert_refused_post(client, url, actor, {"spreadsheet": SimpleUploadedFile("actuals.csv", ACTUALS_CSV)})
            check = reverse("publishing:actuals_upload_check", args=[publisher.pk, ocid])
            assert_answered(client.get(check), actor, allowed)
            assert_refused_post(client, check, actor, {})
    elif action == CHECK_PAGE:
        _, check = flow_urls(world, publisher, draft_action_of(publisher))
        response = client.get(check)
        assert_answered(response, actor, allowed)
        page = response.content.decode()
        if allowed:  # its own draft's answers, to check before publishing
            assert "Check your answers" in page
            assert (BUYER_DRAFT_MARKER if publisher.is_buyer_kind else SUPPLIER_DRAFT_MARKER) in page
        else:
            assert BUYER_DRAFT_MARKER not in page
            assert SUPPLIER_DRAFT_MARKER not in page
            assert_refused_post(client, check, actor, {})
    elif action not in FLOWS:  # e.g. update-process: there is no web form for it (yet), for anyone
        form, check = flow_urls(world, publisher, action)
        for response in (client.get(form), client.post(form, POSTED_ANSWERS), client.post(check, {})):
            if actor in SIGNED_OUT:
                assert_answered(response, actor, allowed=False)
            else:
                assert response.status_code == 404
    else:
        form, check = flow_urls(world, publisher, action)
        # The form, or (for a flow about one contract, when the process has several) the contract chooser.
        assert_answered(client.get(form), actor, allowed)
        if allowed:
            assert client.get(check).status_code in (200, 302)  # the check page, or back to the form if no draft
        else:
            assert_refused_post(client, form, actor, POSTED_ANSWERS)
            response = client.get(check)
            assert_answered(response, actor, allowed)
            assert BUYER_DRAFT_MARKER not in response.content.decode()
            assert SUPPLIER_DRAFT_MARKER not in response.content.decode()
            assert_refused_post(client, check, actor, {})


# --- The tests ----------------------------------------------------------------------------------------------------


def test_the_matrix_has_a_row_for_every_actor_and_a_cell_for_every_action():
    assert set(EXPECTED) == set(MEMBER_OF)
    for actor, row in EXPECTED.items():
        assert list(row) == [*ACTIONS, *PAGES], actor


@pytest.mark.parametrize(
    ("actor", "action"),
    [(actor, action) for actor, row in EXPECTED.items() for action in row],
    ids=[f"{actor}--{action}" for actor, row in EXPECTED.items() for action in row],
)
def test_each_role_may_take_exactly_the_actions_the_matrix_allows(client, world, actor, action):
    allowed = EXPECTED[actor][action] == ALLOWED
    publisher = world.organisations[acting_for(actor, action)]
    assert rule(world, actor, action, publisher) is allowed
    before = stored(world)
    check_over_http(client, world, actor, action, publisher, allowed)
    assert stored(world) == before


@pytest.mark.parametrize(
    ("actor", "action", "organisation"),
    CROSS_CELLS,
    ids=[f"{actor}--{action}--as-{organisation}" for actor, action, organisation in CROSS_CELLS],
)
def test_no_one_acts_for_an_organisation_they_are_not_a_member_of(client, world, actor, action, organisation):
    publisher = world.organisations[organisation]
    assert rule(world, actor, action, publisher) is False
    before = stored(world)
    check_over_http(client, world, actor, action, publisher, allowed=False)
    assert stored(world) == before


@pytest.mark.parametrize(
    ("actor", "victim", "action"),
    [
        (PUBLISHER_OF_SUPPLIER, BUYER, "record-review"),
        (PUBLISHER_OF_UNRELATED_PROVIDER, BUYER, "record-review"),
        (PUBLISHER_OF_UNRELATED_COUNCIL, BUYER, "record-review"),
        (PUBLISHER_OF_BUYER, SUPPLIER, "publish-actuals"),
        (PUBLISHER_OF_UNRELATED_PROVIDER, SUPPLIER, "publish-actuals"),
        (PUBLISHER_OF_UNRELATED_COUNCIL, SUPPLIER, "publish-actuals"),
    ],
    ids=[
        "publisher-of-supplier--opens-buyer--record-review",
        "publisher-of-unrelated-provider--opens-buyer--record-review",
        "publisher-of-unrelated-council--opens-buyer--record-review",
        "publisher-of-buyer--opens-supplier--publish-actuals",
        "publisher-of-unrelated-provider--opens-supplier--publish-actuals",
        "publisher-of-unrelated-council--opens-supplier--publish-actuals",
    ],
)
def test_a_publisher_cannot_read_or_publish_another_organisations_draft_by_naming_its_pk(
    client, world, actor, victim, action
):
    publisher = world.organisations[victim]
    marker = BUYER_DRAFT_MARKER if victim == BUYER else SUPPLIER_DRAFT_MARKER
    sign_in(client, world, actor)
    before = stored(world)
    pages = [
        reverse("publishing:organisation", args=[publisher.pk]),
        reverse("publishing:process", args=[publisher.pk, world.ocid]),
        reverse("publishing:flow", args=[publisher.pk, world.ocid, action]),
        reverse("publishing:flow_check", args=[publisher.pk, world.ocid, action]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403, url
        assert marker not in response.content.decode()
    assert client.post(pages[-1]).status_code == 403
    assert client.post(pages[-2], POSTED_ANSWERS).status_code == 403
    assert stored(world) == before  # the victim's draft is neither published nor replaced nor deleted


REFUSED_PUBLISHES = [
    (actor, action)
    for actor, row in EXPECTED.items()
    for action, outcome in row.items()
    if outcome == REFUSED and action in ACTIONS and ACTIONS[action].publishes
]


@pytest.mark.parametrize(
    ("actor", "action"), REFUSED_PUBLISHES, ids=[f"{actor}--{action}" for actor, action in REFUSED_PUBLISHES]
)
def test_the_publishing_service_refuses_what_the_matrix_refuses(world, actor, action):
    """publish() asks the rule itself, so nothing that bypasses the pages (a command, a bug) publishes either."""
    publisher = world.organisations[acting_for(actor, action)]
    before = stored(world)

    def build(header):
        pytest.fail(f"a release was built for a refused {action}")

    with pytest.raises(NotAllowed):
        publish(
            user=world.user(actor),
            publisher=publisher,
            action=action,
            build=build,
            ocid=None if action == "create-process" else world.ocid,
        )
    assert stored(world) == before


def test_a_viewer_sees_its_organisations_drafts_but_cannot_publish(client, world):
    council = world.organisations[BUYER]
    sign_in(client, world, VIEWER_OF_BUYER)
    page = client.get(reverse("publishing:organisation", args=[council.pk]))
    assert page.status_code == 200
    assert f"record-review ({world.ocid})" in page.content.decode()
    assert client.get(reverse("publishing:process", args=[council.pk, world.ocid])).status_code == 200
    before = stored(world)
    for action in FLOWS:
        form, check = flow_urls(world, council, action)
        assert client.get(form).status_code == 403, action
        assert client.post(form, POSTED_ANSWERS).status_code == 403, action
        assert client.get(check).status_code == 403, action
        assert client.post(check).status_code == 403, action
    assert stored(world) == before
    assert Draft.objects.filter(publisher=council, kind="record-review", ocid=world.ocid).exists()


@pytest.mark.parametrize(
    ("actor", "organisation", "action"),
    [(PUBLISHER_OF_BUYER, BUYER, "record-review"), (PUBLISHER_OF_SUPPLIER, SUPPLIER, "publish-actuals")],
    ids=["publisher-of-buyer--publishes-its-review", "publisher-of-supplier--publishes-its-actuals"],
)
def test_the_saved_drafts_are_publishable_by_their_own_publishers(client, world, actor, organisation, action):
    """The control for the refusals above: the drafts that refused actors could not publish are publishable."""
    publisher = world.organisations[organisation]
    sign_in(client, world, actor)
    releases = Release.objects.filter(ocid=world.ocid).count()
    response = client.post(reverse("publishing:flow_check", args=[publisher.pk, world.ocid, action]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Release.objects.filter(ocid=world.ocid).count() == releases + 1
    assert not Draft.objects.filter(publisher=publisher, kind=action, ocid=world.ocid).exists()


CONTRACT_ACTIONS = ("set-targets", "record-review", "record-failure", "amend-contract")
JOINT_CELLS = [(buyer, action) for buyer in ("council", "icb") for action in CONTRACT_ACTIONS]


@pytest.mark.parametrize(
    ("buyer", "action"),
    JOINT_CELLS,
    ids=[f"publisher-of-{buyer}--{action}--on-the-other-buyers-contract" for buyer, action in JOINT_CELLS],
)
def test_a_buyer_cannot_publish_to_the_contract_of_another_buyer_of_a_joint_process(client, world, buyer, action):
    icb = Publisher.objects.create(
        name=ICB.name, kind=Publisher.Kind.NHS, scheme=ICB.scheme, identifier=ICB.ident, is_invented=True
    )
    icb_publisher = get_user_model().objects.create_user("icb-publisher")
    Membership.objects.create(user=icb_publisher, publisher=icb, role=Membership.Role.PUBLISHER)
    council = world.organisations[BUYER]
    joint = {part.process.ocid for part in parts_played_by(scheme=ICB.scheme, identifier=ICB.ident)}
    ocid = next(
        part.process.ocid
        for part in parts_played_by(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
        if part.process.ocid in joint
    )
    compiled = Process.objects.get(ocid=ocid).compiled_release
    bought_by = {award["id"]: award["buyer"]["id"] for award in compiled["awards"]}
    contract_of = {bought_by[contract["awardID"]]: contract["id"] for contract in compiled["contracts"]}
    publisher, user = (council, world.users[PUBLISHER_OF_BUYER]) if buyer == "council" else (icb, icb_publisher)
    other_buyer = ICB if buyer == "council" else COUNCIL
    other_buyers_contract = contract_of[f"{other_buyer.scheme}-{other_buyer.ident}"]
    client.force_login(user)
    url = reverse("publishing:flow", args=[publisher.pk, ocid, action]) + f"?contract={other_buyers_contract}"
    response = client.get(url)
    offered = response.status_code == 200 and "publishing/form.html" in [t.name for t in response.templates]
    assert not offered, f"{publisher.name} is offered the form for {other_buyers_contract}, another buyer's contract"
