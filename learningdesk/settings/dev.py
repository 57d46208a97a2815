"""Local development: `make run`."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, envbool

DEBUG = envbool("DEBUG", True)
# A fixed development key is fine on a laptop; production refuses to start without SECRET_KEY.
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-learningdesk"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
