"""(Being written by the learning programme's helpers.)"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []  # under /learning/, namespace "learning" (signed in)
public_urlpatterns: list[URLPattern] = []  # under /learn/, namespace "learn" (no login)
