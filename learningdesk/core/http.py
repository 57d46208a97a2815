"""Request types for views. LoginRequiredMiddleware guarantees a signed-in user on every view
that is not marked login_not_required, so those views can say so in their types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from learningdesk.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


# Breadcrumbs for components/breadcrumbs.html: (label, url) pairs from the top down; this page's url is None.
Crumbs = list[tuple[str, str | None]]
