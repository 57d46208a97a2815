#!/usr/bin/env bash
# Serve Learning Desk and run its task worker side by side; Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST_PORT="${LEARNINGDESK_ADDR:-127.0.0.1:8000}"

$BIN/python manage.py db_worker --queue-name default &
worker=$!
$BIN/python manage.py runserver "$HOST_PORT" &
web=$!

stop() {
  trap - INT TERM EXIT
  kill "$web" "$worker" 2>/dev/null
  wait "$web" "$worker" 2>/dev/null
}
trap stop INT TERM EXIT

sleep 2
echo
echo "Learning Desk is running at http://$HOST_PORT/  (Ctrl-C stops it and the task worker)"
$BIN/python manage.py seed_demo --print-logins
# Whichever of the two stops first brings the other down.
wait -n "$web" "$worker"
