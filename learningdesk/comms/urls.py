"""Stub: see the brief."""

from django.urls import URLPattern

app_name = "comms"

urlpatterns: list[URLPattern] = []
