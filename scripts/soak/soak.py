"""`make soak`: Learning Desk's production setup under a national union's busiest hour, then faults on top.

On this machine only (every request goes to 127.0.0.1), bounded in time (SOAK_LOAD_SECONDS of load, 300 by
default, then about two and a half minutes of faults under the same load; SOAK_SCALE=1.7 drives 1.7 times the
assumed busiest hour):

1. A PostgreSQL server of the soak's own (initdb into a temporary folder, its own port), so that restarting it
   disturbs nobody else's database; the national demo (SOAK_PEOPLE, 100,000 people, with 100,000 survey responses
   and 100,000 sign-ups) loaded into `learningdesk_soak` (from var/soak/seed-*.dump after the first run, until the
   migrations or the demo builders change). Its emails go by SMTP to a sink of the soak's own.
2. The production settings (learningdesk.settings.prod) with gunicorn, two web processes (deploy/gunicorn.conf.py),
   and two task workers (`manage.py db_worker`). The soak plays the browsers *and* the TLS proxy in front
   (scripts/soak/browser.py): nothing in the app is loosened for it.
3. Load (locust, scripts/soak/locustfile.py): co-ordinators signing in and working, the public looking at
   activities and signing up, and a co-ordinator importing a file of SOAK_IMPORT_ROWS new members through the
   import's pages while it runs.
4. Faults, under the same load: a task worker killed (kill -9) while it imports a second file; a web process
   (a gunicorn worker) killed; PostgreSQL restarted.
5. Figures: throughput and p50/p95/p99 per page, errors, what each fault did. Written to var/soak/report.txt and
   merged into make bench's var/bench/results.json (soak_pages_p95_ms, soak_signup_p95_ms, soak_error_rate).

Exits 0 when every goal is met, 1 (naming what was missed) otherwise, 2 when the soak could not run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import json
import math
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import as_over_https, behind_the_proxy, form_fields, post_headers  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
VAR = Path(os.environ.get("LEARNINGDESK_VAR_DIR", ROOT / "var"))
OUT = VAR / "soak"
RESULTS = VAR / "bench" / "results.json"  # make bench's (core/bench.py: write_results merges)
DATABASE = "learningdesk_soak"
PASSWORD = "learning-desk-demo"  # noqa: S105 (the demo logins', org/demo.py)
IMPORTER = "coordinator@example.org"  # Derby's co-ordinator imports Derby's members


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


LOAD_SECONDS = envint("SOAK_LOAD_SECONDS", 300)
WARM_UP_SECONDS = 20  # users arriving, connections and caches warming: not counted in the load's figures
PEOPLE = envint("SOAK_PEOPLE", 100_000)
IMPORT_ROWS = envint("SOAK_IMPORT_ROWS", 20_000)
# The faults come one after another once the load phase ends, each watched on its own for this long (the worker's
# takes as long as a second import and its recovery); the load stops after the last. At most FAULTS_SECONDS.
WATCH_WEB_SECONDS, WATCH_DATABASE_SECONDS = 30, 45
FAULTS_SECONDS = 300

# The busiest hour of a national union (PRODUCT.md "Scale": hundreds of branches, 1,000+ learner reps, 20,000+
# learners a year), as requests per second. Staff: a few hundred co-ordinators and 1,000 reps; in the busiest hour
# (a weekday lunchtime in the autumn enrolment or Learning at Work Week) a third of the co-ordinators and a fifth
# of the reps are at work on it at once, each opening a page every 30 seconds. Public: a national email about the
# new programme to a million members; 1% of them open its link within the hour and look at two pages, and one in
# ten of those signs up. (A year's 20,000 learners signing up twice each average 0.003 sign-ups a second: the
# campaign hour is a hundred times that.)
ASSUMPTION = {
    "co-ordinators": 300,
    "reps": 1_000,
    "staff at work in the busiest hour": 300 // 3 + 1_000 // 5,
    "seconds between a staff member's pages": 30,
    "public visitors in the hour": 1_000_000 // 100,
    "pages per visitor": 2,
    "sign-ups in the hour": 1_000_000 // 100 // 10,
}
ASSUMED_STAFF_PER_S = (
    ASSUMPTION["staff at work in the busiest hour"] / ASSUMPTION["seconds between a staff member's pages"]
)
ASSUMED_PUBLIC_PER_S = (
    ASSUMPTION["public visitors in the hour"] * ASSUMPTION["pages per visitor"] + ASSUMPTION["sign-ups in the hour"]
) / 3600
ASSUMED_SIGN_UPS_PER_S = ASSUMPTION["sign-ups in the hour"] / 3600

# What locust drives (scripts/soak/locustfile.py): the assumption, SOAK_SCALE times (1 by default; 1.7 showed where
# two web processes on this 2-core machine run out: about 20 requests a second). Each co-ordinator opens a page every
# two seconds; each visitor stream makes a visit every three seconds or so: a look (an activity page, now and then
# its unit's page: 1.3 requests) two times in three, a sign-up (activity page, form, POST: 3 requests) one in three.
# That is more sign-ups than the assumption's, so that their p95 rests on a few hundred of them.
SCALE = float(os.environ.get("SOAK_SCALE", "1"))
STAFF_USERS = round(20 * SCALE)
STAFF_PAGES_PER_S = 0.5
PUBLIC_USERS = round(10 * SCALE)
PUBLIC_VISITS_PER_S = 0.31
DRIVEN_STAFF_PER_S = STAFF_USERS * STAFF_PAGES_PER_S
DRIVEN_PUBLIC_PER_S = PUBLIC_USERS * PUBLIC_VISITS_PER_S * (2 / 3 * 1.3 + 1 / 3 * 3)  # requests a visit, on average
DRIVEN_SIGN_UPS_PER_S = PUBLIC_USERS * PUBLIC_VISITS_PER_S / 3

GOAL_PAGES_P95_MS = 300
GOAL_SIGN_UP_P95_MS = 500
SIGN_UP_POST = "sign-up POST"
NOT_PAGES = {SIGN_UP_POST, "sign in"}  # POSTs: the pages' figure is of pages people wait to see


class SoakError(Exception):
    """The soak could not be run (not a missed goal)."""


def say(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


# PostgreSQL of the soak's own ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SoakError("No PostgreSQL server programs (initdb, pg_ctl): install Debian's postgresql package.")


@dataclass
class Postgres:
    """A throwaway PostgreSQL server on 127.0.0.1: its own folder, its own port."""

    bin: Path = field(default_factory=_postgres_bin)
    port: int = field(default_factory=_free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="learningdesk-soak-pg-")))

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        # initdb refuses to run as root: as root, the server runs as the postgres user, as Debian's does.
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*as_user, *args], check=True, capture_output=True, text=True)  # noqa: S603

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        data = self.folder / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        self._pg_ctl("start")

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
            "-l", str(self.folder / "postgres.log"), "-m", "fast", "-w", action,
        )  # fmt: skip

    def restart(self) -> float:
        """Restart as an administrator would (`-m fast`: connections are closed); seconds it took."""
        started = time.monotonic()
        self._pg_ctl("restart")
        return time.monotonic() - started

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._pg_ctl("stop")
        with contextlib.suppress(OSError):
            shutil.copy(self.folder / "postgres.log", OUT / "postgres.log")
        shutil.rmtree(self.folder, ignore_errors=True)

    def query(self, sql: str, *params: object) -> list[tuple]:
        """A query on a connection of its own (so a restart between two queries harms neither)."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []


