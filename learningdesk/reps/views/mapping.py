"""Workplace mapping: workplaces with members, reps and gaps; CSV and XLSX export."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
