"""The learning programme for signed-in users, under /learning/ (the public pages are in public_urls.py)."""

from django.urls import URLPattern

from learningdesk.learning.views import activities, centres, leads, manage, records, register, resources, stall

app_name = "learning"

urlpatterns: list[URLPattern] = [
    *activities.urlpatterns,
    *stall.urlpatterns,
    *manage.urlpatterns,
    *register.urlpatterns,
    *leads.urlpatterns,
    *records.urlpatterns,
    *centres.urlpatterns,
    *resources.urlpatterns,
]
