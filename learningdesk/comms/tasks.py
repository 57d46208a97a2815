"""Background work for mailings, run by the task worker (django.tasks, database backend): one batch per run, each
run queueing the next when the rate limit allows (comms/sending.py)."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from learningdesk.core import tasks_recovery


@task()
def send_mailing_batch(mailing_pk: int, chain: str) -> dict[str, int | bool]:
    from learningdesk.comms import sending

    result = sending.send_batch(mailing_pk, chain=chain)
    if result.next_run_at is not None:
        _queue_next(mailing_pk, chain, result.next_run_at, made_progress=result.handled > 0)
    return {
        "sent": result.sent,
        "failed": result.failed,
        "skipped": result.skipped,
        "in_doubt": result.in_doubt,
        "finished": result.finished,
    }


def _queue_next(mailing_pk: int, chain: str, run_at: datetime.datetime, *, made_progress: bool) -> None:
    if default_task_backend.supports_defer:
        later = send_mailing_batch.using(run_after=run_at) if run_at > timezone.now() else send_mailing_batch
        later.enqueue(mailing_pk, chain)
    elif made_progress:
        # No deferred tasks (the tests' immediate backend): carry straight on while batches make progress; what
        # cannot be done now (a mail server down, claims not yet old enough to call in doubt) waits for
        # `manage.py resume_mailings`.
        send_mailing_batch.enqueue(mailing_pk, chain)


def start_sending(mailing_pk: int) -> str:
    """Start a new chain of batches for the mailing, once the current transaction commits; an older chain stops."""
    from learningdesk.comms.models import Mailing

    chain = secrets.token_hex(8)
    Mailing.objects.filter(pk=mailing_pk).update(sending_chain=chain)
    transaction.on_commit(lambda: send_mailing_batch.enqueue(mailing_pk, chain))
    return chain


# A worker that dies part way through a batch: running the batch again is safe (each recipient is claimed before
# it is sent, and a claimed one is never sent again), so the recovery runs it again (core/tasks_recovery.py).
tasks_recovery.recoverable(send_mailing_batch, retry=True)
