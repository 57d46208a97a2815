"""Working with the employer, for signed-in union users; an employer contact's own pages are in shared_urls.py."""

from django.urls import URLPattern

from learningdesk.employers.views import agreements, committees, contacts, employer, facility_returns, funding, time_off

app_name = "employers"

urlpatterns: list[URLPattern] = [
    *employer.urlpatterns,
    *contacts.urlpatterns,
    *agreements.urlpatterns,
    *committees.urlpatterns,
    *time_off.urlpatterns,
    *facility_returns.urlpatterns,
    *funding.urlpatterns,
]
