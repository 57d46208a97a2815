"""Pages under /m/ for people without a login: unsubscribing, and the public newsletter archive."""

from learningdesk.comms.public_views import urlpatterns

app_name = "comms_public"

__all__ = ["app_name", "urlpatterns"]
