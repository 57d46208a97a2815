"""A person's own details, no login, under /my-details/ (namespace "privacy_public"). Each token is the last segment
of its URL, where the request log redacts it."""

from django.urls import path

from learningdesk.privacy import public_views

app_name = "privacy_public"

urlpatterns = [
    path("", public_views.request_link, name="request"),
    path("confirm-email/<str:token>", public_views.confirm_email, name="confirm_email"),
    path("<str:token>", public_views.details, name="details"),
]
