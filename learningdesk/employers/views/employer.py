"""The employer page is org's (`org:employer_detail`, /employers/<pk>/): what it shows of the work with the employer
is read in employers/overview.py and drawn by the employers/_employer_*.html partials. No URLs of its own."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
