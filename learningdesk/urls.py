from django.urls import include, path

from learningdesk.accounts import views as account_views
from learningdesk.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    # The public learning pages first: the busiest, opened from posters' QR codes.
    path("learn/", include("learningdesk.learning.public_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("sign-in/", account_views.login, name="login"),
    path("sign-out/", account_views.logout, name="logout"),
    path("password-reset/", account_views.password_reset, name="password_reset"),
    path("password-reset/sent/", account_views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", account_views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", account_views.password_reset_complete, name="password_reset_complete"),
    path("system/", core_views.system, name="system"),  # backups, for national administrators
    path("people/imports/", include("learningdesk.imports.urls")),
    path("reps/", include("learningdesk.reps.urls")),
    path("learning/", include("learningdesk.learning.urls")),
    path("surveys/", include("learningdesk.surveys.urls")),
    path("s/", include("learningdesk.surveys.public_urls")),
    path("employers/", include("learningdesk.employers.urls")),
    path("shared/", include("learningdesk.employers.shared_urls")),
    path("reports/", include("learningdesk.reports.urls")),
    path("mailings/", include("learningdesk.comms.urls")),
    path("privacy/", include("learningdesk.privacy.urls")),
    # Pages for people who have no login: unsubscribing, the newsletter archive, checking one's own details.
    path("m/", include("learningdesk.comms.public_urls")),
    path("my-details/", include("learningdesk.privacy.public_urls")),
    path("", include("learningdesk.org.urls")),
    path("", include("learningdesk.accounts.urls")),
]

# The 500 page shows the request's id, to quote when telling someone (core/middleware.py).
handler500 = "learningdesk.core.views.server_error"
