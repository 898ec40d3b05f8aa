"""Background tasks of the Data Review Tool, run by the database-backed task worker (`opencare worker`)."""

from __future__ import annotations

from django_tasks import task

from opencare.reviews import services


@task()
def review_upload(token: str) -> None:
    """Check an upload; then queue its conversions; and, while here, delete reviews that have expired."""
    services.run_review(token)
    services.delete_expired_reviews()


@task()
def convert_upload(token: str) -> None:
    """Make the JSON, XLSX and CSV downloads of a checked upload."""
    services.run_conversions(token)
