"""Everything Learning Desk holds about a person, table by table: what subject access exports and erasure removes.

`COVERED` names every foreign key and many-to-many field, of every model, that points at a person or a login, and
says how it is handled:

- ABOUT: the row is about the person. Subject access exports it in full; erasure removes or anonymises it.
- AUTHOR: the person's login recorded or created the row, as a member of staff (a co-ordinator's sign-ups taken at
  a stall). The row is about someone else: subject access counts these rows; erasure empties the field when the
  login is deleted (every such key is SET_NULL).

The mailings (app comms) and sign-in security (the rest of app accounts, and django-otp's devices) cover their own
tables through `personal_data.export/erase` and `security.export_user/forget_user` (`DELEGATES`). Two tables name a
person by id without a foreign key (a member import's checked rows and problems); `BY_ID` lists them.
tests/privacy/test_coverage.py fails when a model gains a key to a person or a login that is not listed here.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.employers.models import (
    CaseNote,
    CommitteeAction,
    CommitteeMeeting,
    EmployerContact,
    LearningAgreement,
    NegotiationCase,
    ReturnOfficial,
    TimeOffRequest,
)
from learningdesk.imports.models import ImportProblem, ImportRow, SavedMapping
from learningdesk.learning.models import Activity, ActivityHelper, Evaluation, JoinLead, Outcome, SignUp
from learningdesk.org.models import Consent, EqualityRecord, Person, RoleAssignment
from learningdesk.privacy.models import AnonymisedPerson
from learningdesk.reps.models import (
    Action,
    Conversation,
    EmployerNotification,
    FacilityAllowance,
    FacilityTimeEntry,
    MeetingInvite,
    Recognition,
    Rep,
    RepReason,
    StageChange,
    SupportContact,
    TrainingRecord,
)
from learningdesk.surveys.models import Answer, Invitation, Response

ABOUT = "about"
AUTHOR = "author"

COVERED: dict[str, str] = {
    # People and logins.
    "accounts.User.person": ABOUT,
    "accounts.AuditEvent.actor": AUTHOR,
    "org.Consent.person": ABOUT,
    "org.Consent.recorded_by": AUTHOR,
    "org.EqualityRecord.person": ABOUT,
    "org.EqualityRecord.recorded_by": AUTHOR,
    "org.RoleAssignment.user": ABOUT,
    "org.RoleAssignment.granted_by": AUTHOR,
    "privacy.AnonymisedPerson.person": ABOUT,
    # Member imports.
    "imports.MemberImport.created_by": AUTHOR,
    "imports.MemberImport.confirmed_by": AUTHOR,
    "imports.SavedMapping.user": ABOUT,
    # The ULR network.
    "reps.Rep.person": ABOUT,
    "reps.Rep.created_by": AUTHOR,
    "reps.StageChange.recorded_by": AUTHOR,
    "reps.EmployerNotification.recorded_by": AUTHOR,
    "reps.TrainingRecord.recorded_by": AUTHOR,
    "reps.SupportContact.recorded_by": AUTHOR,
    "reps.RepMeeting.created_by": AUTHOR,
    "reps.Action.owner": ABOUT,
    "reps.Action.created_by": AUTHOR,
    "reps.Recognition.recorded_by": AUTHOR,
    "reps.FacilityTimeEntry.logged_by": AUTHOR,
    "reps.Conversation.person": ABOUT,
    "reps.Conversation.logged_by": AUTHOR,
    "reps.RecruitmentTarget.created_by": AUTHOR,
    # The learning programme.
    "learning.Activity.organiser": ABOUT,
    "learning.Activity.created_by": AUTHOR,
    "learning.ActivityHelper.person": ABOUT,
    "learning.SignUp.person": ABOUT,
    "learning.SignUp.created_by": AUTHOR,
    "learning.SignUp.attendance_recorded_by": AUTHOR,
    "learning.Outcome.person": ABOUT,
    "learning.Outcome.recorded_by": AUTHOR,
    "learning.JoinLead.person": ABOUT,
    "learning.JoinLead.handled_by": AUTHOR,
    "learning.Resource.owner": AUTHOR,
    # Surveys.
    "surveys.Survey.created_by": AUTHOR,
    "surveys.Invitation.person": ABOUT,
    "surveys.Response.person": ABOUT,
    # Working with the employer.
    "employers.EmployerContact.user": ABOUT,
    "employers.ContactNote.recorded_by": AUTHOR,
    "employers.LearningAgreement.negotiated_by": ABOUT,
    "employers.LearningAgreement.created_by": AUTHOR,
    "employers.AgreementDocument.uploaded_by": AUTHOR,
    "employers.CommitteeMeeting.union_attendees": ABOUT,
    "employers.CommitteeMeeting.created_by": AUTHOR,
    "employers.CommitteeAction.owner_person": ABOUT,
    "employers.CommitteeAction.shared_by": AUTHOR,
    "employers.SharedFinding.shared_by": AUTHOR,
    "employers.TimeOffRequest.person": ABOUT,
    "employers.TimeOffRequest.recorded_by": AUTHOR,
    "employers.NegotiationCase.owner": AUTHOR,
    "employers.CaseNote.written_by": AUTHOR,
    "employers.FacilityTimeReturn.created_by": AUTHOR,
    "employers.FundingBid.created_by": AUTHOR,
    # Reports: who set a target or a budget, recorded spending, and wrote or issued a committee report.
    "reports.Target.set_by": AUTHOR,
    "reports.CommitteeReport.created_by": AUTHOR,
    "reports.CommitteeReport.issued_by": AUTHOR,
    "reports.Budget.set_by": AUTHOR,
    "reports.Spend.recorded_by": AUTHOR,
}

# Tables that name a person by id, without a foreign key: (model label, field).
BY_ID = (("imports.ImportRow", "person_id"), ("imports.ImportProblem", "person_id"))

# App label -> the module that exports and erases that app's tables (the interface in the brief).
COMMS_MODULE = "learningdesk.comms.personal_data"
SECURITY_MODULE = "learningdesk.accounts.security"
DELEGATES: dict[str, str] = {
    "comms": COMMS_MODULE,
    "accounts": SECURITY_MODULE,  # its models but User and AuditEvent, which are covered above
    "otp_totp": SECURITY_MODULE,
    "otp_static": SECURITY_MODULE,
    "otp_email": SECURITY_MODULE,
    "otp_hotp": SECURITY_MODULE,
}
OWN_ACCOUNTS_MODELS = frozenset({"accounts.User", "accounts.AuditEvent"})


def delegate(module_path: str) -> ModuleType | None:
    """The part's personal-data module, or None while it does not exist yet."""
    try:
        return importlib.import_module(module_path)
    except ModuleNotFoundError as error:
        if error.name != module_path:
            raise
        return None


