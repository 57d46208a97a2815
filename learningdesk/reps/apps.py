from django.apps import AppConfig


class RepsConfig(AppConfig):
    name = "learningdesk.reps"
    verbose_name = "The ULR network"
    default_auto_field = "django.db.models.BigAutoField"
