# Developer entry points. `make run` serves the app on SQLite with demo data;
# `make test` runs every CI check against a throwaway PostgreSQL.

PY := .venv/bin/python
# Local development wants debug pages, but respect a DEBUG the user set.
DEV_ENV := DEBUG=$${DEBUG:-1}
# Extra pytest arguments, e.g. make test ARGS="-k membership -x"
ARGS ?=

.PHONY: venv run test lint

venv: .venv/.installed

# The stamp file makes pip rerun only when requirements.txt changes.
.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	.venv/bin/pip install -r requirements.txt
	touch $@

# No DATABASE_URL: development uses the default SQLite database. The web server and the task
# worker that sends email (printed on the console) run side by side; Ctrl-C stops both.
run: venv
	scripts/ensure_pdf_libs.sh
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) scripts/run_dev.sh

# Tests run on PostgreSQL, like production, and the browser tests on Debian's Chromium;
# both are installed when missing. The server is started and removed by the wrapper script.
test: venv
	scripts/ensure_chromium.sh
	scripts/ensure_pdf_libs.sh
	scripts/with_postgres.sh scripts/run_checks_and_tests.sh $(ARGS)

lint: venv
	.venv/bin/ruff check .

# Times the busiest pages on 200 groups' worth of data (BENCH_SCALE=N for another size) with
# PostgreSQL and gunicorn, and prints the table (see README, "Benchmark"). It measures; it is
# not a test, so `make test` does not run it. Everything it starts is stopped when it ends.
.PHONY: bench
bench: venv
	scripts/ensure_pdf_libs.sh
	scripts/bench.sh

# A pg_dump of the PostgreSQL database in DATABASE_URL, into backups/ (git-ignored).
# Restore with scripts/restore.sh FILE.
.PHONY: backup
backup: venv
	scripts/backup.sh
