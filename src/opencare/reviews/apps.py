from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class ReviewsConfig(AppConfig):
    name = "opencare.reviews"
    verbose_name = "Data Review Tool"

    def ready(self) -> None:
        # Uploads are written to FILE_UPLOAD_TEMP_DIR as they arrive; it must exist before the first upload.
        for folder in (settings.FILE_UPLOAD_TEMP_DIR, settings.OPENCARE_REVIEW_DIR):
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
