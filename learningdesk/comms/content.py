"""What a mailing says: its blocks read once (activities with their next session and sign-up link, resources,
articles), and the email rendered from them as subject, plain text and HTML.

Every link is the page's own address in full (settings.SITE_URL): no tracking pixel, no rewritten link. The only
thing that differs from one recipient to the next is the unsubscribe link at the foot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from learningdesk.comms import markup
from learningdesk.comms.models import Mailing, MailingBlock
from learningdesk.learning.calendar import absolute
from learningdesk.learning.emails import session_when
from learningdesk.learning.models import Activity, Resource
from learningdesk.learning.selectors import upcoming_sessions
from learningdesk.org.models import Consent

DESCRIPTION_CHARS = 300
# The foot of every message: why the person gets it, and what unsubscribing stops.
AGREED_TO: dict[str, str] = {
    Consent.Kind.NEWSLETTER: "get our newsletters",
    Consent.Kind.LEARNING_NEWS: "hear about learning",
}
STOP_WHAT: dict[str, str] = {
    Consent.Kind.NEWSLETTER: "our newsletters",
    Consent.Kind.LEARNING_NEWS: "news about learning",
}


@dataclass(frozen=True)
class ActivityItem:
    title: str
    description: str
    url: str
    starts_at: datetime.datetime | None = None  # the next session's (None when none is planned)
    when: str = ""
    place: str = ""
    sign_up_url: str = ""
    more_dates: int = 0


@dataclass(frozen=True)
class ResourceItem:
    title: str
    description: str
    kind: str
    url: str


@dataclass(frozen=True)
class BlockContent:
    kind: str
    heading: str
    article_html: SafeString | str = ""
    article_web_html: SafeString | str = ""
    article_text: str = ""
    activities: list[ActivityItem] = field(default_factory=list)
    resources: list[ResourceItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.article_text or self.activities or self.resources)


def _activity_item(activity: Activity) -> ActivityItem:
    code = activity.unit.code.lower()
    upcoming = activity.upcoming  # type: ignore[attr-defined]
    title = activity.title
    description = Truncator(strip_tags(activity.description)).chars(DESCRIPTION_CHARS)
    url = absolute(reverse("learn:activity", kwargs={"code": code, "pk": activity.pk}))
    if not upcoming:
        return ActivityItem(title=title, description=description, url=url)
    session = upcoming[0]
    return ActivityItem(
        title=title,
        description=description,
        url=url,
        starts_at=session.starts_at,
        when=session_when(session),
        place=session.place,
        sign_up_url=absolute(reverse("learn:sign_up", kwargs={"code": code, "session_pk": session.pk})),
        more_dates=len(upcoming) - 1,
    )


def _resource_url(resource: Resource) -> str:
    if resource.url:
        return resource.url
    code = resource.unit.code.lower()
    if resource.file:
        return absolute(reverse("learn:resource_download", kwargs={"code": code, "pk": resource.pk}))
    return absolute(reverse("learn:resources", kwargs={"code": code}))


def _resource_item(resource: Resource) -> ResourceItem:
    return ResourceItem(
        title=resource.title,
        description=Truncator(strip_tags(resource.description)).chars(DESCRIPTION_CHARS),
        kind=resource.get_kind_display(),
        url=_resource_url(resource),
    )


def blocks_queryset(mailing: Mailing) -> list[MailingBlock]:
    """The mailing's blocks in order, with their activities (and upcoming sessions) and resources. Five queries."""
    activities = (
        Activity.objects.filter(status=Activity.Status.PUBLISHED)
        .select_related("unit")
        .prefetch_related(Prefetch("sessions", queryset=upcoming_sessions(), to_attr="upcoming"))
        .order_by("title", "pk")
    )
    resources = Resource.objects.select_related("unit").order_by("title", "pk")
    return list(
        mailing.blocks.prefetch_related(
            Prefetch("activities", queryset=activities), Prefetch("resources", queryset=resources)
        )
    )


def block_content(block: MailingBlock) -> BlockContent:
    """One block as the email and the archive show it. Activities no longer published are left out."""
    if block.kind == MailingBlock.Kind.ARTICLE:
        return BlockContent(
            kind=block.kind,
            heading=block.heading,
            article_html=markup.article_html(block.text),
            article_web_html=markup.article_html(block.text, web=True),
            article_text=markup.article_text(block.text),
        )
    if block.kind == MailingBlock.Kind.ACTIVITIES:
        items = [_activity_item(activity) for activity in block.activities.all()]
        # The soonest first; activities with no date yet at the end (in title order).
        items.sort(
            key=lambda item: (
                item.starts_at is None,
                item.starts_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
            )
        )
        return BlockContent(kind=block.kind, heading=block.title, activities=items)
    return BlockContent(
        kind=block.kind,
        heading=block.title,
        resources=[_resource_item(resource) for resource in block.resources.all()],
    )


def mailing_content(mailing: Mailing) -> list[BlockContent]:
    return [block_content(block) for block in blocks_queryset(mailing)]


@dataclass(frozen=True)
class Body:
    """The blocks rendered: for the email's HTML and text parts, and for the public archive's page."""

    html: str
    text: str
    archive_html: str


def render_body(mailing: Mailing) -> Body:
    blocks = [block for block in mailing_content(mailing) if not block.is_empty]
    context = {"mailing": mailing, "blocks": blocks}
    return Body(
        html=render_to_string("comms/email/_blocks.html", {**context, "web": False}),
        text=render_to_string("comms/email/_blocks.txt", context),
        archive_html=render_to_string("comms/email/_blocks.html", {**context, "web": True}),
    )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(mailing: Mailing, body: Body, *, unsubscribe_url: str = "", is_test: bool = False) -> RenderedEmail:
    """The email as a recipient gets it. Without an unsubscribe link (a preview, a test) the foot says why."""
    context = {
        "mailing": mailing,
        "unit": mailing.unit,
        "body_html": mark_safe(body.html),
        "body_text": body.text,
        "unsubscribe_url": unsubscribe_url,
        "is_test": is_test,
        "agreed_to": AGREED_TO[mailing.consent_kind],
        "stop_what": STOP_WHAT[mailing.consent_kind],
        "archive_url": absolute(reverse("comms_public:archive", kwargs={"unit_pk": mailing.unit_id}))
        if mailing.show_in_archive
        else "",
    }
    subject = " ".join(mailing.subject.split())
    return RenderedEmail(
        subject=f"[Test] {subject}" if is_test else subject,
        text=render_to_string("comms/email/mailing.txt", context),
        html=render_to_string("comms/email/mailing.html", context),
    )
