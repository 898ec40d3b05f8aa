"""The publishing API: a publisher's own system posts releases (JSON) or actuals (CSV) with an API token.

Every post goes through the same service as the website (publishing.services.store_reviewed) and so the same
ownership and identity rules (publishing.ownership): the token's organisation must be the buyer in the process (any
release) or the provider of the contract (its own part only), and may not give any party identifiers that are not
its own; the release is reviewed against the process's stored releases, inside the transaction that stores it, and
refused if it adds errors; what is stored is logged with the token's name. Tokens are sent as
`Authorization: Bearer <token>`, so these endpoints need no cookie and no CSRF token.
"""

from __future__ import annotations

import io
import json
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from opencare.ocds.performance import ContractOnRecord
from opencare.publishing.actuals_upload import COLUMNS, read_actuals
from opencare.publishing.documents import UploadRefused
from opencare.publishing.flows.actuals import actuals_builder, actuals_of
from opencare.publishing.flows.context import FlowContext
from opencare.publishing.models import ApiToken
from opencare.publishing.services import (
    AlreadyPublished,
    NotAllowed,
    PublishRefused,
    ReleaseIdTaken,
    buyer_of,
    publish_with_token,
    record,
    store_reviewed,
)
from opencare.publishing.tokens import token_for
from opencare.registry.selectors import process_by_ocid
from opencare.registry.storable import storage_problem

HOW_TO_AUTHENTICATE = (
    "Send your organisation's API token in the header 'Authorization: Bearer <token>'. Publishers create tokens on "
    "their organisation's API tokens page on this website."
)


class PublisherToken(HttpBearer):
    """An API token of a publishing organisation, sent as `Authorization: Bearer <token>`."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        scheme, _, text = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not text.strip():
            raise HttpError(401, f"No API token was sent. {HOW_TO_AUTHENTICATE}")
        return self.authenticate(request, text.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        """The live token with this text; a 401 that says so if it is unknown or revoked."""
        found = token_for(token)
        if found is None:
            raise HttpError(401, f"This API token is not known or has been revoked. {HOW_TO_AUTHENTICATE}")
        return found


router = Router(tags=["Publishing"], auth=PublisherToken())


class ReasonOut(Schema):
    """Why the request was refused, and what to do about it."""

    detail: str


class RefusedOut(Schema):
    """Why the request was refused; `findings` lists the review's errors when the release would add some."""

    detail: str
    findings: list[dict[str, Any]] = []


class PostedOut(Schema):
    """The release that was stored (or was already stored, for a repeated post), and where its record is."""

    ocid: str
    release_id: str
    tags: list[str]
    record: str


class ActualsOut(PostedOut):
    """The release of actuals that was stored, and how many figures it holds."""

    contract_id: str
    figures: int


RELEASE_BODY = {
    "description": "One OCDS release as a JSON object, or a release package whose `releases` list holds exactly "
    "one release. Its `ocid` must be a contracting process in the registry where your organisation is the buyer, or "
    "the provider (then the release may hold only ocid, id, date, tag, initiationType, language, parties, buyer, "
    "awards with ids only, and contracts with only id, awardID, implementation and documents). No party may be given "
    "identifiers that are not its own: your organisation's party carries the identifier confirmed for it, and other "
    "parties only the identifiers they already have here (else 403, naming the identifier). A correction is a new "
    "release with a new `id`.",
    "required": True,
    "content": {"application/json": {"schema": {"type": "object", "description": "An OCDS release."}}},
}
ACTUALS_BODY = {
    "description": "CSV text (UTF-8) whose first row names the columns metric_id, period_start, period_end, value "
    "and optionally notes; one row per metric and period. Dates are like 2026-04-01; metric_id must be a metric "
    "agreed in the contract.",
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "metric_id,period_start,period_end,value,notes\nsc-missed-visits,2026-04-01,2026-04-30,1.2,\n",
        }
    },
}


