"""What the co-ordinator shares with an employer's contacts: chosen committee actions, and survey findings
reports (aggregate only, the PDF kept as it was when shared).

Nothing about individual members reaches the employer. On the employer contact's pages an action owned on the
union side names its owner only when that person acts for the union (a rep in post, or someone with a union
role on Learning Desk); anyone else, a learner say, shows as "The union".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import AuditEvent, User
from learningdesk.accounts.services import audit_record
from learningdesk.employers.models import CommitteeAction, SharedFinding
from learningdesk.org import roles
from learningdesk.org.models import Employer, RoleAssignment
from learningdesk.reps.models import CURRENT_REP_STAGES, Rep
from learningdesk.surveys import findings as survey_findings
from learningdesk.surveys.models import Survey

THE_UNION = "The union"


# Committee actions --------------------------------------------------------------------------------


@transaction.atomic
def action_share(*, acting_user: User, action: CommitteeAction, share: bool) -> CommitteeAction:
    """Share an action with the employer's contacts, or stop sharing it. Asking twice changes nothing."""
    action = (
        CommitteeAction.objects.select_for_update(of=("self",))
        .select_related("meeting__committee__employer")
        .get(pk=action.pk)
    )
    if share == action.is_shared:
        return action
    action.shared_at = timezone.now() if share else None
    action.shared_by = acting_user if share else None
    action.save(update_fields=["shared_at", "shared_by"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=action,
        unit_id=action.meeting.committee.employer.unit_id,
        changes={"shared_with_employer": share},
    )
    return action


def acting_for_union(person_ids: Iterable[int], *, today: datetime.date) -> set[int]:
    """Of these people, those acting for the union: a rep in post, or a user with a current union role."""
    ids = set(person_ids)
    if not ids:
        return set()
    reps = Rep.objects.filter(person_id__in=ids, stage__in=CURRENT_REP_STAGES).values_list("person_id", flat=True)
    officers = (
        RoleAssignment.objects.filter(user__person_id__in=ids, user__is_active=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(role__in=roles.EMPLOYER_ROLES)
        .values_list("user__person_id", flat=True)
    )
    return set(reps) | set(officers)


def who_the_employer_sees(action: CommitteeAction, acting_ids: set[int]) -> str:
    """The owner of an action as its employer's contacts see it (`acting_ids`: from acting_for_union)."""
    if action.owner_contact_id:
        return action.owner_contact.name  # type: ignore[union-attr]
    if action.side == CommitteeAction.Side.EMPLOYER:
        return action.owner_name or "The employer"
    if action.owner_person_id and action.owner_person_id in acting_ids:
        return action.owner_person.full_name  # type: ignore[union-attr]
    # A typed name or a member who holds no union role: the employer learns nothing about a member.
    return THE_UNION


def name_owners_for_employer(actions: list[CommitteeAction], *, today: datetime.date) -> list[CommitteeAction]:
    """Set `employer_sees` on each action: its owner as the employer's contacts see it (two queries)."""
    acting = acting_for_union((a.owner_person_id for a in actions if a.owner_person_id), today=today)
    for action in actions:
        action.employer_sees = who_the_employer_sees(action, acting)  # type: ignore[attr-defined]
    return actions


# Survey findings ----------------------------------------------------------------------------------


def shareable_surveys(surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """Surveys that may have responses to share: not drafts (callers pass scoping.visible_surveys(user))."""
    return surveys.exclude(status=Survey.Status.DRAFT).order_by("-created_at", "-pk")


@transaction.atomic
def finding_share(*, acting_user: User, employer: Employer, survey: Survey, title: str, summary: str) -> SharedFinding:
    """Make the survey's findings report now, over the responses the user may count, and share it with the
    employer. Refused while the survey has fewer responses than its threshold: there would be no figures."""
    findings = survey_findings.survey_findings(acting_user, survey)
    if not findings.enough:
        raise ValidationError(
            {
                "survey": (
                    f"“{survey.title}” has {findings.responses} response{'s' if findings.responses != 1 else ''} "
                    f"you may count. Its findings can be shared once at least {findings.threshold} people have "
                    "answered."
                )
            }
        )
    finding = SharedFinding(
        employer=employer, survey=survey, title=title.strip(), summary=summary.strip(), shared_by=acting_user
    )
    finding.pdf.save("findings.pdf", ContentFile(survey_findings.findings_pdf(findings)), save=False)
    try:
        finding.full_clean()
        finding.save()
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATED,
            target=finding,
            unit_id=employer.unit_id,
            changes={"survey": survey.pk, "responses": findings.responses, "shared_with_employer": employer.pk},
        )
    except Exception:
        # No record, no file: a PDF left on disk with nothing pointing at it would never be cleaned up.
        finding.pdf.delete(save=False)
        raise
    return finding


@transaction.atomic
def finding_withdraw(*, acting_user: User, finding: SharedFinding) -> SharedFinding:
    """Stop sharing a findings report: the employer's contacts no longer see it. The record stays."""
    finding = SharedFinding.objects.select_for_update(of=("self",)).select_related("employer").get(pk=finding.pk)
    if finding.withdrawn_at is not None:
        return finding
    finding.withdrawn_at = timezone.now()
    finding.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CHANGED,
        target=finding,
        unit_id=finding.employer.unit_id,
        changes={"withdrawn": True},
    )
    return finding


def finding_file_name(finding: SharedFinding) -> str:
    """survey-findings-What-would-you-like-to-learn-2026-11-26.pdf, dated the day it was shared."""
    stem = survey_findings.file_stem(finding.survey).rsplit("-", 3)[0]
    return f"{stem}-{timezone.localtime(finding.shared_at):%Y-%m-%d}.pdf"
