"""Background tasks of the Data Review Tool, run by the database-backed task worker (`opencare worker`).

The tasks call the services; the services queue tasks through QUEUE (given to them in apps.ReviewsConfig.ready), and
never import this module.
"""

from __future__ import annotations

from django_tasks import TaskContext, task

from opencare.reviews.services import checking, conversions, expiry, lanes


@task(takes_context=True)
def review_upload(context: TaskContext, token: str) -> None:
    """Check an upload; then queue its conversions; and, while here, delete reviews that have expired.

    A worker killed part-way has its task put back in the queue (opencare.task_worker), so this may be a later
    attempt: the check starts again from the upload, which is kept until the report is. It runs in the lane it was
    queued in (lanes.lane_for): small inputs in the small lane.
    """
    checking.run_review(token, attempt=context.attempt, lane=context.task_result.task.queue_name)
    expiry.delete_expired_reviews()


@task()
def convert_upload(token: str) -> None:
    """Make the JSON, XLSX and CSV downloads of a checked upload."""
    conversions.run_conversions(token)


def _offered(lane: str) -> str:
    """The lane, if the task backend has it (settings.TASKS lists its queues), else the main lane."""
    return lane if lane in review_upload.get_backend().queues else lanes.LANE


class DatabaseQueue:
    """lanes.TaskQueue through django-tasks: the database queue in production, run at once in tests."""

    def check(self, token: str, lane: str) -> None:
        """Queue review_upload in this lane."""
        review_upload.using(queue_name=_offered(lane)).enqueue(token)

    def convert(self, token: str, lane: str) -> None:
        """Queue convert_upload in this lane."""
        convert_upload.using(queue_name=_offered(lane)).enqueue(token)


QUEUE = DatabaseQueue()
