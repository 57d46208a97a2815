"""The public learning pages under /learn/: no login. The fixed paths come before /learn/<unit code>/."""

from django.urls import URLPattern

from learningdesk.learning.views import evaluation, manage, public, records, resources

app_name = "learn"

urlpatterns: list[URLPattern] = [
    *manage.public_urlpatterns,
    *evaluation.public_urlpatterns,
    *records.public_urlpatterns,
    *resources.public_urlpatterns,
    *public.public_urlpatterns,
]
