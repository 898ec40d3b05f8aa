"""Publishing: every publish becomes one immutable OCDS release, reviewed before it is stored, and logged.

The flow is the same for every form, upload and API call: decide whether the person (or token) may take the
action for this organisation on this process; build the release with opencare.ocds.release_builder (or take the one
posted); then, in one transaction with the process's row locked, check the release against the one set of ownership
and identity rules (publishing.ownership) and review the process's releases with and without it, refusing it if it
breaks a rule or adds errors; store it in the registry (append-only, the process recompiled); write the audit log.
Two posts to one process are reviewed one after the other, each against what the other stored.
"""

from __future__ import annotations

import io
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from opencare.ocds import release_builder as rb
from opencare.ocds.review.engine import review
from opencare.publishing.models import ApiToken, AuditEntry, Draft, Publisher
from opencare.publishing.ownership import release_problem
from opencare.publishing.permissions import ACTIONS, Side, decide, sides_in_process
from opencare.registry.models import Source
from opencare.registry.prepared import release_sha256
from opencare.registry.selectors import process_by_ocid, process_releases
from opencare.registry.services import POSTED_SOURCE_PREFIX, get_or_create_source, locked_process, store_releases

#: The tags each action's release carries; implementation releases after the first are updates.
TAGS = {
    "create-process": ("tender",),
    "update-process": ("tenderUpdate",),
    "publish-contract": ("award", "contract"),
    "set-targets": ("contractUpdate",),
    "publish-method-statement": ("contractUpdate",),
    "amend-contract": ("contractAmendment",),
    "record-review": ("implementation",),
    "record-failure": ("implementation",),
    "publish-actuals": ("implementation",),
    "post-release": (),
}


class NotAllowed(Exception):
    """The person or token may not take this action here; the message says why."""


class ReleaseIdTaken(Exception):
    """A different release with this id is stored for the process already: releases are never changed."""


class AlreadyPublished(Exception):
    """This very release is stored already (a repeated post): nothing more is stored."""

    def __init__(self, published: Published) -> None:
        super().__init__(f"The release {published.release_id} is stored already.")
        self.published = published


