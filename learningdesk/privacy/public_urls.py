"""Stub: see the brief."""

from django.urls import URLPattern

app_name = "privacy_public"

urlpatterns: list[URLPattern] = []
