"""The "What people say" part of a contract's page: published stories, replies and how to give feedback."""

from __future__ import annotations

from typing import Any

from django import template

from opencare.ocds.feedback_counts import MIN_COUNT
from opencare.participation.selectors import published_stories

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
def contract_feedback(ocid: str) -> dict[str, Any]:
    """The published stories of a contract, newest first, with their replies."""
    stories = list(published_stories(ocid).order_by("-published_at"))
    for story in stories:
        story.respondent_label = RESPONDENT_LABELS.get(story.respondent_type, "Someone")
    return {"ocid": ocid, "stories": stories, "min_count": MIN_COUNT}