# Values ------------------------------------------------------------------------------------------


def json_value(instance: models.Model, name: str) -> Any:
    """One field of a row as plain JSON: choices in words, related records by name, times in local time."""
    model_field = instance._meta.get_field(name)
    if model_field.many_to_many:
        return [str(item) for item in getattr(instance, name).all()]
    if model_field.is_relation:
        related = getattr(instance, name)
        return str(related) if related is not None else None
    value = getattr(instance, name)
    if getattr(model_field, "choices", None) and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))  # type: ignore[union-attr]
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"({len(value)} bytes)"
    return value


def field_label(model: type[models.Model], name: str) -> str:
    verbose = str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    return verbose[:1].upper() + verbose[1:]


@dataclass
class Section:
    """One kind of record held about a person: rows of JSON values, with a label in words for each field."""

    key: str
    title: str
    rows: list[dict[str, Any]]
    labels: dict[str, str] = field(default_factory=dict)
    # The records' model and ids, for audit entries about them (and erasure): "" for delegated sections.
    model_name: str = ""
    ids: list[int] = field(default_factory=list)

    def label(self, name: str) -> str:
        return self.labels.get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Kind:
    """How to find one kind of record about a person, and which of its fields to show."""

    key: str
    title: str
    rows: Callable[[Person], QuerySet[Any]]
    fields: tuple[str, ...]

    def section(self, person: Person) -> Section:
        queryset = self.rows(person)
        model = queryset.model
        records = list(queryset)
        return Section(
            key=self.key,
            title=self.title,
            rows=[{"id": record.pk, **{name: json_value(record, name) for name in self.fields}} for record in records],
            labels={"id": "Record number", **{name: field_label(model, name) for name in self.fields}},
            model_name=model._meta.model_name or "",
            ids=[record.pk for record in records],
        )


