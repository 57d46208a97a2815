from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "learningdesk.surveys"
    verbose_name = "Learning surveys and skills audits"
    default_auto_field = "django.db.models.BigAutoField"
