from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learningdesk.imports"
    verbose_name = "Member imports"
