from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "opencare.participation"
    verbose_name = "Participation"
