"""Feedback sent through the participation service, with the checks a person's form passes (stamp, honeypot)."""

from __future__ import annotations

import time
from datetime import date

from opencare.participation.models import Feedback
from opencare.participation.services import Submission, submit_feedback
from opencare.participation.submission_checks import form_stamp

ANSWERS = {"sc-feedback-on-time": "mostly", "sc-feedback-same-care-workers": "yes", "sc-feedback-recommend": "yes"}


def feedback(
    ocid: str,
    contract_id: str,
    *,
    story: str = "My care workers are kind but often rushed in the mornings.",
    respondent_type: str = "personGettingSupport",
    answers: dict[str, str] | None = None,
    about_month: date | None = None,
    email: str = "",
    sender_address: str = "192.0.2.10",
) -> Feedback:
    """Feedback on a contract as if sent from the form shown a minute ago, held for moderation."""
    submission = Submission(
        ocid=ocid,
        contract_id=contract_id,
        respondent_type=respondent_type,
        answers=answers if answers is not None else dict(ANSWERS),
        about_month=about_month or date.today().replace(day=1),
        story=story,
        email=email,
        honeypot="",
        stamp=form_stamp(time.time() - 60),
    )
    return submit_feedback(submission, sender_address=sender_address)
