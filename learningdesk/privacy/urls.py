"""Members' data rights for co-ordinators, under /privacy/ (namespace "privacy")."""

from django.urls import path

from learningdesk.privacy import views

app_name = "privacy"

urlpatterns = [
    path("people/<int:pk>/subject-access/", views.subject_access, name="subject_access"),
    path("people/<int:pk>/send-link/", views.send_link, name="send_link"),
    path("people/<int:pk>/remove/", views.remove, name="remove"),
    path("people/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
    path("retention/", views.retention_page, name="retention"),
    path("retention/check/", views.retention_check, name="retention_check"),
]
