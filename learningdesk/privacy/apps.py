from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "learningdesk.privacy"
    verbose_name = "Members' data rights"
    default_auto_field = "django.db.models.BigAutoField"
