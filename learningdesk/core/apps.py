from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "learningdesk.core"
    label = "core"
    verbose_name = "Core"
