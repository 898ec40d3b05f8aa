"""Delete the Data Review Tool's uploads and reports that are past their expiry date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opencare.reviews.services.expiry import delete_expired_reviews


class Command(BaseCommand):
    help = "Delete uploads and reports of the Data Review Tool that are past their expiry date (run it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = delete_expired_reviews()
        self.stdout.write(f"Deleted {deleted} expired review{'s' if deleted != 1 else ''}.")
