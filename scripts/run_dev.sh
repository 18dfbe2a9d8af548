#!/usr/bin/env bash
# Usage: scripts/run_dev.sh [ADDRESS:PORT] (what `make run` runs after migrating and loading the
# demo data; 127.0.0.1:8000 unless given)
#
# Serves the app and runs the task worker beside it, which sends the
# email (printed here, on the console, unless EMAIL_URL says otherwise). Ctrl-C stops both.
#
# The worker runs in a session of its own (setsid), so that the terminal's Ctrl-C reaches only
# the web server, and stopping the worker's whole process group also stops the child its
# autoreloader starts; the trap does that however this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

setsid "$PY" manage.py db_worker --interval 2 &
worker=$!

stop_worker() {
    trap - EXIT INT TERM
    # The worker finishes the email it is sending (SIGTERM), then exits.
    kill -TERM -- "-$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py runserver "${1:-127.0.0.1:8000}"
