#!/usr/bin/env bash
# make bench: the benchmarks on a fresh database of their own, never your demo data.
# SQLite: var/bench/bench.sqlite3, deleted first. PostgreSQL (DATABASE_URL set): a database called
# learningdesk_bench on the same server, dropped and created again.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/bench
if [ -n "${DATABASE_URL:-}" ]; then
  DATABASE_URL="$($BIN/python - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(os.environ["DATABASE_URL"])
server = urlunsplit(url._replace(path="/postgres"))
with psycopg.connect(server, autocommit=True) as connection:
    connection.execute("DROP DATABASE IF EXISTS learningdesk_bench")
    connection.execute("CREATE DATABASE learningdesk_bench")
print(urlunsplit(url._replace(path="/learningdesk_bench")))
PY
)"
  export DATABASE_URL
  echo "Benchmarking on PostgreSQL (database learningdesk_bench)"
else
  rm -f var/bench/bench.sqlite3 var/bench/bench.sqlite3-wal var/bench/bench.sqlite3-shm
  export SQLITE_PATH=var/bench/bench.sqlite3
  echo "Benchmarking on SQLite ($SQLITE_PATH)"
fi
export DEBUG=0
$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py bench "$@"
