"""`make soak`'s view of the demo data: the pages its load generator visits (scripts/soak/).

Run inside the app (the driver calls `targets()` once the demo data is loaded), so that the URLs come from the URLconf
and the people searched for are people each login can see, exactly as `make bench` picks them.
"""

from __future__ import annotations

import random
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import now

from learningdesk.accounts.models import User
from learningdesk.core import bench
from learningdesk.learning.models import Activity
from learningdesk.org import scoping

# Who signs in, and how often, of the co-ordinators the load simulates: most work in a branch, fewer over a region
# or the whole union (whose lists and searches cover every member, the heaviest pages).
LOGINS = {"coordinator@example.org": 6, "region@example.org": 3, "admin@example.org": 1}
PUBLIC_ACTIVITIES = 60


def targets(*, seed: int = 1) -> dict[str, Any]:
    """The URLs of the soak's mix, as JSON-ready data."""
    rng = random.Random(seed)
    _activity_url, sign_up_url = bench._bench_session()  # a session with room for every sign-up of the run
    upcoming = list(
        Activity.objects.filter(status=Activity.Status.PUBLISHED, sessions__starts_at__gt=now())
        .values_list("unit__code", "pk")
        .distinct()
        .order_by("pk")
    )
    activities = rng.sample(upcoming, min(PUBLIC_ACTIVITIES, len(upcoming)))
    logins = {}
    for email, weight in LOGINS.items():
        user = User.objects.get(email=email)
        people = reverse("org:person_list")
        surveys = scoping.visible_surveys(user).order_by("pk").values_list("pk", flat=True)
        logins[email] = {
            "weight": weight,
            "searches": [f"{people}?{urlencode({'q': term})}" for term in bench.search_terms(user, count=40)],
            "survey_results": [reverse("surveys:results", args=[pk]) for pk in surveys],
        }
    return {
        "logins": logins,
        "pages": {
            "home": reverse("home"),
            "people": reverse("org:person_list"),
            "reps": reverse("reps:register"),
            "learning": reverse("learning:activities"),
        },
        "public_activities": [
            reverse("learn:activity", kwargs={"code": code.lower(), "pk": pk}) for code, pk in activities
        ],
        "public_units": sorted({reverse("learn:unit", kwargs={"code": code.lower()}) for code, _pk in activities}),
        "sign_up": sign_up_url,
        "sign_in": reverse("login"),
        "imports": {"upload": reverse("imports:upload")},
    }
