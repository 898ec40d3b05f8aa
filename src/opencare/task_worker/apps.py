from django.apps import AppConfig


class TaskWorkerConfig(AppConfig):
    name = "opencare.task_worker"
    verbose_name = "Background task workers"
