"""Settings shared by every environment, read from environment variables.

The embedded default is a SQLite file under var/; set DATABASE_URL=postgres://... for PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from learningdesk.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LEARNINGDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = envbool("DEBUG")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "learningdesk.accounts",
    "learningdesk.org",
    "learningdesk.imports",
    "learningdesk.reps",
    "learningdesk.learning",
    "learningdesk.surveys",
    "learningdesk.employers",
    "learningdesk.reports",
    "learningdesk.comms",
    "learningdesk.privacy",
    "learningdesk.core",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "axes",
    # Two-step sign-in (issue 9): authenticator apps (TOTP) and single-use recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Production runtime (issue 10): first, so every line logged and every response carries the request's id,
    # and the visitor's address is known before anything counts it (core/middleware.py).
    "learningdesk.core.middleware.RequestLogMiddleware",
    "learningdesk.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which two-step device, if any, this session has passed (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Session time limits, the two-step check before any signed-in page, and the log of refused pages.
    "learningdesk.accounts.middleware.SignInSecurityMiddleware",
    "learningdesk.employers.middleware.EmployerContactMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "learningdesk.urls"
WSGI_APPLICATION = "learningdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "learningdesk.core.context_processors.navigation",
            ],
            "builtins": ["learningdesk.core.templatetags.ui", "django.contrib.humanize.templatetags.humanize"],
        },
    }
]
FORM_RENDERER = "learningdesk.core.forms.GovukFormRenderer"

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Connections are kept for a minute, and checked before a request or a task reuses one, so that after a
    # PostgreSQL restart the app answers again without being restarted itself.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # Selects of units and workplaces iterate their choices; a server-side cursor for each costs three round
    # trips where one will do (and server-side cursors do not survive a transaction-pooling pgbouncer).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "learningdesk.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy timeout)
                # instead of failing with "database is locked" half-way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Our sign-in log (accounts.SignInEvent) records successful sign-ins; axes' own copy would be a second list of them.
AXES_DISABLE_ACCESS_LOG = True

# Sessions (accounts/middleware.py): signed out after this long without a request, and this long after signing in
# whatever happens. Activity is written down at most once a minute, not on every request.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 120)
SESSION_MAX_HOURS = envint("SESSION_MAX_HOURS", 12)
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = 60 * 60 * SESSION_MAX_HOURS
# Two-step sign-in: the name authenticator apps show, and how many codes may be tried in 15 minutes.
OTP_TOTP_ISSUER = "Learning Desk"
TWO_STEP_TRIES = envint("TWO_STEP_TRIES", 10)
# The sign-in and access log: rows are deleted after this many days; the email typed at a failed sign-in (which
# may be someone's address mistyped) is blanked sooner (accounts/security.py, `manage.py prune_sign_in_log`).
SIGN_IN_LOG_DAYS = envint("SIGN_IN_LOG_DAYS", 365)
SIGN_IN_EMAIL_DAYS = envint("SIGN_IN_EMAIL_DAYS", 30)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic's output (production); whitenoise serves it.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (learning resources): never served directly; a view checks who may download each one.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# The largest version of a learning agreement (PDF or Word) that may be uploaded, in MB.
AGREEMENT_DOCUMENT_MAX_MB = envint("AGREEMENT_DOCUMENT_MAX_MB", 10)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Email through any SMTP server (Django 6.1's MAILERS; the EMAIL_* settings are deprecated).
EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS: dict[str, dict] = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
# Only the SMTP backend takes a server's options: another (console, file) would refuse them and send nothing.
if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS"),
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
# Where Learning Desk is served, for links in emails sent by the task worker (no request to ask).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Learning Desk <learningdesk@localhost>")

# Content Security Policy (Django's built-in): everything from our own origin; inline scripts only
# with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How many rows a list page shows.
PAGE_SIZE = envint("PAGE_SIZE", 25)

# Logs go to stderr: readable text here, one JSON object per line in production (settings/prod.py; core/logs.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "INFO"))

# The cache keeps the public activity pages and counts the public forms' rate limits (core/ratelimit.py), so every
# web process and task worker must share one: REDIS_URL selects Redis; production without it uses a table in the
# database (settings/prod.py). Here, with one web process, this process's memory will do.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The reverse proxies (addresses or networks) whose X-Forwarded-For names the visitor (core/middleware.py).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")

# Backups (ops-B: core/backups.py, `manage.py backup` and `restore`, docs/deploy.md "Backups and restore").
# Where backups are written: put it on another disk, and copy the files off the machine.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# 32 random bytes in base64 (`openssl rand -base64 32`): when set, every scheduled backup is encrypted with it.
# Keep a copy away from the backups (a password manager, a sealed envelope): without it they cannot be read.
BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
# How many days of scheduled backups to keep in BACKUP_DIR; older ones are deleted after each good backup.
BACKUP_KEEP_DAYS = envint("BACKUP_KEEP_DAYS", 14)

# Equality reports (reports/equality.py): a count below this is shown as "fewer than N", with secondary suppression.
EQUALITY_SUPPRESSION_THRESHOLD = envint("EQUALITY_SUPPRESSION_THRESHOLD", 10)

# The learning budget's year (reports/budget.py): (month, day) it starts, e.g. LEARNING_BUDGET_YEAR_START=4-6 for the
# tax year. 1 January unless set.
_budget_start = os.environ.get("LEARNING_BUDGET_YEAR_START", "1-1").split("-")
LEARNING_BUDGET_YEAR_START = (int(_budget_start[0]), int(_budget_start[1]))
# Retention (issue 9, part G: privacy/retention.py, the /privacy/retention/ page): how many days each kind of record
# is kept before the daily run deletes it, or anonymises the person; None keeps it for good. Each can be set from
# the environment, e.g. RETENTION_INACTIVE_CONTACTS_DAYS=1825. The sign-in log's period is SIGN_IN_LOG_DAYS above.
RETENTION: dict[str, int | None] = {
    kind: (envint(f"RETENTION_{kind.upper()}_DAYS", days) or None)
    for kind, days in {
        "inactive_contacts": 3 * 365,  # non-member contacts with nothing happening: anonymised
        "cancelled_sign_ups": 2 * 365,  # cancelled sign-ups and lapsed offers
        "survey_invitations": 365,  # personal survey links, after the survey closed
        "member_import_details": 90,  # checked rows and problems of finished member imports
        "finished_tasks": 30,  # background tasks' records (their arguments can hold an email address)
        "mailing_recipients": 2 * 365,  # who each mailing was sent to
        "sign_in_attempts": 365,  # django-axes' record of sign-in attempts
    }.items()
}

# Mailings (comms/sending.py): messages per batch, and at most this many a minute (0: no limit) for the SMTP server.
COMMS_BATCH_SIZE = envint("COMMS_BATCH_SIZE", 50)
COMMS_RATE_PER_MINUTE = envint("COMMS_RATE_PER_MINUTE", 60)
