"""Recruiting reps: the funnel, sources, methods, motivations and barriers, targets."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
