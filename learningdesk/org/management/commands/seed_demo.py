"""`manage.py seed_demo`: fill an empty database with demo data and print the demo logins."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learningdesk.org import demo


class Command(BaseCommand):
    help = "Fill an empty database with a demo union organisation, its people and a demo login for each role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(demo.SIZES), default="branch", help="branch (default) or national")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if there are units or people already")
        parser.add_argument("--print-logins", action="store_true", help="only print the demo logins")
        # For trying a size with fewer people (for example --size national --people 100000).
        parser.add_argument("--people", type=int, help=argparse.SUPPRESS)

    def handle(self, *args: object, **options: Any) -> None:
        if options["print_logins"]:
            self.stdout.write(demo.logins_table())
            return
        if demo.demo_data_exists():
            if options["if_empty"]:
                self.stdout.write("Demo data already loaded")
                return
            raise CommandError("The database already has units or people: seed_demo only fills an empty database.")
        size = demo.SIZES[options["size"]]
        if options["people"] is not None:
            size = dataclasses.replace(size, people=options["people"])
        self.stdout.write(f"Building the {options['size']} demo ({size.people:,} people)...")
        try:
            summary = demo.build_demo(size=size, seed=options["seed"], log=self.stdout.write)
        except (ValueError, demo.DemoDataExists) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {summary.seconds:.1f} s: {summary.units:,} units, "
                f"{summary.employers:,} employers, {summary.workplaces:,} workplaces, "
                f"{summary.people:,} people ({summary.members:,} members), "
                f"{summary.consents:,} consents, {summary.equality_records:,} equality records, "
                f"{summary.users} logins."
            )
        )
        if not options["if_empty"]:  # `make run` prints the logins itself once the server is up
            self.stdout.write("")
            self.stdout.write(demo.logins_table())
