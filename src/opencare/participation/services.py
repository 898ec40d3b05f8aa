"""Participation: take feedback, moderate it, reply to it, rate replies, and publish each ended quarter's counts.

Nothing a person sends is public until a moderator decides. Stories that suggest someone may be at risk are held and
passed on, never published. Answers are only ever published as counts (opencare.ocds.feedback_counts).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS, is_moderator
from opencare.address_hash import address_hash
from opencare.ocds import release_builder as rb
from opencare.ocds.feedback_counts import QUESTIONS, Answer, observations, quarter_of, safe_counts
from opencare.ocds.performance import contracts_on_record
from opencare.participation import submission_checks as checks
from opencare.participation.deidentify import identifying_flags, safeguarding_words
from opencare.participation.models import CountsPublication, Feedback, ModerationDecision, Reply
from opencare.publishing.models import Publisher
from opencare.publishing.permissions import decide
from opencare.publishing.services import buyer_of
from opencare.registry import version as registry_version
from opencare.registry.models import Process
from opencare.registry.selectors import process_releases
from opencare.registry.services import get_or_create_source, store_releases

RATING_SALT = "opencare.participation.rating"
#: Identifying things a moderator must remove before a story can be published (names are for them to judge).
MUST_REMOVE = ("email address", "phone number", "postcode", "address", "date of birth")
COUNTED = (Feedback.Status.PUBLISHED, Feedback.Status.ANSWERS_ONLY)


class NotAllowed(Exception):
    """The person may not do this; the message says why."""


class DecisionRefused(ValueError):
    """The moderation decision cannot be recorded as it stands; the message says what to change."""


@dataclass(frozen=True)
class Submission:
    """What a person sent, checked by the form."""

    ocid: str
    contract_id: str
    respondent_type: str
    answers: dict[str, str]
    about_month: date
    story: str
    email: str
    honeypot: str
    stamp: str


def submit_feedback(submission: Submission, *, sender_address: str) -> Feedback:
    """Take feedback for moderation, or raise SubmissionRefused (a bot, a flood, a repeat)."""
    checks.check_honeypot(submission.honeypot)
    checks.check_stamp(submission.stamp)
    sender = address_hash(sender_address)
    checks.check_limits(ocid=submission.ocid, sender=sender)
    print_ = checks.fingerprint(
        ocid=submission.ocid,
        respondent_type=submission.respondent_type,
        answers=submission.answers,
        story=submission.story,
    )
    if checks.is_repeat(print_):
        raise checks.SubmissionRefused(
            _("We already have this feedback from today: thank you, there is no need to send it again."), 409
        )
    held = bool(safeguarding_words(submission.story))
    feedback = Feedback.objects.create(
        ocid=submission.ocid,
        contract_id=submission.contract_id,
        respondent_type=submission.respondent_type,
        answers=submission.answers,
        about_month=submission.about_month,
        story=submission.story.strip(),
        email=submission.email,
        language=translation.get_language() or settings.LANGUAGE_CODE,  # e-mails to them are in this language
        status=Feedback.Status.SAFEGUARDING if held else Feedback.Status.PENDING,
        fingerprint=print_,
        address_hash=sender,
    )
    if held:
        _notify_safeguarding(feedback)
    return feedback


def moderate(
    *, feedback: Feedback, moderator: AbstractBaseUser, decision: str, reason: str, published_story: str = ""
) -> ModerationDecision:
    """Record a moderator's decision; publishing a story needs it de-identified first."""
    if not is_moderator(moderator):
        raise NotAllowed("Only moderators can decide on feedback.")
    if feedback.status == Feedback.Status.SAFEGUARDING and decision == Feedback.Status.PUBLISHED:
        raise DecisionRefused("A story held for safeguarding is never published.")
    story = published_story.strip()
    if decision == Feedback.Status.PUBLISHED:
        if not story:
            raise DecisionRefused("There is no story to publish: choose 'Count the answers' instead.")
        left = sorted({flag.kind for flag in identifying_flags(story) if flag.kind in MUST_REMOVE})
        if left:
            raise DecisionRefused(f"The story still has: {', '.join(left)}. Remove them before publishing.")
    with transaction.atomic():
        feedback.status = decision
        feedback.published_story = story if decision == Feedback.Status.PUBLISHED else ""
        feedback.published_at = timezone.now() if decision == Feedback.Status.PUBLISHED else None
        feedback.save(update_fields=["status", "published_story", "published_at"])
        recorded = ModerationDecision.objects.create(
            feedback=feedback, moderator=moderator, decision=decision, reason=reason
        )
        if decision == Feedback.Status.PUBLISHED:
            registry_version.mark_changed()  # the contract's page shows the story, on every server
    if decision == Feedback.Status.PUBLISHED:
        _notify_publishers(feedback)
    elif decision == Feedback.Status.SAFEGUARDING:
        _notify_safeguarding(feedback)
    return recorded


