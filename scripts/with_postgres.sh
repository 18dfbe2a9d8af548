#!/usr/bin/env bash
# Usage: scripts/with_postgres.sh COMMAND [ARG...]
#
# Runs COMMAND with DATABASE_URL pointing at a throwaway PostgreSQL server,
# so the tests run against the same database engine as production without
# needing a system-wide server. The server lives in a temp dir, listens only
# on 127.0.0.1 on a free port, trusts local connections, trades durability
# for speed (fsync off), and is stopped and deleted on exit, whatever happens.
# Exits with COMMAND's status.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

log() { echo "with_postgres: $*" >&2; }

# Install the server binaries only if no version is present.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    log "PostgreSQL not found, installing Debian's postgresql package"
    sudo=()
    if [[ $EUID -ne 0 ]]; then sudo=(sudo); fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

# Newest installed major version.
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# /tmp rather than $TMPDIR: the postgres user must be able to reach it, and
# the socket path (dir + /.s.PGSQL.NNNNN) must stay under ~100 characters.
tmp=$(mktemp -d /tmp/with_postgres.XXXXXX)
datadir=$tmp/data

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Checking the pid file rather than a flag also covers a half-finished start.
    if [[ -f $datadir/postmaster.pid ]]; then
        as_pg "$bindir/pg_ctl" -D "$datadir" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap does the cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM

# PostgreSQL refuses to run as root, so as root use the postgres account.
# cd into the temp dir so the server never starts in a directory it can't read.
if [[ $EUID -eq 0 ]]; then
    chown postgres: "$tmp"
    as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$tmp" && "$@"); }
fi

# Bind to port 0 and let the kernel pick a free port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

initdb=("$bindir/initdb" -D "$datadir" --auth=trust -U postgres --encoding=UTF8)
if ! as_pg "${initdb[@]}" --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
    # Some systems lack the C.UTF-8 locale; the plain C locale works everywhere.
    rm -rf "$datadir"
    if ! as_pg "${initdb[@]}" --no-locale >"$tmp/initdb.log" 2>&1; then
        cat "$tmp/initdb.log" >&2
        exit 1
    fi
fi

if ! as_pg "$bindir/pg_ctl" -w -D "$datadir" -l "$tmp/log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    cat "$tmp/log" >&2 || true
    exit 1
fi

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres groups
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/groups"
log "PostgreSQL $(basename "$(dirname "$bindir")") running at $DATABASE_URL"

status=0
"$@" || status=$?
exit "$status"
