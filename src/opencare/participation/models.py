"""Feedback on a contract, each moderation decision, replies and their ratings, and each quarter's published counts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Feedback(models.Model):
    """One person's feedback. Their answers are only ever published as counts; their email never."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        PUBLISHED = "published", "Story published, answers counted"
        ANSWERS_ONLY = "answers-only", "Answers counted, story not published"
        REJECTED = "rejected", "Not published"
        SAFEGUARDING = "safeguarding", "Held: safeguarding"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ocid = models.TextField(db_index=True)
    contract_id = models.TextField(help_text="The contract of the process the feedback is about.")
    respondent_type = models.TextField()
    answers = models.JSONField(default=dict, help_text="Metric id to answer code. Never published one by one.")
    about_month = models.DateField(help_text="The first day of the month the feedback is about.")
    story = models.TextField(blank=True, help_text="As written. Never published: published_story is.")
    published_story = models.TextField(blank=True, help_text="The story as the moderator de-identified it.")
    email = models.EmailField(blank=True, help_text="To hear back. Never published or exported.")
    language = models.CharField(max_length=10, blank=True, default="", help_text="The language they wrote in.")
    status = models.TextField(choices=Status.choices, default=Status.PENDING, db_index=True)
    fingerprint = models.TextField(db_index=True, help_text="To spot the same feedback sent twice.")
    address_hash = models.TextField(db_index=True, help_text="A keyed hash of the sender's address, for limits.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feedback {self.key} on {self.ocid} ({self.status})"


class ModerationDecision(models.Model):
    """A moderator's decision on a piece of feedback, and why. Never edited."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.TextField(choices=Feedback.Status.choices)
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.decision} by {self.moderator} at {self.at:%Y-%m-%d %H:%M}"


class Reply(models.Model):
    """The provider's or the commissioner's public reply to a published story."""

    class Rating(models.TextChoices):
        HELPFUL = "helpful", "It answered what I said"
        PARTLY = "partly", "It partly answered what I said"
        NOT_HELPFUL = "not-helpful", "It did not answer what I said"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="replies")
    publisher = models.ForeignKey("publishing.Publisher", on_delete=models.PROTECT, related_name="feedback_replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    what_we_changed = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    rating = models.TextField(choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Reply by {self.publisher} to {self.feedback_id}"


class CountsPublication(models.Model):
    """A quarter's feedback counts for one contract, published once as an OCDS release (so counts never overlap)."""

    ocid = models.TextField()
    contract_id = models.TextField()
    quarter_start = models.DateField()
    release_id = models.TextField(blank=True)
    answers_counted = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ocid", "contract_id", "quarter_start"], name="quarter_published_once")
        ]

    def __str__(self) -> str:
        return f"{self.ocid} {self.contract_id} {self.quarter_start}"
