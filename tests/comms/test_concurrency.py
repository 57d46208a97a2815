"""Several workers sending the same mailing at once (a resumed chain overlapping the old one, the task recovery
running a batch again): real threads, each with its own database connection, through a real SMTP server. Each
recipient is claimed by one conditional UPDATE, so each person gets the message exactly once, on SQLite and on
PostgreSQL alike."""

from __future__ import annotations

import pytest

from learningdesk.comms import sending
from learningdesk.comms.models import Mailing, Recipient
from tests.comms import agree, make_mailing, queue
from tests.factories import PersonFactory
from tests.learning.test_concurrency import at_once, database_in_a_file  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORKERS = 4


def test_workers_sending_the_same_mailing_at_once_send_each_message_once(world, smtp, settings):
    # Queued tasks are only recorded: the workers below are the ones that send.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    people = [PersonFactory(branch=world.derby) for _ in range(12)]
    for person in people:
        agree(person)
    mailing = make_mailing(world.derby, by=world.coordinator)
    queue(mailing, world.coordinator)

    results = at_once([lambda: sending.send_batch(mailing.pk) for _ in range(WORKERS)])

    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    assert sum(result.sent for result in results) == len(people), results
    assert smtp.counts() == {person.email: 1 for person in people}
    assert set(Recipient.objects.filter(mailing=mailing).values_list("status", flat=True)) == {"sent"}
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT
