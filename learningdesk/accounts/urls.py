from django.urls import path

from learningdesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/add/", views.role_grant, name="role_grant"),
    path("team/<int:pk>/end/", views.role_end, name="role_end"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/password/", views.password_change, name="password_change"),
]
