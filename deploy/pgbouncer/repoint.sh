#!/usr/bin/env bash
# Point PgBouncer's database at another PostgreSQL server and reload it, without dropping its
# clients: the failover step on each app server, after a replica was promoted.
#   deploy/pgbouncer/repoint.sh /etc/pgbouncer/pgbouncer.ini powtracker 10.0.2.12 5432
# The line `powtracker = host=… port=… dbname=…` gets the new host and port; the reload is
# `systemctl reload pgbouncer` where systemd runs it, else a HUP to the pid in its pidfile.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 PGBOUNCER_INI DATABASE HOST PORT" >&2; exit 2; }
ini=$1 database=$2 host=$3 port=$4

grep -qE "^${database}[[:space:]]*=" "$ini" || { echo "$ini: no database line '$database'" >&2; exit 1; }
sed -i -E "s/^(${database}[[:space:]]*=.*host=)[^[:space:]]+(.*port=)[0-9]+/\1${host}\2${port}/" "$ini"
grep -E "^${database}[[:space:]]*=" "$ini"

if [ -z "${PGBOUNCER_PIDFILE:-}" ] && command -v systemctl >/dev/null && systemctl is-active --quiet pgbouncer; then
    systemctl reload pgbouncer
else
    pidfile=${PGBOUNCER_PIDFILE:-$(sed -nE 's/^pidfile[[:space:]]*=[[:space:]]*//p' "$ini")}
    kill -HUP "$(cat "$pidfile")"
fi
echo "PgBouncer reloaded: $database -> $host:$port"
