"""URLs of comms/views.py and comms/public_views.py for tests/test_every_url.py: Derby's draft newsletter, its
article, and a Derby newsletter already sent (with a recipient and a real unsubscribe link)."""

from __future__ import annotations

from collections.abc import Callable

from tests.comms import derby_block, derby_mailing, derby_recipient, give_token, sent_mailing
from tests.conftest import World


def _draft(world: World) -> dict:
    return {"pk": derby_mailing(world).pk}


def _block(world: World) -> dict:
    block = derby_block(world)
    return {"pk": block.mailing_id, "block_pk": block.pk}


def _sent(world: World) -> dict:
    return {"pk": sent_mailing(world).pk}


DERBY_RECORD: dict[str, Callable[[World], dict]] = {
    "comms:detail": _draft,
    "comms:edit": _draft,
    "comms:audience": _draft,
    "comms:delete": _draft,
    "comms:block_add": lambda w: {**_draft(w), "kind": "article"},
    "comms:block_edit": _block,
    "comms:block_delete": _block,
    "comms:block_move": _block,
    "comms:preview": _draft,
    "comms:preview_email": _draft,
    "comms:test": _draft,
    "comms:send": _draft,
    "comms:resume": _sent,
    "comms:recipients": _sent,
    "comms:recipient_bounced": lambda w: {"pk": sent_mailing(w).pk, "recipient_pk": derby_recipient(w).pk},
}
SCOPED_LISTS: set[str] = {"comms:list", "comms:sent", "comms:add"}
PUBLIC: set[str] = {"comms_public:unsubscribe", "comms_public:archive", "comms_public:archive_mailing"}
PUBLIC_ARGS: dict[str, Callable[[World], dict]] = {
    "comms_public:unsubscribe": lambda w: {"token": give_token(derby_recipient(w))},
    "comms_public:archive": lambda w: {"unit_pk": w.derby.pk},
    "comms_public:archive_mailing": lambda w: {"unit_pk": w.derby.pk, "pk": sent_mailing(w).pk},
}
