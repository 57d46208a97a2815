"""`make serve`: the production settings, over plain http on this machine only.

There is no TLS on 127.0.0.1, so nothing to redirect to; and curl and most browsers do not send a cookie marked
Secure back over http, so signing in needs the session and CSRF cookies without the flag. These settings refuse
to serve any host but this machine, so they cannot weaken a real site by mistake.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .prod import *  # noqa: F403
from .prod import ALLOWED_HOSTS, VAR_DIR

THIS_MACHINE = {"127.0.0.1", "localhost", "::1", "[::1]"}
if not set(ALLOWED_HOSTS) <= THIS_MACHINE:
    raise ImproperlyConfigured(
        f"settings.serve is for this machine only (ALLOWED_HOSTS={','.join(ALLOWED_HOSTS)}): "
        "use settings.prod behind a TLS proxy for a real site."
    )

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# No mail server on a laptop: emails are written to files under var/mail/, one per sending, unless EMAIL_HOST is set.
if not os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
