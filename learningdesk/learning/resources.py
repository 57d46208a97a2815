"""The resource catalogue: saving a resource (with its file checked), searching, the public list of a unit,
and the review reminders sent to each resource's owner.

Uploaded files are never served straight from MEDIA_ROOT: they go out through the download views, as
attachments with `X-Content-Type-Options: nosniff`, and only to whoever may see the resource. A file is
accepted only when its name's extension and its first bytes agree, so a script renamed .pdf is refused.
"""

from __future__ import annotations

import datetime
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.learning.calendar import absolute
from learningdesk.learning.models import Resource, ResourceAudience
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, RoleAssignment

MAX_FILE_MB = 25
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
REVIEW_WARNING_DAYS = 14
# A resource is reviewed a year after it is added, unless the co-ordinator says otherwise.
DEFAULT_REVIEW_DAYS = 365

# The kinds that are a link, and those that are a file; the others (a recording, a manual, a video) may be either.
LINK_KINDS = frozenset({Resource.Kind.LINK})
FILE_KINDS = frozenset({Resource.Kind.FILE})


# Files ------------------------------------------------------------------------------------------


def _office_check(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    """Word, PowerPoint and Excel files are zip archives with [Content_Types].xml and their own folder."""

    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


@dataclass(frozen=True)
class FileType:
    name: str
    check: Callable[[bytes, IO[bytes]], bool]


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", lambda head, file: head.startswith(b"%PDF-")),
    "docx": FileType("Word (.docx)", _office_check("word/")),
    "pptx": FileType("PowerPoint (.pptx)", _office_check("ppt/")),
    "xlsx": FileType("Excel (.xlsx)", _office_check("xl/")),
    # An MP4 starts with a box whose type, at bytes 4 to 8, is "ftyp".
    "mp4": FileType("MP4 video", lambda head, file: head[4:8] == b"ftyp"),
    "png": FileType("PNG image", lambda head, file: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("JPEG image", lambda head, file: head.startswith(b"\xff\xd8\xff")),
    "jpeg": FileType("JPEG image", lambda head, file: head.startswith(b"\xff\xd8\xff")),
}
ACCEPTED_EXTENSIONS = ",".join(f".{extension}" for extension in FILE_TYPES)
ACCEPTED_NAMES = "PDF, DOCX, PPTX, XLSX, MP4, PNG or JPG"


def file_problem(uploaded: UploadedFile) -> str | None:
    """What is wrong with an uploaded file, in words, or None if it may be kept."""
    extension = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    file_type = FILE_TYPES.get(extension)
    if file_type is None:
        return f"The file must be a {ACCEPTED_NAMES} file"
    size = uploaded.size or 0
    if size == 0:
        return "The file is empty. Choose the file again"
    if size > MAX_FILE_BYTES:
        return f"The file is {filesizeformat(size)}: it must be {MAX_FILE_MB} MB or smaller"
    uploaded.seek(0)
    head = uploaded.read(16)
    try:
        matches = file_type.check(head, uploaded)
    finally:
        uploaded.seek(0)
    if not matches:
        return (
            f"The file is called .{extension} but is not really a {file_type.name} file. "
            f"Save it again as {file_type.name} and upload that"
        )
    return None


def check_file(uploaded: UploadedFile) -> None:
    problem = file_problem(uploaded)
    if problem:
        raise ValidationError({"file": problem})


def _delete_file_later(name: str, storage: Any) -> None:
    """Remove a replaced or deleted file once the change is committed (a rollback keeps it)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# Saving -----------------------------------------------------------------------------------------

FIELDS = ("unit", "title", "description", "kind", "url", "visibility", "owner", "review_by")


def default_review_by(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)


def _check_link_or_file(resource: Resource, new_file: UploadedFile | None) -> None:
    """A link needs its link and a file its file; the others either. A file kept from before a resource
    became a link, or a link kept in a file's form, is dropped on saving."""
    has_file = bool(new_file) or bool(resource.file)
    if resource.kind in LINK_KINDS and not resource.url:
        raise ValidationError({"url": "Enter the link, for example https://www.example.org/course"})
    if resource.kind in LINK_KINDS and new_file is not None:
        raise ValidationError({"file": "A link has no file: choose another kind, or do not choose a file"})
    if resource.kind in FILE_KINDS and not has_file:
        raise ValidationError({"file": "Choose the file to upload"})
    if not resource.url and not has_file:
        raise ValidationError({"url": "Enter a link or choose a file to upload"})


def _value(resource: Resource | None, name: str) -> Any:
    """A field's value as stored (a foreign key's id: no query to compare owners)."""
    return getattr(resource, {"unit": "unit_id", "owner": "owner_id"}.get(name, name))


@transaction.atomic
def resource_save(*, acting_user: User | None, resource: Resource | None = None, data: dict[str, Any]) -> Resource:
    """Add a resource (`resource` None) or change one. `data` holds the form's fields: FIELDS, and
    `file` (a new upload, or anything else to keep the current file), `subjects` and `audiences` (groups).

    A link keeps no file and a file no link. Changing the review-by date lets the owner be reminded again.
    """
    adding = resource is None
    before = None if adding else Resource.objects.get(pk=resource.pk)  # type: ignore[union-attr]
    resource = Resource() if resource is None else resource
    for name in FIELDS:
        if name in data:
            setattr(resource, name, data[name])
    new_file = data.get("file") if isinstance(data.get("file"), UploadedFile) else None
    if new_file is not None:
        check_file(new_file)
    review_changed = before is None or resource.review_by != before.review_by
    if review_changed and resource.review_by and resource.review_by < timezone.localdate():
        raise ValidationError({"review_by": "The review-by date must be today or in the future"})
    _check_link_or_file(resource, new_file)

    old_file_name = (before.file.name or "") if before is not None else ""
    if resource.kind in LINK_KINDS:
        resource.file = None  # type: ignore[assignment]
    if resource.kind in FILE_KINDS:
        resource.url = ""
    if new_file is not None:
        resource.file = new_file  # type: ignore[assignment]
    if review_changed:
        resource.review_reminder_sent_on = None
    resource.updated_at = timezone.now()
    resource.full_clean()
    resource.save()
    if old_file_name and (resource.file.name or "") != old_file_name:
        _delete_file_later(old_file_name, resource.file.storage)

    subjects = list(data.get("subjects") or [])
    groups = sorted(set(data.get("audiences") or []))
    old_subjects = set() if adding else set(resource.subjects.values_list("pk", flat=True))
    old_groups = [] if adding else sorted(resource.audiences.values_list("group", flat=True))
    resource.subjects.set(subjects)
    if groups != old_groups:
        resource.audiences.all().delete()
        ResourceAudience.objects.bulk_create(ResourceAudience(resource=resource, group=group) for group in groups)

    if adding:
        changes: dict[str, Any] = {"title": resource.title, "kind": resource.kind, "visibility": resource.visibility}
        action = AuditEvent.Action.CREATED
    else:
        changed = [name for name in FIELDS if _value(before, name) != _value(resource, name)]
        if (resource.file.name or "") != old_file_name:
            changed.append("file")
        if {subject.pk for subject in subjects} != old_subjects:
            changed.append("subjects")
        if groups != old_groups:
            changed.append("audiences")
        changes = {"fields": changed}
        action = AuditEvent.Action.CHANGED
        if not changed:
            return resource
    audit_record(actor=acting_user, action=action, target=resource, unit_id=resource.unit_id, changes=changes)
    return resource


@transaction.atomic
def resource_delete(*, acting_user: User | None, resource: Resource) -> None:
    """Delete a resource and, once that is committed, its file."""
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DELETED,
        target=resource,
        unit_id=resource.unit_id,
        changes={"title": resource.title},
    )
    if resource.file:
        _delete_file_later(resource.file.name or "", resource.file.storage)
    resource.delete()


