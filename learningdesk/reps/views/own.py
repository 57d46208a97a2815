"""A rep's own view: their workplaces, actions, next meeting, training deadline."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
