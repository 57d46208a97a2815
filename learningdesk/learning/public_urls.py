"""The public learning pages under /learn/: no login. The busiest first; every fixed path (/learn/my-record/)
before /learn/<unit code>/, which would take it for a unit's code."""

from django.urls import URLPattern

from learningdesk.learning.views import evaluation, manage, public, records, resources

app_name = "learn"

urlpatterns: list[URLPattern] = [
    *public.public_urlpatterns,
    *manage.public_urlpatterns,
    *evaluation.public_urlpatterns,
    *records.public_urlpatterns,
    *resources.public_urlpatterns,
    *public.unit_urlpatterns,
]
