from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "learningdesk.org"
    label = "org"
    verbose_name = "Organisation"