class PublishRefused(Exception):
    """The release would add errors to the process's data; ``findings`` are the review's, as JSON."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        super().__init__(f"The release would add {len(findings)} kinds of error.")
        self.findings = findings


@dataclass(frozen=True)
class Published:
    """What a publish stored."""

    ocid: str
    release_id: str
    tags: tuple[str, ...]


def new_ocid() -> str:
    """An OCID for a process created through opencare: the configured prefix and a random part."""
    return f"{settings.OPENCARE_OCID_PREFIX}-{secrets.token_hex(6)}"


def party_of(publisher: Publisher) -> rb.Party:
    """The organisation as an OCDS party."""
    return rb.Party(
        scheme=publisher.scheme,
        identifier=publisher.identifier,
        name=publisher.name,
        street=publisher.street,
        locality=publisher.locality,
        postcode=publisher.postcode,
        contact_name=publisher.contact_name,
        email=publisher.email,
    )


def party_from_release(party: dict[str, Any]) -> rb.Party:
    """A party of a compiled release as a builder Party (keeping its id's scheme and identifier)."""
    identifier = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    address = party.get("address") if isinstance(party.get("address"), dict) else {}
    contact = party.get("contactPoint") if isinstance(party.get("contactPoint"), dict) else {}
    scheme, ident = str(identifier.get("scheme") or ""), str(identifier.get("id") or "")
    if not scheme or not ident:  # a party named only by id: keep the id exactly
        scheme, _, ident = str(party.get("id") or "").rpartition("-")
    return rb.Party(
        scheme=scheme,
        identifier=ident,
        name=str(party.get("name") or ""),
        street=str(address.get("streetAddress") or ""),
        locality=str(address.get("locality") or ""),
        postcode=str(address.get("postalCode") or ""),
        contact_name=str(contact.get("name") or ""),
        email=str(contact.get("email") or ""),
    )


def buyer_of(compiled: dict[str, Any]) -> rb.Party | None:
    """The process's buyer, from its compiled release."""
    buyer_id = (compiled.get("buyer") or {}).get("id") if isinstance(compiled.get("buyer"), dict) else None
    for party in compiled.get("parties") or []:
        if isinstance(party, dict) and party.get("id") == buyer_id:
            return party_from_release(party)
    return None


def publish(
    *,
    user: AbstractBaseUser,
    publisher: Publisher,
    action: str,
    build: Callable[[rb.ReleaseHeader], dict[str, Any]],
    ocid: str | None = None,
    title: str = "",
    description: str = "",
    via: str = "web",
    draft: Draft | None = None,
) -> Published:
    """Publish one release for the organisation, or raise NotAllowed or PublishRefused (nothing is stored then)."""
    decision = decide(user, action, publisher, ocid)
    if not decision:
        raise NotAllowed(decision.reason)
    return _build_and_store(
        user=user, publisher=publisher, action=action, build=build, ocid=ocid, title=title,
        description=description, via=via, draft=draft,
    )  # fmt: skip


def publish_with_token(
    *,
    token: ApiToken,
    scope: str,
    action: str,
    build: Callable[[rb.ReleaseHeader], dict[str, Any]],
    ocid: str,
    detail: dict[str, Any] | None = None,
) -> Published:
    """Publish one release for an API token's organisation, as publish() does for a person: the token must have
    ``scope`` (else NotAllowed), and store_reviewed checks the organisation's part in the process. ``detail`` goes
    into the audit log."""
    if scope not in token.scopes:
        raise NotAllowed(f"This API token may not do this: it needs the '{scope}' scope.")
    return _build_and_store(
        user=None, publisher=token.publisher, action=action, build=build, ocid=ocid, via=f"api:{token.name}",
        detail=detail,
    )  # fmt: skip


def _build_and_store(
    *,
    user: AbstractBaseUser | None,
    publisher: Publisher,
    action: str,
    build: Callable[[rb.ReleaseHeader], dict[str, Any]],
    ocid: str | None,
    title: str = "",
    description: str = "",
    via: str = "web",
    draft: Draft | None = None,
    detail: dict[str, Any] | None = None,
) -> Published:
    compiled = _compiled(ocid) if ocid else {}
    ocid = ocid or new_ocid()
    buyer = party_of(publisher) if ACTIONS[action].side == "buyer" else buyer_of(compiled)
    if buyer is None:
        raise NotAllowed("This contracting process names no buyer, so nothing can be added to it here.")
    header = rb.ReleaseHeader(
        ocid=ocid,
        release_id=f"{action}-{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}",
        date=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        tags=tags_for(action, ocid),
        buyer=buyer,
        title=title,
        description=description,
    )
    release = build(header)
    return store_reviewed(
        user=user, publisher=publisher, action=action, release=release, via=via, draft=draft, detail=detail or {}
    )


def store_reviewed(
    *,
    user: AbstractBaseUser | None,
    publisher: Publisher,
    action: str,
    release: dict[str, Any],
    via: str,
    draft: Draft | None = None,
    detail: dict[str, Any] | None = None,
) -> Published:
    """Check a release against the ownership rules and review it with the process's stored releases, then store it,
    all in one transaction with the process locked; or raise (nothing stored, the refusal logged):

    NotAllowed (a rule is broken: the message says which), PublishRefused (it adds errors), ReleaseIdTaken (another
    release has its id) or AlreadyPublished (it is stored already).
    """
    ocid, release_id = str(release.get("ocid")), str(release.get("id", ""))
    try:
        with transaction.atomic():
            published = _check_and_store(user, publisher, action, release, via, detail or {})
            if draft is not None and draft.pk:
                draft.delete()
    except NotAllowed as refused:
        _audit(user, publisher, f"refused:{action}", ocid, release_id, via, {"reason": str(refused)})
        raise
    except PublishRefused as refused:
        _audit(user, publisher, f"refused:{action}", ocid, release_id, via, {"errors": len(refused.findings)})
        raise
    return published


def _check_and_store(
    user: AbstractBaseUser | None,
    publisher: Publisher,
    action: str,
    release: dict[str, Any],
    via: str,
    detail: dict[str, Any],
) -> Published:
    """The one path of every publish, inside its transaction: what is decided here is decided on the stored state
    the release is stored onto (the process row is locked first)."""
    ocid, release_id = str(release.get("ocid")), str(release.get("id", ""))
    process = locked_process(ocid=ocid)
    if process is None and action != "create-process":
        raise NotAllowed(
            f"No contracting process in the registry has the ocid '{ocid}'. Releases can be posted only for "
            "processes already published here; create a new process on the website first."
        )
    compiled = process.compiled_release if process is not None else {}
    sides = sides_in_process(publisher, ocid) if process is not None else set()
    needed = ACTIONS[action].side if action in ACTIONS else Side.EITHER
    if process is not None and needed != Side.EITHER and needed not in sides:
        part = "buyer" if needed == Side.BUYER else "provider"
        raise NotAllowed(f"{publisher.name} is not the {part} in this contracting process, so it cannot do this.")
    if problem := release_problem(publisher, release, compiled, sides):
        raise NotAllowed(problem)
    stored = set(process_releases(ocid=ocid).filter(release_id=release_id).values_list("sha256", flat=True))
    published = Published(ocid=ocid, release_id=release_id, tags=tuple(release.get("tag") or ()))
    if stored and release_sha256(release) in stored:
        raise AlreadyPublished(published)
    if stored:
        raise ReleaseIdTaken(
            f"A different release with the id '{release_id}' is already stored for this process. Releases are "
            "never changed once published: post the correction as a new release with a new id."
        )
    if added := errors_added(ocid, release):
        raise PublishRefused(added)
    store_releases(releases=[release], metadata=_package_metadata(publisher), source=_source_of(publisher))
    _audit(user, publisher, action, ocid, release_id, via, detail)
    return published


def errors_added(ocid: str, release: dict[str, Any]) -> list[dict[str, Any]]:
    """The review's error findings that the release adds to the process's stored releases (empty if none)."""
    stored = [stored.data for stored in process_releases(ocid=ocid)]
    before = _error_counts(stored) if stored else Counter()
    after_findings = _error_findings([*stored, release])
    return [finding for finding in after_findings if finding["count"] > before[(finding["check"], finding["path"])]]


def save_draft(*, user: AbstractBaseUser, publisher: Publisher, kind: str, ocid: str, answers: dict) -> Draft:
    """Keep the answers so far; one draft per organisation, action and process, replaced by each save."""
    draft, _ = Draft.objects.update_or_create(
        publisher=publisher, kind=kind, ocid=ocid, defaults={"answers": answers, "created_by": user}
    )
    _audit(user, publisher, f"save-draft:{kind}", ocid, "", "web", {})
    return draft


def record(
    *, user: AbstractBaseUser | None, publisher: Publisher | None, action: str, via: str = "web", **detail: Any
) -> None:
    """Add an entry to the audit log for something other than a publish (uploads, tokens, catalogue changes)."""
    _audit(user, publisher, action, str(detail.pop("ocid", "")), "", via, detail)


def _audit(
    user: AbstractBaseUser | None,
    publisher: Publisher | None,
    action: str,
    ocid: str,
    release_id: str,
    via: str,
    detail: dict[str, Any],
) -> None:
    AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        publisher=publisher,
        action=action,
        ocid=ocid,
        release_id=release_id,
        via=via,
        detail=detail,
    )


