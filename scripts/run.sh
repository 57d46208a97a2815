#!/usr/bin/env bash
# Serve Learning Desk and run its task worker side by side, with the rep reminders every hour; Ctrl-C stops them all.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST_PORT="${LEARNINGDESK_ADDR:-127.0.0.1:8000}"

$BIN/python manage.py db_worker --queue-name default &
worker=$!
$BIN/python manage.py runserver "$HOST_PORT" &
web=$!

# Training-deadline warnings and weekly digests, learners' reminders and lapsed waiting-list offers
# (to the console or file mail backend in development).
# Each email is sent once however often this runs; production runs it from cron or a systemd timer.
remind_hourly() {
  local nap=""
  trap 'kill "$nap" 2>/dev/null; exit 0' TERM INT
  while true; do
    PYTHON=$BIN/python scripts/hourly.sh || echo "an hourly job failed: trying again in an hour" >&2
    sleep 3600 &
    nap=$!
    wait "$nap"
  done
}
remind_hourly &
reminders=$!

stop() {
  trap - INT TERM EXIT
  kill "$web" "$worker" "$reminders" 2>/dev/null
  wait "$web" "$worker" "$reminders" 2>/dev/null
}
trap stop INT TERM EXIT

sleep 2
echo
echo "Learning Desk is running at http://$HOST_PORT/  (Ctrl-C stops it, the task worker and the reminders)"
echo "The emails it sends are written to var/mail/ (one file per sending), not sent."
$BIN/python manage.py seed_demo --print-logins
# Whichever of the two stops first brings the other down.
wait -n "$web" "$worker"
