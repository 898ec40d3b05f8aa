"""The task workers that are running, as each last said."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running `opencare worker`: who it is, where it runs, and when it last said it was alive."""

    worker_id = models.CharField(max_length=64, unique=True, help_text="The id it claims tasks with.")
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} (last seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
