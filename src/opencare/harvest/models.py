"""How far each source has been harvested, and one row per harvest run."""

from __future__ import annotations

from django.db import models


class HarvestProgress(models.Model):
    """How far a source has been harvested: the end of the last finished window, and where the harvest is within the
    window it was working on (the step and the next page's address), saved with each page's releases in one
    transaction, so a killed harvest goes on from the page after the last one stored."""

    source = models.TextField(unique=True)
    done_until = models.DateTimeField(null=True, help_text="End of the last window harvested to its last page.")
    window_start = models.DateTimeField(null=True, help_text="The window being harvested, when one is under way.")
    window_end = models.DateTimeField(null=True)
    step = models.PositiveIntegerField(default=0, help_text="Which of the window's first requests is under way.")
    next_url = models.TextField(blank=True, help_text="The next page of that step (its links.next), if any.")
    # Never two harvests of one source at once: the run holding it, until when, and on which machine and process.
    held_by_run = models.PositiveIntegerField(null=True)
    held_until = models.DateTimeField(null=True)
    held_by_host = models.TextField(blank=True)
    held_by_pid = models.PositiveIntegerField(null=True)
    next_scheduled = models.DateTimeField(null=True, help_text="When the task worker next queues a harvest of it.")

    def __str__(self) -> str:
        return f"{self.source} to {self.done_until}"


class HarvestRun(models.Model):
    """One harvest of one source: what it asked for, what it stored, and what went wrong."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTLY_FAILED = "partly_failed", "Some pages or releases failed"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped: another harvest of the source was running"

    source = models.TextField()
    status = models.TextField(choices=Status.choices, default=Status.RUNNING)
    window_start = models.DateTimeField(null=True)
    window_end = models.DateTimeField(null=True)
    social_care_only = models.BooleanField(default=False)
    requests = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    releases_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_stored = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0, help_text="Releases added with schema errors.")
    not_social_care = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, help_text="What went wrong: each a message saying what, where, how to fix."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"Harvest {self.pk} of {self.source}"