def _reps_of(person: Person, prefix: str = "rep__") -> Q:
    return Q(**{f"{prefix}person": person})


KINDS: tuple[Kind, ...] = (
    Kind(
        "org.person",
        "Profile",
        lambda p: Person.objects.filter(pk=p.pk).select_related("branch", "workplace"),
        (
            "membership_number",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "branch",
            "workplace",
            "status",
            "joined_on",
            "job_title",
            "preferred_language",
            "time_zone",
            "created_at",
            "updated_at",
            "imported_at",
            "edited_fields",
        ),
    ),
    Kind(
        "org.consent",
        "What they agreed to be contacted about",
        lambda p: Consent.objects.filter(person=p).select_related("recorded_by"),
        ("kind", "given", "method", "recorded_at", "recorded_by", "withdrawn_at", "source"),
    ),
    Kind(
        "org.equalityrecord",
        "Equality monitoring",
        lambda p: EqualityRecord.objects.filter(person=p).select_related("recorded_by"),
        (
            "age_band",
            "gender",
            "ethnicity",
            "disability",
            "sexual_orientation",
            "consent_given_at",
            "consent_method",
            "recorded_by",
            "updated_at",
        ),
    ),
    Kind(
        "privacy.anonymisedperson",
        "Anonymised",
        lambda p: AnonymisedPerson.objects.filter(person=p),
        ("at",),
    ),
    Kind(
        "accounts.user",
        "Login",
        lambda p: User.objects.filter(person=p),
        ("email", "full_name", "is_active", "date_joined", "last_login"),
    ),
    Kind(
        "org.roleassignment",
        "Roles",
        lambda p: (
            RoleAssignment.objects.filter(user__person=p)
            .select_related("unit", "employer", "granted_by")
            .prefetch_related("workplaces")
        ),
        ("role", "unit", "workplaces", "employer", "starts_on", "ends_on", "granted_by", "created_at"),
    ),
    Kind(
        "employers.employercontact",
        "Employer contact record of their login",
        lambda p: EmployerContact.objects.filter(user__person=p).select_related("employer", "workplace"),
        ("employer", "name", "kind", "job_title", "workplace", "email", "phone", "notes", "is_current", "created_at"),
    ),
    Kind(
        "imports.savedmapping",
        "Columns their login matched in member files",
        lambda p: SavedMapping.objects.filter(user__person=p),
        ("mapping", "updated_at"),
    ),
    Kind(
        "learning.signup",
        "Sign-ups and attendance",
        lambda p: SignUp.objects.filter(person=p).select_related(
            "session__activity", "created_by", "attendance_recorded_by"
        ),
        (
            "session",
            "status",
            "source",
            "given_name",
            "given_email",
            "given_phone",
            "given_workplace",
            "given_membership_number",
            "says_member",
            "access_needs",
            "was_member",
            "created_at",
            "created_by",
            "offered_at",
            "offer_expires_at",
            "cancelled_at",
            "attendance_recorded_at",
            "attendance_recorded_by",
        ),
    ),
    Kind(
        "learning.evaluation",
        "Evaluations",
        lambda p: (
            Evaluation.objects.filter(sign_up__person=p)
            .select_related("sign_up__session__activity", "sign_up__person")
            .prefetch_related("topics")
        ),
        (
            "sign_up",
            "rating",
            "learnt",
            "next_steps",
            "wants_to_be_ulr",
            "wants_to_join",
            "topics",
            "other_topics",
            "submitted_at",
        ),
    ),
    Kind(
        "learning.outcome",
        "Outcomes and qualifications",
        lambda p: Outcome.objects.filter(person=p).select_related("activity", "recorded_by"),
        (
            "activity",
            "kind",
            "achieved_on",
            "qualification_name",
            "qualification_level",
            "awarding_body",
            "progression",
            "notes",
            "recorded_by",
            "recorded_at",
        ),
    ),
    Kind(
        "learning.joinlead",
        "Interest in joining the union",
        lambda p: JoinLead.objects.filter(person=p).select_related("unit", "activity", "handled_by"),
        ("unit", "activity", "source", "status", "notes", "created_at", "handled_by", "handled_at"),
    ),
    Kind(
        "learning.activity",
        "Learning activities they organise",
        lambda p: Activity.objects.filter(organiser=p).select_related("unit"),
        ("title", "unit", "status", "created_at"),
    ),
    Kind(
        "learning.activityhelper",
        "Learning activities they help with",
        lambda p: ActivityHelper.objects.filter(person=p).select_related("activity"),
        ("activity", "task"),
    ),
    Kind(
        "reps.rep",
        "Learning roles",
        lambda p: (
            Rep.objects.filter(person=p).select_related("kind", "person", "created_by").prefetch_related("workplaces")
        ),
        (
            "kind",
            "workplaces",
            "stage",
            "stage_on",
            "approached_on",
            "agreed_on",
            "notified_on",
            "training_due_by",
            "trained_on",
            "active_on",
            "stood_down_on",
            "stood_down_reason",
            "source",
            "method",
            "motivation_notes",
            "barrier_notes",
            "skills_interests",
            "learnt",
            "ideas",
            "concerns",
            "wants_to_do",
            "further_training_wanted",
            "plan_reviewed_on",
            "notes",
            "created_at",
            "created_by",
        ),
    ),
    Kind(
        "reps.repreason",
        "Why they became a rep, or what held them back",
        lambda p: RepReason.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind"),
        ("rep", "kind", "code"),
    ),
    Kind(
        "reps.stagechange",
        "Steps on their path as a rep",
        lambda p: StageChange.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "recorded_by"),
        ("rep", "stage", "on", "note", "recorded_by", "recorded_at"),
    ),
    Kind(
        "reps.employernotification",
        "Notices to the employer that they are a ULR",
        lambda p: EmployerNotification.objects.filter(_reps_of(p)).select_related(
            "rep__person", "rep__kind", "employer", "recorded_by"
        ),
        (
            "rep",
            "employer",
            "sent_on",
            "method",
            "contact_name",
            "contact_job_title",
            "contact_email",
            "contact_address",
            "training_due_by",
            "letter",
            "recorded_by",
            "recorded_at",
        ),
    ),
    Kind(
        "reps.trainingrecord",
        "Rep training",
        lambda p: TrainingRecord.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "recorded_by"),
        ("rep", "course", "provider", "on", "completed", "is_initial", "notes", "recorded_by", "created_at"),
    ),
    Kind(
        "reps.supportcontact",
        "Support contacts with them as a rep",
        lambda p: SupportContact.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "recorded_by"),
        (
            "rep",
            "on",
            "kind",
            "notes",
            "appreciation",
            "benefits",
            "communicate",
            "develop",
            "empower",
            "reviewed_plan",
            "recorded_by",
            "created_at",
        ),
    ),
    Kind(
        "reps.recognition",
        "Recognition",
        lambda p: Recognition.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "recorded_by"),
        ("rep", "on", "kind", "note", "recorded_by"),
    ),
    Kind(
        "reps.meetinginvite",
        "Rep meetings",
        lambda p: MeetingInvite.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "meeting"),
        ("rep", "meeting", "attendance", "emailed_at"),
    ),
    Kind(
        "reps.action",
        "Actions for them",
        lambda p: (
            Action.objects.filter(_reps_of(p) | Q(owner=p))
            .select_related("rep__person", "rep__kind", "owner", "meeting", "created_by")
            .distinct()
        ),
        (
            "rep",
            "meeting",
            "is_plan",
            "description",
            "support_needed",
            "owner",
            "owner_name",
            "due_on",
            "done_on",
            "created_by",
            "created_at",
        ),
    ),
    Kind(
        "reps.facilityallowance",
        "Facility time agreed",
        lambda p: FacilityAllowance.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "employer"),
        ("rep", "employer", "hours", "per", "agreed_on", "notes"),
    ),
    Kind(
        "reps.facilitytimeentry",
        "Facility time logged",
        lambda p: FacilityTimeEntry.objects.filter(_reps_of(p)).select_related(
            "rep__person", "rep__kind", "employer", "logged_by"
        ),
        ("rep", "employer", "on", "hours", "purpose", "note", "logged_by", "created_at"),
    ),
    Kind(
        "reps.conversation.rep",
        "Conversations they logged as a rep",
        lambda p: Conversation.objects.filter(_reps_of(p)).select_related("rep__person", "rep__kind", "logged_by"),
        ("rep", "on", "name", "about", "notes", "follow_up", "logged_by", "created_at"),
    ),
    Kind(
        "reps.conversation.person",
        "Conversations a rep had with them",
        lambda p: Conversation.objects.filter(person=p).select_related("rep__person", "rep__kind", "logged_by"),
        ("rep", "on", "name", "about", "notes", "follow_up", "logged_by", "created_at"),
    ),
    Kind(
        "employers.returnofficial",
        "Facility time returns naming them",
        lambda p: ReturnOfficial.objects.filter(_reps_of(p)).select_related(
            "rep__person", "rep__kind", "facility_return__employer"
        ),
        ("facility_return", "rep", "hours_per_week", "weeks", "hourly_cost", "hours_checked"),
    ),
    Kind(
        "surveys.invitation",
        "Survey invitations",
        lambda p: Invitation.objects.filter(person=p).select_related("survey"),
        ("survey", "sent_at", "reminded_at", "used", "created_at"),
    ),
    Kind(
        "surveys.response",
        "Identified survey responses",
        lambda p: Response.objects.filter(person=p, survey__is_anonymous=False).select_related(
            "survey", "unit", "employer", "workplace"
        ),
        ("survey", "unit", "employer", "workplace", "job_group", "is_complete", "submitted_on"),
    ),
    Kind(
        "surveys.answer",
        "Identified survey answers",
        lambda p: (
            Answer.objects.filter(response__person=p, response__survey__is_anonymous=False)
            .select_related("response__survey", "question", "choice", "subject", "activity_type")
            .order_by("response_id", "question__section__order", "question__order", "id")
        ),
        ("response", "question", "choice", "subject", "activity_type", "number", "text"),
    ),
    Kind(
        "employers.timeoffrequest",
        "Time off for learning",
        lambda p: TimeOffRequest.objects.filter(person=p).select_related("employer", "activity", "manager"),
        (
            "employer",
            "activity",
            "learning",
            "hours",
            "requested_on",
            "manager",
            "manager_name",
            "decision",
            "hours_approved",
            "reason",
            "decided_on",
            "created_at",
        ),
    ),
    Kind(
        "employers.negotiationcase",
        "Cases taken up with the employer",
        lambda p: NegotiationCase.objects.filter(request__person=p).select_related("request__person", "owner"),
        ("request", "opened_on", "owner", "status", "outcome", "closed_on"),
    ),
    Kind(
        "employers.casenote",
        "Notes of those cases",
        lambda p: CaseNote.objects.filter(case__request__person=p).select_related("written_by"),
        ("on", "text", "written_by", "created_at"),
    ),
    Kind(
        "employers.committeeaction",
        "Learning committee actions for them",
        lambda p: CommitteeAction.objects.filter(owner_person=p).select_related("meeting__committee__employer"),
        ("meeting", "description", "side", "owner_name", "due_on", "status", "done_on"),
    ),
    Kind(
        "employers.committeemeeting",
        "Learning committee meetings they attended",
        lambda p: CommitteeMeeting.objects.filter(union_attendees=p).select_related("committee__employer"),
        ("committee", "held_on", "place"),
    ),
    Kind(
        "employers.learningagreement",
        "Learning agreements they negotiated",
        lambda p: LearningAgreement.objects.filter(negotiated_by=p).select_related("employer"),
        ("title", "employer", "status", "signed_on"),
    ),
    Kind(
        "imports.importrow",
        "Rows of member files about them",
        lambda p: ImportRow.objects.filter(person_id=p.pk).select_related("member_import"),
        (
            "member_import",
            "row_number",
            "action",
            "membership_number",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "workplace_name",
            "employer_name",
            "status",
            "joined_on",
            "job_title",
        ),
    ),
    Kind(
        "imports.importproblem",
        "Problems found with their rows in member files",
        lambda p: ImportProblem.objects.filter(person_id=p.pk).select_related("member_import"),
        ("member_import", "row_number", "kind", "column", "field", "message", "value"),
    ),
)


