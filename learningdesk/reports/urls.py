"""Reports, targets, dashboards' drill-down, equality, budget and recruitment (issue 11)."""

from django.urls import URLPattern

from learningdesk.reports.views import budget, committee, dashboards, equality, index, recruitment, targets

app_name = "reports"

urlpatterns: list[URLPattern] = [
    *index.urlpatterns,
    *dashboards.urlpatterns,
    *targets.urlpatterns,
    *committee.urlpatterns,
    *equality.urlpatterns,
    *recruitment.urlpatterns,
    *budget.urlpatterns,
]