@router.post(
    "/publish/releases",
    response={
        200: PostedOut,
        201: PostedOut,
        400: RefusedOut,
        401: ReasonOut,
        403: ReasonOut,
        409: ReasonOut,
        413: ReasonOut,
    },
    summary="Post a release",
    openapi_extra={"requestBody": RELEASE_BODY},
)
def post_release(request: HttpRequest) -> Status:
    """Publish one OCDS release for a contracting process your organisation is the buyer or provider in.

    Needs a token with the `releases` scope. The release is reviewed with the process's stored releases: if it would
    add errors it is refused (400, with the review's findings) and nothing is stored. Posting the same release again
    answers 200 and stores nothing; a different release with an `id` already used answers 409.
    """
    token: ApiToken = request.auth
    via = f"api:{token.name}"
    if ApiToken.Scope.RELEASES not in token.scopes:
        return _forbidden(
            token,
            "post-release",
            "",
            "This API token may not post releases. Create a token with "
            "the 'releases' scope on your organisation's API tokens page.",
        )
    release = _release_from(_body(request))
    try:
        published = store_reviewed(
            user=None, publisher=token.publisher, action="post-release", release=release, via=via
        )
    except NotAllowed as refused:
        return Status(403, {"detail": str(refused)})
    except AlreadyPublished as already:
        return Status(200, _posted(already.published.ocid, already.published.release_id, list(already.published.tags)))
    except ReleaseIdTaken as taken:
        return Status(409, {"detail": str(taken)})
    except PublishRefused as refused:
        return Status(
            400,
            {
                "detail": f"The release was not stored: it would add {len(refused.findings)} kinds of "
                "error to this process's data. Fix them and post it again.",
                "findings": refused.findings,
            },
        )
    return Status(201, _posted(published.ocid, published.release_id, list(published.tags)))


@router.post(
    "/publish/processes/{ocid}/contracts/{contract_id}/actuals",
    response={201: ActualsOut, 400: RefusedOut, 401: ReasonOut, 403: ReasonOut, 404: ReasonOut, 413: ReasonOut},
    summary="Post actuals (CSV)",
    openapi_extra={"requestBody": ACTUALS_BODY},
)
def post_actuals(request: HttpRequest, ocid: str, contract_id: str) -> Status:
    """Publish a contract's actuals (how it performed against each agreed metric) from CSV, as its provider.

    Needs a token with the `actuals` scope, of the organisation that provides the contract. Each figure is compared
    with the contract's target and classed met or below; every problem in the CSV is named by its row (400).
    """
    token: ApiToken = request.auth
    publisher = token.publisher
    if ApiToken.Scope.ACTUALS not in token.scopes:
        return _forbidden(
            token,
            "publish-actuals",
            ocid,
            "This API token may not post actuals. Create a token with "
            "the 'actuals' scope on your organisation's API tokens page.",
        )
    process = process_by_ocid(ocid=ocid)
    if process is None:
        return Status(404, {"detail": f"No contracting process in the registry has the ocid '{ocid}'."})
    compiled = process.compiled_release
    contract_ids = {str(c.get("id")) for c in compiled.get("contracts") or [] if isinstance(c, dict)}
    if contract_id not in contract_ids:
        return Status(
            404,
            {
                "detail": f"This contracting process has no contract with the id '{contract_id}'. Its "
                f"contracts are: {', '.join(sorted(contract_ids)) or 'none yet'}."
            },
        )
    ctx = FlowContext(publisher=publisher, ocid=ocid, compiled=compiled)
    contract = _supplied_contract(ctx, contract_id)
    if contract is None:
        return _forbidden(
            token,
            "publish-actuals",
            ocid,
            f"{publisher.name} is not the provider of this contract, so it cannot publish its actuals.",
        )
    if buyer_of(compiled) is None:
        return _forbidden(
            token,
            "publish-actuals",
            ocid,
            "This contracting process names no buyer, so nothing can be added to it here.",
        )
    ctx.contract = contract
    agreed = {metric.metric_id for metric in contract.agreed}
    if not agreed:
        return Status(
            400,
            {
                "detail": "This contract has no agreed metrics yet, so there is nothing to report "
                "against. The buyer sets the contract's targets first."
            },
        )
    body = _body(request)
    if len(body) > settings.OPENCARE_ACTUALS_MAX_BYTES:
        limit = settings.OPENCARE_ACTUALS_MAX_BYTES // 1_000_000
        return Status(413, {"detail": f"The CSV is larger than {limit} MB. Send it in several smaller posts."})
    try:
        rows = read_actuals(io.BytesIO(body), "actuals.csv", agreed)
    except UploadRefused as refused:
        return Status(400, {"detail": f"{refused} (Columns: {', '.join(COLUMNS)}, notes.)"})
    actuals = actuals_of(ctx, [(r.metric_id, r.period_start, r.period_end, r.value, r.notes) for r in rows])
    try:
        published = publish_with_token(
            token=token,
            scope=ApiToken.Scope.ACTUALS,
            action="publish-actuals",
            build=actuals_builder(ctx, actuals),
            ocid=ocid,
            detail={"contract": contract_id, "figures": len(actuals)},
        )
    except NotAllowed as refused:
        return Status(403, {"detail": str(refused)})
    except PublishRefused as refused:
        return Status(
            400,
            {
                "detail": f"The actuals were not stored: they would add {len(refused.findings)} kinds of "
                "error to this process's data.",
                "findings": refused.findings,
            },
        )
    answer = _posted(published.ocid, published.release_id, list(published.tags))
    return Status(201, answer | {"contract_id": contract_id, "figures": len(actuals)})


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise HttpError(413, "The body is too large. Send one release, or fewer rows of actuals, per post.") from None


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class _DuplicateKeyError(ValueError):
    pass


