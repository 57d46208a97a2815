"""Log lines: one JSON object per line in production, readable text in development.

Every line written while a request is handled carries that request's id, method, path and user id (see
core/middleware.py), so an error in the log can be found from the reference on the person's 500 page.
Imported by the settings and by gunicorn's master process before Django is set up: nothing here reads settings.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
from typing import Any

from django.utils.functional import empty

# The request being handled in this thread, set by core.middleware.RequestLogMiddleware.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("learningdesk_request", default=None)

# The only record attributes a line may carry besides its message: never the request object Django attaches to its
# own error lines (its repr holds the query string, and queries can hold emails), never names or emails.
FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")


# Public pages whose URL is itself the key to someone's record: each named group is a token (or the id that goes with
# it) and is logged as <redacted>. Mailings (/m/) and members' own details (/my-details/) keep the token in the last
# part of the path, whatever comes before it; surveys, learners' own links and password links have fixed shapes.
TOKEN_PATHS = (
    re.compile(r"^/(?:m|my-details)/(?:[^/]+/)*?(?P<token>[^/]+)/?$"),
    re.compile(r"^/s/(?:i/)?(?P<token>[A-Za-z0-9_-]{20,})(?=/|$)"),
    re.compile(r"^/learn/(?:signed-up|sign-ups|evaluation|my-record)/(?P<token>[^/]+)"),
    re.compile(r"^/password-reset/(?!(?:sent|done)/$)(?P<uid>[^/]+)/(?P<token>[^/]+)/"),
)
REDACTED = "<redacted>"


def redact_path(path: str) -> str:
    """The path as it may be written to a log: any token in it replaced by <redacted>."""
    for pattern in TOKEN_PATHS:
        match = pattern.match(path)
        if match is None:
            continue
        spans = sorted(match.span(name) for name in pattern.groupindex if match.group(name))
        for start, end in reversed(spans):
            path = path[:start] + REDACTED + path[end:]
        return path
    return path


def user_id(request: Any) -> int | None:
    """The signed-in user's id, if the request has already looked the user up (reading it here would cost a query)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, method, path (never the query string, tokens redacted) and user id to each
    line, and redacts the path where a line's own message repeats it (Django's "Not Found: /path")."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is not None:
            path = redact_path(request.path)
            for name, value in (
                ("request_id", getattr(request, "request_id", None)),
                ("method", request.method),
                ("path", path),
                ("user_id", user_id(request)),
            ):
                if not hasattr(record, name):
                    setattr(record, name, value)
            if path != request.path:
                _redact_message(record, request.path, path)
        # Django's own lines about a response say status_code.
        if not hasattr(record, "status") and hasattr(record, "status_code"):
            record.status = record.status_code
        return True


def _redact_message(record: logging.LogRecord, raw: str, redacted: str) -> None:
    if isinstance(record.msg, str) and raw in record.msg:
        record.msg = record.msg.replace(raw, redacted)
    if isinstance(record.args, tuple):
        record.args = tuple(arg.replace(raw, redacted) if isinstance(arg, str) else arg for arg in record.args)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, process id, the request fields, any exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Which process: several web processes and workers write to the same journal.
            "pid": record.process,
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception_type"] = record.exc_info[0].__name__
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(*, json_lines: bool, level: str = "INFO") -> dict[str, Any]:
    """The LOGGING setting: everything to stderr (journald keeps it in production), through the request filter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request"],
                "formatter": "json" if json_lines else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's lines once, through our handler (its default config adds a second console handler in DEBUG).
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            # runserver prints each request in development; the request log line is for production.
            "learningdesk.requests": {"level": "INFO" if json_lines else "WARNING"},
            # WeasyPrint and fontTools log about a hundred lines for each PDF at INFO.
            **{name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
        },
    }
