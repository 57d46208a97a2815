from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "learningdesk.reports"
    verbose_name = "Reports, targets and equality"
    default_auto_field = "django.db.models.BigAutoField"
