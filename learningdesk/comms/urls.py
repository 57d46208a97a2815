"""The mailings pages under /mailings/ (comms/views.py)."""

from learningdesk.comms.views import urlpatterns

app_name = "comms"

__all__ = ["app_name", "urlpatterns"]
