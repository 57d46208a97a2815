"""(Being written by the surveys' helpers.)"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []  # under /surveys/, namespace "surveys" (signed in)
public_urlpatterns: list[URLPattern] = []  # under /s/, namespace "survey" (no login)
