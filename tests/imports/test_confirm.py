"""Who imported: the person who confirmed the check, who may not be the one who uploaded the file."""

from __future__ import annotations

from learningdesk.accounts.models import AuditEvent
from learningdesk.imports import services
from learningdesk.imports.models import MemberImport
from learningdesk.org.models import Role
from tests.factories import UserFactory, give_role
from tests.imports import HEADER, check, csv_bytes, start


def test_the_audit_log_names_who_confirmed_the_import(world, django_capture_on_commit_callbacks):
    colleague = UserFactory(full_name="Jo Jobshare")
    give_role(colleague, Role.BRANCH_COORDINATOR, world.derby)
    rows = [HEADER, ["D1", "Ann", "Archer", "", "", "", ""]]
    checked = check(start(world.derby, csv_bytes(rows), user=world.coordinator))

    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(member_import=checked, mark_left=False, conflicts="keep", acting_user=colleague)

    checked.refresh_from_db()
    assert checked.status == MemberImport.Status.DONE
    assert checked.created_by == world.coordinator
    assert checked.confirmed_by == colleague
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED, target_id=checked.pk)
    assert event.actor == colleague
