from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class ReviewsConfig(AppConfig):
    name = "opencare.reviews"
    verbose_name = "Data Review Tool"

    def ready(self) -> None:
        # The services queue work through the tasks module without importing it (the tasks import the services).
        from opencare.reviews import tasks
        from opencare.reviews.services import lanes

        lanes.use_task_queue(tasks.QUEUE)
        # Uploads are written to FILE_UPLOAD_TEMP_DIR as they arrive; it must exist before the first upload.
        for folder in (settings.FILE_UPLOAD_TEMP_DIR, settings.OPENCARE_REVIEW_DIR):
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
