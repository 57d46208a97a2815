"""Facility time: agreed allowances, logging time, agreed against used; a rep's conversations."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
