"""The first two middleware every request passes through: its id and log line, and the visitor's address."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from learningdesk.core.logs import current_request, redact_path

logger = logging.getLogger("learningdesk.requests")

# The proxy's id (nginx's $request_id is 32 hex digits) is kept so its log and ours match; anything else a client
# sends (too long, spaces, quotes: it goes into log lines and a header) is replaced by our own.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


class RequestLogMiddleware:
    """Gives each request an id (sent back as X-Request-ID) and writes one log line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the response is finished (below), not just until this returns: Django logs each 4xx after
        # the middleware, and a streamed export logs while it is being sent.
        current_request.set(request)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        # The path only (a query string can hold a searched name or email), with any token in it redacted.
        logger.info(
            "%s %s %s %sms",
            request.method,
            redact_path(request.path),
            response.status_code,
            duration_ms,
            extra={"status": response.status_code, "duration_ms": duration_ms},
        )
        return response


def _forget_request(**kwargs: object) -> None:
    current_request.set(None)


request_finished.connect(_forget_request, dispatch_uid="learningdesk.core.middleware.forget_request")


def _networks(addresses: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(address, strict=False) for address in addresses]


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


class ClientAddressMiddleware:
    """Behind the reverse proxy, puts the visitor's address in REMOTE_ADDR, where the public forms' rate limits and
    django-axes read it; otherwise every visitor would share the proxy's address and one visitor's limit.

    X-Forwarded-For is believed only from a proxy in settings.TRUSTED_PROXIES (anyone can send the header): the
    visitor is the rightmost address that is not one of ours. Without TRUSTED_PROXIES this middleware is off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.TRUSTED_PROXIES:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.proxies = _networks(settings.TRUSTED_PROXIES)

    def _is_proxy(self, address: str) -> bool:
        return _is_ip(address) and any(ipaddress.ip_address(address) in network for network in self.proxies)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_proxy(request.META.get("REMOTE_ADDR", "")):
            forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            for address in reversed(forwarded):
                if not _is_ip(address):
                    break  # not an address: keep the proxy's rather than believe what lies beyond it
                if not self._is_proxy(address):
                    request.META["REMOTE_ADDR"] = address
                    break
        return self.get_response(request)
