"""Reads the mailings pages share: the lists, each mailing's figures by status, and its recipients."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from learningdesk.accounts.models import User
from learningdesk.comms.models import Mailing, Recipient
from learningdesk.org import scoping

Status = Recipient.Status


def mailings(user: User, *, sent: bool) -> QuerySet[Mailing]:
    """The drafts and mailings being sent (newest change first), or the sent archive (newest first)."""
    visible = scoping.visible_mailings(user)
    if sent:
        return visible.filter(status=Mailing.Status.SENT).order_by("-finished_at", "-pk")
    return visible.exclude(status=Mailing.Status.SENT).order_by("-updated_at", "-pk")


@dataclass(frozen=True)
class Figures:
    """A mailing's recipients by what became of them. (No item lookup: templates would try it before the
    properties.)"""

    by_status: dict[str, int]

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def sent(self) -> int:
        """Messages the mail server took: those since unsubscribed or bounced were sent too."""
        return self.count(Status.SENT) + self.unsubscribed + self.bounced

    @property
    def failed(self) -> int:
        return self.count(Status.FAILED)

    @property
    def bounced(self) -> int:
        return self.count(Status.BOUNCED)

    @property
    def unsubscribed(self) -> int:
        return self.count(Status.UNSUBSCRIBED)

    @property
    def skipped(self) -> int:
        return self.count(Status.SKIPPED)

    @property
    def unknown(self) -> int:
        return self.count(Status.UNKNOWN)

    @property
    def waiting(self) -> int:
        return self.count(Status.QUEUED) + self.count(Status.SENDING)

    @property
    def done(self) -> int:
        return self.total - self.waiting

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    def rows(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for each status that has any, in the model's order."""
        return [(value, str(label), self.count(value)) for value, label in Status.choices if self.count(value)]


def figures(mailing_ids: Iterable[int]) -> dict[int, Figures]:
    """Each mailing's figures, in one grouped query."""
    ids = list(mailing_ids)
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    rows = (
        Recipient.objects.filter(mailing_id__in=ids)
        .order_by()
        .values_list("mailing_id", "status")
        .annotate(n=Count("pk"))
    )
    for mailing_id, status, n in rows:
        counts[mailing_id][status] = n
    return {pk: Figures(by_status) for pk, by_status in counts.items()}


def recipients(mailing: Mailing, *, status: str = "") -> QuerySet[Recipient]:
    rows = Recipient.objects.filter(mailing=mailing).select_related("person").order_by("pk")
    return rows.filter(status=status) if status else rows


def archived(unit_pk: int) -> QuerySet[Mailing]:
    """A unit's sent mailings its co-ordinators chose to show in the public archive, newest first."""
    return Mailing.objects.filter(
        unit_id=unit_pk, unit__is_active=True, status=Mailing.Status.SENT, show_in_archive=True
    ).order_by("-finished_at", "-pk")
