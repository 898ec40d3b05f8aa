"""The feedback parts of a contract's pages: published stories, replies, and how to give feedback where it can be
given (participation.selectors.feedback_opening), or why not yet and who to contact instead."""

from __future__ import annotations

from typing import Any

from django import template

from opencare.ocds.feedback_counts import MIN_COUNT
from opencare.participation.selectors import feedback_opening, published_stories
from opencare.registry.models import Process

register = template.Library()
#: How a story's author is described beside it.
RESPONDENT_LABELS = {
    "personGettingSupport": "Someone who gets support",
    "familyMember": "A family member or friend",
    "careWorker": "A care worker",
    "socialWorker": "A social worker or health professional",
    "other": "Someone else",
}


@register.inclusion_tag("participation/_contract_feedback.html")
def contract_feedback(process: Process) -> dict[str, Any]:
    """The published stories of a contract, newest first, with their replies, and how to give feedback."""
    stories = list(published_stories(process.ocid).order_by("-published_at"))
    for story in stories:
        story.respondent_label = RESPONDENT_LABELS.get(story.respondent_type, "Someone")
    opening = feedback_opening(process)
    return {"ocid": process.ocid, "stories": stories, "min_count": MIN_COUNT, "opening": opening}


@register.inclusion_tag("participation/_easy_read_feedback.html")
def easy_read_feedback(process: Process, brief: bool = False) -> dict[str, Any]:
    """The easy read page's way to the easy read feedback form, or why it cannot be used yet.

    ``brief`` gives only a link to the form (at the top of the page), and nothing while the form cannot be used.
    """
    return {"ocid": process.ocid, "opening": feedback_opening(process), "easy_read": True, "brief": brief}
