"""Stub: see the brief."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
