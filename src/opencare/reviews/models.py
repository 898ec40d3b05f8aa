"""Uploads to the web Data Review Tool: each kept at a private address until it expires, then deleted."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """A private, unguessable key for a review's address: 256 random bits."""
    return secrets.token_urlsafe(32)


class ReviewRequest(models.Model):
    """One upload and what became of it: waiting, being checked, a report, or a clear reason it could not be read."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Report ready")
        FAILED = "failed", _("Could not be read")

    class InputKind(models.TextChoices):
        JSON = "json", "JSON"
        GZIP = "gzip", _("Gzipped JSON")
        XLSX = "xlsx", _("Excel spreadsheet (XLSX)")
        ODS = "ods", _("OpenDocument spreadsheet (ODS)")
        CSV = "csv", _("CSV files in a zip")
        PASTED = "pasted", _("Pasted JSON")

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    file_name = models.CharField(max_length=200, help_text="The uploaded file's name, for display only.")
    input_kind = models.CharField(max_length=10, choices=InputKind.choices)
    size_bytes = models.BigIntegerField()
    ocds_version = models.CharField(max_length=5, blank=True, help_text="Version forced, or blank: the data's.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    items_checked = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    error = models.JSONField(null=True, help_text="Why the input could not be read: message, how_to_fix, where.")
    report = models.JSONField(null=True, help_text="The report, in the contract of docs/review-json.md.")
    key_facts = models.JSONField(null=True)
    downloads = models.JSONField(default=dict, help_text="Each conversion's state: format -> pending/ready/failed.")

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ReviewSubmission(models.Model):
    """One upload or `POST /api/review` from an address, kept an hour to limit how many one address sends
    (address_limits). The address is kept only as a keyed hash."""

    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]}… at {self.created_at:%H:%M:%S}"
