"""Reads for participation pages, exports and the API. Only published stories and replies leave this module for
the public; the moderation queue is for moderators."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from opencare.participation.models import Feedback
from opencare.publishing.models import Publisher
from opencare.registry.models import OrganisationIdentifier, ProcessParty


def publishers_of_process(ocid: str) -> list[Publisher]:
    """The publishing organisations that are the buyer or a supplier of the process."""
    organisations = [
        part.organisation_id
        for part in ProcessParty.objects.filter(process__ocid=ocid)
        if {"buyer", "supplier"} & set(part.roles or [])
    ]
    identifiers = OrganisationIdentifier.objects.filter(organisation_id__in=organisations)
    query = Q(pk__in=[])
    for identifier in identifiers:
        query |= Q(scheme__iexact=identifier.scheme, identifier=identifier.identifier)
    return list(Publisher.objects.filter(query))


def published_stories(ocid: str | None = None) -> QuerySet[Feedback]:
    """Published stories with their replies, newest first; one contract's or all."""
    stories = Feedback.objects.filter(status=Feedback.Status.PUBLISHED).prefetch_related("replies__publisher")
    return stories.filter(ocid=ocid) if ocid else stories.order_by("-published_at")


def moderation_queue() -> QuerySet[Feedback]:
    """Feedback waiting for a decision, and safeguarding holds, oldest first."""
    undecided_hold = Q(status=Feedback.Status.SAFEGUARDING, decisions__isnull=True)
    return (
        Feedback.objects.filter(Q(status=Feedback.Status.PENDING) | undecided_hold).distinct().order_by("created_at")
    )


def story_rows() -> list[dict[str, str]]:
    """The export's rows: published stories and their replies, nothing else."""
    rows = []
    for story in published_stories():
        base = {
            "story_id": str(story.key),
            "ocid": story.ocid,
            "contract_id": story.contract_id,
            "respondent_type": story.respondent_type,
            "about_month": story.about_month.strftime("%Y-%m"),
            "published_at": story.published_at.isoformat() if story.published_at else "",
            "story": story.published_story,
        }
        replies = list(story.replies.all()) or [None]
        for answer in replies:
            rows.append(
                base
                | {
                    "reply_from": answer.publisher.name if answer else "",
                    "reply": answer.text if answer else "",
                    "what_we_changed": answer.what_we_changed if answer else "",
                    "reply_date": answer.at.isoformat() if answer else "",
                    "reply_rating": answer.rating if answer else "",
                }
            )
    return rows
