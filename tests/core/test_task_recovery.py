"""Tasks left running by a task worker that died: run again, or failed with a reason the user can read."""

from __future__ import annotations

import io
import subprocess
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from learningdesk.accounts.tasks import send_welcome_email
from learningdesk.core import tasks_recovery
from learningdesk.imports.models import ImportRow, MemberImport
from learningdesk.imports.tasks import apply_member_import, check_member_import
from learningdesk.org.models import Person
from tests.conftest import client_for
from tests.core import recovery_tasks
from tests.core.processes import share_database
from tests.imports import HEADER, check, csv_bytes, start

Status = MemberImport.Status


def dead_worker_id() -> str:
    """The id a worker on this machine had, whose process has since exited."""
    process = subprocess.Popen(["true"])  # noqa: S607
    process.wait()
    host, namespace, _pid, _start = tasks_recovery.this_worker_id().split(":")
    return f"{host}:{namespace}:{process.pid}:12345"


def running(task, *, worker_ids: list[str], **kwargs) -> DBTaskResult:
    """A task as django_tasks_db leaves it once a worker has claimed it."""
    return DBTaskResult.objects.create(
        task_path=task.module_path,
        args_kwargs={"args": [], "kwargs": kwargs},
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        worker_ids=worker_ids,
    )


def importing(world, rows: int = 3) -> MemberImport:
    """A checked Derby file of new members, confirmed: the worker has it to import."""
    lines = [[f"R{n:05}", "Amy", f"Ash{n}", f"amy{n}@example.org", "", "", ""] for n in range(rows)]
    member_import = check(start(world.derby, csv_bytes([HEADER, *lines]), user=world.coordinator))
    assert member_import.status == Status.CHECKED, member_import.error
    member_import.status = Status.IMPORTING
    member_import.save(update_fields=["status"])
    return member_import


# Telling whether a worker is alive ---------------------------------------------------------------------------


def test_this_process_is_alive():
    assert tasks_recovery.is_alive(tasks_recovery.this_worker_id()) is True


def test_an_exited_process_is_dead():
    assert tasks_recovery.is_alive(dead_worker_id()) is False


def test_a_process_id_used_again_by_another_process_is_not_the_worker():
    host, namespace, pid, _start = tasks_recovery.this_worker_id().split(":")
    assert tasks_recovery.is_alive(f"{host}:{namespace}:{pid}:1") is False


def test_a_killed_process_not_yet_reaped_by_its_parent_is_dead():
    process = subprocess.Popen(["sleep", "30"])  # noqa: S607
    worker_id = tasks_recovery.this_worker_id().rsplit(":", 2)[0] + f":{process.pid}:"
    worker_id += tasks_recovery._start_time(process.pid)
    assert tasks_recovery.is_alive(worker_id) is True
    process.kill()
    time.sleep(0.2)  # a zombie until wait() below
    assert tasks_recovery.is_alive(worker_id) is False
    process.wait()


def test_a_worker_on_another_machine_or_not_named_by_us_cannot_be_judged():
    _host, rest = tasks_recovery.this_worker_id().split(":", 1)
    assert tasks_recovery.is_alive(f"another-machine:{rest}") is None
    assert tasks_recovery.is_alive("Xq3kR9a0b1c2d3e4f5g6h7i8j9k0l1m2") is None  # django_tasks_db's own kind of id


def test_long_machine_names_are_told_apart():
    first, second = "worker-" + "a" * 30 + "-1", "worker-" + "a" * 30 + "-2"
    assert len(tasks_recovery.host_part(first)) == tasks_recovery.HOST_LENGTH
    assert tasks_recovery.host_part(first) != tasks_recovery.host_part(second)


# What recovery does ---------------------------------------------------------------------------------------------


def test_an_import_left_running_by_a_dead_worker_is_queued_again_and_imports_once(world):
    member_import = importing(world, rows=3)
    people = Person.objects.count()
    result = running(apply_member_import, worker_ids=[dead_worker_id()], import_id=member_import.pk)

    recovered = tasks_recovery.recover_abandoned_tasks()

    assert [item.retried for item in recovered] == [True]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    assert result.started_at is None
    member_import.refresh_from_db()
    assert member_import.status == Status.IMPORTING  # the user still sees it importing
    # The next worker to claim it runs the import: the dead worker's attempt left nothing, so nothing is doubled.
    apply_member_import.call(import_id=member_import.pk)
    member_import.refresh_from_db()
    assert (member_import.status, member_import.created) == (Status.DONE, 3)
    assert Person.objects.count() == people + 3


def test_a_check_left_running_by_a_dead_worker_is_queued_again(world):
    member_import = start(world.derby, csv_bytes([HEADER, ["R1", "Amy", "Ash", "", "", "", ""]]))
    member_import.status = Status.CHECKING
    member_import.save(update_fields=["status"])
    result = running(check_member_import, worker_ids=[dead_worker_id()], import_id=member_import.pk)

    tasks_recovery.recover_abandoned_tasks()

    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY


