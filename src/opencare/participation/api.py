"""Published feedback stories and replies as open data through the API (never answers or email addresses)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from opencare.participation.selectors import story_rows

router = Router(tags=["Feedback"])


class StoryOut(Schema):
    """A published story and one reply to it (a story with two replies is two rows; one with none has empty ones)."""

    story_id: str
    ocid: str
    contract_id: str
    respondent_type: str
    about_month: str
    published_at: str
    story: str
    reply_from: str
    reply: str
    what_we_changed: str
    reply_date: str
    reply_rating: str


@router.get("/feedback/stories", response={200: list[StoryOut]}, summary="Published feedback stories and replies")
def stories(request: HttpRequest) -> list[dict[str, str]]:
    """Every published story with its replies, newest first; the same rows as /feedback/stories.csv."""
    return story_rows()
