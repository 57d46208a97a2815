"""The project's benchmarks: page timings through Django's test client against the current database.

Each measure is a function taking a `BenchRun` and returning {name: value}; add one with `@measure`.
A name ends in its unit (`_ms`, `_per_s`, `_count`). Results are merged into results.json, so measures
added by later work sit beside the earlier ones.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Substr
from django.test import Client
from django.urls import reverse

from learningdesk.accounts.models import User
from learningdesk.org import demo, scoping

BENCH_USER = "coordinator@example.org"  # the demo branch co-ordinator (org/demo.py)
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
        for suffix, unit in UNITS.items():
            if self.name.endswith(suffix):
                return unit
        return ""


UNITS = {"_ms": "ms", "_per_s": "per s", "_count": "", "_bytes": "bytes"}

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


# Running them -----------------------------------------------------------------------------------


def run_benchmarks(
    *, requests: int, output_dir: Path, log: Callable[[str], object] | None = None, measures: list[Measure] = MEASURES
) -> list[Result]:
    """Run every measure, signed in as the demo co-ordinator, and merge the numbers into results.json.

    Loads the branch-size demo data first when the database has none.
    """
    log = log or (lambda message: None)
    if not demo.demo_data_exists():
        log("No demo data: loading it first.")
        demo.build_demo()
    user = User.objects.filter(email=BENCH_USER).first()
    if user is None:
        raise BenchError(f"No user {BENCH_USER}: the benchmarks need the demo data (seed_demo on an empty database).")
    client = Client()
    client.force_login(user)
    run = BenchRun(client=client, user=user, requests=requests)
    results = []
    for function in measures:
        for name, value in function(run).items():
            results.append(Result(name=name, value=round(value, 2), requests=requests))
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
