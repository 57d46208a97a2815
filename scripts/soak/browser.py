"""What `make soak`'s simulated browsers share: reading a page's form as a browser would submit it, and speaking to
the app as a browser does through the TLS proxy in front of it (docs/deploy.md).

The app runs with its production settings (secure cookies, HTTPS redirect, CSRF checks of the Origin); the soak
has no TLS, so each request carries what the proxy adds (X-Forwarded-Proto: https, and the visitor's address in
X-Forwarded-For, believed because TRUSTED_PROXIES=127.0.0.1), and cookies marked Secure are sent back, as a browser
on https:// sends them (`as_over_https`). Nothing in the app is loosened for the soak.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Forms(HTMLParser):
    """The fields of each form on a page, with the values a browser would send if nothing were changed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((found.get("action", ""), {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    fields[name] = found.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = found.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = found.get("value", "")
            if self._select_first is None:
                self._select_first = value
                fields.setdefault(self._select, value)
            if "selected" in found:
                fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, *, action: str = "") -> dict[str, str]:
    """The fields of the page's form that posts to `action` ("": the page itself, a form without an action)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action and "csrfmiddlewaretoken" in fields:
            return fields
    raise LookupError(f"No form posting to {action or 'the page itself'!r} with a CSRF token on the page")


def behind_the_proxy(session: Any, *, address: str) -> None:
    """Make a requests session send what a browser sends through the proxy (see the module's docstring)."""
    session.headers.update(
        {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": address,
            "User-Agent": "Mozilla/5.0 (Learning Desk soak)",
        }
    )


def as_over_https(session: Any) -> None:
    """Before a request: let the session's cookies marked Secure go back over the soak's plain http, as a browser's
    go back over https. (requests copies the jar into a fresh one for each request, so a cookie policy set on the
    session's jar would not be used.)"""
    for cookie in session.cookies:
        cookie.secure = False


def post_headers(*, host: str, page: str) -> dict[str, str]:
    """A browser sends its page's origin with a POST; Django's CSRF check compares it with the site's."""
    return {"Origin": f"https://{host}", "Referer": f"https://{host}{page}"}
