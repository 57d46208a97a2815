"""Tokens in public URLs never reach the request log, Django's own lines, or the sign-in log (core/logs.py)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from learningdesk.core.logs import JsonFormatter, RequestContextFilter, redact_path

TOKEN = "Zx81SpectrumQL-48kAbCdEf123"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/m/unsubscribe/{TOKEN}/", "/m/unsubscribe/<redacted>/"),
        (f"/m/{TOKEN}", "/m/<redacted>"),
        ("/m/", "/m/"),
        (f"/my-details/{TOKEN}/", "/my-details/<redacted>/"),
        (f"/my-details/confirm/{TOKEN}/", "/my-details/confirm/<redacted>/"),
        ("/my-details/", "/my-details/"),
        (f"/s/{TOKEN}/", "/s/<redacted>/"),
        (f"/s/{TOKEN}/thanks/", "/s/<redacted>/thanks/"),
        (f"/s/i/{TOKEN}/", "/s/i/<redacted>/"),
        ("/s/answer/", "/s/answer/"),
        (f"/learn/sign-ups/{TOKEN}/cancel/", "/learn/sign-ups/<redacted>/cancel/"),
        (f"/learn/my-record/{TOKEN}/record.pdf", "/learn/my-record/<redacted>/record.pdf"),
        (f"/learn/evaluation/{TOKEN}/", "/learn/evaluation/<redacted>/"),
        (f"/learn/signed-up/{TOKEN}/", "/learn/signed-up/<redacted>/"),
        ("/learn/EM-DERBY/activities/4/", "/learn/EM-DERBY/activities/4/"),
        (f"/password-reset/MQ/{TOKEN}/", "/password-reset/<redacted>/<redacted>/"),
        ("/password-reset/MQ/set-password/", "/password-reset/<redacted>/<redacted>/"),
        ("/password-reset/sent/", "/password-reset/sent/"),
        ("/password-reset/done/", "/password-reset/done/"),
        ("/people/12/", "/people/12/"),
    ],
)
def test_tokens_in_public_paths_are_redacted(path, logged):
    assert redact_path(path) == logged


@pytest.fixture
def log_text():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    loggers = [logging.getLogger(), logging.getLogger("django")]
    requests_logger = logging.getLogger("learningdesk.requests")
    level = requests_logger.level
    requests_logger.setLevel(logging.INFO)
    for logger in loggers:
        logger.addHandler(handler)
    yield stream.getvalue
    for logger in loggers:
        logger.removeHandler(handler)
    requests_logger.setLevel(level)


@pytest.mark.parametrize("path", [f"/s/{TOKEN}/", f"/m/unsubscribe/{TOKEN}/", f"/password-reset/MQ/{TOKEN}/"])
def test_the_request_log_and_djangos_lines_never_hold_the_token(db, log_text, path):
    Client().get(path)
    text = log_text()
    assert TOKEN not in text
    lines = [json.loads(line) for line in text.splitlines()]
    [request_line] = [line for line in lines if line["logger"] == "learningdesk.requests"]
    assert request_line["path"] == redact_path(path)
    assert "<redacted>" in request_line["message"]
