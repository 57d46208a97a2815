from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "learningdesk.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"
