"""A change to an activity, one of its sessions or a sign-up forgets the activity's public page kept whole
(selectors.forget_activity_page), so the places shown are those of this moment."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from learningdesk.learning.models import Activity, Session, SignUp
from learningdesk.learning.selectors import forget_activity_page


@receiver([post_save, post_delete], sender=Activity)
def activity_changed(sender: type, instance: Activity, **kwargs: Any) -> None:
    forget_activity_page(instance.pk)


@receiver([post_save, post_delete], sender=Session)
def session_changed(sender: type, instance: Session, **kwargs: Any) -> None:
    forget_activity_page(instance.activity_id)


@receiver([post_save, post_delete], sender=SignUp)
def sign_up_changed(sender: type, instance: SignUp, **kwargs: Any) -> None:
    if SignUp.session.is_cached(instance):  # type: ignore[attr-defined]
        forget_activity_page(instance.session.activity_id)
    else:
        activity_id = Session.objects.filter(pk=instance.session_id).values_list("activity_id", flat=True).first()
        if activity_id is not None:
            forget_activity_page(activity_id)
