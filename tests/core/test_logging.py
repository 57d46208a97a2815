"""Request ids and the JSON log lines (core/middleware.py, core/logs.py), and the 500 page that shows the id."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import include, path, reverse

from learningdesk.core.logs import JsonFormatter, RequestContextFilter
from learningdesk.urls import handler500  # noqa: F401 (the app's 500 page, for the URLs below)
from tests.conftest import client_for


def boom(request):
    raise RuntimeError("boom: something broke")


# For the tests marked urls("tests.core.test_logging"): the app's URLs and its 500 page, plus one that fails.
urlpatterns = [path("boom/", boom), path("", include("learningdesk.urls"))]

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """The JSON lines production would write (settings/prod.py), as parsed objects, and their raw text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    # The request lines propagate to the root logger; Django's own go to the "django" logger's handler only.
    loggers = [logging.getLogger(), logging.getLogger("django")]
    requests_logger = logging.getLogger("learningdesk.requests")
    level = requests_logger.level
    requests_logger.setLevel(logging.INFO)  # as in production: development leaves these to runserver
    for logger in loggers:
        logger.addHandler(handler)

    def read() -> tuple[list[dict], str]:
        text = stream.getvalue()
        return [json.loads(line) for line in text.splitlines()], text

    yield read
    for logger in loggers:
        logger.removeHandler(handler)
    requests_logger.setLevel(level)


def test_each_response_carries_a_new_request_id(db):
    first, second = (Client().get(reverse("healthz"))["X-Request-ID"] for _ in range(2))
    assert GENERATED_ID.fullmatch(first)
    assert GENERATED_ID.fullmatch(second)
    assert first != second


def test_the_proxys_request_id_is_kept_so_both_logs_match(db):
    response = Client().get(reverse("healthz"), headers={"X-Request-ID": "8f14e45fceea167a5a36dedd4bea2543"})
    assert response["X-Request-ID"] == "8f14e45fceea167a5a36dedd4bea2543"


@pytest.mark.parametrize("sent", ['x"} {"level": "ERROR', "short", "a" * 200, "spaces in it are not ok"])
def test_a_request_id_that_is_not_sane_is_replaced(db, sent):
    response = Client().get(reverse("healthz"), headers={"X-Request-ID": sent})
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_each_request_is_one_json_line_with_the_user_id_and_no_name_or_email(world, log_lines):
    client = client_for(world.coordinator)
    response = client.get(reverse("org:person_list"), {"q": "maria.alberts@example.org"})
    assert response.status_code == 200
    lines, text = log_lines()
    [line] = [line for line in lines if line["logger"] == "learningdesk.requests"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == world.coordinator.pk
    assert line["method"] == "GET"
    assert line["path"] == "/people/"  # without the query string, which held an email
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    for personal in ("maria", "alberts", "coordinator@example.org", "carol"):
        assert personal not in text.lower()


def test_djangos_own_lines_carry_the_request_id_and_never_the_query(world, log_lines):
    response = client_for(world.coordinator).get("/people/999999/", {"q": "someone@example.org"})
    assert response.status_code == 404
    lines, text = log_lines()
    [not_found] = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["message"] == "Not Found: /people/999999/"
    assert not_found["request_id"] == response["X-Request-ID"]
    assert not_found["status"] == 404
    assert "someone@example.org" not in text


@pytest.mark.urls("tests.core.test_logging")
def test_an_error_shows_a_friendly_page_with_the_reference_that_finds_it_in_the_log(world, log_lines):
    client = client_for(world.coordinator)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert "Sorry, there is a problem with Learning Desk" in page
    assert request_id in page
    assert "boom" not in page
    lines, _ = log_lines()
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == request_id
    assert error["user_id"] == world.coordinator.pk
    assert error["path"] == "/boom/"
    assert error["status"] == 500
    assert error["exception_type"] == "RuntimeError"
    assert "boom: something broke" in error["exception"]
    [answered] = [line for line in lines if line["logger"] == "learningdesk.requests"]
    assert (answered["request_id"], answered["status"]) == (request_id, 500)