def _compiled(ocid: str) -> dict[str, Any]:
    process = process_by_ocid(ocid=ocid)
    return process.compiled_release if process else {}


def tags_for(action: str, ocid: str) -> tuple[str, ...]:
    """The tags of the release an action publishes: the process's first implementation release is tagged
    implementation and later ones implementationUpdate (the one tag rule of the forms and the actuals API)."""
    tags = TAGS[action]
    if tags == ("implementation",):
        earlier = process_releases(ocid=ocid).values_list("tags", flat=True)
        if any(str(tag).startswith("implementation") for release_tags in earlier for tag in release_tags or []):
            return ("implementationUpdate",)
    return tags


def _error_findings(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    package = rb.release_package(
        releases, uri=_site_url("/"), published_date=_now(), publisher="opencare", licence=_licence()
    )
    report = review(io.BytesIO(orjson.dumps(package)), workers=1)
    return [finding.as_json() for finding in report.findings if finding.severity == "error"]


def _error_counts(releases: list[dict[str, Any]]) -> Counter:
    return Counter({(finding["check"], finding["path"]): finding["count"] for finding in _error_findings(releases)})


def _package_metadata(publisher: Publisher) -> dict[str, Any]:
    package = rb.release_package(
        [],
        uri=_site_url(f"/publish/organisations/{publisher.pk}/"),
        published_date=_now(),
        publisher=publisher.name,
        licence=_licence(),
    )
    package.pop("releases")
    return package


def _source_of(publisher: Publisher) -> Source:
    return get_or_create_source(
        key=f"{POSTED_SOURCE_PREFIX}{publisher.pk}",
        title=f"{publisher.name}, published through opencare",
        publisher_name=publisher.name,
        # Providers' releases too: every release posted here is published under the site's one licence.
        licence_name=settings.OPENCARE_PUBLISHED_LICENCE_NAME,
        licence_url=_licence(),
        is_invented=publisher.is_invented,
    )


def _licence() -> str:
    return settings.OPENCARE_PUBLISHED_LICENCE_URL


def _site_url(path: str) -> str:
    return settings.OPENCARE_SITE_URL.rstrip("/") + path


def _now() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
