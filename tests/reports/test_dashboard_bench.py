"""make bench's dashboard measures: the national administrator's and the largest branch co-ordinator's home pages,
with the time the task takes to count their dashboards."""

from __future__ import annotations

import dataclasses
import json

from learningdesk.core import bench
from learningdesk.org import demo
from learningdesk.reports import bench as reports_bench
from learningdesk.reports.models import DashboardSnapshot


def test_the_dashboard_measures_count_the_dashboards_and_time_the_home_pages(db, tmp_path, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=300))
    results = bench.run_benchmarks(
        requests=2,
        output_dir=tmp_path,
        measures=[reports_bench.national_dashboard, reports_bench.branch_dashboard],
    )
    values = {result.name: result.value for result in results}
    for name in ("national_dashboard", "branch_dashboard"):
        assert values[bench._with_database(f"{name}_p95_ms")] > 0
        assert values[bench._with_database(f"{name}_count_ms")] > 0
    written = json.loads((tmp_path / "results.json").read_text())
    assert bench._with_database("national_dashboard_p95_ms") in written
    # Counted as the task would, so the pages timed show the dashboards, not "being counted".
    assert DashboardSnapshot.objects.filter(unit__code="EM-DERBY").exists()
    assert DashboardSnapshot.objects.filter(unit__depth=1).exists()
