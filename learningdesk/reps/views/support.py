"""Supporting reps: the support log, action plans, actions and recognition."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
