from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "learningdesk.comms"
    verbose_name = "Mailings and newsletters"
    default_auto_field = "django.db.models.BigAutoField"
