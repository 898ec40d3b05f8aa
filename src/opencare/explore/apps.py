from django.apps import AppConfig


class ExploreConfig(AppConfig):
    name = "opencare.explore"
    verbose_name = "Explore"
