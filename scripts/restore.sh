#!/usr/bin/env bash
# Usage: scripts/restore.sh FILE
#
# Restores a dump made by scripts/backup.sh (`make backup`) into the PostgreSQL database named by
# DATABASE_URL (from the environment, or from .env as the app reads it), REPLACING what is there:
# every table in the dump is dropped and recreated. It runs in one transaction, so a restore that
# fails part-way leaves the database as it was. Stop the app (gunicorn) first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 1 ]]; then
    echo "usage: $0 FILE" >&2
    exit 2
fi
file=$1
[[ -r $file ]] || { echo "restore: cannot read $file" >&2; exit 2; }

python=.venv/bin/python
[[ -x $python ]] || python=python3

url=$("$python" -c 'import os, environ; environ.Env.read_env(".env"); print(os.environ.get("DATABASE_URL", ""))')
case "$url" in
    postgres://* | postgresql://*) ;;
    pgsql://* | psql://*) url="postgresql://${url#*://}" ;;
    "") echo "restore: DATABASE_URL is not set" >&2; exit 2 ;;
    *) echo "restore: DATABASE_URL is not a PostgreSQL database" >&2; exit 2 ;;
esac

# Name the database without its password.
database=$("$python" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.path.lstrip("/"), "on", p.hostname or "localhost")' "$url")
if [[ -t 0 ]]; then
    read -r -p "Replace everything in database $database with $file? Type yes: " answer
    [[ $answer == yes ]] || { echo "restore: nothing changed" >&2; exit 1; }
fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$url" "$file"
echo "restore: $database now holds $file"
