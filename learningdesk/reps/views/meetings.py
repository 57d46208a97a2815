"""ULR meetings: schedule, invite (email with .ics), attendance, notes and actions."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
