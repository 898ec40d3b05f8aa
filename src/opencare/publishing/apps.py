from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "opencare.publishing"
    verbose_name = "Publishing"
