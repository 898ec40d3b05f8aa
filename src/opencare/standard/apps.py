from django.apps import AppConfig


class StandardConfig(AppConfig):
    name = "opencare.standard"
    verbose_name = "Data standard"
