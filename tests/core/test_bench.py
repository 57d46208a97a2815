"""The benchmark runner (`manage.py bench`)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.core.management import call_command

from learningdesk.core import bench
from learningdesk.org import demo


def test_bench_quick_writes_the_page_timings(db, tmp_path):
    demo.build_demo(size=dataclasses.replace(demo.SIZES["branch"], people=300))
    call_command("bench", "--quick", "--output", str(tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["home_p95_ms"] > 0
    assert results["people_list_p95_ms"] > 0


def test_bench_loads_the_demo_data_into_an_empty_database(db, tmp_path):
    bench.run_benchmarks(requests=1, output_dir=tmp_path, measures=[])
    assert demo.demo_data_exists()


def test_results_are_merged_with_other_measures(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"import_members_per_s": 1200, "home_p95_ms": 99}))
    bench.write_results(path, {"home_p95_ms": 12.5})
    assert json.loads(path.read_text()) == {"import_members_per_s": 1200, "home_p95_ms": 12.5}


@pytest.mark.parametrize(("values", "expected"), [(list(range(1, 101)), 95), ([7.0], 7.0), ([3, 1, 2], 3)])
def test_p95_is_the_nearest_rank(values, expected):
    assert bench.p95(values) == expected
