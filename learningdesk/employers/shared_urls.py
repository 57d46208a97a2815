"""What an employer contact sees when signed in: only what was shared with their employer (under /shared/)."""

from django.urls import URLPattern

from learningdesk.employers.views import shared

app_name = "shared"

urlpatterns: list[URLPattern] = [*shared.urlpatterns]
