#!/usr/bin/env bash
# Starts a private, throw-away PostgreSQL cluster for the tests and prints its URL.
# Usage: scripts/test-postgres.sh start DIR   |   scripts/test-postgres.sh stop DIR
# These machines run as root and initdb refuses root, so the server runs as
# the `postgres` system user (runuser) when we are root.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?cluster directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      # Password logins, so the tests can also show what a wrong password does.
      python3 -c 'import secrets; print(secrets.token_hex(12))' > "$dir.password"
      chmod 644 "$dir.password"
      as_server "$bin/initdb" -D "$dir" -U postgres --auth=scram-sha-256 --pwfile="$dir.password" \
        -E UTF8 --locale=C >/dev/null
      cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_server "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null
    echo "postgresql://postgres:$(cat "$dir.password")@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_server "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
esac
