from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learningdesk.learning"
    verbose_name = "The learning programme"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learningdesk.learning import signals  # noqa: F401 (connects the receivers)
