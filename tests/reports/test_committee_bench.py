"""make bench's committee report measure, on the branch-sized demo (the figure itself comes from national size)."""

from __future__ import annotations

import dataclasses

from django.test import Client

from learningdesk.accounts.models import User
from learningdesk.core import bench
from learningdesk.org import demo
from learningdesk.reports import bench_report


def test_the_committee_pdf_is_timed_for_the_coordinators_branch_over_twelve_months(db, monkeypatch):
    demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=200))
    user = User.objects.get(email=bench.BENCH_USER)
    unit, starts_on, ends_on = bench_report.largest_branch_report(user)
    assert unit.code == "EM-DERBY"
    assert (ends_on - starts_on).days in range(364, 367) and starts_on.day == 1
    monkeypatch.setattr(bench_report, "TIMED_RUNS", 1)

    results = bench_report.committee_pdf(bench.BenchRun(client=Client(), user=user, requests=1))

    assert set(results) == {"committee_pdf_s", "committee_pdf_cpu_s"}
    assert results["committee_pdf_cpu_s"] > 0 and 0 < results["committee_pdf_s"] < 60
    assert bench_report.committee_pdf in bench.MEASURES