def reply(
    *, feedback: Feedback, user: AbstractBaseUser, publisher: Publisher, text: str, what_we_changed: str = ""
) -> Reply:
    """A public reply from the provider or the commissioner to a published story."""
    if feedback.status != Feedback.Status.PUBLISHED:
        raise NotAllowed("Only published stories can be replied to.")
    decision = decide(user, "reply-to-feedback", publisher, feedback.ocid)
    if not decision:
        raise NotAllowed(decision.reason)
    with transaction.atomic():
        answer = Reply.objects.create(
            feedback=feedback, publisher=publisher, author=user, text=text, what_we_changed=what_we_changed
        )
        registry_version.mark_changed()  # the reply shows under the story on the contract's page
    if feedback.email:
        _email_reply(feedback, answer, publisher, text)
    return answer


def _email_reply(feedback: Feedback, answer: Reply, publisher: Publisher, text: str) -> None:
    """The reply, to the person who gave the feedback, in the language they wrote in (its rating link too)."""
    with translation.override(feedback.language or settings.LANGUAGE_CODE):
        token = signing.dumps({"reply": answer.pk}, salt=RATING_SALT)
        link = settings.OPENCARE_SITE_URL.rstrip("/") + reverse("participation:rate", args=[token])
        words = {"publisher": publisher.name, "contract": _contract_label(feedback.ocid), "text": text, "link": link}
        send_mail(
            _("%(publisher)s replied to your feedback about %(contract)s") % words,
            _(
                "%(publisher)s replied to what you told us about %(contract)s:\n\n%(text)s\n\n"
                "Did the reply answer what you said? Tell us here (the link works for 90 days):\n%(link)s\n"
            )
            % words,
            settings.DEFAULT_FROM_EMAIL,
            [feedback.email],
        )


def reply_for_rating(token: str) -> Reply | None:
    """The reply a rating link is for, or None if the link is wrong or more than 90 days old."""
    try:
        data = signing.loads(token, salt=RATING_SALT, max_age=90 * 24 * 60 * 60)
    except signing.BadSignature:
        return None
    return Reply.objects.filter(pk=data.get("reply")).select_related("feedback", "publisher").first()


def rate_reply(*, token: str, rating: str) -> Reply:
    """Record the feedback giver's rating of a reply (the latest rating counts)."""
    answer = reply_for_rating(token)
    if answer is None:
        raise NotAllowed("This link is not right or has expired.")
    answer.rating, answer.rated_at = rating, timezone.now()
    answer.save(update_fields=["rating", "rated_at"])
    return answer


def publish_ended_quarters(*, today: date | None = None) -> list[CountsPublication]:
    """Publish, once, the counts of every ended quarter's counted answers, per contract, as OCDS releases."""
    today = today or timezone.localdate()
    done = []
    keys = Feedback.objects.filter(status__in=COUNTED).values_list("ocid", "contract_id", "about_month").distinct()
    quarters = sorted({(ocid, contract_id, quarter_of(month)) for ocid, contract_id, month in keys})
    for ocid, contract_id, quarter in quarters:
        if quarter[1] >= today:
            continue
        if CountsPublication.objects.filter(ocid=ocid, contract_id=contract_id, quarter_start=quarter[0]).exists():
            continue
        publication = _publish_quarter(ocid, contract_id, quarter)
        if publication is not None:
            done.append(publication)
    return done


