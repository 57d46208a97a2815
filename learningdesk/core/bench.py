"""The project's benchmarks, against the current database.

On an empty database the run first loads the national data set through the member import and times that
(`load_by_import`): a generated file of a million members is imported, then imported again unchanged, and
both are compared with the database's own raw CSV loader (the `sqlite3` shell's `.import`, or PostgreSQL's
COPY) reading the same file into a bare table. Then the page measures run on that data.

Each page measure is a function taking a `BenchRun` and returning {name: value}; add one with `@measure`.
A name ends in its unit (`_ms`, `_per_s`, `_mb`), then, for the import measures and for everything measured
on PostgreSQL, the database (`_sqlite`, `_postgres`). Results are merged into results.json, so measures
added by later work sit beside the earlier ones.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import math
import os
import random
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse
from django.utils.http import urlencode
from django.utils.timezone import now

from learningdesk.accounts.models import User
from learningdesk.accounts.testing import force_verified_login
from learningdesk.employers.demo import build_demo_employers
from learningdesk.learning.demo import build_demo_learning
from learningdesk.org import demo, scoping
from learningdesk.reports.demo import build_demo_reports
from learningdesk.reps.demo import build_demo_reps
from learningdesk.surveys.demo import build_demo_surveys

BENCH_USER = "coordinator@example.org"  # the demo branch co-ordinator (org/demo.py)
NATIONAL_USER = "admin@example.org"
BENCH_PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
REQUESTS = 200
QUICK_REQUESTS = 30
WARM_UP = 10


class BenchError(Exception):
    pass


@dataclass
class BenchRun:
    client: Client
    user: User
    requests: int  # timed requests per measure, after WARM_UP untimed ones


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    requests: int

    @property
    def unit(self) -> str:
        name = self.name
        for vendor in VENDOR_SUFFIXES:
            name = name.removesuffix(vendor)
        for suffix, unit in UNITS.items():
            if name.endswith(suffix):
                return unit
        return ""


UNITS = {"_ms": "ms", "_per_s": "per s", "_count": "", "_bytes": "bytes", "_mb": "MB", "_seconds": "s"}
VENDOR_SUFFIXES = ("_sqlite", "_postgres")

Measure = Callable[[BenchRun], dict[str, float]]
MEASURES: list[Measure] = []


def measure(function: Measure) -> Measure:
    MEASURES.append(function)
    return function


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank: the value 95% of the samples are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_gets(run: BenchRun, urls: list[str]) -> list[float]:
    """Milliseconds for `run.requests` GETs, cycling through `urls`, after a few untimed ones."""
    timings = []
    for number in range(WARM_UP + run.requests):
        url = urls[number % len(urls)]
        started = time.perf_counter()
        response = run.client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}, not 200.")
        if number >= WARM_UP:
            timings.append(elapsed)
    return timings


def common_surname_prefix(user: User) -> str:
    """The commonest three-letter start of a surname the user can see, so that a search has a page 2."""
    people = scoping.visible_people(user)
    prefix = ""
    for length in (3, 2, 1):
        row = (
            people.annotate(prefix=Substr("last_name_key", 1, length))
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by("-n", "prefix")
            .first()
        )
        if row is None:
            break
        prefix = row["prefix"]
        if row["n"] > settings.PAGE_SIZE:
            break
    return prefix


# Measures ---------------------------------------------------------------------------------------


@measure
def home_page(run: BenchRun) -> dict[str, float]:
    return {"home_p95_ms": p95(time_gets(run, [reverse("home")]))}


@measure
def people_list(run: BenchRun) -> dict[str, float]:
    """The people list as a co-ordinator uses it: the first page, and the second page of a search."""
    people = reverse("org:person_list")
    urls = [people, f"{people}?q={common_surname_prefix(run.user)}&page=2"]
    return {"people_list_p95_ms": p95(time_gets(run, urls))}


def search_terms(user: User, count: int = 40, seed: int = 1) -> list[str]:
    """What people type to find someone in the user's scope: a surname's start, a full name, a membership
    number, the start of an email address; taken from real people there."""
    people = scoping.visible_people(user).order_by("pk")
    total = people.count()
    rng = random.Random(seed)
    terms: list[str] = []
    for _ in range(count // 4):
        person = people[rng.randrange(total)] if total else None
        if person is None:
            break
        terms.append(person.last_name[:3])
        terms.append(f"{person.first_name} {person.last_name}")
        terms.append(person.membership_number or person.last_name)
        terms.append(person.email.split("@")[0] if person.email else person.first_name[:2])
    return terms or ["a"]


def _search_urls(user: User) -> list[str]:
    people = reverse("org:person_list")
    return [f"{people}?{urlencode({'q': term})}" for term in search_terms(user)]


@measure
def people_search(run: BenchRun) -> dict[str, float]:
    """People search as the branch co-ordinator: by name, membership number and email, in their branch."""
    return {"people_search_p95_ms": p95(time_gets(run, _search_urls(run.user)))}


def national_run(run: BenchRun) -> BenchRun | None:
    """The same run signed in as the national administrator (None without one)."""
    user = User.objects.filter(email=NATIONAL_USER).first()
    if user is None:
        return None
    client = force_verified_login(Client(), user)
    return BenchRun(client=client, user=user, requests=run.requests)


@measure
def people_search_national(run: BenchRun) -> dict[str, float]:
    """The same searches by the national administrator, across every branch."""
    national = national_run(run)
    if national is None:
        return {}
    return {"people_search_national_p95_ms": p95(time_gets(national, _search_urls(national.user)))}


@measure
def mapping(run: BenchRun) -> dict[str, float]:
    """Workplace mapping for the whole organisation: the gaps, largest first; every workplace by name, page 2;
    and by members per rep. Member counts this wide come from a snapshot counted every few minutes
    (reps/mapping.py), so most requests here read it; the first counts a million people."""
    national = national_run(run)
    if national is None:
        return {}
    url = reverse("reps:mapping")
    urls = [url, f"{url}?show=all&sort=name&page=2", f"{url}?show=all&sort=-per_rep"]
    return {"mapping_p95_ms": p95(time_gets(national, urls))}


@measure
def coordinator_home(run: BenchRun) -> dict[str, float]:
    """The home page of the co-ordinator of the largest branch, with its reps needing attention."""
    return {"coordinator_home_p95_ms": p95(time_gets(run, [reverse("home")]))}


def _bench_session() -> tuple[str, str]:
    """The public page of one of the demo branch's published activities with a session to come, and the
    sign-up URL of a session of its own with room for every sign-up the benchmark makes."""
    from learningdesk.learning.models import Activity, Session

    activity = (
        Activity.objects.filter(unit__code="EM-DERBY", status=Activity.Status.PUBLISHED, sessions__starts_at__gt=now())
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    if activity is None:
        raise BenchError("The demo branch has no published activity with a session to come: run the learning demo.")
    code = activity.unit.code.lower()
    session = Session.objects.filter(activity__title="Benchmark open day").first()
    if session is None:
        bench_activity = Activity.objects.create(
            unit=activity.unit,
            title="Benchmark open day",
            description="Made by make bench.",
            type=activity.type,
            audience=activity.audience,
            status=Activity.Status.PUBLISHED,
        )
        starts = now() + datetime.timedelta(days=30)
        session = Session.objects.create(
            activity=bench_activity,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            venue=Session.Venue.ADDRESS,
            address="Branch office",
            capacity=100_000,
        )
    return (
        reverse("learn:activity", kwargs={"code": code, "pk": activity.pk}),
        reverse("learn:sign_up", kwargs={"code": code, "session_pk": session.pk}),
    )


def requests_per_second(client: Client, url: str, requests: int) -> float:
    """Requests per second for `requests` GETs of one URL, one after another, after a few untimed ones."""
    for _ in range(WARM_UP):
        client.get(url)
    started = time.perf_counter()
    for _ in range(requests):
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}, not 200.")
    return requests / (time.perf_counter() - started)


@measure
def public_activity(run: BenchRun) -> dict[str, float]:
    """The public page of an activity (no login, as from a QR code), against a bare Django view through the
    same middleware, in the same process: requests per second of each, several rounds taken in turn (so
    that the machine's noise falls on both alike), the best round of each compared. Back to back, the page
    is served as it was made a moment ago; `_checked` has each request check it against the database first,
    as a page visited less often than every few seconds is."""
    from learningdesk.learning import selectors

    activity_url, _sign_up_url = _bench_session()
    visitor = Client()
    requests = max(run.requests, 300)
    ours: list[float] = []
    checked: list[float] = []
    bare: list[float] = []
    seconds = selectors.RECENT_PAGE_SECONDS
    with override_settings(ROOT_URLCONF="learningdesk.core.bench_urls"):
        clear_url_caches()
        try:
            for _round in range(3):
                ours.append(requests_per_second(visitor, activity_url, requests))
                selectors.RECENT_PAGE_SECONDS = 0
                cache.clear()  # this process's cache: forget the page kept from the round before
                checked.append(requests_per_second(visitor, activity_url, requests))
                selectors.RECENT_PAGE_SECONDS = seconds
                bare.append(requests_per_second(visitor, "/bench/bare/", requests))
        finally:
            selectors.RECENT_PAGE_SECONDS = seconds
            clear_url_caches()
    timed = BenchRun(client=visitor, user=run.user, requests=run.requests)
    return {
        "public_activity_per_s": max(ours),
        "public_activity_checked_per_s": max(checked),
        "bare_view_per_s": max(bare),
        "public_activity_rps_ratio": max(ours) / max(bare),
        "public_activity_checked_rps_ratio": max(checked) / max(bare),
        "public_activity_p95_ms": p95(time_gets(timed, [activity_url])),
    }


@measure
def sign_up_post(run: BenchRun) -> dict[str, float]:
    """Signing up on the public form: new contacts, and (every third) members matched by their email, each
    from an address of its own (the form allows 20 sign-ups an address in 10 minutes)."""
    from learningdesk.learning.models import SignUp
    from learningdesk.org.models import Person

    _activity_url, url = _bench_session()
    members = list(
        Person.objects.filter(branch__code="EM-DERBY", status=Person.Status.MEMBER)
        .exclude(email="")
        .exclude(sign_ups__session__activity__title="Benchmark open day")
        .values_list("first_name", "last_name", "email")[: run.requests]
    )
    visitor = Client()
    timings = []
    stamp = int(time.time())
    for number in range(WARM_UP + run.requests):
        if number % 3 == 0 and members:
            first, last, email = members.pop()
        else:
            first, last, email = "Bench", f"Learner {number}", f"bench-{stamp}-{number}@example.net"
        data = {
            "first_name": first,
            "last_name": last,
            "email": email,
            "workplace_text": "Council House",
            "says_member": "not_sure",
            "consent_learning": "on",
        }
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        started = time.perf_counter()
        response = visitor.post(url, data, REMOTE_ADDR=address)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise BenchError(f"POST {url} answered {response.status_code}, not a redirect to the learner's page.")
        if number >= WARM_UP:
            timings.append(elapsed)
    if not SignUp.objects.filter(session__activity__title="Benchmark open day").exists():
        raise BenchError("The sign-ups were not saved.")
    return {"signup_post_p95_ms": p95(timings)}


def _biggest_survey() -> tuple[int, int] | None:
    """The survey with the most responses (the national skills audit at national size) and its first question."""
    from learningdesk.surveys.models import Question, Survey

    survey = Survey.objects.annotate(n=Count("responses")).order_by("-n", "pk").first()
    question = Question.objects.filter(section__survey=survey).order_by("section__order", "order", "pk").first()
    return (survey.pk, question.pk) if survey is not None and question is not None else None


@measure
def survey_results(run: BenchRun) -> dict[str, float]:
    """The results of the most answered survey (100,000 responses at national size) for the national
    administrator, and one question broken down by unit and by workplace, small numbers suppressed."""
    national = national_run(run)
    found = _biggest_survey()
    if national is None or found is None:
        return {}
    survey_pk, question_pk = found
    results = reverse("surveys:results", args=[survey_pk])
    breakdown = reverse("surveys:breakdown", args=[survey_pk])
    by = [f"{breakdown}?question={question_pk}&by={field}" for field in ("unit", "workplace", "employer")]
    return {
        "survey_results_p95_ms": p95(time_gets(national, [results])),
        "survey_breakdown_p95_ms": p95(time_gets(national, by)),
    }


# Loading the national data set through the import -----------------------------------------------------


def load_by_import(*, people: int, output_dir: Path, log: Callable[[str], object]) -> dict[str, float]:
    """Build the organisation, generate a member file and import it twice, timing both against a raw load.

    Returns the import measures (names without the database suffix).
    """
    size = demo.SIZES["national"] if people >= 100_000 else demo.SIZES["branch"]
    log(f"Building the organisation ({size.branches:,} branches, {size.workplaces:,} workplaces)...")
    demo.build_demo(size=dataclasses.replace(size, people=0))
    path = output_dir / f"members-{people}.csv"
    if not path.exists():
        log(f"Writing a member file of {people:,} rows to {path}...")
        partial = path.with_suffix(".partial")
        demo.write_member_file(partial, people=people)
        partial.replace(path)
    raw_seconds = raw_load_seconds(path, output_dir)
    log(f"Raw load ({connection.vendor}): {raw_seconds:.2f} s")
    log("Importing it...")
    seconds, peak_mb = _timed_import(path)
    log(f"Imported in {seconds:.2f} s; importing it again (nothing changed)...")
    again, _peak = _timed_import(path)
    log("Adding the reps (1,000+ at national size)...")
    build_demo_reps(seed=demo.DEFAULT_SEED, log=log)
    log("Adding the learning programme (100,000 sign-ups at national size)...")
    build_demo_learning(seed=demo.DEFAULT_SEED, log=log)
    log("Adding the surveys (a national skills audit answered 100,000 times)...")
    build_demo_surveys(seed=demo.DEFAULT_SEED, log=log)
    # The dashboards count learning agreements and list their reviews, against targets (issue 11): the employers'
    # work and the demo's targets too.
    log("Adding the work with employers (agreements, committees, time off)...")
    build_demo_employers(seed=demo.DEFAULT_SEED, log=log)
    log("Adding the targets and the budget...")
    build_demo_reports(log=log)
    results = {
        "import_rows_per_s": people / seconds,
        "import_seconds": seconds,
        "reimport_seconds": again,
        "import_peak_rss_mb": peak_mb,
    }
    if raw_seconds:
        results |= {
            "raw_load_seconds": raw_seconds,
            "import_ratio": raw_seconds / seconds,
            "reimport_ratio": raw_seconds / again,
        }
    return results


def _timed_import(path: Path) -> tuple[float, float]:
    """Seconds for `manage.py import_members FILE`, and the process's peak memory so far (MB)."""
    started = time.perf_counter()
    call_command("import_members", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    seconds = time.perf_counter() - started
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_load_seconds(path: Path, output_dir: Path) -> float:
    """How long the database's own CSV loader takes to read the file into a bare table (0 if unavailable)."""
    if connection.vendor == "postgresql":
        return _copy_seconds(path)
    shell = shutil.which("sqlite3")
    if shell is None:
        return 0.0
    target = output_dir / "raw.sqlite3"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([shell, str(target), ".mode csv", f".import {path} raw"], check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return seconds


def _copy_seconds(path: Path) -> float:
    columns = ", ".join(f"c{number} text" for number in range(len(demo.MEMBER_FILE_HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER)") as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw")
    return seconds


def _with_database(name: str) -> str:
    """Import measures name their database; on PostgreSQL every measure does (SQLite's page timings don't)."""
    if connection.vendor == "postgresql":
        return f"{name}_postgres"
    if name.startswith(("import_", "reimport_", "raw_load")) and name != "import_peak_rss_mb":
        return f"{name}_sqlite"
    return name


# Running them -----------------------------------------------------------------------------------


def _rounded(value: float) -> float:
    """Two decimals, or three significant figures for a figure below 1 (a small import's ratio is 0.004)."""
    return round(value, 2) if abs(value) >= 1 else float(f"{value:.3g}")


def run_benchmarks(
    *,
    requests: int,
    output_dir: Path,
    log: Callable[[str], object] | None = None,
    measures: list[Measure] = MEASURES,
    people: int = BENCH_PEOPLE,
) -> list[Result]:
    """Run every measure, signed in as the demo co-ordinator, and merge the numbers into results.json.

    On an empty database, first loads `people` members through the import and times it (`load_by_import`).
    """
    log = log or (lambda message: None)
    output_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, float] = {}
    if not demo.demo_data_exists():
        values |= load_by_import(people=people, output_dir=output_dir, log=log)
    else:
        log("The database has data already: the import is not timed (make bench starts from an empty one).")
    user = User.objects.filter(email=BENCH_USER).first()
    if user is None:
        raise BenchError(f"No user {BENCH_USER}: the benchmarks need the demo data (seed_demo on an empty database).")
    client = force_verified_login(Client(), user)
    run = BenchRun(client=client, user=user, requests=requests)
    for function in measures:
        log(f"Timing {function.__name__}...")
        values |= function(run)
    results = [
        Result(name=_with_database(name), value=_rounded(value), requests=requests) for name, value in values.items()
    ]
    write_results(output_dir / "results.json", {result.name: result.value for result in results})
    return results


def write_results(path: Path, values: dict[str, float]) -> None:
    """Merge into the file, keeping other measures' numbers; written whole, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text())
        except json.JSONDecodeError:
            existing = {}
        merged = existing if isinstance(existing, dict) else {}
    merged.update(values)
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    partial.replace(path)


def results_table(results: list[Result]) -> str:
    rows = [("Measure", "Value", "Unit", "Requests")]
    rows += [(result.name, f"{result.value:,.2f}", result.unit, str(result.requests)) for result in results]
    name_w, value_w, unit_w, requests_w = (max(len(row[i]) for row in rows) for i in range(4))
    lines = [
        f"{name:<{name_w}}  {value:>{value_w}}  {unit:<{unit_w}}  {requests:>{requests_w}}"
        for name, value, unit, requests in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