# What their login did as a member of staff: counted, never listed (the rows are about other people).


def author_fields() -> list[tuple[type[models.Model], str]]:
    from django.apps import apps

    found = []
    for name, how in COVERED.items():
        if how == AUTHOR:
            app_label, model_name, field_name = name.split(".")
            found.append((apps.get_model(app_label, model_name), field_name))
    return found


def authored_counts(user: User) -> list[dict[str, Any]]:
    rows = []
    for model, field_name in author_fields():
        count = model._default_manager.filter(**{field_name: user}).count()
        if count:
            rows.append(
                {
                    "record": str(model._meta.verbose_name_plural).capitalize(),
                    "as": field_label(model, field_name).lower(),
                    "count": count,
                }
            )
    return rows


def audit_targets(sections: Iterable[Section]) -> dict[str, set[int]]:
    """Model name -> ids of the records held about the person (the audit log names its targets so)."""
    targets: dict[str, set[int]] = {}
    for section in sections:
        if section.model_name and section.ids:
            targets.setdefault(section.model_name, set()).update(section.ids)
    return targets


def audit_about(targets: dict[str, set[int]]) -> QuerySet[AuditEvent]:
    """Audit entries whose target is the person or one of the records held about them."""
    q = Q(pk__in=[])
    for target_type, ids in targets.items():
        q |= Q(target_type=target_type, target_id__in=sorted(ids))
    return AuditEvent.objects.filter(q).select_related("actor", "unit")


