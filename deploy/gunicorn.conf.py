"""gunicorn's settings for Learning Desk: `gunicorn -c deploy/gunicorn.conf.py learningdesk.wsgi`.

Threaded workers (gthread): pages are mostly Python (templates, queries) under the GIL, so processes are what use
the cores, but a few threads in each keep a slow page (a large survey's results) from holding up the quick ones
queued behind it. nginx in front reads each request whole and buffers each response, so a slow phone on a stall's
mobile signal never holds a worker. How many: see docs/deploy.md ("How many web processes").
"""

import os

# gunicorn's usual advice, two per core plus one: a worker waiting on PostgreSQL leaves its core to another.
# Each worker keeps one database connection open (CONN_MAX_AGE), which is what bounds this across machines.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "gthread"
# Measured with `make soak` on two cores: sync workers gave pages a p95 of 577 ms, most of it queueing behind the
# slowest pages; see docs/deploy.md. Each thread keeps its own database connection.
threads = int(os.environ.get("WEB_THREADS") or 4)
# Only the proxy should reach the app: on one server it is on the same machine (docs/deploy.md for several).
bind = os.environ.get("LEARNINGDESK_BIND", "127.0.0.1:8000")
# The slowest pages (a survey's findings as PDF, a large export) take seconds; a worker silent for two minutes is
# stuck, and gunicorn replaces it.
timeout = 120
graceful_timeout = 30
# A fresh worker now and then keeps memory flat (PDF fonts and caches grow); the jitter stops all restarting at once.
max_requests = 2000
max_requests_jitter = 200
# Not preloaded: `systemctl reload` (SIGHUP) then starts workers on the new code and retires the old ones gracefully,
# which is how an upgrade goes without dropping a request.
preload_app = False
proc_name = "learningdesk"
# No control socket (gunicornc): systemd manages the process, and two gunicorns on one machine would share its
# default path under $HOME.
control_socket_disable = True
# The heartbeat file in memory, not on a disk that may stall (gunicorn's advice for containers and VMs).
# Only an empty heartbeat file goes there, so a shared directory is no risk.
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# No access log: the app writes one JSON line per request itself, with its request id and timing
# (learningdesk/core/middleware.py). gunicorn's own lines (workers starting, stopping, timing out) go to stderr,
# as JSON too unless LOG_FORMAT=text, so that journald holds one format.
accesslog = None
errorlog = "-"
loglevel = "info"
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "learningdesk.core.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["stderr"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False, "qualname": "gunicorn.access"},
        },
    }
