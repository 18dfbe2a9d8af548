#!/usr/bin/env bash
# Usage: scripts/run_checks_and_tests.sh [PYTEST ARG...]
#
# Everything CI checks, cheapest first, so a broken setting or a forgotten
# migration fails fast before the slower test suite runs. Expects
# DATABASE_URL to be set (see scripts/with_postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Settings demand SECRET_KEY when DEBUG is off, and the checks should see the
# production-like (DEBUG off) configuration. pytest sets its own via pytest.ini.
export SECRET_KEY="${SECRET_KEY:-checks-only-secret-key-not-for-production}"

step() { printf '\n==> %s\n' "$*"; }

step "manage.py check"
.venv/bin/python manage.py check

step "manage.py makemigrations --check (no missing migrations)"
.venv/bin/python manage.py makemigrations --check --dry-run

step "ruff check"
.venv/bin/ruff check .

# make run serves the demo from SQLite, not PostgreSQL: a query only PostgreSQL accepts once took
# the member export and erase pages down there. Every page, as every role, on SQLite too.
step "pytest tests/test_url_walk.py on SQLite (make run's database)"
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
DATABASE_URL="sqlite:///$sqlite_dir/make-run.sqlite3" .venv/bin/pytest tests/test_url_walk.py -q -p no:cacheprovider

step "pytest $*"
.venv/bin/pytest "$@"