def test_an_import_that_stopped_its_worker_three_times_fails_and_its_page_says_nothing_changed(world):
    member_import = importing(world, rows=3)
    people = Person.objects.count()
    workers = [dead_worker_id() for _ in range(tasks_recovery.MAX_ATTEMPTS)]
    result = running(apply_member_import, worker_ids=workers, import_id=member_import.pk)

    recovered = tasks_recovery.recover_abandoned_tasks()

    assert [item.retried for item in recovered] == [False]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "learningdesk.core.tasks_recovery.WorkerStopped"
    assert "stopped before it finished, 3 times" in result.traceback
    member_import.refresh_from_db()
    assert member_import.status == Status.FAILED
    assert not ImportRow.objects.filter(member_import=member_import).exists()  # staged rows cleared, as on failure
    assert Person.objects.count() == people
    page = client_for(world.coordinator).get(reverse("imports:detail", args=[member_import.pk]))
    text = " ".join(page.content.decode().split())
    assert "Failed: nothing was changed" in text
    assert "stopped part way through importing the file (the background worker running it stopped)" in text
    assert f"import number {member_import.pk} stopped" in text


def test_an_email_task_left_running_is_failed_with_the_reason_not_sent_again(world):
    worker = dead_worker_id()
    result = running(send_welcome_email, worker_ids=[worker], user_id=world.coordinator.pk)

    tasks_recovery.recover_abandoned_tasks()

    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert f"The task worker running this task ({worker}, started " in result.traceback
    assert "stopped before it finished." in result.traceback


def test_a_live_workers_task_is_left_running(world):
    member_import = importing(world)
    result = running(apply_member_import, worker_ids=[tasks_recovery.this_worker_id()], import_id=member_import.pk)

    assert tasks_recovery.recover_abandoned_tasks() == []
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


def test_a_worker_that_lost_its_database_gives_up_its_own_task(world):
    member_import = importing(world)
    me = tasks_recovery.this_worker_id()
    result = running(apply_member_import, worker_ids=[me], import_id=member_import.pk)

    tasks_recovery.recover_abandoned_tasks(also_abandoned_by=me)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY


def test_tasks_of_a_machine_that_is_gone_are_recovered_only_when_the_operator_says_so(world):
    member_import = importing(world)
    _host, rest = tasks_recovery.this_worker_id().split(":", 1)
    result = running(apply_member_import, worker_ids=[f"web-7:{rest}"], import_id=member_import.pk)

    call_command("recover_tasks", stdout=(out := io.StringIO()))
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING
    assert out.getvalue().strip() == "0 tasks recovered."

    call_command("recover_tasks", "--host", "web-7", stdout=(out := io.StringIO()))
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    assert f"left by worker web-7:{rest}: queued again" in out.getvalue()
    assert out.getvalue().strip().endswith("1 task recovered.")


# Real workers, killed part way ------------------------------------------------------------------------------


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_nothing_and_the_next_worker_runs_it_once(tmp_path):
    table = recovery_tasks.MARKS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (note varchar(20))")
    inside, hold = tmp_path / "inside", tmp_path / "hold"
    hold.touch()
    result = DBTaskResult.objects.create(
        task_path=recovery_tasks.write_then_wait.module_path,
        args_kwargs={"args": [], "kwargs": {"note": "once", "inside": str(inside), "hold": str(hold)}},
        backend_name="default",
        run_after=get_date_max(),
    )
    shared = share_database(tmp_path)
    worker = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    try:
        first = shared.start(*worker, log=tmp_path / "first.log")
        _wait_for(inside.exists, seconds=30, what="the first worker to be inside the task's transaction")
        first.kill()
        first.wait()
        # What the dead worker wrote in its transaction is gone; its task still says RUNNING.
        assert shared.query(f"SELECT count(*) FROM {table}") == [(0,)]  # noqa: S608
        # SQLite keeps a UUID as 32 hex digits, PostgreSQL as a uuid.
        task_id = result.pk.hex if shared.sqlite_path else str(result.pk)
        status = f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = '{task_id}'"  # noqa: S608
        assert shared.query(status) == [("RUNNING",)]

        hold.unlink()
        second = shared.start(*worker, log=tmp_path / "second.log")
        _wait_for(lambda: shared.query(status) == [("SUCCESSFUL",)], seconds=30, what="the task to be run again")
        assert shared.query(f"SELECT note FROM {table}") == [("once",)]  # noqa: S608
        assert second.poll() is None
    finally:
        shared.stop_all()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
    log = (tmp_path / "second.log").read_text()
    assert "was left running by worker" in log
    assert "queued again (attempt 2 of 3)" in log


def test_a_worker_that_loses_the_database_waits_for_it_and_gives_up_the_task_it_was_running(
    world, monkeypatch, settings
):
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker as library

    from learningdesk.core.management.commands import db_worker as ours

    member_import = importing(world)
    me = tasks_recovery.this_worker_id()
    result = running(apply_member_import, worker_ids=[me], import_id=member_import.pk)
    runs = []

    def run_until_the_database_goes(self, *args, **options):
        runs.append(options["worker_id"])
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(library.Command, "handle", run_until_the_database_goes)
    monkeypatch.setattr(ours, "_check_now_and_then", lambda: None)
    monkeypatch.setattr(ours, "DATABASE_WAIT_SECONDS", 0)
    # The worker drops its broken connections; this test's transaction needs its own (PostgreSQL) to carry on.
    monkeypatch.setattr(ours.connections, "close_all", lambda: None)

    call_command("db_worker", "--no-reload")

    assert runs == [me, me]  # the same worker carried on, named after this process
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY  # its task, cut off with the database, is queued again
