"""Production: everything from the environment; refuses to start without a secret key and the site's host names."""

import os

from django.core.exceptions import ImproperlyConfigured

from learningdesk.core.logs import logging_config

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY, envbool, envint

if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment (a long random string).")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS in the environment: the site's host names, separated by commas.")

DEBUG = False
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
# The load balancer's and monitoring's probes ask the app itself over plain http (they carry no cookies).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Believed because the app listens only where the proxy can reach it, and the proxy sets this header itself
# (deploy/nginx.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The preload flag only allows submission to browsers' preload lists; submitting is a separate, deliberate step.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "learningdesk.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# Several web processes and task workers: without Redis, the cache is a table in the database
# (`manage.py createcachetable` after each `migrate`). Culling counts the table's rows on every write, so the
# limit is a trade-off: enough for every activity's page and every address's sign-up count in a busy hour.
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "learningdesk_cache",
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 20000)},
        }
    }

# One JSON object per line on stderr, for journald and whatever reads it (core/logs.py).
LOGGING = logging_config(
    json_lines=os.environ.get("LOG_FORMAT", "json") == "json", level=os.environ.get("LOG_LEVEL", "INFO")
)
