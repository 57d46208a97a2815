"""Surveys for signed-in users, under /surveys/ (answering is in public_urls.py, under /s/)."""

from django.urls import URLPattern

from learningdesk.surveys.views import answer, builder, findings, invite, results

app_name = "surveys"

urlpatterns: list[URLPattern] = [
    *builder.urlpatterns,
    *answer.urlpatterns,
    *invite.urlpatterns,
    *results.urlpatterns,
    *findings.urlpatterns,
]
