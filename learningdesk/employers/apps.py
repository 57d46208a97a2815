from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "learningdesk.employers"
    verbose_name = "Working with the employer"
    default_auto_field = "django.db.models.BigAutoField"
