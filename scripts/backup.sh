#!/usr/bin/env bash
# Usage: scripts/backup.sh [FILE]
#
# Dumps the PostgreSQL database named by DATABASE_URL (from the environment, or from .env as
# the app reads it) in pg_dump's custom format, which pg_restore can restore whole or in part.
# Without FILE the dump goes to $BACKUP_DIR (default: backups/ in the project folder) as
# groups-YYYYmmdd-HHMMSS.dump. Restore with scripts/restore.sh FILE.
#
# The dump holds everyone's records: it is written readable by its owner only, and backups/ is
# git-ignored. Keep copies somewhere as safe as the database itself.
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
[[ -x $python ]] || python=python3

# The same DATABASE_URL the app uses: the environment first, then .env.
url=$("$python" -c 'import os, environ; environ.Env.read_env(".env"); print(os.environ.get("DATABASE_URL", ""))')
case "$url" in
    postgres://* | postgresql://*) ;;
    pgsql://* | psql://*) url="postgresql://${url#*://}" ;; # django-environ's aliases; libpq's name
    "") echo "backup: DATABASE_URL is not set, so the app uses its SQLite file (db.sqlite3): copy that file instead" >&2; exit 2 ;;
    *) echo "backup: DATABASE_URL is not a PostgreSQL database; back up that database's own way" >&2; exit 2 ;;
esac

target=${1:-${BACKUP_DIR:-backups}/groups-$(date +%Y%m%d-%H%M%S).dump}
# The dump and a new backups/ folder: readable by their owner only.
umask 077
mkdir -p "$(dirname "$target")"
# Dump beside the target and rename at the end, so a failed dump never looks like a good one.
partial="$target.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --file="$partial" --dbname="$url"
mv "$partial" "$target"
echo "backup: wrote $target ($(du -h "$target" | cut -f1))"