def _publish_quarter(ocid: str, contract_id: str, quarter: tuple[date, date]) -> CountsPublication | None:
    feedback = Feedback.objects.filter(
        ocid=ocid,
        contract_id=contract_id,
        status__in=COUNTED,
        about_month__gte=quarter[0],
        about_month__lte=quarter[1],
    )
    answers = [
        Answer(metric_id, f.respondent_type, answer) for f in feedback for metric_id, answer in f.answers.items()
    ]
    counts = safe_counts(answers)
    process = Process.objects.filter(ocid=ocid).first()
    contract = next((c for c in contracts_on_record(process.compiled_release) if c.contract_id == contract_id), None)
    buyer = buyer_of(process.compiled_release) if process else None
    try:
        with transaction.atomic():
            publication = CountsPublication.objects.create(
                ocid=ocid, contract_id=contract_id, quarter_start=quarter[0], answers_counted=len(answers)
            )
            if counts and contract is not None and buyer is not None:
                release = _counts_release(ocid, contract, buyer, counts, quarter)
                store_releases(releases=[release], metadata=_metadata(), source=_source(process.is_invented))
                publication.release_id = release["id"]
                publication.save(update_fields=["release_id"])
    except IntegrityError:  # another worker published this quarter first
        return None
    return publication


def _counts_release(ocid: str, contract: object, buyer: rb.Party, counts: list, quarter: tuple[date, date]) -> dict:
    earlier = process_releases(ocid=ocid).values_list("tags", flat=True)
    started = any(str(tag).startswith("implementation") for tags in earlier for tag in tags or [])
    header = rb.ReleaseHeader(
        ocid=ocid,
        release_id=f"feedback-counts-{quarter[0]:%Y-%m}-{secrets.token_hex(3)}",
        date=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        tags=("implementationUpdate",) if started else ("implementation",),
        buyer=buyer,
    )
    found = observations(counts, quarter)
    metrics = {metric_id: (f"Feedback: {QUESTIONS[metric_id][0]}", found[metric_id]) for metric_id in found}
    return rb.counts_release(header, contract.contract_id, contract.award_id, metrics)  # type: ignore[attr-defined]


def _metadata() -> dict:
    package = rb.release_package(
        [],
        uri=settings.OPENCARE_SITE_URL.rstrip("/") + "/feedback/",
        published_date=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        publisher="opencare feedback",
        licence=settings.OPENCARE_PUBLISHED_LICENCE_URL,
    )
    package.pop("releases")
    return package


def _source(is_invented: bool):
    return get_or_create_source(
        key="opencare:feedback:invented" if is_invented else "opencare:feedback",
        title="Feedback given through opencare: counts of answers, 5 or more",
        publisher_name="opencare",
        licence_url=settings.OPENCARE_PUBLISHED_LICENCE_URL,
        is_invented=is_invented,
    )


def _contract_label(ocid: str) -> str:
    """The contract as e-mails name it: its title and council, never only its OCID."""
    from opencare.participation.selectors import contract_labels

    return contract_labels([ocid])[ocid]


def _publisher_emails(ocid: str) -> list[str]:
    from opencare.participation.selectors import publishers_of_process

    emails = set()
    for publisher in publishers_of_process(ocid):
        if publisher.email:
            emails.add(publisher.email)
        emails.update(
            m.user.email
            for m in publisher.memberships.select_related("user")
            if m.user.email and m.role == "publisher"
        )
    return sorted(emails)


def _notify_publishers(feedback: Feedback) -> None:
    recipients = _publisher_emails(feedback.ocid)
    if not recipients:
        return
    link = settings.OPENCARE_SITE_URL.rstrip("/") + reverse("participation:reply", args=[feedback.key])
    words = {"contract": _contract_label(feedback.ocid), "story": feedback.published_story, "link": link}
    send_mail(
        _("New feedback published about %(contract)s") % words,
        _(
            "Feedback about %(contract)s has been published:\n\n%(story)s\n\n"
            "You can reply publicly, and say what you changed, here:\n%(link)s\n"
        )
        % words,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )


def _notify_safeguarding(feedback: Feedback) -> None:
    staff = get_user_model().objects.filter(groups__name__in=[MODERATORS, ADMINISTRATORS], is_active=True)
    recipients = sorted({user.email for user in staff if user.email} | set(settings.OPENCARE_SAFEGUARDING_EMAILS))
    process = Process.objects.filter(ocid=feedback.ocid).first()
    buyer = buyer_of(process.compiled_release) if process else None
    if buyer is not None and buyer.email:
        recipients.append(buyer.email)
    if not recipients:
        return
    link = settings.OPENCARE_SITE_URL.rstrip("/") + reverse("participation:moderate", args=[feedback.key])
    words = {"contract": _contract_label(feedback.ocid), "link": link}
    send_mail(
        _("Safeguarding: feedback held for review (%(contract)s)") % words,
        _(
            "Feedback about %(contract)s suggests someone may be at risk of harm. It has been held and will not be "
            "published. Read it and act today, as the moderation policy says:\n%(link)s\n"
        )
        % words,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
