"""`manage.py bench`: the project's benchmarks against the current database (see core/bench.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from learningdesk.core import bench

# Imported for their @bench.measure functions.
from learningdesk.reports import bench as reports_bench  # noqa: F401
from learningdesk.reports import bench_report  # noqa: F401


class Command(BaseCommand):
    help = "Time the main pages as the demo branch co-ordinator and write var/bench/results.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quick", action="store_true", help=f"{bench.QUICK_REQUESTS} requests per measure, not {bench.REQUESTS}"
        )
        parser.add_argument(
            "--output", type=Path, default=settings.VAR_DIR / "bench", help="folder for results.json (var/bench)"
        )

    def handle(self, *args: object, **options: Any) -> None:
        requests = bench.QUICK_REQUESTS if options["quick"] else bench.REQUESTS
        output_dir = Path(options["output"])
        # The test client calls itself "testserver". DEBUG off as in production: with it on, Django keeps
        # every query's SQL and the timings would include that bookkeeping.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], DEBUG=False):
            try:
                results = bench.run_benchmarks(requests=requests, output_dir=output_dir, log=self.stdout.write)
            except bench.BenchError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(bench.results_table(results))
        self.stdout.write(f"Written to {output_dir / 'results.json'}")
