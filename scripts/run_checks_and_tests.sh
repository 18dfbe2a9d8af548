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

step "pytest $*"
.venv/bin/pytest "$@"
