"""Participation pages: thin views over participation.services and selectors."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from opencare.accounts.roles import is_moderator
from opencare.ocds.feedback_counts import MIN_COUNT, QUESTIONS, RESPONDENT_TYPES
from opencare.ocds.spreadsheets.cell_values import FORMULA_START
from opencare.participation import services
from opencare.participation.deidentify import identifying_flags, safeguarding_words
from opencare.participation.forms import EasyReadFeedbackForm, FeedbackForm, ModerationForm, RatingForm, ReplyForm
from opencare.participation.models import Feedback
from opencare.participation.selectors import (
    contract_labels,
    feedback_opening,
    moderation_queue,
    publishers_of_process,
    story_rows,
)
from opencare.participation.submission_checks import SubmissionRefused, form_stamp
from opencare.publishing.permissions import decide
from opencare.registry.selectors import process_by_ocid

#: The columns of the open data export: published stories and replies only, never answers or email addresses.
EXPORT_COLUMNS = (
    "story_id",
    "ocid",
    "contract_id",
    "respondent_type",
    "about_month",
    "published_at",
    "story",
    "reply_from",
    "reply",
    "what_we_changed",
    "reply_date",
    "reply_rating",
)


@require_http_methods(["GET", "POST"])
def give_feedback(request: HttpRequest, ocid: str, easy_read: bool = False) -> HttpResponse:
    """The feedback form for one contract (no account needed)."""
    process = process_by_ocid(ocid=ocid)
    if process is None:
        raise Http404("No contracting process has that OCID.")
    opening = feedback_opening(process)
    if not opening.is_open:
        # Pages never link here then (they follow the same rule); a kept or shared address still says why, and
        # what to do instead.
        context = {"process": process, "opening": opening, "easy_read": easy_read}
        return render(request, "participation/no_contract.html", context, status=404)
    contracts = list(opening.contracts)
    form_class = EasyReadFeedbackForm if easy_read else FeedbackForm
    form = form_class(
        request.POST or None, today=timezone.localdate(), contracts=contracts, initial={"stamp": form_stamp()}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            submission = services.Submission(
                ocid=ocid,
                contract_id=c.get("contract") or contracts[0][0],
                respondent_type=c["respondent_type"],
                answers=form.answers(),
                about_month=form.about_month(),
                story=c["story"],
                email=c["email"],
                honeypot=c["website"],
                stamp=c["stamp"],
            )
            try:
                feedback = services.submit_feedback(submission, sender_address=_address(request))
            except SubmissionRefused as refused:
                form.add_error(None, str(refused))
                status = refused.status
            else:
                held = feedback.status == Feedback.Status.SAFEGUARDING
                thanks = "participation/thanks_easy_read.html" if easy_read else "participation/thanks.html"
                return render(request, thanks, {"process": process, "held": held}, status=201)
    template = "participation/feedback_easy_read.html" if easy_read else "participation/feedback.html"
    return render(request, template, {"process": process, "form": form, "min_count": MIN_COUNT}, status=status)


def moderation_policy(request: HttpRequest) -> HttpResponse:
    """How feedback is moderated, what is published, and what happens to safeguarding concerns."""
    return render(request, "participation/policy.html", {"min_count": MIN_COUNT})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Feedback waiting for a moderator."""
    _moderator_only(request)
    waiting = list(moderation_queue())
    labels = contract_labels(feedback.ocid for feedback in waiting)
    rows = [(feedback, labels[feedback.ocid]) for feedback in waiting]
    return render(request, "participation/queue.html", {"queue": rows})


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, key: str) -> HttpResponse:
    """One piece of feedback: the flags to look at, the decision and its reason."""
    _moderator_only(request)
    feedback = get_object_or_404(Feedback, key=key)
    initial = {"published_story": feedback.published_story or feedback.story}
    form = ModerationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.moderate(
                    feedback=feedback,
                    moderator=request.user,
                    decision=c["decision"],
                    reason=c["reason"],
                    published_story=c["published_story"],
                )
            except services.DecisionRefused as refused:
                form.add_error("published_story" if "story" in str(refused) else "decision", str(refused))
            else:
                messages.success(request, f"Recorded: {Feedback.Status(c['decision']).label}.")
                return redirect("participation:queue")
    context = {
        "feedback": feedback,
        "contract": contract_labels([feedback.ocid])[feedback.ocid],
        "form": form,
        "flags": identifying_flags(feedback.story),
        "concerns": safeguarding_words(feedback.story),
        "questions": QUESTIONS,
        "respondents": RESPONDENT_TYPES,
    }
    return render(request, "participation/moderate.html", context, status=status)


@login_required
@require_POST
def publish_counts(request: HttpRequest) -> HttpResponse:
    """Publish the counts of every ended quarter not published yet."""
    _moderator_only(request)
    published = services.publish_ended_quarters()
    messages.success(request, f"Published the counts of {len(published)} contract quarters.")
    return redirect("participation:queue")


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, key: str) -> HttpResponse:
    """A publisher of the contract's buyer or provider replies publicly to a published story."""
    feedback = get_object_or_404(Feedback, key=key, status=Feedback.Status.PUBLISHED)
    publishers = [
        p for p in publishers_of_process(feedback.ocid) if decide(request.user, "reply-to-feedback", p, feedback.ocid)
    ]
    if not publishers:
        raise PermissionDenied("Only publishers for this contract's council or provider can reply.")
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reply(
            feedback=feedback,
            user=request.user,
            publisher=publishers[0],
            text=form.cleaned_data["text"],
            what_we_changed=form.cleaned_data["what_we_changed"],
        )
        messages.success(request, "Your reply is published on the contract's page.")
        return redirect("explore:contract", ocid=feedback.ocid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "participation/reply.html",
        {"feedback": feedback, "form": form, "publisher": publishers[0]},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The person who gave feedback rates the reply (from the link in their email)."""
    answer = services.reply_for_rating(token)
    if answer is None:
        return render(request, "participation/rating_link_wrong.html", status=404)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.rate_reply(token=token, rating=form.cleaned_data["rating"])
        return render(request, "participation/rated.html", {"reply": answer})
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/rate.html", {"reply": answer, "form": form}, status=status)


def stories_csv(request: HttpRequest) -> HttpResponse:
    """Published stories and replies as open data, one row per reply (or per story with none)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in story_rows():
        writer.writerow([_neutralised(row[column]) for column in EXPORT_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feedback-stories.csv"'
    return response


def _neutralised(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _moderator_only(request: HttpRequest) -> None:
    if not is_moderator(request.user):
        raise PermissionDenied("Only moderators can see feedback before it is published.")


def _address(request: HttpRequest) -> str:
    # Behind trusted proxies, ClientAddressMiddleware has already put the client's address here (from the proxies' own
    # X-Forwarded-For entry); what a client writes in that header itself is never believed, or anyone could dodge the
    # limits by sending a different one each time.
    return request.META.get("REMOTE_ADDR", "")
