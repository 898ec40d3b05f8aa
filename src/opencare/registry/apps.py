from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "opencare.registry"
    verbose_name = "Registry"
