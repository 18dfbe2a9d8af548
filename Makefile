# Developer entry points. `make run` serves the app on SQLite with demo data;
# `make test` runs every CI check against a throwaway PostgreSQL.

PY := .venv/bin/python
PIP := .venv/bin/pip
# Local development wants debug pages, but respect a DEBUG the user set.
DEV_ENV := DEBUG=$${DEBUG:-1}
# Extra pytest arguments, e.g. make test ARGS="-k membership -x"
ARGS ?=
# The port `make run` serves on, e.g. make run PORT=8001 when 8000 is taken.
PORT ?= 8000
# Extra pip-compile arguments for `make lock`, e.g. LOCK_ARGS="--upgrade-package django" or --upgrade.
LOCK_ARGS ?=

.PHONY: venv run test lint lock

# Two locked sets of packages (see `make lock`): requirements.txt is what the app needs to run,
# requirements-dev.txt the tests and tools on top of it. `make run` and `make bench` install the
# first only; `make test`, `make lint` and `make venv` (a developer's set-up) install both.
# The stamp files make pip rerun only when a requirements file changes. Every line carries its
# hashes, so pip installs only the very files that were locked.
venv: .venv/.installed-dev

.venv/bin/python:
	python3 -m venv .venv

.venv/.installed-runtime: requirements.txt | .venv/bin/python
	$(PIP) install --require-hashes -r requirements.txt
	touch $@

# Both files in one pip run, so the packages they share are resolved once, at the same version.
.venv/.installed-dev: requirements.txt requirements-dev.txt | .venv/bin/python
	$(PIP) install --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@ .venv/.installed-runtime

# Recompiles the locked files from requirements.in and requirements-dev.in, keeping every pin
# that still fits (LOCK_ARGS=--upgrade to move everything to the newest versions). The runtime
# file first: the development file is constrained to its versions. Run it after editing a .in file
# and commit the three files together; the lock is made for Python 3.11, like the project.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: .venv/.installed-dev
	CUSTOM_COMPILE_COMMAND="make lock" .venv/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) \
		--output-file requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" .venv/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) \
		--output-file requirements-dev.txt requirements-dev.in

# No DATABASE_URL: development uses the default SQLite database. The web server and the task
# worker that sends email (printed on the console) run side by side; Ctrl-C stops both.
run: .venv/.installed-runtime
	scripts/ensure_pdf_libs.sh
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) scripts/run_dev.sh 127.0.0.1:$(PORT)

# Tests run on PostgreSQL, like production, and the browser tests on Debian's Chromium;
# both are installed when missing. The server is started and removed by the wrapper script.
test: .venv/.installed-dev
	scripts/ensure_chromium.sh
	scripts/ensure_pdf_libs.sh
	scripts/with_postgres.sh scripts/run_checks_and_tests.sh $(ARGS)

lint: .venv/.installed-dev
	.venv/bin/ruff check .

# Times the busiest pages on 200 groups' worth of data (BENCH_SCALE=N for another size) with
# PostgreSQL and gunicorn, and prints the table (see docs/benchmark.md). It measures; it is
# not a test, so `make test` does not run it. Everything it starts is stopped when it ends.
# It needs only what the app runs on: gunicorn is a runtime package, and bench/run.py uses the
# standard library and Django.
.PHONY: bench
bench: .venv/.installed-runtime
	scripts/ensure_pdf_libs.sh
	scripts/bench.sh

# A pg_dump of the PostgreSQL database in DATABASE_URL, into backups/ (git-ignored).
# Restore with scripts/restore.sh FILE.
.PHONY: backup
backup: .venv/.installed-runtime
	scripts/backup.sh
