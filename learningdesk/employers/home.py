"""The work with employers on the home page's "Needs your attention": learning agreement reviews due (90 and 30 days
before, and overdue), agreements that may be sitting in a drawer, overdue committee actions and open time-off
cases. For co-ordinators and officers (a ULR's home page is about their own workplaces); a fixed number of queries.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Min
from django.urls import reverse

from learningdesk.accounts.models import User
from learningdesk.employers import reviews, time_off
from learningdesk.employers.agreements import ReviewFilter
from learningdesk.employers.committees import overdue_actions
from learningdesk.org import scoping

# Past this many agreements or employers, one line says how many more and links to the list.
SHOWN = 3


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _agreement_with(item: reviews.ReviewDue | reviews.InTheDrawer) -> str:
    return f"The learning agreement with {item.agreement.employer.name}"


def attention(user: User, *, today: datetime.date) -> list[dict[str, str]]:
    """What needs doing about employers, as items (url, text) for the home page."""
    if not scoping.get_scope(user).see:
        return []
    items: list[dict[str, str]] = []
    agreement_list = reverse("employers:agreement_list")

    due = reviews.reviews_due(user, today=today, limit=SHOWN + 1)
    for review in due[:SHOWN]:
        items.append(
            {
                "url": reverse("employers:agreement_detail", args=[review.agreement.pk]),
                "text": f"{_agreement_with(review)}: {review.label}",
            }
        )
    if len(due) > SHOWN:
        items.append(
            {
                "url": f"{agreement_list}?review={ReviewFilter.DUE}",
                "text": "More learning agreements to review in the next 90 days",
            }
        )

    drawer = reviews.in_the_drawer(user, today=today, limit=SHOWN + 1)
    for unused in drawer[:SHOWN]:
        signs = [sign for sign in unused.signs if sign != "review overdue"]  # the review is listed above already
        if signs:
            items.append(
                {
                    "url": reverse("employers:agreement_detail", args=[unused.agreement.pk]),
                    "text": f"{_agreement_with(unused)} may be sitting in a drawer: {', '.join(signs)}",
                }
            )
    if len(drawer) > SHOWN:
        items.append(
            {
                "url": f"{agreement_list}?status=signed",
                "text": "More signed learning agreements may be sitting in a drawer",
            }
        )

    # Overdue committee actions, by employer: the employer's page lists them with what else needs doing.
    by_employer = list(
        overdue_actions(user, today=today)
        .order_by()
        .values("meeting__committee__employer", "meeting__committee__employer__name")
        .annotate(late=Count("pk"), oldest=Min("due_on"))
        .order_by("oldest", "meeting__committee__employer")[: SHOWN + 1]
    )
    for row in by_employer[:SHOWN]:
        items.append(
            {
                "url": reverse("org:employer_detail", args=[row["meeting__committee__employer"]]) + "#next-steps",
                "text": f"{_plural(row['late'], 'overdue committee action', 'overdue committee actions')} with "
                f"{row['meeting__committee__employer__name']}",
            }
        )
    if len(by_employer) > SHOWN:
        items.append({"url": reverse("org:employer_list"), "text": "Overdue committee actions with more employers"})

    cases = time_off.open_cases(user).count()
    if cases:
        items.append(
            {
                "url": f"{reverse('employers:case_list')}?status=open",
                "text": f"{_plural(cases, 'open time-off case', 'open time-off cases')} to take up with the employer",
            }
        )
    return items
