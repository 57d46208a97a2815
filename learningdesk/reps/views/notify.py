"""The employer notification (TULRCA s.168A) and its letter as PDF and DOCX."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
