"""Subject access and erasure for the mailings (called by the privacy app)."""

from __future__ import annotations

import json

from learningdesk.comms import personal_data
from learningdesk.comms.models import Recipient
from learningdesk.comms.selectors import figures
from tests.comms import derby_recipient, give_token, sent_mailing


def test_export_lists_every_mailing_sent_to_the_person(world):
    recipient = derby_recipient(world)

    exported = personal_data.export(world.derby_person)

    rows = exported[personal_data.SECTION]
    assert len(rows) == 1
    assert rows[0]["mailing"] == "Learning news: winter"
    assert rows[0]["email_address"] == recipient.email
    assert rows[0]["status"] == "Sent"
    json.dumps(exported)  # machine-readable as it is
    assert personal_data.export(world.depot_person) == {personal_data.SECTION: []}


def test_erasure_leaves_nothing_that_identifies_them_and_keeps_the_counts(world):
    mailing = sent_mailing(world)
    recipient = derby_recipient(world)
    token = give_token(recipient)
    Recipient.objects.filter(pk=recipient.pk).update(message_id="<abc@example.org>", error="550 maria refused")

    counts = personal_data.erase(world.derby_person)

    assert counts == {"comms.Recipient": 1}
    recipient.refresh_from_db()
    assert recipient.person_id is None
    assert (recipient.email, recipient.message_id, recipient.error, recipient.unsubscribe_token_hash) == (
        "",
        "",
        "",
        None,
    )
    assert figures([mailing.pk])[mailing.pk].sent == 1
    assert personal_data.export(world.derby_person) == {personal_data.SECTION: []}
    row = Recipient.objects.filter(pk=recipient.pk).values().get()
    flat = json.dumps(row, default=str)
    for identifying in (world.derby_person.email, world.derby_person.last_name, token):
        assert identifying not in flat
