from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "opencare.harvest"
    verbose_name = "Harvest"
