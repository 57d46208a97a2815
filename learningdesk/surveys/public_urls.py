"""Answering a survey, under /s/: by its public link or a personal invitation, no login."""

from django.urls import URLPattern

from learningdesk.surveys.views import answer, findings, invite

app_name = "survey"

urlpatterns: list[URLPattern] = [*answer.public_urlpatterns, *invite.public_urlpatterns, *findings.public_urlpatterns]
