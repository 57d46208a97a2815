"""Reads that several views share. Every one starts from a scoped queryset (org/scoping.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org import scoping
from learningdesk.org.models import Employer, OrgUnit, Person, RoleAssignment, Workplace
from learningdesk.reps.models import CURRENT_REP_STAGES, RepKind

MEMBERSHIP_NUMBER = re.compile(r"^[A-Za-z]{0,3}\d[\w-]*$")


def _prefix(field: str, text: str) -> Q:
    """An index-friendly "starts with" on a lower-cased key column.

    SQLite only uses an index for LIKE under special collations, but always for a range; PostgreSQL
    uses the varchar_pattern_ops index for LIKE 'abc%'.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})
    return Q(**{f"{field}__startswith": text})


def people_matching(queryset: QuerySet[Person], query: str) -> QuerySet[Person]:
    """People whose name, membership number or email starts with what was typed.

    "maria alb" finds Maria Alberts; "alberts m" too; "A1234" a membership number; anything with an @
    an email address.
    """
    # No stored name contains a NUL, and PostgreSQL refuses one in a query parameter.
    text = " ".join(query.replace("\x00", "").split()).lower()
    if not text:
        return queryset
    if "@" in text:
        return queryset.filter(_prefix("email_key", text))
    if MEMBERSHIP_NUMBER.match(text):
        # A prefix of the number, which the unique index serves; the exact number is one of them.
        return queryset.filter(_prefix("membership_number", text.upper()))
    words = text.split(" ")
    if len(words) == 1:
        return queryset.filter(_prefix("last_name_key", text) | _prefix("first_name_key", text))
    first, rest = words[0], " ".join(words[1:])
    last, before = words[-1], " ".join(words[:-1])
    return queryset.filter(
        (_prefix("first_name_key", first) & _prefix("last_name_key", rest))
        | (_prefix("first_name_key", before) & _prefix("last_name_key", last))
        | (_prefix("last_name_key", first) & _prefix("first_name_key", rest))
        | _prefix("last_name_key", text)
    )


@dataclass(frozen=True)
class PeopleFilter:
    query: str = ""
    unit: OrgUnit | None = None
    workplace_id: int | None = None
    status: str = ""


def people_list(*, user: User, filters: PeopleFilter) -> QuerySet[Person]:
    """The people list and search: scoped, filtered, ordered for an index, paginated by the caller."""
    people = scoping.visible_people(user)
    if filters.unit is not None:
        people = people.filter(branch__in=OrgUnit.objects.filter(path__startswith=filters.unit.path).values("pk"))
    if filters.workplace_id:
        people = people.filter(workplace_id=filters.workplace_id)
    if filters.status:
        people = people.filter(status=filters.status)
    people = people_matching(people, filters.query)
    return people.select_related("branch", "workplace").order_by("last_name_key", "first_name_key", "id")


@dataclass(frozen=True)
class HomeFigures:
    members: int
    people: int
    workplaces: int
    employers: int
    ulrs: int
    units: int


def active_role_assignments() -> QuerySet[RoleAssignment]:
    today = timezone.localdate()
    return RoleAssignment.objects.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def current_ulr_count(user: User) -> int:
    """Union learning reps in the user's scope: ULRs on the register from notified to active."""
    return scoping.visible_reps(user).filter(kind__code=RepKind.Code.ULR, stage__in=CURRENT_REP_STAGES).count()


def home_figures(*, user: User) -> HomeFigures:
    """The headline counts of the user's scope."""
    people = scoping.visible_people(user).aggregate(
        people=Count("pk"), members=Count("pk", filter=Q(status=Person.Status.MEMBER))
    )
    workplaces = scoping.visible_workplaces(user)
    return HomeFigures(
        members=people["members"],
        people=people["people"],
        workplaces=workplaces.count(),
        employers=scoping.visible_employers(user).count(),
        ulrs=current_ulr_count(user),
        units=scoping.visible_units(user).count(),
    )


def unit_children(*, user: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit's children in scope, with how many people and workplaces each subtree holds."""
    children = scoping.visible_units(user).filter(path__startswith=unit.path, depth=unit.depth + 1)
    return children.order_by("name")


def subtree_counts(*, user: User, units: list[OrgUnit]) -> dict[int, dict[str, int]]:
    """People and workplace counts (of those the user may see) for each unit's subtree, in grouped queries.

    Roll-up counts distinct records in the subtree (DOMAIN.md), which for people and workplaces is
    the sum over the units below, since each belongs to exactly one unit.
    """
    if not units:
        return {}
    steps = {len(unit.path) for unit in units}
    counts: dict[int, dict[str, int]] = {unit.pk: {"people": 0, "members": 0, "workplaces": 0} for unit in units}
    by_path = {unit.path: unit.pk for unit in units}
    prefix_q = Q()
    for unit in units:
        prefix_q |= Q(path__startswith=unit.path)
    leaf_paths = dict(OrgUnit.objects.filter(prefix_q).values_list("pk", "path"))
    people = (
        scoping.visible_people(user)
        .filter(branch_id__in=leaf_paths.keys())
        .values("branch_id")
        .annotate(people=Count("pk"), members=Count("pk", filter=Q(status=Person.Status.MEMBER)))
        .order_by()
    )
    workplaces = (
        scoping.visible_workplaces(user)
        .filter(branch_id__in=leaf_paths.keys())
        .values("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in people:
        path = leaf_paths[row["branch_id"]]
        for step in steps:
            owner = by_path.get(path[:step])
            if owner is not None:
                counts[owner]["people"] += row["people"]
                counts[owner]["members"] += row["members"]
    for branch_id, n in workplaces.values_list("branch_id", "n"):
        path = leaf_paths[branch_id]
        for step in steps:
            owner = by_path.get(path[:step])
            if owner is not None:
                counts[owner]["workplaces"] += n
    return counts


def delete_blockers(record: OrgUnit | Employer | Workplace) -> list[str]:
    """What still hangs off a unit, employer or workplace, in words; it can be deleted only when empty.

    Records that people's data points at are never deleted with it: the user moves or ends those first.
    """
    blockers: list[tuple[int, str, str]] = []
    if isinstance(record, Workplace):
        blockers = [
            (record.people.count(), "person works here", "people work here"),
            (record.role_assignments.count(), "role covers it", "roles cover it"),
        ]
    elif isinstance(record, Employer):
        blockers = [(record.workplaces.count(), "workplace belongs to it", "workplaces belong to it")]
    elif isinstance(record, OrgUnit):
        if record.is_root():
            return ["It is the top of the organisation."]
        blockers = [
            (record.numchild, "unit is below it", "units are below it"),
            (record.workplaces.count(), "workplace is organised by it", "workplaces are organised by it"),
            (record.people.count(), "person belongs to it", "people belong to it"),
            (record.employers.count(), "employer is looked after by it", "employers are looked after by it"),
            (record.role_assignments.count(), "role is held at it", "roles are held at it"),
        ]
    return [f"{n:,} {one if n == 1 else many}." for n, one, many in blockers if n]
