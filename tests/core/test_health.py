"""/healthz (the process is up) and /readyz (ready for traffic), as the proxy and the monitoring see them."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError, ProgrammingError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse

from learningdesk.core import health


def test_ready_when_database_task_queue_and_migrations_are_in_order(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # cheap enough to be asked every few seconds
        response = Client().get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "task_queue": "ok", "migrations": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_not_ready_while_a_migration_is_not_applied(db):
    # As in an upgrade where the new code is running before `migrate` has: the last migration of an app unrecorded.
    latest = MigrationRecorder.Migration.objects.filter(app="learning").order_by("-applied").first()
    latest.delete()
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == "1 not applied"
    assert body["checks"]["database"] == "ok"


def test_not_ready_when_the_database_does_not_answer_and_says_no_more_than_that(db):
    refused = OperationalError(
        'connection to server at "10.1.2.3", port 5432 failed: password authentication failed for user "learningdesk"'
    )
    with mock.patch.object(connection, "cursor", side_effect=refused):
        response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "unreachable",
        "task_queue": "not checked",
        "migrations": "not checked",
    }
    assert response.json()["failed"] == ["database", "task_queue", "migrations"]
    for secret in (b"10.1.2.3", b"password", b'learningdesk"'):
        assert secret not in response.content


def test_not_ready_when_the_task_queue_cannot_be_read(db):
    missing = ProgrammingError('relation "django_tasks_db_dbtaskresult" does not exist')
    with mock.patch.object(health.DBTaskResult.objects, "order_by", side_effect=missing):
        response = Client().get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["task_queue"]
    assert response.json()["checks"]["task_queue"] == "not answering"
    assert b"django_tasks_db" not in response.content


def test_a_failed_check_is_logged_with_its_reason(db, caplog):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("the server closed the connection")):
        Client().get(reverse("readyz"))
    failure = next(record for record in caplog.records if record.name == "learningdesk.core.health")
    assert failure.getMessage() == "readiness check database failed"
    assert "the server closed the connection" in str(failure.exc_info[1])


def test_health_and_readiness_need_no_sign_in_even_for_a_signed_in_browser(world, coordinator_client):
    for name in ("healthz", "readyz"):
        assert Client().get(reverse(name)).status_code == 200
        assert coordinator_client.get(reverse(name)).status_code == 200
