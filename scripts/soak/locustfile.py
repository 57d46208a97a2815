"""`make soak`'s load: co-ordinators signing in and working, and the public finding learning and signing up.

Started by scripts/soak/soak.py (which says how many of each and how fast); by hand:
    SOAK_TARGETS=var/soak/targets.json SOAK_REQUEST_LOG=var/soak/requests.tsv \\
        .venv/bin/locust -f scripts/soak/locustfile.py --headless -H http://127.0.0.1:8010 -u 30 -t 60s

Every request is written to SOAK_REQUEST_LOG (start time, page, milliseconds, ok, status, error), from which the
driver works out each page's percentiles, the errors and when they happened, phase by phase.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, constant_throughput, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import as_over_https, behind_the_proxy, form_fields, post_headers

TARGETS: dict[str, Any] = json.loads(Path(os.environ["SOAK_TARGETS"]).read_text())
PASSWORD = os.environ.get("SOAK_PASSWORD", "learning-desk-demo")  # the demo logins' (org/demo.py)
STAFF_USERS = int(os.environ.get("SOAK_STAFF_USERS", "20"))
STAFF_PAGES_PER_S = float(os.environ.get("SOAK_STAFF_PAGES_PER_S", "0.5"))  # each co-ordinator's pace
PUBLIC_USERS = int(os.environ.get("SOAK_PUBLIC_USERS", "10"))
PUBLIC_VISITS_PER_S = float(os.environ.get("SOAK_PUBLIC_VISITS_PER_S", "0.31"))  # each visitor stream's pace
PERSON_LINK = re.compile(r'href="/people/(\d+)/"')

_log = open(os.environ.get("SOAK_REQUEST_LOG", os.devnull), "a", buffering=1)  # noqa: SIM115 (for the whole run)


@events.request.add_listener
def _write(request_type, name, response_time, response, exception, start_time=None, **kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    error = str(exception).replace("\t", " ").replace("\n", " ")[:200] if exception else ""
    _log.write(
        f"{start_time:.3f}\t{request_type}\t{name}\t{response_time:.1f}\t{0 if exception else 1}\t{status}\t{error}\n"
    )


def _address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class Browser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.host_name = self.host.split("://", 1)[1].rstrip("/")
        behind_the_proxy(self.client, address=_address())

    def page(self, url: str, name: str, *, expect: int = 200) -> str:
        """GET a page as a browser navigates to it; anything but `expect` (a redirect to sign in, say) fails."""
        as_over_https(self.client)
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != expect:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
                return ""
            return response.text

    def post_form(self, page_url: str, html: str, name: str, values: dict[str, str], *, action: str = "") -> Any:
        """Submit the page's form as a browser would, with `values` typed in; the response is left to check."""
        data = {**form_fields(html, action=action), **values}
        as_over_https(self.client)
        return self.client.post(
            page_url,
            data=data,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers=post_headers(host=self.host_name, page=page_url),
        )


class Coordinator(Browser):
    """A co-ordinator at work: home, people, searching, a person, the reps, the learning, survey results."""

    fixed_count = STAFF_USERS
    wait_time = constant_throughput(STAFF_PAGES_PER_S)

    def on_start(self) -> None:
        super().on_start()
        logins = TARGETS["logins"]
        self.email = random.choices(list(logins), weights=[login["weight"] for login in logins.values()])[0]
        self.login = logins[self.email]
        self.people: list[str] = []
        self.signed_in = False
        self.sign_in()

    def sign_in(self) -> None:
        url = TARGETS["sign_in"]
        html = self.page(url, "sign in page")
        if not html:
            return
        values = {"username": self.email, "password": PASSWORD}
        with self.post_form(url, html, "sign in", values) as response:
            if response.status_code == 302 and TARGETS["sign_in"] not in response.headers.get("Location", ""):
                self.signed_in = True
            else:
                response.failure(f"{response.status_code}: not signed in")

    def visit(self, url: str, name: str) -> str:
        if not self.signed_in:
            self.sign_in()
            if not self.signed_in:
                return ""
        return self.page(url, name)

    @task(3)
    def home(self) -> None:
        self.visit(TARGETS["pages"]["home"], "home")

    @task(2)
    def people_list(self) -> None:
        html = self.visit(TARGETS["pages"]["people"], "people list")
        self.people = [f"/people/{pk}/" for pk in PERSON_LINK.findall(html)] or self.people

    @task(3)
    def people_search(self) -> None:
        html = self.visit(random.choice(self.login["searches"]), "people search")
        self.people = [f"/people/{pk}/" for pk in PERSON_LINK.findall(html)] or self.people

    @task(2)
    def person(self) -> None:
        if self.people:
            self.visit(random.choice(self.people), "person")
        else:
            self.people_list()

    @task(1)
    def reps_register(self) -> None:
        self.visit(TARGETS["pages"]["reps"], "reps register")

    @task(1)
    def learning_activities(self) -> None:
        self.visit(TARGETS["pages"]["learning"], "learning activities")

    @task(1)
    def survey_results(self) -> None:
        if self.login["survey_results"]:
            self.visit(random.choice(self.login["survey_results"]), "survey results")


class Visitor(Browser):
    """The public, from a poster's QR code or an email: an activity's page, and often signing up for it."""

    fixed_count = PUBLIC_USERS
    wait_time = constant_throughput(PUBLIC_VISITS_PER_S)

    @task(2)
    def look(self) -> None:
        self.page(random.choice(TARGETS["public_activities"]), "public activity")
        if random.random() < 0.3:
            self.page(random.choice(TARGETS["public_units"]), "public unit page")

    @task(1)
    def sign_up(self) -> None:
        # Someone new, on their own phone: no cookies yet, an address of their own (the form allows 20 an address).
        self.client.cookies.clear()
        self.client.headers["X-Forwarded-For"] = _address()
        self.page(random.choice(TARGETS["public_activities"]), "public activity")
        url = TARGETS["sign_up"]
        html = self.page(url, "sign-up form")
        if not html:
            return
        someone = uuid.uuid4().hex[:10]
        values = {
            "first_name": "Soak",
            "last_name": f"Learner {someone}",
            "email": f"soak-{someone}@example.net",
            "workplace_text": "Council House",
            "says_member": "not_sure",
            "consent_learning": "on",
        }
        with self.post_form(url, html, "sign-up POST", values) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302 or "/learn/sign" not in where:
                response.failure(f"{response.status_code}: not signed up {where}".strip())
