"""Publishing pages: thin views over publishing.flows, services, selectors and permissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from opencare.accounts.roles import is_administrator
from opencare.publishing import monthly_figures as figures
from opencare.publishing import selectors
from opencare.publishing.actuals_template import actuals_template
from opencare.publishing.actuals_upload import ActualRow, read_actuals
from opencare.publishing.catalogue import CatalogueError, add_metric, current_metrics, retire_metric
from opencare.publishing.claims import ClaimRefused, approve_claim, pending_claims, refuse_claim, request_claim
from opencare.publishing.documents import UploadRefused, store_upload
from opencare.publishing.flows import FLOWS
from opencare.publishing.flows.actuals import actuals_builder, actuals_of, actuals_summary
from opencare.publishing.flows.context import FlowContext
from opencare.publishing.forms import (
    ActualsUploadForm,
    CatalogueMetricForm,
    ClaimDecisionForm,
    DocumentFields,
    ProviderClaimForm,
    RetireMetricForm,
)
from opencare.publishing.kept_uploads import (
    forget,
    keep,
    kept,
    kept_documents,
    own_keys_only,
    scope_of,
    size_in_words,
)
from opencare.publishing.models import (
    CatalogueChange,
    Draft,
    Membership,
    ProviderClaim,
    Publisher,
    StoredDocument,
)
from opencare.publishing.permissions import ACTIONS, decide, role_in
from opencare.publishing.providers import suppliers_without_account
from opencare.publishing.services import NotAllowed, PublishRefused, publish, record, save_draft

UPLOAD_KIND = "publish-actuals:upload"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The publisher's start page: their organisations and what they can do for each."""
    admin = is_administrator(request.user)
    context = {
        "organisations": selectors.organisations_of(request.user),
        "is_admin": admin,
        "claims_waiting": len(pending_claims()) if admin else 0,
    }
    return render(request, "publishing/home.html", context)


