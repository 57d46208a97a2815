from django.urls import URLPattern

from learningdesk.reps.views import access, facility, mapping, meetings, notify, own, recruitment, register, support

app_name = "reps"

urlpatterns: list[URLPattern] = [
    *register.urlpatterns,
    *notify.urlpatterns,
    *support.urlpatterns,
    *meetings.urlpatterns,
    *facility.urlpatterns,
    *mapping.urlpatterns,
    *recruitment.urlpatterns,
    *own.urlpatterns,
    *access.urlpatterns,
]
