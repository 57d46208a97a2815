"""The reports' measures in make bench (issue 11): the national and a branch dashboard. See core/bench.py.

The home page reads each unit's dashboard from the count a task keeps (reports/dashboard.py); make bench runs no
task worker, so each measure counts its dashboards first, in the process, and times that too (`_count_ms`): how
long the worker takes to bring a national or a branch dashboard up to date. Then it times the home page itself,
with a count fresh enough that no new one is asked for.
"""

from __future__ import annotations

import time

from django.urls import reverse

from learningdesk.core import bench
from learningdesk.org import scoping
from learningdesk.reports import dashboard


def _count_ms(run: bench.BenchRun) -> float:
    """Milliseconds to count the dashboards of the top units of the user's scope, as the task does."""
    started = time.perf_counter()
    for unit in scoping.scope_roots(run.user):
        dashboard.refresh(unit)
    return (time.perf_counter() - started) * 1000


def _home_p95_ms(run: bench.BenchRun) -> float:
    """The home page's p95 with its dashboards counted just before (as the worker keeps them)."""
    return bench.p95(bench.time_gets(run, [reverse("home")]))


@bench.measure
def national_dashboard(run: bench.BenchRun) -> dict[str, float]:
    """The national administrator's home page: the whole organisation's year against its targets, its trends,
    and everything that needs attention nationally."""
    national = bench.national_run(run)
    if national is None:
        return {}
    counting = _count_ms(national)
    return {"national_dashboard_p95_ms": _home_p95_ms(national), "national_dashboard_count_ms": counting}


@bench.measure
def branch_dashboard(run: bench.BenchRun) -> dict[str, float]:
    """The home page of the co-ordinator of the demo branch (15,000 members, as large as any branch)."""
    counting = _count_ms(run)
    return {"branch_dashboard_p95_ms": _home_p95_ms(run), "branch_dashboard_count_ms": counting}
