"""Send the learning programme's timed emails: lapse waiting-list offers (and offer the places on), remind
learners the day before, ask for evaluations and remind owners of resources due for review."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from learningdesk.learning import emails, signups

# Jobs other parts of the learning programme provide: run when their module has the function.
OPTIONAL_JOBS = (
    ("learningdesk.learning.evaluation", "send_requests", "evaluation requests"),
    ("learningdesk.learning.resources", "send_review_reminders", "resource review reminders"),
)


def optional_job(module_name: str, function: str) -> Callable[[], Any] | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # the module is there but broken: say so rather than skip it
        return None
    job = getattr(module, function, None)
    return job if callable(job) else None


class Command(BaseCommand):
    help = (
        "Lapse waiting-list offers past their time (offering the places to the next people), email reminders "
        "for sessions starting within a day, and send evaluation requests and resource review reminders. "
        "Each email goes once however often this runs: run it hourly from cron or a systemd timer; "
        "`make run` runs it every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = [
            f"{signups.expire_offers()} offers lapsed",
            f"{emails.send_reminders()} sessions reminded",
        ]
        for module_name, function, label in OPTIONAL_JOBS:
            job = optional_job(module_name, function)
            if job is not None:
                result = job()
                done.append(f"{result} {label}" if isinstance(result, int) else f"{label} sent")
        self.stdout.write(", ".join(done) + ".")
