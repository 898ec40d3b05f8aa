from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencare.accounts"
    verbose_name = "Accounts"
