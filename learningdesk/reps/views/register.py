"""The register: list, add a prospect, a rep's page, edit, moving along the path, training, role names."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
