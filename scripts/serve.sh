#!/usr/bin/env bash
# make serve: the production setup on this machine. PostgreSQL, settings.prod (through settings.serve: plain http
# on 127.0.0.1, see there why), collected static files with hashed names served by whitenoise, the shared cache in
# the database, gunicorn with two web processes, two task workers and the hourly jobs. Ctrl-C stops them all.
#
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/learningdesk_serve (created if missing)
#   SECRET_KEY    default: generated once into var/serve/secret_key
#   REDIS_URL     set it to share the cache through Redis instead of the database
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ADDRESS="${LEARNINGDESK_ADDR:-127.0.0.1:8000}"

export DJANGO_SETTINGS_MODULE=learningdesk.settings.serve
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/learningdesk_serve}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SITE_URL="${SITE_URL:-http://$ADDRESS}"

mkdir -p var/serve
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s var/serve/secret_key ]; then
    (umask 077 && $BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/serve/secret_key)
  fi
  SECRET_KEY="$(cat var/serve/secret_key)"
  export SECRET_KEY
fi

# The database, created the first time.
$BIN/python - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme.startswith("postgres"):
    name = url.path.lstrip("/")
    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}")
PY

# What every deployment does before starting the new code (docs/deploy.md, "Upgrades").
$BIN/python manage.py collectstatic --noinput -v 0
$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py createcachetable
$BIN/python manage.py seed_demo --if-empty

pids=()
$BIN/gunicorn -c deploy/gunicorn.conf.py --workers 2 --bind "$ADDRESS" learningdesk.wsgi &
pids+=($!)
for _ in 1 2; do
  $BIN/python manage.py db_worker --queue-name default &
  pids+=($!)
done

hourly() {
  local nap=""
  trap 'kill "$nap" 2>/dev/null; exit 0' TERM INT
  while true; do
    PYTHON=$BIN/python scripts/hourly.sh || true  # it says what failed; tried again in an hour
    sleep 3600 &
    nap=$!
    wait "$nap"
  done
}
hourly &
pids+=($!)

stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
# Ctrl-C (or a TERM) stops them all quietly; any other exit stops the rest too.
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

sleep 3
echo
echo "Learning Desk (production settings, PostgreSQL) is running at http://$ADDRESS/  (Ctrl-C stops it all)"
echo "Two web processes (gunicorn), two task workers, the hourly jobs. Logs below are JSON lines."
echo "Emails are written to var/mail/ unless EMAIL_HOST is set. Ready? curl http://$ADDRESS/readyz"
$BIN/python manage.py seed_demo --print-logins
# Whichever stops first brings the rest down (the EXIT trap). On Ctrl-C each has its own SIGINT and stops cleanly;
# a failure is worth a word.
set +e
wait -n "${pids[@]}"
status=$?
if ((status != 0)); then
  echo "A process of make serve failed (exit $status): stopping the rest." >&2
fi
exit "$status"
