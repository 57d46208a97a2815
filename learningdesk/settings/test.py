"""The test suite: fast hashing, mail kept in memory."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105 (tests only)
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
AXES_FAILURE_LIMIT = 5
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Uploaded files go to a folder of the test run's own, never into var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="learningdesk-test-media-"))

# Mailings in tests are sent without waiting between messages (tests/comms sets its own rate where it matters).
COMMS_RATE_PER_MINUTE = 0