def _duplicate_key(body: bytes) -> str | None:
    """A key given twice in one object of the (valid) JSON body, or None. orjson keeps the last silently."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        if len(set(keys)) != len(keys):
            raise _DuplicateKeyError(next(key for key in keys if keys.count(key) > 1))
        return dict(items)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except _DuplicateKeyError as error:
        return str(error)
    except (ValueError, RecursionError):  # orjson read it; anything odd here is not a duplicate key
        return None
    return None


def _release_from(body: bytes) -> dict[str, Any]:
    """The one release the body holds, or a 400 that says what is wrong and how to fix it."""
    if not body.strip():
        raise HttpError(400, "The body is empty. Send one OCDS release as a JSON object.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise HttpError(
            400,
            f"The body is not valid JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}). Send one OCDS release as a JSON object, with Content-Type: "
            "application/json.",
        ) from None
    if (key := _duplicate_key(body)) is not None:
        raise HttpError(
            400,
            f"The key '{key[:100]}' appears twice in one object of the body. Give each field once: which of the "
            "two values is meant cannot be known.",
        )
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "true or false"}.get(type(data), "a number or null")
        raise HttpError(
            400,
            f'The body is {kind}, not a JSON object. Send one OCDS release ({{"ocid": …, "id": '
            "…}), or a release package whose releases list holds one release.",
        )
    if "releases" in data:
        releases = data["releases"]
        if not isinstance(releases, list) or len(releases) != 1 or not isinstance(releases[0], dict):
            raise HttpError(
                400,
                "A release package posted here must hold exactly one release (an object) in its "
                "releases list. Post each release on its own.",
            )
        data = releases[0]
    for key in ("ocid", "id"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise HttpError(
                400,
                f"The release has no '{key}' (or it is not text). Every release needs an ocid (its "
                "contracting process) and an id of its own.",
            )
    if (problem := storage_problem(data)) is not None:
        raise HttpError(400, str(problem))
    return data


def _supplied_contract(ctx: FlowContext, contract_id: str) -> ContractOnRecord | None:
    # FlowContext lists every contract for a buyer-kind organisation, so the supplier is checked here as well.
    for contract in ctx.contracts:
        if contract.contract_id == contract_id and ctx.publisher.party_id in contract.supplier_ids:
            return contract
    return None


def _posted(ocid: str, release_id: str, tags: Any) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "release_id": release_id,
        "tags": [str(tag) for tag in tags] if isinstance(tags, list | tuple) else [],
        "record": reverse("api-1:record_package", kwargs={"ocid": ocid}),
    }


def _forbidden(token: ApiToken, action: str, ocid: str, reason: str) -> Status:
    # Refusals are logged too: a token trying processes it has no part in is worth an administrator's attention.
    record(
        user=None,
        publisher=token.publisher,
        action=f"refused:{action}",
        via=f"api:{token.name}",
        ocid=ocid,
        reason=reason,
    )
    return Status(403, {"detail": reason})
