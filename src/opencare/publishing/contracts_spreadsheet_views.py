"""Pages for publishing a council's contracts from one spreadsheet: upload, check your answers, publish.

Thin views over publishing.contracts_spreadsheet; who may publish is decided by publishing.permissions from the
account, never from the file.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from opencare.publishing import contracts_spreadsheet as sheet
from opencare.publishing.documents import UploadRefused
from opencare.publishing.forms import ActualsUploadForm
from opencare.publishing.models import Draft, Publisher
from opencare.publishing.monthly_figures import SheetRefused
from opencare.publishing.permissions import decide
from opencare.publishing.services import save_draft

STATUS_WORDS = {"new": "New", "changed": "Changed", "unchanged": "Unchanged: already published"}


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """Upload the social care template with many contracts; every problem is listed by sheet and cell, and nothing
    is published before the contracts are checked."""
    publisher = _buyer_publisher(request, publisher_pk)
    form = ActualsUploadForm(request.POST or None, request.FILES or None)
    form.fields["spreadsheet"].label = gettext("The social care template, filled in (Excel .xlsx or LibreOffice .ods)")
    form.fields["spreadsheet"].help_text = gettext(
        "One row for each contract on its Contracts sheet. A zip of the template's CSV files is read too."
    )
    problems = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["spreadsheet"]
            try:
                releases, rows, cells = sheet.read_contracts(upload_file.read(), upload_file.name, publisher)
                sheet.plan_contracts(publisher, releases, rows, review=False)  # refuses, by cell, what it may not
            except UploadRefused as error:
                form.add_error("spreadsheet", str(error))
                status = error.status
            except SheetRefused as refused:
                problems = refused.problems
                status = 400
            else:
                save_draft(
                    user=request.user,
                    publisher=publisher,
                    kind=sheet.DRAFT_KIND,
                    ocid="",
                    answers={"releases": releases, "rows": rows, "cells": cells, "filename": upload_file.name},
                )
                return redirect("publishing:contracts_spreadsheet_check", publisher_pk=publisher.pk)
        else:
            status = 400
    context = {"publisher": publisher, "form": form, "problems": problems}
    return render(request, "publishing/contracts_spreadsheet_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """Check what the spreadsheet would publish, per contract (new, changed, unchanged), then publish one release
    per new or changed contract, all or nothing."""
    publisher = _buyer_publisher(request, publisher_pk)
    draft = Draft.objects.filter(publisher=publisher, kind=sheet.DRAFT_KIND, ocid="").first()
    if draft is None:
        return redirect("publishing:contracts_spreadsheet", publisher_pk=publisher.pk)
    answers = draft.answers
    try:
        # Publishing reviews each release as it stores it, so a Publish need not review them first.
        review = request.method != "POST"
        plans = sheet.plan_contracts(
            publisher, answers.get("releases", []), answers.get("rows", {}), review=review, cells=answers.get("cells")
        )
    except SheetRefused as refused:  # what is published changed since the upload
        context = {"publisher": publisher, "form": ActualsUploadForm(), "problems": refused.problems}
        return render(request, "publishing/contracts_spreadsheet_upload.html", context, status=400)
    to_publish = [plan for plan in plans if plan.status != "unchanged"]
    blocked = [plan for plan in plans if plan.errors]
    context = {
        "publisher": publisher,
        "plans": plans,
        "status_words": STATUS_WORDS,
        "to_publish": to_publish,
        "blocked": blocked,
        "filename": answers.get("filename", ""),
        "counts": {key: sum(1 for plan in plans if plan.status == key) for key in STATUS_WORDS},
    }
    if request.method == "POST":
        if not to_publish:
            draft.delete()
            messages.success(request, gettext("Nothing new to publish: every contract is already published as it is."))
            return redirect("publishing:organisation", publisher_pk=publisher.pk)
        if blocked:
            return render(request, "publishing/contracts_spreadsheet_check.html", context, status=400)
        try:
            sheet.publish_contracts(
                user=request.user, publisher=publisher, plans=plans, filename=answers.get("filename", "")
            )
        except sheet.ContractsRefused as refused:
            context |= {"refusal": refused, "findings": refused.findings}
            return render(request, "publishing/contracts_spreadsheet_check.html", context, status=400)
        draft.delete()
        messages.success(
            request,
            ngettext(
                "Published %(count)s contract. It is now on its public page.",
                "Published %(count)s contracts, one release for each new or changed contract. They are now on "
                "their public pages.",
                len(to_publish),
            )
            % {"count": len(to_publish)},
        )
        return redirect("publishing:organisation", publisher_pk=publisher.pk)
    return render(request, "publishing/contracts_spreadsheet_check.html", context)


def _buyer_publisher(request: HttpRequest, publisher_pk: int) -> Publisher:
    """The organisation, if the signed-in person publishes for it and it buys care (the account decides)."""
    publisher = get_object_or_404(Publisher, pk=publisher_pk)
    decision = decide(request.user, "create-process", publisher)
    if not decision:
        raise PermissionDenied(decision.reason)
    return publisher
