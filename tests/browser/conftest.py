"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against the live server.

Every page a test visits is checked with axe-core (no serious or critical violation) and for Content
Security Policy errors, and a screenshot is saved under var/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from learningdesk.accounts import two_factor
from learningdesk.accounts.models import User
from learningdesk.accounts.testing import totp_code

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE_JS = Path(settings.BASE_DIR) / "learningdesk" / "core" / "static" / "core" / "dist" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Checked:
    """A page with the checks every visit gets: axe, CSP errors, screenshots."""

    def __init__(self, page: Page, base_url: str, device: str) -> None:
        self.page = page
        self.base_url = base_url
        self.device = device
        self.console_errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def check(self, name: str, *, page_is_an_error: bool = False) -> None:
        """Run axe on the page as it is now, fail on serious/critical violations, save a screenshot.

        The console must be free of CSP and JavaScript errors and of failed loads (a missing asset), except
        the page's own status when ``page_is_an_error`` (a 404 page is meant to answer 404).
        """
        self.page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{self.device}.png"), full_page=True)
        self.page.evaluate(AXE_JS.read_text())
        results = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
            "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
        )
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes']][:5]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, f"axe found on {name}:\n" + "\n".join(serious)
        csp = [error for error in self.console_errors if "Content Security Policy" in error or "Refused" in error]
        assert not csp, f"Content Security Policy errors on {name}: {csp}"
        js_errors = [e for e in self.console_errors if e not in csp and not (page_is_an_error and "status of 4" in e)]
        assert not js_errors, f"JavaScript errors on {name}: {js_errors}"


def _context(browser: Browser, device: dict, **extra) -> BrowserContext:
    return browser.new_context(locale="en-GB", timezone_id="Europe/London", **device, **extra)


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Checked]:
    context = _context(browser, PHONE)
    yield Checked(context.new_page(), live_server.url, "phone")
    context.close()


@pytest.fixture
def desktop(browser: Browser, live_server) -> Iterator[Checked]:
    context = _context(browser, DESKTOP)
    yield Checked(context.new_page(), live_server.url, "desktop")
    context.close()


@pytest.fixture
def phone_without_js(browser: Browser, live_server) -> Iterator[Checked]:
    context = _context(browser, PHONE, java_script_enabled=False)
    yield Checked(context.new_page(), live_server.url, "phone-nojs")
    context.close()


def sign_in(checked: Checked, email: str, password: str = "correct horse battery") -> None:
    """Sign in through the form, entering the code from the user's authenticator app when they have one (one is set
    up for them first when their roles require it), as they would."""
    user = User.objects.get(email__iexact=email)
    device = two_factor.app_device(user)
    if device is None and two_factor.needs_two_step(user):
        device = TOTPDevice.objects.create(user=user, name=two_factor.APP_NAME, confirmed=True)
    checked.goto("/sign-in/")
    checked.page.get_by_label("Email address").fill(email)
    checked.page.get_by_label("Password").fill(password)
    checked.page.get_by_role("button", name="Sign in").click()
    if device is not None:
        checked.page.wait_for_url(re.compile(r"/sign-in/code/"))
        device.refresh_from_db()
        checked.page.get_by_label("Code from your authenticator app").fill(totp_code(device))
        checked.page.get_by_role("button", name="Continue").click()
    checked.page.wait_for_url(checked.base_url + "/")
