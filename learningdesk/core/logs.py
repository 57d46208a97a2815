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
from typing import Any

from django.utils.functional import empty

# The request being handled in this thread, set by core.middleware.RequestLogMiddleware.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("learningdesk_request", default=None)

# The only record attributes a line may carry besides its message: never the request object Django attaches to its
# own error lines (its repr holds the query string, and queries can hold emails), never names or emails.
FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")


def user_id(request: Any) -> int | None:
    """The signed-in user's id, if the request has already looked the user up (reading it here would cost a query)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, method, path (never the query string) and user id to each line."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is not None:
            for name, value in (
                ("request_id", getattr(request, "request_id", None)),
                ("method", request.method),
                ("path", request.path),
                ("user_id", user_id(request)),
            ):
                if not hasattr(record, name):
                    setattr(record, name, value)
        # Django's own lines about a response say status_code.
        if not hasattr(record, "status") and hasattr(record, "status_code"):
            record.status = record.status_code
        return True


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
