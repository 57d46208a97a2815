"""The benchmark runner (`manage.py bench`)."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import connection

from learningdesk.core import bench
from learningdesk.org import demo
from learningdesk.org.models import Person
from learningdesk.reps.models import Rep, Stage


def test_bench_quick_writes_the_page_timings(db, tmp_path):
    demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=300))
    call_command("bench", "--quick", "--output", str(tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    assert results[bench._with_database("home_p95_ms")] > 0
    assert results[bench._with_database("people_list_p95_ms")] > 0
    assert results[bench._with_database("people_search_p95_ms")] > 0
    assert results[bench._with_database("mapping_p95_ms")] > 0
    assert results[bench._with_database("coordinator_home_p95_ms")] > 0
    assert results[bench._with_database("public_activity_rps_ratio")] > 0
    assert results[bench._with_database("signup_post_p95_ms")] > 0


def test_bench_on_an_empty_database_loads_people_through_the_import_and_times_it(db, tmp_path):
    results = bench.run_benchmarks(requests=1, output_dir=tmp_path, measures=[], people=300)

    # The file's 300 members (numbered A...), and the demo ULR logins' people added with the reps.
    assert Person.objects.filter(membership_number__startswith="A").count() == 300
    assert Rep.objects.filter(stage=Stage.ACTIVE).exists()
    values = {result.name: result.value for result in results}
    assert values[bench._with_database("import_rows_per_s")] > 0
    assert values[bench._with_database("reimport_seconds")] > 0
    assert values[bench._with_database("import_peak_rss_mb")] > 0
    if connection.vendor == "sqlite" and shutil.which("sqlite3"):
        assert values["import_ratio_sqlite"] > 0
    if connection.vendor == "postgresql":
        assert values["import_ratio_postgres"] > 0


def test_results_are_merged_with_other_measures(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"import_members_per_s": 1200, "home_p95_ms": 99}))
    bench.write_results(path, {"home_p95_ms": 12.5})
    assert json.loads(path.read_text()) == {"import_members_per_s": 1200, "home_p95_ms": 12.5}


@pytest.mark.parametrize(("values", "expected"), [(list(range(1, 101)), 95), ([7.0], 7.0), ([3, 1, 2], 3)])
def test_p95_is_the_nearest_rank(values, expected):
    assert bench.p95(values) == expected
