"""Checks against bots, floods and repeats, without third-party trackers or CAPTCHA services.

A hidden field people never fill in (the honeypot); a signed time stamp from when the form was shown, so a form sent
back in under a few seconds, or days later, is refused; limits per sender's address and per contract per hour; and
the same feedback sent twice within a day is kept once. Addresses are kept only as keyed hashes.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from opencare.participation.models import Feedback

SALT = "opencare.participation.form-shown"


class SubmissionRefused(Exception):
    """Feedback that cannot be taken; ``status`` is the HTTP status and the message says what to do."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def form_stamp(now: float | None = None) -> str:
    """A signed record of when the form was shown, put in a hidden field."""
    return signing.dumps({"shown": now if now is not None else time.time()}, salt=SALT)


def check_stamp(stamp: str, now: float | None = None) -> None:
    """Refuse a form sent back too soon to have been read, or too long after it was shown, or with a forged stamp."""
    try:
        shown = float(signing.loads(stamp, salt=SALT)["shown"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        message = _("The form could not be checked. Open the feedback page again and resend.")
        raise SubmissionRefused(message) from error
    elapsed = (now if now is not None else time.time()) - shown
    if elapsed < settings.OPENCARE_FEEDBACK_MIN_SECONDS:
        raise SubmissionRefused(_("That was very quick. Please read the questions and send the form again."))
    if elapsed > 24 * 60 * 60:
        raise SubmissionRefused(_("The form was opened more than a day ago. Open the feedback page again and resend."))


def check_honeypot(value: str) -> None:
    """People never see the hidden field; only programs fill it in."""
    if value:
        raise SubmissionRefused(_("The form could not be sent. Leave the hidden field empty and try again."))


def check_limits(*, ocid: str, sender: str) -> None:
    """Refuse (429) a sender or a contract that has sent more feedback in the last hour than people do."""
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = Feedback.objects.filter(created_at__gte=hour_ago)
    if recent.filter(address_hash=sender).count() >= settings.OPENCARE_FEEDBACK_PER_ADDRESS_PER_HOUR:
        raise SubmissionRefused(_("You have sent a lot of feedback in the last hour. Please try again later."), 429)
    if recent.filter(ocid=ocid).count() >= settings.OPENCARE_FEEDBACK_PER_CONTRACT_PER_HOUR:
        raise SubmissionRefused(_("This contract has had a lot of feedback in the last hour. Try again later."), 429)


def fingerprint(*, ocid: str, respondent_type: str, answers: dict[str, str], story: str) -> str:
    """The same feedback gives the same fingerprint, whatever its spacing or capitals."""
    text = " ".join(story.lower().split())
    parts = [ocid, respondent_type, *(f"{key}={answers[key]}" for key in sorted(answers)), text]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def is_repeat(print_: str) -> bool:
    """True if the same feedback arrived in the last day."""
    return Feedback.objects.filter(fingerprint=print_, created_at__gte=timezone.now() - timedelta(days=1)).exists()