def possible_owners(user: User) -> QuerySet[User]:
    """Who may own a resource the user adds: people with an active role in the units the user may change."""
    today = timezone.localdate()
    assignments = (
        RoleAssignment.objects.filter(unit__in=scoping.editable_units(user).values("pk"), starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values("user")
    )
    return User.objects.filter(is_active=True, pk__in=assignments).order_by("full_name", "email")


# Finding ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """What someone searched the catalogue for: words in the title or description, and filters."""

    q: str = ""
    subject: int | None = None
    audience: str = ""
    kind: str = ""
    visibility: str = ""

    @classmethod
    def from_query(cls, params: Any) -> Search:
        """From the page's GET parameters; a value that is not a choice is ignored."""
        subject = str(params.get("subject", "")).strip()
        audience = str(params.get("audience", ""))
        kind = str(params.get("kind", ""))
        visibility = str(params.get("visibility", ""))
        return cls(
            q=str(params.get("q", "")).strip()[:100],
            subject=int(subject) if subject.isdigit() else None,
            audience=audience if audience in ResourceAudience.Group.values else "",
            kind=kind if kind in Resource.Kind.values else "",
            visibility=visibility if visibility in Resource.Visibility.values else "",
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.subject or self.audience or self.kind or self.visibility)


def search_resources(resources: QuerySet[Resource], search: Search) -> QuerySet[Resource]:
    """Narrow `resources` to those that match, each once, with subjects and audiences prefetched."""
    if search.q:
        for word in search.q.split()[:8]:
            resources = resources.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if search.subject:
        tagged = Resource.subjects.through.objects.filter(subject_id=search.subject).values("resource")
        resources = resources.filter(pk__in=tagged)
    if search.audience:
        aimed = Q(pk__in=ResourceAudience.objects.filter(group=search.audience).values("resource"))
        if search.audience == ResourceAudience.Group.EVERYONE:
            # A resource aimed at nobody in particular is for everyone.
            aimed |= ~Q(pk__in=ResourceAudience.objects.values("resource"))
        resources = resources.filter(aimed)
    if search.kind:
        resources = resources.filter(kind=search.kind)
    if search.visibility:
        resources = resources.filter(visibility=search.visibility)
    return resources.prefetch_related("subjects", "audiences")


def public_unit(code: str) -> OrgUnit | None:
    """The active unit with this code, in any case (`em-derby` is EM-DERBY)."""
    return OrgUnit.objects.filter(code__iexact=code.strip(), is_active=True).first()


def public_resources(unit: OrgUnit, today: datetime.date | None = None) -> QuerySet[Resource]:
    """What the public page of `unit` lists: public resources of the unit and the units above it (a national
    resource shows on every branch's page), and none past its review date."""
    paths = {unit.path, *scoping.ancestor_paths((unit.path,))}
    return Resource.objects.filter(
        unit__path__in=paths,
        visibility=Resource.Visibility.PUBLIC,
        review_by__gte=today or timezone.localdate(),
    ).select_related("unit")


# Review reminders -------------------------------------------------------------------------------


def due_for_review(today: datetime.date) -> QuerySet[Resource]:
    """Resources due for review within REVIEW_WARNING_DAYS or past it, whose owner has not been told yet."""
    return (
        Resource.objects.filter(
            review_by__lte=today + datetime.timedelta(days=REVIEW_WARNING_DAYS),
            review_reminder_sent_on__isnull=True,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .select_related("owner", "unit")
        .order_by("review_by", "title")
    )


def send_review_reminders(today: datetime.date | None = None) -> int:
    """Email each owner once about their resources due for review (or past it). Returns how many emails.

    A resource is in one reminder only, until its review-by date changes (resource_save clears the mark).
    """
    today = today or timezone.localdate()
    by_owner: dict[int, list[Resource]] = defaultdict(list)
    owners: dict[int, User] = {}
    for resource in due_for_review(today):
        owner: User = resource.owner  # type: ignore[assignment]
        owners[owner.pk] = owner
        by_owner[owner.pk].append(resource)
    emails = []
    for owner_id, owned in by_owner.items():
        items = [
            {
                "resource": resource,
                "is_out_of_date": resource.is_out_of_date(today),
                "edit_url": absolute(reverse("learning:resource_edit", args=[resource.pk])),
            }
            for resource in owned
        ]
        context = {"user": owners[owner_id], "items": items, "list_url": absolute(reverse("learning:resources"))}
        message = EmailMultiAlternatives(
            subject=render_to_string("learning/resources/email_review_subject.txt", context).strip(),
            body=render_to_string("learning/resources/email_review.txt", context),
            to=[owners[owner_id].email],
        )
        message.attach_alternative(render_to_string("learning/resources/email_review.html", context), "text/html")
        emails.append(message)
    if not emails:
        return 0
    sent = mailers.default.send_messages(emails) or 0
    reminded: Iterable[int] = [resource.pk for owned in by_owner.values() for resource in owned]
    Resource.objects.filter(pk__in=list(reminded)).update(review_reminder_sent_on=today)
    return sent
