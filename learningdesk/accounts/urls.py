from django.urls import path

from learningdesk.accounts import security_views, views

app_name = "accounts"

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/add/", views.role_grant, name="role_grant"),
    path("team/<int:pk>/end/", views.role_end, name="role_end"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/password/", views.password_change, name="password_change"),
    # Sign-in security (issue 9).
    path("sign-in/code/", security_views.two_step_verify, name="two_step_verify"),
    path("account/", security_views.account, name="account"),
    path("account/two-step/set-up/", security_views.two_step_setup, name="two_step_setup"),
    path("account/two-step/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("account/two-step/recovery-codes/new/", security_views.recovery_codes_new, name="recovery_codes_new"),
    path("account/two-step/turn-off/", security_views.two_step_off, name="two_step_off"),
    path("account/sessions/", security_views.session_list, name="sessions"),
    path("account/sessions/<int:pk>/end/", security_views.session_end, name="session_end"),
    path("account/sessions/end-others/", security_views.sessions_end_others, name="sessions_end_others"),
    path("audit/sign-ins/", security_views.security_log, name="security_log"),
    path("team/logins/<int:pk>/", security_views.login_security, name="login_security"),
    path("team/logins/<int:pk>/reset-two-step/", security_views.login_reset_two_step, name="login_reset_two_step"),
    path("team/logins/<int:pk>/end-sessions/", security_views.login_end_sessions, name="login_end_sessions"),
]
