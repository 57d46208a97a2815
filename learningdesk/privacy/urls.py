"""Stub: see the brief."""

from django.urls import URLPattern

app_name = "privacy"

urlpatterns: list[URLPattern] = []