@login_required
def organisation(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """One organisation: the processes it can publish to, its drafts and its publishing history."""
    publisher = _member_publisher(request, publisher_pk)
    context = {
        "publisher": publisher,
        "can_create": bool(decide(request.user, "create-process", publisher)),
        "processes": selectors.processes_of(publisher),
        "drafts": Draft.objects.filter(publisher=publisher),
        "history": selectors.history_of(publisher)[:20],
        "can_upload_figures": bool(figures.provider_contracts(publisher))
        and role_in(request.user, publisher) == Membership.Role.PUBLISHER,
    }
    return render(request, "publishing/organisation.html", context)


@login_required
def process(request: HttpRequest, publisher_pk: int, ocid: str) -> HttpResponse:
    """What the organisation can publish for one process, per contract."""
    publisher = _member_publisher(request, publisher_pk)
    ctx = _context(publisher, ocid)
    if not decide(request.user, "view-drafts", publisher, ocid):
        raise PermissionDenied(f"{publisher.name} plays no part in this contracting process.")
    actions = [
        (action, ACTIONS[action].name)
        for action in FLOWS
        if action != "create-process" and decide(request.user, action, publisher, ocid)
    ]
    context = {
        "publisher": publisher,
        "ocid": ocid,
        "ctx": ctx,
        "actions": actions,
        "can_upload_actuals": bool(decide(request.user, "publish-actuals", publisher, ocid)),
        "title": ctx.compiled.get("title") or ocid,
        "contracts": [
            (contract, suppliers_without_account(ctx.compiled, contract.supplier_ids)) for contract in ctx.contracts
        ],
    }
    return render(request, "publishing/process.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def flow_form(request: HttpRequest, publisher_pk: int, action: str, ocid: str = "") -> HttpResponse:
    """A publishing form: answers are checked, saved as a draft, then shown for checking."""
    publisher, flow, ctx = _flow_setup(request, publisher_pk, action, ocid)
    if flow.needs_contract and ctx.contract is None:
        return render(request, "publishing/choose_contract.html", {"publisher": publisher, "ctx": ctx, "flow": flow})
    draft = Draft.objects.filter(publisher=publisher, kind=action, ocid=ocid).first()
    scope = scope_of(publisher, action, ocid, ctx.contract.contract_id if ctx.contract else "")
    if request.method == "POST":
        form = flow.make_form(ctx, request.POST, request.FILES)
        if isinstance(form, DocumentFields):  # document keys only of this session's or the draft's uploads
            allowed = kept(request.session, scope)
            data = own_keys_only(request.POST, [s.name for s in form.slots], allowed, draft.answers if draft else {})
            form = flow.make_form(ctx, data, request.FILES)
        if form.is_valid():
            refused = _keep_uploads(request, publisher, form)
            if refused is None:
                answers = _answers(form, form.data)
                save_draft(user=request.user, publisher=publisher, kind=action, ocid=ocid, answers=answers)
                forget(request.session, scope)
                return redirect(_check_url(publisher, action, ocid, ctx))
        else:
            refused = _keep_uploads_despite_errors(request, publisher, form, scope) or 400
        return _form_page(request, publisher, flow, ctx, form, status=refused)
    form = flow.make_form(ctx, draft.answers if draft else None, None)
    return _form_page(request, publisher, flow, ctx, form)


@login_required
@require_http_methods(["GET", "POST"])
def flow_check(request: HttpRequest, publisher_pk: int, action: str, ocid: str = "") -> HttpResponse:
    """Check your answers, then publish: the release is reviewed and refused if it would add errors."""
    publisher, flow, ctx = _flow_setup(request, publisher_pk, action, ocid)
    draft = Draft.objects.filter(publisher=publisher, kind=action, ocid=ocid).first()
    if draft is None:
        return redirect(_form_url(publisher, action, ocid, ctx))
    form = flow.make_form(ctx, draft.answers, None)
    if not form.is_valid():  # e.g. the catalogue changed since the draft was saved
        return _form_page(request, publisher, flow, ctx, form, status=400)
    cleaned = form.cleaned_data
    context = {
        "publisher": publisher,
        "flow": flow,
        "ctx": ctx,
        "rows": flow.summary(ctx, cleaned),
        "change_url": _form_url(publisher, action, ocid, ctx),
    }
    if request.method == "POST":
        title, description = flow.titles(cleaned)
        try:
            published = publish(
                user=request.user,
                publisher=publisher,
                action=action,
                ocid=ocid or None,
                build=flow.build(ctx, cleaned),
                title=title,
                description=description,
                draft=draft,
            )
        except NotAllowed as error:  # a rule of publishing.ownership: said on the page, with the answers kept
            return render(request, "publishing/check.html", context | {"refusal": str(error)}, status=403)
        except PublishRefused as refused:
            return render(request, "publishing/check.html", context | {"findings": refused.findings}, status=400)
        messages.success(request, f"Published: {flow.heading.lower()}. It is now on the contract's public page.")
        return redirect("publishing:process", publisher_pk=publisher.pk, ocid=published.ocid)
    return render(request, "publishing/check.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def actuals_upload(request: HttpRequest, publisher_pk: int, ocid: str) -> HttpResponse:
    """Upload a spreadsheet of actuals; its rows are checked and shown before they are published."""
    publisher, flow, ctx = _flow_setup(request, publisher_pk, "publish-actuals", ocid)
    if ctx.contract is None:
        return render(request, "publishing/choose_contract.html", {"publisher": publisher, "ctx": ctx, "flow": flow})
    form = ActualsUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["spreadsheet"]
            try:
                _check_spreadsheet_size(upload)
                rows = read_actuals(upload, upload.name, {m.metric_id for m in ctx.contract.agreed})
            except UploadRefused as error:
                form.add_error("spreadsheet", str(error))
            else:
                save_draft(
                    user=request.user,
                    publisher=publisher,
                    kind=UPLOAD_KIND,
                    ocid=ocid,
                    answers={"contract": ctx.contract.contract_id, "rows": [r.as_answer() for r in rows]},
                )
                return redirect(
                    reverse("publishing:actuals_upload_check", args=[publisher.pk, ocid])
                    + f"?contract={ctx.contract.contract_id}"
                )
        status = 400
    context = {"publisher": publisher, "ctx": ctx, "form": form, "flow": flow}
    return render(request, "publishing/actuals_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def actuals_upload_check(request: HttpRequest, publisher_pk: int, ocid: str) -> HttpResponse:
    """Check the uploaded figures, with how each compares to its target, then publish them."""
    publisher, flow, ctx = _flow_setup(request, publisher_pk, "publish-actuals", ocid)
    draft = Draft.objects.filter(publisher=publisher, kind=UPLOAD_KIND, ocid=ocid).first()
    if draft is None or ctx.contract is None:
        return redirect("publishing:actuals_upload", publisher_pk=publisher.pk, ocid=ocid)
    rows = [ActualRow.from_answer(answer) for answer in draft.answers.get("rows", [])]
    actuals = actuals_of(ctx, [(r.metric_id, r.period_start, r.period_end, r.value, r.notes) for r in rows])
    change_url = (
        reverse("publishing:actuals_upload", args=[publisher.pk, ocid]) + f"?contract={ctx.contract.contract_id}"
    )
    context = {
        "publisher": publisher,
        "flow": flow,
        "ctx": ctx,
        "rows": actuals_summary(actuals, ctx),
        "change_url": change_url,
    }
    if request.method == "POST":
        try:
            publish(
                user=request.user,
                publisher=publisher,
                action="publish-actuals",
                ocid=ocid,
                build=actuals_builder(ctx, actuals),
                draft=draft,
            )
        except NotAllowed as error:  # a rule of publishing.ownership: said on the page, with the answers kept
            return render(request, "publishing/check.html", context | {"refusal": str(error)}, status=403)
        except PublishRefused as refused:
            return render(request, "publishing/check.html", context | {"findings": refused.findings}, status=400)
        messages.success(request, f"Published {len(actuals)} figures from the spreadsheet.")
        return redirect("publishing:process", publisher_pk=publisher.pk, ocid=ocid)
    return render(request, "publishing/check.html", context)


@login_required
@require_http_methods(["GET"])
def actuals_template_download(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """The actuals template: a workbook with drop-down lists of the organisation's contracts and their measures."""
    publisher = _member_publisher(request, publisher_pk)
    content = actuals_template(publisher.name, figures.provider_contracts(publisher))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="monthly-figures.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def monthly_figures_upload(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """Upload the monthly figures of all the provider's contracts in one spreadsheet; every problem is listed by
    sheet and cell, and nothing is published before the figures are checked."""
    publisher, contracts = _figures_setup(request, publisher_pk)
    form = ActualsUploadForm(request.POST or None, request.FILES or None)
    form.fields["spreadsheet"].label = gettext("Spreadsheet of monthly figures (Excel .xlsx)")
    form.fields["spreadsheet"].help_text = gettext("The actuals template, filled in.")
    problems: list[figures.SheetProblem] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["spreadsheet"]
            try:
                _check_spreadsheet_size(upload)
                rows = figures.read_monthly_figures(upload.read(), upload.name, contracts)
            except UploadRefused as error:
                form.add_error("spreadsheet", str(error))
            except figures.SheetRefused as refused:
                problems = refused.problems
            else:
                save_draft(
                    user=request.user,
                    publisher=publisher,
                    kind=figures.DRAFT_KIND,
                    ocid="",
                    answers={"rows": [row.as_answer() for row in rows]},
                )
                return redirect("publishing:monthly_figures_check", publisher_pk=publisher.pk)
        status = 400
    context = {"publisher": publisher, "contracts": contracts, "form": form, "problems": problems}
    return render(request, "publishing/monthly_figures_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def monthly_figures_check(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """Check the uploaded figures, per contract (new, changed, unchanged), then publish one release per changed
    contract, all or nothing."""
    publisher, contracts = _figures_setup(request, publisher_pk)
    draft = Draft.objects.filter(publisher=publisher, kind=figures.DRAFT_KIND, ocid="").first()
    if draft is None:
        return redirect("publishing:monthly_figures", publisher_pk=publisher.pk)
    rows = [figures.FigureRow.from_answer(answer) for answer in draft.answers.get("rows", [])]
    upload_url = reverse("publishing:monthly_figures", args=[publisher.pk])
    try:
        plans = figures.plan(publisher, rows, contracts)
    except figures.SheetRefused as refused:  # the contracts changed since the upload
        context = {
            "publisher": publisher,
            "contracts": contracts,
            "form": ActualsUploadForm(),
            "problems": refused.problems,
        }
        return render(request, "publishing/monthly_figures_upload.html", context, status=400)
    changed = [p for p in plans if p.to_publish]
    context = {
        "publisher": publisher,
        "plans": [(p, _figure_rows(p)) for p in plans],
        "changed": changed,
        "upload_url": upload_url,
    }
    if request.method == "POST":
        if not changed:
            draft.delete()
            messages.success(request, gettext("Nothing new to publish: every figure is already published."))
            return redirect("publishing:organisation", publisher_pk=publisher.pk)
        try:
            figures.publish_plans(user=request.user, publisher=publisher, plans=plans)
        except figures.FiguresRefused as refused:
            context |= {"refusal": refused, "findings": refused.findings}
            return render(request, "publishing/monthly_figures_check.html", context, status=400)
        draft.delete()
        count = sum(len(p.to_publish) for p in changed)
        messages.success(
            request,
            ngettext(
                "Published %(count)s figure. It is now on its contract's public page.",
                "Published %(count)s figures, one release for each contract with new or changed figures. They are "
                "now on the contracts' public pages.",
                count,
            )
            % {"count": count},
        )
        return redirect("publishing:organisation", publisher_pk=publisher.pk)
    return render(request, "publishing/monthly_figures_check.html", context)


def document(request: HttpRequest, key: str, filename: str) -> FileResponse:
    """An uploaded document, as a download that cannot run in the site's origin."""
    stored = StoredDocument.objects.filter(key=key).first()
    if stored is None or stored.filename != filename:
        raise Http404("There is no document at this address.")
    response = FileResponse(
        stored.file.open("rb"), content_type=stored.content_type, as_attachment=True, filename=stored.filename
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who published what and when (administrators only)."""
    if not is_administrator(request.user):
        raise PermissionDenied("Only site administrators can see the audit log.")
    return render(request, "publishing/audit.html", {"entries": selectors.audit_entries()[:500]})


# --- Helpers of these views -------------------------------------------------------------------------------------


def _member_publisher(request: HttpRequest, publisher_pk: int) -> Publisher:
    publisher = get_object_or_404(Publisher, pk=publisher_pk)
    if not decide(request.user, "view-drafts", publisher):
        raise PermissionDenied(f"You are not a member of {publisher.name}.")
    return publisher


def _figures_setup(request: HttpRequest, publisher_pk: int) -> tuple[Publisher, list[figures.ProviderContract]]:
    """The organisation, if the user publishes for it, and the contracts it supplies where they may publish
    actuals (the account decides, never the spreadsheet)."""
    publisher = _member_publisher(request, publisher_pk)
    if role_in(request.user, publisher) != Membership.Role.PUBLISHER:
        raise PermissionDenied(
            gettext("You can see %(name)s's drafts, but only its publishers can publish.") % {"name": publisher.name}
        )
    contracts = [
        contract
        for contract in figures.provider_contracts(publisher)
        if decide(request.user, "publish-actuals", publisher, contract.ocid)
    ]
    return publisher, contracts


def _figure_rows(contract_plan: figures.ContractPlan) -> list[dict[str, str]]:
    """Each figure of a contract as the check page shows it: measure, month, figure, against the target, status."""
    compared = actuals_summary([figure.actual for figure in contract_plan.figures])
    rows = []
    for figure, (_, result) in zip(contract_plan.figures, compared, strict=True):
        if figure.status == "new":
            status = gettext("New")
        elif figure.status == "changed":
            status = gettext("Changed (published now: %(figure)s)") % {"figure": f"{figure.published.normalize():f}"}
        else:
            status = gettext("Unchanged: already published")
        rows.append(
            {
                "measure": figure.actual.title,
                "month": figure.row.month.strftime("%B %Y"),
                "result": result,
                "status": status,
                "state": figure.status,
                "notes": figure.row.notes,
            }
        )
    return rows


def _context(publisher: Publisher, ocid: str, contract_id: str = "") -> FlowContext:
    ctx = FlowContext(publisher=publisher, ocid=ocid)
    if ocid:
        process = selectors.process_for_publishing(ocid)
        if process is None:
            raise Http404("No contracting process has that OCID.")
        ctx.compiled = process.compiled_release
        contracts = ctx.contracts
        chosen = [c for c in contracts if c.contract_id == contract_id] if contract_id else contracts
        if contract_id and not chosen:
            raise PermissionDenied(f"{publisher.name} did not buy or provide that contract, so cannot publish to it.")
        ctx.contract = chosen[0] if len(chosen) == 1 else None
    return ctx


def _flow_setup(request: HttpRequest, publisher_pk: int, action: str, ocid: str) -> tuple[Publisher, Any, Any]:
    flow = FLOWS.get(action)
    if flow is None or (action == "create-process") == bool(ocid):
        raise Http404("There is no such thing to publish.")
    publisher = _member_publisher(request, publisher_pk)
    decision = decide(request.user, action, publisher, ocid or None)
    if not decision:
        raise PermissionDenied(decision.reason)
    contract_id = request.GET.get("contract", "") or request.POST.get("contract", "")
    return publisher, flow, _context(publisher, ocid, contract_id)


def _keep_uploads(request: HttpRequest, publisher: Publisher, form: Any) -> int | None:
    """Store each uploaded document and note its key in the answers; if one is refused, the error is shown on the form
    and its HTTP status returned (413 too large, 507 no room, else 400)."""
    if not isinstance(form, DocumentFields):
        return None
    for slot in form.slots:
        stored = _store_slot_upload(request, publisher, form, slot.name)
        if isinstance(stored, int):
            return stored
        if stored is not None:
            form.cleaned_data[f"{slot.name}_document"] = stored
    return None


def _keep_uploads_despite_errors(request: HttpRequest, publisher: Publisher, form: Any, scope: str) -> int | None:
    """On a form with errors elsewhere, keep each uploaded file that passes its own checks, so it need not be
    chosen again: stored, remembered in this session for this form, and put in the form's hidden field. Returns the
    HTTP status of a refused file (413, 507...), or None."""
    if not isinstance(form, DocumentFields):
        return None
    form.data = form.data.copy()
    status = None
    for slot in form.slots:
        stored = _store_slot_upload(request, publisher, form, slot.name)
        if isinstance(stored, int):
            status = stored
        elif stored is not None:
            keep(request.session, scope, slot.name, stored)
            form.data[f"{slot.name}_document"] = stored
    return status


def _store_slot_upload(request: HttpRequest, publisher: Publisher, form: Any, slot: str) -> str | int | None:
    """The file uploaded for one document question, stored and audited: its key, the HTTP status of its refusal (the
    reason shown on the form), or None when nothing was uploaded."""
    upload = form.cleaned_data.get(f"{slot}_file")
    if not upload:
        return None
    try:
        stored = store_upload(user=request.user, publisher=publisher, upload=upload)
    except UploadRefused as error:
        form.add_error(f"{slot}_file", str(error))
        return error.status
    record(user=request.user, publisher=publisher, action="upload-document", key=str(stored.key),
           filename=stored.filename, sha256=stored.sha256)  # fmt: skip
    return str(stored.key)


def _show_kept(form: Any, publisher: Publisher) -> None:
    """Tell each file question of the form which document it keeps (one uploaded before), to say so on the page."""
    if not isinstance(form, DocumentFields) or not form.is_bound:
        return
    keys = {slot.name: str(form.data.get(f"{slot.name}_document") or "") for slot in form.slots}
    for slot, document in kept_documents(publisher, keys).items():
        form.fields[f"{slot}_file"].kept = document
        form.fields[f"{slot}_file"].kept_size = size_in_words(document.size)


def _answers(form: Any, data: Any) -> dict[str, Any]:
    """The submitted text of the form's fields, with the keys of documents just uploaded."""
    answers = {name: data.get(name, "") for name in form.fields if not name.endswith("_file")}
    for name in form.fields:
        if name.endswith("_document") and form.cleaned_data.get(name):
            answers[name] = form.cleaned_data[name]
    return answers


def _form_page(request: HttpRequest, publisher: Publisher, flow: Any, ctx: FlowContext, form: Any, status: int = 200):
    _show_kept(form, publisher)
    return render(
        request,
        "publishing/form.html",
        {"publisher": publisher, "flow": flow, "ctx": ctx, "form": form},
        status=status,
    )


def _form_url(publisher: Publisher, action: str, ocid: str, ctx: FlowContext) -> str:
    if not ocid:
        return reverse("publishing:new_process", args=[publisher.pk])
    url = reverse("publishing:flow", args=[publisher.pk, ocid, action])
    return url + (f"?contract={ctx.contract.contract_id}" if ctx.contract else "")


def _check_url(publisher: Publisher, action: str, ocid: str, ctx: FlowContext) -> str:
    if not ocid:
        return reverse("publishing:new_process_check", args=[publisher.pk])
    url = reverse("publishing:flow_check", args=[publisher.pk, ocid, action])
    return url + (f"?contract={ctx.contract.contract_id}" if ctx.contract else "")


def _check_spreadsheet_size(upload: Any) -> None:
    if upload.size > settings.OPENCARE_ACTUALS_MAX_BYTES:
        limit = settings.OPENCARE_ACTUALS_MAX_BYTES // 1_000_000
        raise UploadRefused(f"The spreadsheet is larger than {limit} MB. Split it into several files.")


@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """The metric catalogue and every change made to it here; administrators add and retire metrics."""
    admin = is_administrator(request.user)
    add_form, retire_form, status = CatalogueMetricForm(), None, 200
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("Only site administrators can change the catalogue.")
        try:
            if request.POST.get("change") == "retire":
                retire_form = RetireMetricForm(request.POST)
                if retire_form.is_valid():
                    c = retire_form.cleaned_data
                    retire_metric(
                        user=request.user, metric_id=c["metric_id"], asked_for_by=c["asked_for_by"], reason=c["reason"]
                    )
                    record(user=request.user, publisher=None, action="retire-metric", metric_id=c["metric_id"])
                    messages.success(request, f"Retired {c['metric_id']}.")
                    return redirect("publishing:catalogue")
            else:
                add_form = CatalogueMetricForm(request.POST)
                if add_form.is_valid():
                    c = add_form.cleaned_data
                    add_metric(
                        user=request.user, metric=add_form.metric(), asked_for_by=c["asked_for_by"], reason=c["reason"]
                    )
                    record(user=request.user, publisher=None, action="add-metric", metric_id=c["id"])
                    messages.success(request, f"Added {c['id']} to the catalogue.")
                    return redirect("publishing:catalogue")
        except CatalogueError as error:
            add_form.add_error(None, str(error))
        status = 400
    context = {
        "metrics": current_metrics(include_retired=True),
        "changes": CatalogueChange.objects.all()[:200],
        "admin": admin,
        "add_form": add_form,
        "retire_form": retire_form,
    }
    return render(request, "publishing/catalogue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def claim_request(request: HttpRequest) -> HttpResponse:
    """Someone from a provider asks for its account; an administrator decides (a claim alone gives nothing)."""
    form = ProviderClaimForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            request_claim(
                user=request.user, name=c["name"], scheme=c["scheme"], identifier=c["identifier"], note=c["note"]
            )
            messages.success(
                request,
                gettext(
                    "Your claim for %(name)s is with the site's administrators. You can publish for it once they "
                    "approve it."
                )
                % {"name": c["name"]},
            )
            return redirect("publishing:home")
        return render(request, "publishing/claim_request.html", {"form": form}, status=400)
    return render(request, "publishing/claim_request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def claims(request: HttpRequest) -> HttpResponse:
    """Providers' claims waiting for an administrator, who approves or refuses each (administrators only)."""
    if not is_administrator(request.user):
        raise PermissionDenied(gettext("Only site administrators decide providers' claims."))
    status = 200
    if request.method == "POST":
        form = ClaimDecisionForm(request.POST)
        claim = ProviderClaim.objects.filter(pk=request.POST.get("claim") or 0).first() if form.is_valid() else None
        if claim is None:
            raise Http404(gettext("There is no such claim."))
        try:
            if form.cleaned_data["decision"] == "approve":
                approve_claim(user=request.user, claim=claim, reason=form.cleaned_data["reason"])
                approved = gettext("Approved: %(name)s can now publish its part.") % {"name": claim.name}
                messages.success(request, approved)
            else:
                refuse_claim(user=request.user, claim=claim, reason=form.cleaned_data["reason"])
                messages.success(request, gettext("Refused the claim for %(name)s.") % {"name": claim.name})
            return redirect("publishing:claims")
        except ClaimRefused as refused:
            messages.error(request, str(refused))
            status = 409
    context = {"pending": pending_claims(), "decided": ProviderClaim.objects.exclude(status="pending")[:50]}
    return render(request, "publishing/claims.html", context, status=status)
