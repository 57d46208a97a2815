#!/usr/bin/env bash
# The hourly jobs, once: training-deadline warnings and weekly digests, learners' reminders and lapsed waiting-list
# offers, survey reminders, mailings a crash interrupted, and the daily backup and retention run, each queued for the task worker when due. Each
# sends every email once (and backs up and applies retention once a day) however often it runs, so a missed or
# repeated hour is harmless.
# Run every hour by `make serve` and, in production, by the systemd timer (deploy/learningdesk-hourly.timer).
# Runs every job even if one fails, then exits non-zero, so that the failure shows in `systemctl status`.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
failed=()
for job in send_rep_reminders send_learning_emails send_survey_reminders "backup --if-due" "apply_retention --if-due" resume_mailings; do
  # shellcheck disable=SC2086 # word splitting wanted: "backup --if-due" is a command and its option
  "$PYTHON" manage.py $job || failed+=("$job")
done
if ((${#failed[@]})); then
  echo "hourly jobs failed: ${failed[*]} (each is tried again next hour)" >&2
  exit 1
fi