# Where the app's emails go ------------------------------------------------------------------------------------


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server on 127.0.0.1 that takes every email and keeps only a count: the app makes and sends its
    emails (sign-up confirmations, reminders) through its real SMTP backend, and they go no further."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Smtp)
        self.received = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, name="mail-sink", daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Smtp(socketserver.StreamRequestHandler):
    server: MailSink

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 soak ESMTP")
        in_message = False
        for line in self.rfile:
            if in_message:
                if line.rstrip(b"\r\n") == b".":
                    in_message = False
                    with self.server.lock:
                        self.server.received += 1
                    self.reply("250 OK")
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_message = True
                self.reply("354 End data with <CR><LF>.<CR><LF>")
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


# The app -------------------------------------------------------------------------------------------------------


def manage(*args: str, log: str = "setup.log") -> None:
    with (OUT / log).open("a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        finished = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    if finished.returncode:
        raise SoakError(f"manage.py {' '.join(args)} failed (exit {finished.returncode}): see {OUT / log}")


def _seed_key() -> str:
    """The demo data depends on the migrations and the demo builders: a new cached copy when either changes."""
    digest = hashlib.sha256(str(PEOPLE).encode())
    sources = sorted(ROOT.glob("learningdesk/*/migrations/*.py")) + sorted(ROOT.glob("learningdesk/*/demo.py"))
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_demo(postgres: Postgres) -> None:
    postgres_server = postgres.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    dump = OUT / f"seed-{_seed_key()}.dump"
    if dump.exists():
        say(f"Loading the national demo ({PEOPLE:,} people) from {dump.name}...")
        subprocess.run(  # noqa: S603
            [str(postgres.bin / "pg_restore"), "--no-owner", "-j", "2", "-d", postgres.url, str(dump)], check=True
        )
        postgres.query("ANALYZE")  # pg_restore brings no planner statistics
        manage("migrate", "--noinput", "-v", "0")
        manage("createcachetable")
        return
    say(f"Building the national demo ({PEOPLE:,} people; a few minutes, once: kept in {dump.name})...")
    manage("migrate", "--noinput", "-v", "0")
    manage("createcachetable")
    manage("seed_demo", "--size", "national", "--people", str(PEOPLE))
    for old in OUT.glob("seed-*.dump"):
        old.unlink()
    partial = dump.with_suffix(".partial")
    subprocess.run([str(postgres.bin / "pg_dump"), "-Fc", "-Z", "1", "-f", str(partial), postgres.url], check=True)  # noqa: S603
    partial.replace(dump)


@dataclass
class App:
    port: int
    gunicorn: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, args: list[str], log: str) -> subprocess.Popen:
        out = (OUT / log).open("a")
        self.logs.append(out)
        return subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603

    def start(self) -> None:
        self.gunicorn = self._start(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "learningdesk.wsgi"],
            "web.log",
        )  # fmt: skip
        self.workers = [self.start_worker() for _ in range(2)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200 and len(self.web_pids()) == 2:
                    return
            if self.gunicorn.poll() is not None:
                break
            time.sleep(0.5)
        raise SoakError(f"gunicorn did not start: see {OUT / 'web.log'}")

    def start_worker(self) -> subprocess.Popen:
        return self._start([PYTHON, "manage.py", "db_worker", "--queue-name", "default"], "workers.log")

    def web_pids(self) -> list[int]:
        """The gunicorn workers (the master's children): the processes that answer requests."""
        assert self.gunicorn is not None
        return children(self.gunicorn.pid)

    def stop(self) -> None:
        processes = [process for process in [self.gunicorn, *self.workers] if process is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for out in self.logs:
            out.close()


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


# A co-ordinator importing members through the pages ---------------------------------------------------------------


def member_file(path: Path, *, rows: int, prefix: str) -> None:
    """New members for Derby, as a membership system exports them (numbers nobody has yet)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Member No", "Forename", "Surname", "E-mail", "Date Joined"])
        for number in range(rows):
            writer.writerow(
                [f"{prefix}{number:06d}", "Sam", f"Soak{number}", f"{prefix.lower()}{number}@example.net", "01/09/2024"]
            )


@dataclass
class Import:
    """An import checked through the pages, waiting for the co-ordinator to confirm it."""

    pk: int
    checked_seconds: float


class Importer:
    """Derby's co-ordinator, in a browser of their own: upload, match columns, check, confirm."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.session = requests.Session()
        behind_the_proxy(self.session, address="10.250.0.1")
        self.host = f"127.0.0.1:{app.port}"

    def _post(self, url: str, data: dict[str, str], files: dict[str, Any] | None = None) -> requests.Response:
        as_over_https(self.session)
        response = self.session.post(
            f"{self.app.url}{url}", data=data, files=files, allow_redirects=False, timeout=120,
            headers=post_headers(host=self.host, page=url),
        )  # fmt: skip
        if response.status_code != 302:
            raise SoakError(f"POST {url} answered {response.status_code}, not a redirect")
        return response

    def _get(self, url: str) -> str:
        as_over_https(self.session)
        response = self.session.get(f"{self.app.url}{url}", allow_redirects=False, timeout=60)
        if response.status_code != 200:
            raise SoakError(f"GET {url} answered {response.status_code}")
        return response.text

    def sign_in(self, targets: dict[str, Any]) -> None:
        url = targets["sign_in"]
        self._post(url, {**form_fields(self._get(url)), "username": IMPORTER, "password": PASSWORD})

    def upload_and_check(self, targets: dict[str, Any], path: Path, postgres: Postgres) -> Import:
        """Through the pages up to the check's result; returns when the import waits for confirmation."""
        upload = targets["imports"]["upload"]
        fields = form_fields(self._get(upload))
        with path.open("rb") as file:
            response = self._post(upload, fields, files={"file": (path.name, file, "text/csv")})
        columns = response.headers["Location"]
        pk = int(re.search(r"/(\d+)/columns/", columns).group(1))  # type: ignore[union-attr]
        started = time.monotonic()
        self._post(columns, form_fields(self._get(columns)))
        wait_for(lambda: _import_status(postgres, pk) in ("checked", "failed"), seconds=240, what="the check")
        if _import_status(postgres, pk) != "checked":
            raise SoakError(f"The check of import {pk} failed: {_import_row(postgres, pk)}")
        return Import(pk=pk, checked_seconds=time.monotonic() - started)

    def confirm(self, pk: int) -> None:
        detail = f"/people/imports/{pk}/"
        confirm = f"{detail}confirm/"
        self._post(confirm, form_fields(self._get(detail), action=confirm))

    def page_text(self, pk: int) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", self._get(f"/people/imports/{pk}/")).split())


def _import_row(postgres: Postgres, pk: int) -> tuple:
    rows = postgres.query("SELECT status, created, error FROM imports_memberimport WHERE id = %s", pk)
    return rows[0] if rows else ("", 0, "")


def _import_status(postgres: Postgres, pk: int) -> str:
    with contextlib.suppress(psycopg.Error):
        return _import_row(postgres, pk)[0]
    return ""


def wait_for(condition: Callable[[], Any], *, seconds: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(psycopg.Error, requests.RequestException):
            value = condition()
            if value:
                return value
        if time.monotonic() > deadline:
            raise SoakError(f"Waited {seconds:.0f} s for {what}")
        time.sleep(every)


def people_count(postgres: Postgres, prefix: str) -> int:
    """People with the membership numbers of one import's file (the public signing up adds people too)."""
    return postgres.query("SELECT count(*) FROM org_person WHERE membership_number LIKE %s", f"{prefix}%")[0][0]


# The load and the faults ------------------------------------------------------------------------------------------


@dataclass
class Timeline:
    """What happened when (seconds since the load began), and what each fault showed."""

    started: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.time() - self.started

    def note(self, message: str) -> None:
        self.events.append((self.now(), message))
        say(f"t={self.now():6.1f}s  {message}")

    def sleep_until(self, at: float) -> None:
        time.sleep(max(0.0, at - self.now()))


def clean_import(app: App, postgres: Postgres, targets: dict[str, Any], timeline: Timeline) -> None:
    """The import that runs during the load phase: checked and imported while everyone else works."""
    importer = Importer(app)
    importer.sign_in(targets)
    path = OUT / "members-clean.csv"
    member_file(path, rows=IMPORT_ROWS, prefix="SA")
    before = people_count(postgres, "SA")
    timeline.note(f"Import 1: uploading {IMPORT_ROWS:,} new members through the import's pages")
    found = importer.upload_and_check(targets, path, postgres)
    timeline.note(f"Import 1: checked in {found.checked_seconds:.1f} s; confirming")
    confirmed = time.monotonic()
    importer.confirm(found.pk)
    wait_for(lambda: _import_status(postgres, found.pk) in ("done", "failed"), seconds=240, what="import 1")
    status, created, error = _import_row(postgres, found.pk)
    after = people_count(postgres, "SA")
    timeline.findings["import during the load"] = {
        "rows": IMPORT_ROWS,
        "check_seconds": round(found.checked_seconds, 1),
        "import_seconds": round(time.monotonic() - confirmed, 1),
        "status": status,
        "people_added": after - before,
    }
    timeline.note(f"Import 1: {status}, {created:,} added ({after - before:,} more people) {error}".strip())
    if status != "done" or after - before != IMPORT_ROWS:
        timeline.misses.append(f"The import during the load ended {status} with {after - before} people added")


def kill_worker_mid_import(app: App, postgres: Postgres, targets: dict[str, Any], timeline: Timeline) -> None:
    """kill -9 the task worker running an import; it must leave nothing, and the import must end once, or fail
    saying so on its page."""
    importer = Importer(app)
    importer.sign_in(targets)
    path = OUT / "members-killed.csv"
    member_file(path, rows=IMPORT_ROWS, prefix="SB")
    found = importer.upload_and_check(targets, path, postgres)
    before = people_count(postgres, "SB")
    importer.confirm(found.pk)
    task_sql = (
        "SELECT id, worker_ids, started_at FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s "
        "AND status = 'RUNNING' AND args_kwargs->'kwargs'->>'import_id' = %s"
    )
    running = wait_for(
        lambda: postgres.query(task_sql, "%apply_member_import", str(found.pk)),
        seconds=60,
        what="a worker to take import 2",
    )
    task_id, worker_ids, _started = running[0]
    pid = int(worker_ids[-1].rsplit(":", 2)[1])
    if pid not in [worker.pid for worker in app.workers]:
        raise SoakError(f"Import 2 is run by worker {worker_ids[-1]}, not one of the soak's")
    inside = wait_inside_a_transaction(postgres, pid)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    timeline.note(f"FAULT: kill -9 task worker {pid} inside import 2's transaction ({inside}; task {task_id})")
    time.sleep(0.5)
    status, _created, _error = _import_row(postgres, found.pk)
    half_written = people_count(postgres, "SB") - before
    timeline.note(f"  right after: import 2 is {status!r}, {half_written} people added (nothing half-written: 0)")
    if status != "importing":
        timeline.misses.append(f"The worker was killed too late: import 2 was already {status}; run the soak again")
    wait_for(
        lambda: _import_status(postgres, found.pk) in ("done", "failed"), seconds=180, what="import 2 to be recovered"
    )
    recovered_seconds = time.monotonic() - killed_at
    status, created, error = _import_row(postgres, found.pk)
    added = people_count(postgres, "SB") - before
    task_sql = "SELECT worker_ids, status FROM django_tasks_database_dbtaskresult WHERE id = %s"
    # The import is marked done inside its transaction; the task a moment later, once it has tidied up.
    attempts = wait_for(
        lambda: [row for row in postgres.query(task_sql, task_id) if row[1] in ("SUCCESSFUL", "FAILED")],
        seconds=60,
        what="import 2's task to finish",
    )
    page = importer.page_text(found.pk)
    timeline.note(
        f"  import 2 {status} {recovered_seconds:.0f} s after the kill: {created:,} added, {added:,} more people, "
        f"task {attempts[0][1]} after {len(attempts[0][0])} workers"
    )
    timeline.findings["task worker killed mid-import"] = {
        "people_added_right_after_the_kill": half_written,
        "import_status": status,
        "people_added_in_the_end": added,
        "rows": IMPORT_ROWS,
        "seconds_until_finished": round(recovered_seconds, 1),
        "task_attempts": len(attempts[0][0]),
        "task_status": attempts[0][1],
        "import_page_says": "Imported" if status == "done" else error,
    }
    if status == "importing" and half_written != 0:
        timeline.misses.append(f"Killing the worker left {half_written} people half-imported")
    if status == "done" and added != IMPORT_ROWS:
        timeline.misses.append(f"Import 2 added {added} people for {IMPORT_ROWS} rows (duplicates or losses)")
    if status == "failed" and ("stopped" not in error or added != 0):
        timeline.misses.append(f"Import 2 failed without saying why or with changes: {error!r}, {added} added")
    if status == "done" and "Imported" not in page:
        timeline.misses.append("Import 2's page does not say it was imported")
    # systemd would start the worker again (Restart=always): so does the soak, for the rest of the run.
    app.workers = [worker for worker in app.workers if worker.pid != pid]
    app.workers.append(app.start_worker())
    timeline.note("  a new task worker started in its place (as systemd's Restart=always would)")


def database_ports(pid: int) -> list[int]:
    """The local ports of a process's TCP connections: PostgreSQL knows its clients by them (client_port)."""
    sockets = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(descriptor)
            if target.startswith("socket:["):
                sockets.add(target[len("socket:[") : -1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in sockets:
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def wait_inside_a_transaction(postgres: Postgres, pid: int) -> str:
    """Wait until the worker's database session is in a transaction that has written something (the import's: on a
    quiet machine 20,000 rows take a second, so a fixed delay could miss it); says how far in."""
    sql = (
        "SELECT round(extract(epoch FROM clock_timestamp() - xact_start) * 1000) FROM pg_stat_activity "
        "WHERE client_port = ANY(%s) AND backend_xid IS NOT NULL"
    )
    deadline = time.monotonic() + 60
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            found = connection.execute(sql, [database_ports(pid)]).fetchone()
            if found:
                return f"{found[0]:.0f} ms into it"
            time.sleep(0.01)
    raise SoakError(f"Task worker {pid} never began import 2's transaction")


def kill_web_process(app: App, timeline: Timeline) -> dict[str, Any]:
    before = app.web_pids()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = timeline.now()
    timeline.note(f"FAULT: kill -9 web process {victim} (gunicorn worker; the master is {app.gunicorn.pid})")  # type: ignore[union-attr]

    def replaced_it() -> list[int]:
        pids = app.web_pids()
        return pids if len(pids) == 2 and victim not in pids else []

    replaced = wait_for(replaced_it, seconds=30, what="gunicorn to replace the web process")
    timeline.note(f"  gunicorn replaced it in {timeline.now() - killed:.1f} s: web processes {replaced}")
    return {"at": killed, "replaced_after_s": round(timeline.now() - killed, 1)}


def restart_postgres(app: App, postgres: Postgres, timeline: Timeline) -> dict[str, Any]:
    web_before, workers_before = app.web_pids(), [worker.pid for worker in app.workers]
    at = timeline.now()
    timeline.note("FAULT: PostgreSQL restarted (pg_ctl restart -m fast)")
    took = postgres.restart()
    timeline.note(f"  PostgreSQL answering again after {took:.1f} s")
    # The app must carry on by itself: the same processes, and a task queued now must run.
    time.sleep(3)
    manage("send_rep_reminders", "--enqueue", log="faults.log")
    ran = wait_for(
        lambda: postgres.query(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s "
            "AND status IN ('SUCCESSFUL', 'FAILED') AND enqueued_at > now() - interval '60 seconds'",
            "%send_rep_reminders",
        ),
        seconds=60,
        what="a task queued after the restart to be run",
    )[0][0]
    same_web = app.web_pids() == web_before
    same_workers = all(alive(pid) for pid in workers_before)
    timeline.note(
        f"  a task queued after the restart ran ({ran}); web processes {'unchanged' if same_web else 'CHANGED'}, "
        f"task workers {'still running' if same_workers else 'GONE'}"
    )
    if not same_workers:
        timeline.misses.append("A task worker did not survive the PostgreSQL restart")
    if ran != "SUCCESSFUL":
        timeline.misses.append(f"The task queued after the PostgreSQL restart ended {ran}")
    return {
        "at": at,
        "restart_seconds": round(took, 1),
        "same_web_processes": same_web,
        "workers_survived": same_workers,
    }


# Figures ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    at: float  # when it was sent, in seconds since the load began
    name: str
    ms: float
    ok: bool
    status: int
    error: str

    @property
    def ended(self) -> float:
        return self.at + self.ms / 1000


def read_requests(path: Path, started: float) -> list[Request]:
    found = []
    for line in path.read_text().splitlines():
        at, _method, name, ms, ok, status, error = (line.split("\t") + [""] * 7)[:7]
        found.append(Request(float(at) - started, name, float(ms), ok == "1", int(status or 0), error))
    return found


def percentile(values: list[float], share: float) -> float:
    """By nearest rank, as make bench does (core/bench.py p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def page_table(requests_: list[Request], seconds: float) -> list[str]:
    names = sorted({request.name for request in requests_}, key=lambda name: (name in NOT_PAGES, name))
    rows = [("page", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "errors")]
    for name in [*names, "all"]:
        chosen = [request for request in requests_ if name in ("all", request.name)]
        times = [request.ms for request in chosen]
        rows.append(
            (
                name,
                f"{len(chosen):,}",
                f"{len(chosen) / seconds:.1f}",
                f"{percentile(times, 0.5):.0f}",
                f"{percentile(times, 0.95):.0f}",
                f"{percentile(times, 0.99):.0f}",
                f"{sum(not request.ok for request in chosen):,}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return lines


def errors_after(requests_: list[Request], at: float, *, until: float) -> dict[str, Any]:
    """The requests answered after a fault, until the next (those in flight at the fault included): how many
    failed, how, and from the fault until the last failure."""
    window = [request for request in requests_ if at <= request.ended < until]
    failed = [request for request in window if not request.ok]
    kinds: dict[str, int] = {}
    for request in failed:
        kind = f"{request.status or 'no answer'} {request.error[:60]}".strip()
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "requests": len(window),
        "failed": len(failed),
        "errors_for_s": round(max(request.ended for request in failed) - at, 1) if failed else 0.0,
        "kinds": kinds,
    }


def time_in_the_app(started: float) -> list[float]:
    """Milliseconds each request of the load phase spent inside the app, from its own log lines (core/middleware.py):
    a request's time at the client less this is time waiting for a free web process."""
    durations = []
    for line in (OUT / "web.log").read_text().splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entry = json.loads(line)
            at = datetime.datetime.fromisoformat(entry["time"]).timestamp() - started
            if entry.get("logger") == "learningdesk.requests" and WARM_UP_SECONDS <= at < LOAD_SECONDS:
                durations.append(float(entry["duration_ms"]))
    return durations


# Running it -----------------------------------------------------------------------------------------------------


def environment(postgres: Postgres, port: int, mail: MailSink) -> dict[str, str]:
    """The production settings, as the deploy's environment file sets them (deploy/), for this machine."""
    return {
        "DJANGO_SETTINGS_MODULE": "learningdesk.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": postgres.url,
        # The soak is also the proxy: the visitors' addresses come in X-Forwarded-For, believed from 127.0.0.1 only,
        # so that the sign-up form's limit of 20 an address counts each visitor, not the proxy (core/middleware.py).
        "TRUSTED_PROXIES": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "STATIC_ROOT": str(OUT / "static"),
        # Emails are made and sent by SMTP to the soak's own mail sink: nothing leaves the machine.
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "LOG_FORMAT": "json",
    }


def run() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in ("requests.tsv", "setup.log", "web.log", "workers.log", "faults.log", "locust.log"):
        (OUT / stale).unlink(missing_ok=True)
    postgres = Postgres()
    port = _free_port()
    mail = MailSink()
    os.environ.update(environment(postgres, port, mail))
    app = App(port=port)
    locust: subprocess.Popen | None = None
    timeline = Timeline()
    try:
        say(f"PostgreSQL of the soak's own on 127.0.0.1:{postgres.port} ({postgres.folder})")
        postgres.start()
        load_demo(postgres)
        manage("collectstatic", "--noinput", "-v", "0")
        targets = soak_targets()
        (OUT / "targets.json").write_text(json.dumps(targets, indent=1))
        app.start()
        say(f"Production settings, gunicorn with 2 web processes and 2 task workers on {app.url}")
        print_plan()
        total = LOAD_SECONDS + FAULTS_SECONDS
        locust_env = {
            **os.environ,
            "SOAK_TARGETS": str(OUT / "targets.json"),
            "SOAK_REQUEST_LOG": str(OUT / "requests.tsv"),
            "SOAK_STAFF_USERS": str(STAFF_USERS),
            "SOAK_STAFF_PAGES_PER_S": str(STAFF_PAGES_PER_S),
            "SOAK_PUBLIC_USERS": str(PUBLIC_USERS),
            "SOAK_PUBLIC_VISITS_PER_S": str(PUBLIC_VISITS_PER_S),
        }
        users = STAFF_USERS + PUBLIC_USERS
        timeline.started = time.time()
        with (OUT / "locust.log").open("w") as locust_log:
            locust = subprocess.Popen(  # noqa: S603
                [str(BIN / "locust"), "-f", str(ROOT / "scripts/soak/locustfile.py"), "--headless", "--only-summary",
                 "-H", app.url, "-u", str(users), "-r", str(max(1, users // 10)), "--run-time", f"{total}s",
                 "--stop-timeout", "10", "--exit-code-on-error", "0"],
                cwd=ROOT, env=locust_env, stdout=locust_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        timeline.note(f"Load: {users} simulated users for {LOAD_SECONDS} s, then the faults")
        timeline.sleep_until(30)
        clean_import(app, postgres, targets, timeline)
        timeline.sleep_until(LOAD_SECONDS)
        # The figures depend on what else the machine is doing: say how busy it was.
        timeline.findings["machine"] = {"cores": os.cpu_count(), "load_average_1_5_15_min": os.getloadavg()}
        timeline.note("Faults begin (the load goes on)")
        kill_worker_mid_import(app, postgres, targets, timeline)
        time.sleep(10)
        web = kill_web_process(app, timeline)
        timeline.sleep_until(web["at"] + WATCH_WEB_SECONDS)
        database = restart_postgres(app, postgres, timeline)
        timeline.sleep_until(database["at"] + WATCH_DATABASE_SECONDS)
        web["until"], database["until"] = database["at"], timeline.now()
        timeline.note("Stopping the load")
        locust.send_signal(signal.SIGTERM)  # locust stops its users and exits
        if locust.wait(timeout=60) != 0:
            raise SoakError(f"locust failed: see {OUT / 'locust.log'}")
        timeline.findings["emails"] = {"sent to the mail sink": mail.received}
        return report(timeline, web, database)
    except SoakError as error:
        say(f"The soak could not finish: {error}")
        return 2
    except Exception:
        traceback.print_exc()
        say("The soak could not finish: the driver failed (above)")
        return 2
    finally:
        if locust is not None and locust.poll() is None:
            locust.terminate()
            locust.wait()
        app.stop()
        postgres.stop()
        say(f"Logs and the request log are in {OUT}")


def soak_targets() -> dict[str, Any]:
    """The pages to visit, from the app itself (learningdesk/core/soak.py), in a process of its own."""
    code = "import json; from learningdesk.core.soak import targets; print(json.dumps(targets()))"
    command = [PYTHON, "manage.py", "shell", "-v", "0", "-c", code]
    found = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if found.returncode:
        raise SoakError(f"Listing the pages failed: {found.stderr[-2000:]}")
    return json.loads(found.stdout.strip().splitlines()[-1])


def print_plan() -> None:
    say("Assumed busiest hour of a national union:")
    for name, value in ASSUMPTION.items():
        print(f"    {name}: {value:,}")
    assumed = ASSUMED_STAFF_PER_S + ASSUMED_PUBLIC_PER_S
    driven = DRIVEN_STAFF_PER_S + DRIVEN_PUBLIC_PER_S
    print(
        f"    = {ASSUMED_STAFF_PER_S:.1f} staff pages/s + {ASSUMED_PUBLIC_PER_S:.1f} public requests/s "
        f"({ASSUMED_SIGN_UPS_PER_S:.2f} sign-ups/s) = {assumed:.1f} requests/s"
    )
    print(
        f"    Driven: {STAFF_USERS} co-ordinators at {STAFF_PAGES_PER_S} pages/s each = {DRIVEN_STAFF_PER_S:.1f}/s, "
        f"{PUBLIC_USERS} visitor streams = {DRIVEN_PUBLIC_PER_S:.1f}/s ({DRIVEN_SIGN_UPS_PER_S:.2f} sign-ups/s): "
        f"{driven:.1f} requests/s, {driven / assumed:.1f} times the assumption",
        flush=True,
    )


def report(timeline: Timeline, web: dict[str, Any], database: dict[str, Any]) -> int:
    requests_ = read_requests(OUT / "requests.tsv", timeline.started)
    load = [request for request in requests_ if WARM_UP_SECONDS <= request.at < LOAD_SECONDS]
    seconds = LOAD_SECONDS - WARM_UP_SECONDS
    pages = [request.ms for request in load if request.name not in NOT_PAGES]
    sign_ups = [request.ms for request in load if request.name == SIGN_UP_POST]
    errors = sum(not request.ok for request in load)
    inside = time_in_the_app(timeline.started)
    figures = {
        "soak_pages_p95_ms": round(percentile(pages, 0.95), 1),
        "soak_signup_p95_ms": round(percentile(sign_ups, 0.95), 1),
        "soak_error_rate": round(errors / len(load), 5) if load else 1.0,
        "soak_requests_per_s": round(len(load) / seconds, 1),
    }
    web |= errors_after(requests_, web["at"], until=web.pop("until"))
    database |= errors_after(requests_, database["at"], until=database.pop("until"))
    lines = [
        f"Load: {seconds} s (after {WARM_UP_SECONDS} s of warm-up), {len(load):,} requests, "
        f"{len(load) / seconds:.1f} requests/s, {errors} errors",
        *page_table(load, seconds),
        "",
        f"Pages p95 {figures['soak_pages_p95_ms']:.0f} ms (goal < {GOAL_PAGES_P95_MS}), sign-up POST p95 "
        f"{figures['soak_signup_p95_ms']:.0f} ms (goal < {GOAL_SIGN_UP_P95_MS}), "
        f"error rate {figures['soak_error_rate']:.2%}",
        f"Time inside the app (its own log lines, every request): p50 {percentile(inside, 0.5):.0f} ms, "
        f"p95 {percentile(inside, 0.95):.0f} ms, p99 {percentile(inside, 0.99):.0f} ms; the rest of the time "
        "above was spent waiting for one of the two web processes.",
        "",
        "Faults:",
        *(f"  {name}: {json.dumps(values)}" for name, values in timeline.findings.items()),
        f"  web process killed: {json.dumps(web)}",
        f"  PostgreSQL restarted: {json.dumps(database)}",
        "",
        "Timeline (seconds since the load began):",
        *(f"  {at:6.1f}  {message}" for at, message in timeline.events),
    ]
    misses = list(timeline.misses)
    if errors:
        misses.append(f"{errors} errors under load")
    if figures["soak_pages_p95_ms"] >= GOAL_PAGES_P95_MS:
        misses.append(f"pages p95 {figures['soak_pages_p95_ms']:.0f} ms")
    if figures["soak_signup_p95_ms"] >= GOAL_SIGN_UP_P95_MS:
        misses.append(f"sign-up p95 {figures['soak_signup_p95_ms']:.0f} ms")
    if web["errors_for_s"] > 10 or database["errors_for_s"] > 30:
        misses.append("the app took too long to answer again after a fault")
    lines += ["", "Goals met." if not misses else "Goals missed: " + "; ".join(misses)]
    text = "\n".join(lines)
    print(text, flush=True)
    (OUT / "report.txt").write_text(text + "\n")
    write_results(figures)
    say(f"Figures merged into {RESULTS}")
    return 1 if misses else 0


def write_results(figures: dict[str, float]) -> None:
    """Into make bench's results, with bench's own merge (core/bench.py write_results)."""
    code = (
        "import json, sys; from pathlib import Path; from learningdesk.core.bench import write_results; "
        f"write_results(Path({str(RESULTS)!r}), json.loads(sys.stdin.read()))"
    )
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        input=json.dumps(figures),
        text=True,
        check=True,
    )


if __name__ == "__main__":
    sys.exit(run())
