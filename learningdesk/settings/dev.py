"""Local development: `make run`."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR, envbool

DEBUG = envbool("DEBUG", True)
# A fixed development key is fine on a laptop; production refuses to start without SECRET_KEY.
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-learningdesk"
# Emails (set-password links, deadline warnings, digests, meeting invitations) are written to files under
# var/mail/, one per sending, rather than sent or printed over the server's log.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}
