"""Background work for the learning programme, run by the task worker (django.tasks, database backend).

A sign-up only queues its email: the learner's page answers at once, and a slow or failing mail server
never holds up (or undoes) a sign-up. The worker sends it moments later.
"""

from __future__ import annotations

from django.tasks import task


@task()
def send_sign_up_email(sign_up_pk: int) -> None:
    from learningdesk.learning import emails

    emails.send_sign_up_confirmation(sign_up_pk)


@task()
def send_offer_email(sign_up_pk: int) -> None:
    from learningdesk.learning import emails

    emails.send_offer(sign_up_pk)


@task()
def send_session_cancelled_email(sign_up_pk: int) -> None:
    from learningdesk.learning import emails

    emails.send_session_cancelled(sign_up_pk)


def queue(task_function: object, sign_up_pk: int) -> None:
    """Queue an email once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: task_function.enqueue(sign_up_pk))  # type: ignore[attr-defined]
