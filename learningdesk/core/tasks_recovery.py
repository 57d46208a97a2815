"""Tasks left "running" by a task worker that died (killed, out of memory, its machine restarted).

django_tasks_db marks a task RUNNING when a worker claims it and never looks at it again: if the worker dies,
the task stays RUNNING for ever, and an import's page shows its progress bar for ever. Here a worker names
itself after its process (`this_worker_id`: machine, process namespace, process id and start time), so any
process on the same machine can tell for certain whether the worker that claimed a task is still alive. Our
`db_worker` (core/management/commands/db_worker.py) does this when it starts and every `CHECK_SECONDS` while it
runs; `manage.py recover_tasks --host NAME` does it for a machine that is gone for good.

An abandoned task is run again if its app registered it as safe to run again from the start (`recoverable`,
for example the member import: one transaction, so a dead worker's attempt left nothing) and it has not already
taken `MAX_ATTEMPTS` workers with it; otherwise it is marked failed with a plain reason, and its app's
`on_given_up` tells the user (the import page says the import failed and that nothing was changed). Tasks not
registered (the emails) are marked failed, never run twice: an email may have gone out before the worker died.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A worker restart or a database restart is passing; a task that has taken three workers down with it
# (a file too big for the machine's memory, say) would take the next one too.
MAX_ATTEMPTS = 3
CHECK_SECONDS = 30
HOST_LENGTH = 24  # of django_tasks_db's 64 characters for a worker id; the rest is at most 40


class WorkerStopped(Exception):
    """Recorded as a task's error when the worker running it stopped part way."""


@dataclass(frozen=True)
class Recovery:
    retry: bool  # safe to run again from the start after a worker died part way
    on_given_up: Callable[..., None] | None  # called with the task's arguments, in the transaction that fails it


_RECOVERIES: dict[str, Recovery] = {}


def recoverable(task: Task, *, retry: bool, on_given_up: Callable[..., None] | None = None) -> None:
    """Say what to do with `task` when the worker running it dies: run it again (`retry`) while attempts are
    left, and call `on_given_up(*args, **kwargs)` when it is failed instead."""
    _RECOVERIES[task.module_path] = Recovery(retry=retry, on_given_up=on_given_up)


# Who is running a task ----------------------------------------------------------------------------------


def _proc_stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the process name (state first), or None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _process_namespace() -> str:
    """Processes in another PID namespace (another container sharing the host name) have their own numbers."""
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:[").removesuffix("]")
    except OSError:
        return "0"


def _start_time(pid: int | str) -> str:
    """When the process started (clock ticks since boot): a process id used again names another process."""
    fields = _proc_stat(pid)
    return fields[19] if fields else "0"  # field 22 of stat; the state is field 3


def host_part(name: str) -> str:
    """A machine's name as a worker id holds it: a long name is cut short and told apart by a hash of it all."""
    if len(name) <= HOST_LENGTH:
        return name
    return f"{name[: HOST_LENGTH - 7]}~{hashlib.sha256(name.encode()).hexdigest()[:6]}"


def this_worker_id() -> str:
    """The worker id of this process: `host:namespace:pid:start`."""
    return f"{host_part(socket.gethostname())}:{_process_namespace()}:{os.getpid()}:{_start_time('self')}"


def _parse(worker_id: str) -> tuple[str, str, int, str] | None:
    parts = worker_id.rsplit(":", 3)
    if len(parts) != 4 or not parts[2].isdigit():
        return None  # not one of ours (django_tasks_db's own ids are random)
    host, namespace, pid, start = parts
    return host, namespace, int(pid), start


def is_alive(worker_id: str, *, gone_hosts: frozenset[str] = frozenset()) -> bool | None:
    """Whether the worker is still running: None when this process cannot tell (another machine or container)."""
    parsed = _parse(worker_id)
    if parsed is None:
        return None
    host, namespace, pid, start = parsed
    if host in {host_part(name) for name in gone_hosts}:
        return False
    if host != host_part(socket.gethostname()) or namespace != _process_namespace():
        return None
    fields = _proc_stat(pid)
    if fields is None:
        if start == "0":  # no /proc here (not Linux): ask the kernel
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return False
    # A zombie has died and waits for its parent to notice; a new process with the same id is another one.
    return fields[0] not in ("Z", "X") and fields[19] == start


# Recovering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    task_id: str
    task_path: str
    worker_id: str
    retried: bool  # True: back in the queue; False: marked failed


def recover_abandoned_tasks(
    *, gone_hosts: frozenset[str] = frozenset(), also_abandoned_by: str = ""
) -> list[Recovered]:
    """Run again, or fail, the tasks whose worker has died. Returns what it did.

    `gone_hosts`: machines whose workers are all known to be stopped. `also_abandoned_by`: a worker id whose
    RUNNING tasks are abandoned although it is alive (a worker that lost its database part way through a task).
    """
    running = DBTaskResult.objects.running().values_list("pk", "worker_ids", "started_at")
    abandoned = [
        (pk, worker_ids[-1], started_at)
        for pk, worker_ids, started_at in running
        if worker_ids
        and (worker_ids[-1] == also_abandoned_by or is_alive(worker_ids[-1], gone_hosts=gone_hosts) is False)
    ]
    done = []
    for pk, worker_id, started_at in abandoned:
        with transaction.atomic():
            # Only the claim we judged: another worker's recovery, or the same task claimed again, is left alone.
            found = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            )
            result = found.first()
            if result is not None:
                done.append(_recover(result, worker_id))
    return done


def _recovery_for(task_path: str) -> Recovery:
    with contextlib.suppress(ImportError):  # a task since removed from the code: failed, as unregistered
        import_string(task_path)  # importing the task's module registers its recovery
    return _RECOVERIES.get(task_path, Recovery(retry=False, on_given_up=None))


def _recover(result: DBTaskResult, worker_id: str) -> Recovered:
    recovery = _recovery_for(result.task_path)
    attempts = len(result.worker_ids)
    started = timezone.localtime(result.started_at).strftime("%d/%m/%Y %H:%M:%S") if result.started_at else "?"
    if recovery.retry and attempts < MAX_ATTEMPTS:
        result.status = TaskResultStatus.READY
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
        logger.warning(
            "Task %s (%s) was left running by worker %s, which stopped: queued again (attempt %d of %d)",
            result.pk,
            result.task_path,
            worker_id,
            attempts + 1,
            MAX_ATTEMPTS,
        )
        return Recovered(str(result.pk), result.task_path, worker_id, retried=True)
    reason = (
        f"The task worker running this task ({worker_id}, started {started}) stopped before it finished"
        + (f", {attempts} times." if recovery.retry else ".")
        + " Whatever it had not committed to the database was undone."
    )
    result.set_failed(WorkerStopped(reason))
    if recovery.on_given_up is not None:
        arguments: dict[str, Any] = result.args_kwargs or {}
        recovery.on_given_up(*arguments.get("args", []), **arguments.get("kwargs", {}))
    logger.error("Task %s (%s) failed: %s", result.pk, result.task_path, reason)
    return Recovered(str(result.pk), result.task_path, worker_id, retried=False)