AUDIT_FIELDS = ("at", "action", "target_type", "target_id", "actor", "unit", "changes")


def own_sections(person: Person) -> list[Section]:
    """The sections held in Learning Desk's own tables (not the mailings' or sign-in security's)."""
    sections = [kind.section(person) for kind in KINDS]
    events = list(audit_about(audit_targets(sections)))
    sections.append(
        Section(
            key="accounts.auditevent",
            title="Audit log entries about them",
            rows=[{"id": event.pk, **{name: json_value(event, name) for name in AUDIT_FIELDS}} for event in events],
            labels={"id": "Entry number", **{name: field_label(AuditEvent, name) for name in AUDIT_FIELDS}},
        )
    )
    user = User.objects.filter(person=person).first()
    if user is not None:
        sections.append(
            Section(
                key="authored",
                title="Records their login made about other people (counted, not listed)",
                rows=authored_counts(user),
                labels={"record": "Record", "as": "As", "count": "How many"},
            )
        )
    return sections


def delegated_sections(person: Person) -> list[Section]:
    """The mailings sent to them and their login's sign-in history, from the parts that keep them."""
    sections: list[Section] = []
    comms = delegate(COMMS_MODULE)
    if comms is not None:
        for title, rows in comms.export(person).items():
            sections.append(Section(key=f"comms.{title}", title=title, rows=list(rows)))
    security = delegate(SECURITY_MODULE)
    user = User.objects.filter(person=person).first()
    if security is not None and user is not None:
        for title, rows in security.export_user(user).items():
            sections.append(Section(key=f"accounts.{title}", title=title, rows=list(rows)))
    return sections


def everything(person: Person) -> list[Section]:
    """Every section held about the person, in the order subject access presents them."""
    return [*own_sections(person), *delegated_sections(person)]
