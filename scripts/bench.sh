#!/usr/bin/env bash
# Usage: scripts/bench.sh   (or `make bench`)
#
# Times the busiest pages on an organisation's worth of data, as production would serve them:
# a throwaway PostgreSQL (scripts/with_postgres.sh), `seed_demo --scale $BENCH_SCALE` (default
# 200: 20,000 sessions, 300,000 register marks), and gunicorn on 127.0.0.1 with DEBUG off and
# persistent database connections and two-factor on. bench/run.py then loads each page one user at
# a time, in turns with the floor, and ten at once, and prints the table; bench/overhead.py lists
# the queries every signed-in page repeats. gunicorn and PostgreSQL are stopped however the run ends.
#
# Settings: BENCH_SCALE (groups, default 200), BENCH_WORKERS (gunicorn workers, default 3),
# BENCH_ARGS (passed to bench/run.py, e.g. "--requests 30 --seconds 10").
set -euo pipefail
cd "$(dirname "$0")/.."

# First pass: start PostgreSQL, and come back in under it.
if [[ -z "${BENCH_UNDER_POSTGRES:-}" ]]; then
    exec env BENCH_UNDER_POSTGRES=1 scripts/with_postgres.sh "$0" "$@"
fi

log() { echo "bench: $*" >&2; }
PY=.venv/bin/python
started=$SECONDS

tmp=$(mktemp -d /tmp/bench.XXXXXX)
gunicorn_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $gunicorn_pid ]] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        # TERM is gunicorn's graceful stop: workers finish their request, then all exit.
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Production-like settings, for this run only. A fresh random key: nothing signed here outlives
# the run. Two-factor is on, as in production: bench/run.py signs in with a session that has passed
# it (so every signed-in request reads the device). The HTTPS redirect is off because the benchmark
# speaks plain HTTP on loopback; the cookies marked Secure are still sent back, as over HTTPS.
export DEBUG=off
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export CONN_MAX_AGE=600
export OTP_REQUIRED=true
export SECURE_SSL_REDIRECT=false
export BENCH_FLOOR_ENABLED=true
export STATIC_ROOT=$tmp/static
scale=${BENCH_SCALE:-200}
workers=${BENCH_WORKERS:-3}

log "migrating"
$PY manage.py migrate --noinput -v0
log "seeding --scale $scale"
seed_started=$SECONDS
$PY manage.py seed_demo --scale "$scale" | sed -n '/^Scale data/,/^Demo data/p' | sed '$d' >&2
log "seeded in $((SECONDS - seed_started)) s (including the small demo and updating the planner's statistics)"
# DEBUG off serves hashed static names from the manifest collectstatic writes.
$PY manage.py collectstatic --noinput -v0

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "starting gunicorn with $workers workers on 127.0.0.1:$port"
# gunicorn also reads ./gunicorn.conf.py (production's settings); these flags override it.
.venv/bin/gunicorn groups_site.wsgi:application \
    --bind "127.0.0.1:$port" --workers "$workers" --max-requests 0 \
    --access-logfile "$tmp/access.log" --error-logfile "$tmp/gunicorn.log" &
gunicorn_pid=$!

ready=
for _ in $(seq 1 60); do
    if $PY -c "
import http.client, sys
connection = http.client.HTTPConnection('127.0.0.1', $port, timeout=2)
connection.request('GET', '/bench/floor/', headers={'Host': '127.0.0.1'})
sys.exit(connection.getresponse().status != 200)" 2>/dev/null; then
        ready=1
        break
    fi
    if ! kill -0 "$gunicorn_pid" 2>/dev/null; then break; fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    log "gunicorn did not start; its log:"
    cat "$tmp/gunicorn.log" >&2 || true
    exit 1
fi

# Other work on the machine slows every page; bench/run.py prints the load average before and after,
# and times each page in turns with the floor so both see the same load.
log "timing pages (each: one user in turns with the floor, then 10 at once)"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
$PY -m bench.run --url "http://127.0.0.1:$port" --scale "$scale" --workers "$workers" ${BENCH_ARGS:-}
echo
$PY -m bench.overhead
echo
echo "gunicorn $workers sync workers; $(psql --version 2>/dev/null || echo PostgreSQL); whole run $((SECONDS - started)) s."
